"""CSV downloads, streamed: the patient's own, one linked patient's, or a clinician's whole panel.

The response starts as soon as the header row is ready, and each page of rows is encoded and
sent before the next is read, so a panel of 500 patients with two years of daily check-ins
downloads in the memory of one page (bench/bench_export_memory.py measures it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence

import msgspec
from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Stream

from lift.db import audit
from lift.db import export as store
from lift.db import sharing as sharing_store
from lift.db.connection import Database
from lift.domain import export as rows
from lift.domain import sharing as rules
from lift.web.guards import clinician, patient, shared_patient
from lift.web.rendering import render

BYTE_ORDER_MARK = "\ufeff"


async def csv_stream(db: Database, patients: Sequence[rows.PatientRef], kind: str, chosen: rows.DateRange,
                     seen: rules.Visibility, named: bool) -> AsyncIterator[bytes]:
    """The file, chunk by chunk: the header row, then one chunk per page of records. `named`: a
    clinician's file, which ends with their own name for each patient."""
    columns = rows.columns_for(kind, seen, named)
    # A byte-order mark first: Excel, which many clinics open CSV files with, reads UTF-8 without
    # one as a legacy code page and garbles accents and dashes in notes. UTF-8 readers skip it.
    yield (BYTE_ORDER_MARK + rows.csv_text([rows.header(columns)])).encode()
    if kind == "definitions":
        yield rows.csv_text(rows.definitions(named)).encode()
        return
    first, last = chosen.first, chosen.last
    for ref in patients:
        if kind == "checkins":
            async for page in store.checkin_records(db, ref.id, first, last):
                yield await off_the_loop(lambda: [rows.checkin_row(ref, r, columns) for r in page])
        elif kind == "scales":
            baselines = await store.baselines(db, ref.id)
            async for page in store.scale_records(db, ref.id, first, last):
                yield await off_the_loop(
                    lambda: [rows.scale_row(ref, r, baselines.get(r.instrument), columns) for r in page])
        elif kind == "sessions":
            async for page in store.session_records(db, ref, first, last):
                yield await off_the_loop(lambda: [rows.session_row(ref, r, columns, named) for r in page])


async def off_the_loop(make_rows: Callable[[], list[list[str]]]) -> bytes:
    """Format a page of rows in a worker thread: a 100,000-row export would otherwise hold the
    event loop for seconds in total, and every check-in posted meanwhile would wait behind it."""
    return await asyncio.to_thread(lambda: rows.csv_text(make_rows()).encode())


async def panel_patients(db: Database, clinician_id: int) -> list[rows.PatientRef]:
    """Every patient linked to this clinician whose scope allows export, as the panel lists them."""
    grants = await sharing_store.grants_for_grantee(db, clinician_id, "clinician")
    return [rows.PatientRef(g.patient_id, g.patient_email, g.patient_timezone, g.grantee_label) for g in grants
            if rules.visibility(g.scope).export]


class FormPage(msgspec.Struct, frozen=True, kw_only=True):
    """Where a refused download's form comes back: its heading, a line under it, and the way back
    to the page the form was on."""

    title: str
    hint: str
    back_href: str
    back_text: str


OWN_FORM = FormPage(title="Download CSV files", hint="Your check-ins, questionnaires or sessions, as spreadsheets.",
                    back_href="/account/data", back_text="Download my data")
PANEL_FORM = FormPage(title="Download the whole panel", hint="Each download is shown to the patients in it.",
                      back_href="/clinician", back_text="Your patients")


def refused(request: Request, action: str, page: FormPage, errors: dict[str, str]) -> Response:
    """The form again, filled in as it was sent, with what to fix beside each date (422), as any
    form in Lift comes back: not an error page whose only way on is home."""
    values = {name: request.query_params.get(name, "") for name in ("kind", "start", "end")}
    return render(request, "export/form.html", status_code=422, page=page, export_action=action,
                  export_values=values, export_errors=errors)


def download(request: Request, patients: Sequence[rows.PatientRef], kind: str, chosen: rows.DateRange,
             seen: rules.Visibility, who: str, named: bool = True) -> Response:
    name = rows.filename(kind, who, chosen.first and chosen.first.isoformat(),
                         chosen.last and chosen.last.isoformat())
    return Stream(
        csv_stream(request.app.state.db, patients, kind, chosen, seen, named),
        media_type="text/csv",  # Litestar adds "; charset=utf-8" to text types
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@get("/export", guards=[patient], name="export")
async def own_export(request: Request, kind: FromQuery[str] = "checkins", start: FromQuery[str | None] = None,
                     end: FromQuery[str | None] = None) -> Response:
    chosen, errors = rows.parse_download(kind, start, end)
    if errors:
        return refused(request, "/export", OWN_FORM, errors)
    user = request.scope["user"]
    return download(request, [rows.PatientRef(user.id, user.email, user.timezone)], kind, chosen,
                    rules.OWNER, "journal", named=False)


@get("/clinician/patients/{patient_id:int}/export", guards=[clinician])
async def patient_export(request: Request, patient_id: FromPath[int], kind: FromQuery[str] = "checkins",
                         start: FromQuery[str | None] = None, end: FromQuery[str | None] = None) -> Response:
    grant = await shared_patient(request, patient_id)
    seen = rules.visibility(grant.scope)
    if not seen.export:
        raise NotFoundException()
    chosen, errors = rows.parse_download(kind, start, end)
    if errors:
        known_as = grant.grantee_label or grant.patient_email
        page = FormPage(title="Download CSV files", hint=f"From {known_as}'s journal. "
                        "The patient sees each download in their log.",
                        back_href=f"/clinician/patients/{patient_id}", back_text=known_as)
        return refused(request, f"/clinician/patients/{patient_id}/export", page, errors)
    if kind != "definitions":
        await audit.record(request.app.state.db, [patient_id], request.scope["user"], "export", kind,
                           rows.range_text(chosen))
    patient = rows.PatientRef(grant.patient_id, grant.patient_email, grant.patient_timezone, grant.grantee_label)
    return download(request, [patient], kind, chosen, seen, f"patient-{patient_id}")


@get("/clinician/export", guards=[clinician])
async def panel_export(request: Request, kind: FromQuery[str] = "checkins", start: FromQuery[str | None] = None,
                       end: FromQuery[str | None] = None) -> Response:
    chosen, errors = rows.parse_download(kind, start, end)
    if errors:
        return refused(request, "/clinician/export", PANEL_FORM, errors)
    db, user = request.app.state.db, request.scope["user"]
    patients = await panel_patients(db, user.id)
    if patients and kind != "definitions":
        await audit.record(db, [p.id for p in patients], user, "export", kind, rows.range_text(chosen))
    # Every clinician grant has the same scope, so one set of columns fits the whole panel.
    return download(request, patients, kind, chosen, rules.visibility(rules.scope_for("clinician")), "panel")
