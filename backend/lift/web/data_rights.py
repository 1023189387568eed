"""The patient's data rights: take everything out (a JSON archive and CSV files), or delete the
account and everything in it after re-entering the password.

What deletion does, for every account:
- the journal (check-ins, scales, treatment plan, sessions and logs, safety plan), reminder
  settings, notification devices and the calendar feed are deleted;
- every signed-in session ends on every device;
- invitations made and grants given end and are deleted, so nobody can see anything any more;
  for a caregiver or clinician, the grants they held end and each patient's log says so;
- audit entries are never deleted (the table refuses it). The last entry about a patient
  records the deletion; then the link between the entries and the account is deleted, so
  what stays holds times and viewers' addresses but points to nobody.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
from litestar import Request, get, post
from litestar.response import Response, Stream

from lift.db import data_rights as store
from lift.db import export as export_store
from lift.db.clock import iso, utc_now
from lift.db.connection import Database
from lift.domain import archive as archive_keys
from lift.domain import export
from lift.domain.accounts import User
from lift.domain.data_rights import DELETE_MESSAGES, DeleteForm
from lift.domain.forms import parse_form
from lift.web.auth import current_password_problem
from lift.web.guards import signed_in
from lift.web.rendering import form_data, local_today, render
from lift.web.security import SESSION_COOKIE, forget_cookie

# 2: "definitions" explains the archive's own keys and codes (section, key, meaning); in 1 it
# listed the CSV files' columns. Keys added since keep 2 (domain/archive.py says why).
ARCHIVE_FORMAT = "lift-archive/2"


async def archive_stream(db: Database, user: User) -> AsyncIterator[bytes]:
    """One JSON object, written a section and a page at a time."""
    encode = msgspec.json.encode
    head = {"format": ARCHIVE_FORMAT, "exported_at": iso(utc_now()),
            "account": await export_store.account_facts(db, user.id),
            "definitions": archive_keys.definitions()}
    yield encode(head)[:-1]
    for name, sql, json_columns in export_store.ARCHIVE_SECTIONS:
        yield b"," + encode(name) + b":["
        first = True
        async for page in export_store.archive_rows(db, user.id, sql, json_columns):
            yield (b"" if first else b",") + b",".join(encode(item) for item in page)
            first = False
        yield b"]"
    yield b"}"


@get("/account/data", guards=[signed_in], name="data_rights")
async def data_page(request: Request) -> Response:
    return render(request, "account/data.html", kinds=export.KINDS, columns=export.COLUMNS,
                  definitions=export.definitions())


@get("/account/data/archive.json", guards=[signed_in])
async def archive(request: Request) -> Response:
    user = request.scope["user"]
    # Named for the person's own day: at 21:00 in New York on 30 November it is 1 December in UTC.
    day = local_today(user.timezone).isoformat()
    return Stream(archive_stream(request.app.state.db, user), media_type="application/json",
                  headers={"Content-Disposition": f'attachment; filename="lift-archive-{day}.json"'})


def delete_view(request: Request, errors: dict, status_code: int = 200, confirmed: bool = False) -> Response:
    """The confirmation page; sent back with errors, a box the person ticked stays ticked, so a
    mistyped password does not also cost them the tick (the password is still asked again)."""
    return render(request, "account/delete.html", status_code=status_code, errors=errors, confirmed=confirmed)


@get("/account/delete", guards=[signed_in], name="delete_account")
async def confirm_delete(request: Request) -> Response:
    return delete_view(request, {})


@post("/account/delete", guards=[signed_in])
async def delete_account(request: Request) -> Response:
    user, db = request.scope["user"], request.app.state.db
    values = await form_data(request)
    form, errors = parse_form(DeleteForm, values, DELETE_MESSAGES)
    # Every missing answer is said at once: an empty password must not hide an unticked box.
    confirmed = form.confirm if form else values.get("confirm") == "true"
    if not confirmed:
        errors.setdefault("confirm", DELETE_MESSAGES["confirm"])
    status = 422
    if form and not errors:
        problem, status = await current_password_problem(request, form.password,
                                                         wrong="That isn't your password.")
        if problem:
            errors["password"] = f"{problem} Nothing was deleted."
    if errors:
        return delete_view(request, errors, status, confirmed)
    await store.delete_account(db, user)
    response = render(request, "account/deleted.html", user=None)
    forget_cookie(response, SESSION_COOKIE, request.app.state.settings)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
