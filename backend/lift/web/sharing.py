"""The patient's Sharing page (invite, see, change and revoke grants), "who saw my journal",
and the invitee's side: opening an invitation, signing up or signing in, accepting it, and
later ending their own access."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from lift.db import audit
from lift.db import sharing as store
from lift.db.clock import utc_now
from lift.db.connection import DatabaseError
from lift.domain import accounts, dates, paging
from lift.domain import sharing as rules
from lift.domain.forms import form_key, parse_form
from lift.passwords import hash_password
from lift.settings import Settings, ensure_secret_key
from lift.web.auth import claim_signup, client_ip, known_timezones, start_session, timezone_list
from lift.web.guards import patient, shared_patient, signed_in
from lift.web.rendering import (
    SAVE_FAILED, day_in, form_data, new_form_key, redirect, render, site_url, to_page_shown,
)

# Entries a page of the access log holds at most, in whole days (a longer day is a page alone).
AUDIT_PAGE_SIZE = 50
# Longer than any token or code Lift makes: anything longer is not worth hashing.
MAX_KEY_CHARS = 64
NOTICES = {
    "revoked": "Sharing stopped. They can no longer see your journal, starting with their next click.",
    "withdrawn": "The invitation is withdrawn. Its link and code no longer work.",
    "scope": "Saved. They see the new choice from their next click.",
}


@cache
def _code_key(settings: Settings) -> str:
    return ensure_secret_key(settings)


def code_key(request: Request) -> str:
    return _code_key(request.app.state.settings)


def home_for(role: str, patient_id: int) -> str:
    """Where an invitee lands once they accept: that patient's page."""
    return f"/{role}/patients/{patient_id}"


# --- The patient's Sharing page -------------------------------------------------------------


async def sharing_view(request: Request, values: dict, errors: dict, status_code: int = 200,
                       notice: str | None = None) -> Response:
    db, user = request.app.state.db, request.scope["user"]
    ended_since = utc_now() - timedelta(days=rules.ENDED_SHOWN_DAYS)
    # The invitation form comes back with the key it was sent with (a new one for a key Lift
    # can't read, which was taken out).
    return render(request, "sharing/index.html", status_code=status_code, values=new_form_key(values),
                  errors=errors,
                  grants=await store.grants_for_patient(db, user.id),
                  ended=rules.ended_shares(await store.grants_ended_by_grantees(db, user.id, ended_since),
                                           await store.grantee_accounts_deleted(db, user.id, ended_since)),
                  pending=await store.pending_invitations(db, user.id), notice=notice,
                  scope_text=rules.scope_text, local_day=day_in(user.timezone), invitation_days=rules.INVITATION_DAYS)


@get("/sharing", guards=[patient], name="sharing")
async def sharing_page(request: Request, notice: FromQuery[str | None] = None) -> Response:
    return await sharing_view(request, {"role": "caregiver"}, {}, notice=NOTICES.get(notice or ""))


@post("/sharing/invitations", guards=[patient])
async def create_invitation(request: Request) -> Response:
    values = await form_data(request)
    form, errors = parse_form(rules.InviteForm, values, rules.INVITE_MESSAGES)
    key, bad_key = form_key(values)
    if bad_key:
        values.pop("client_uuid", None)
        errors.setdefault("form", bad_key)
    if errors:
        return await sharing_view(request, values, errors, 422)
    try:
        made = await store.create_invitation(request.app.state.db, request.scope["user"], form,
                                             code_key(request), key)
    except DatabaseError:
        return await sharing_view(request, values, {"form": SAVE_FAILED}, 503)
    if made is None:
        # Sent again after its answer was lost, and used, withdrawn or expired since: the
        # Sharing page says which, with no second invitation.
        return redirect(request, "/sharing")
    token, code, invitation = made
    sees, hidden = rules.describe(invitation.scope)
    # The link and code are shown this once (again only to this form sent again): only their
    # hashes are kept.
    return render(request, "sharing/created.html", link=f"{site_url(request)}/invite/{token}",
                  code=rules.format_code(code), role=invitation.role, label=invitation.label, sees=sees,
                  hidden=hidden, invitation_days=rules.INVITATION_DAYS)


@post("/sharing/invitations/{invitation_id:int}/withdraw", guards=[patient])
async def withdraw_invitation(request: Request, invitation_id: FromPath[int]) -> Response:
    if not await store.withdraw_invitation(request.app.state.db, request.scope["user"], invitation_id):
        raise NotFoundException()
    return redirect(request, "/sharing?notice=withdrawn")


@get("/sharing/grants/{grant_id:int}/revoke", guards=[patient])
async def confirm_revoke(request: Request, grant_id: FromPath[int]) -> Response:
    """Who the patient would stop sharing with and what they would stop seeing, before it
    happens: one mis-tap on the Sharing page ended someone's access at once."""
    user = request.scope["user"]
    grant = await store.patient_grant(request.app.state.db, user.id, grant_id)
    if grant is None:
        raise NotFoundException()
    return render(request, "sharing/stop_sharing.html", grant=grant, sees=rules.describe(grant.scope)[0],
                  facts=rules.STOP_SHARING_FACTS, local_day=day_in(user.timezone))


@post("/sharing/grants/{grant_id:int}/revoke", guards=[patient])
async def revoke_grant(request: Request, grant_id: FromPath[int]) -> Response:
    if not await store.revoke_grant(request.app.state.db, request.scope["user"], grant_id):
        raise NotFoundException()
    return redirect(request, "/sharing?notice=revoked")


@post("/sharing/grants/{grant_id:int}/scope", guards=[patient])
async def change_scope(request: Request, grant_id: FromPath[int]) -> Response:
    form, errors = parse_form(rules.ScopeForm, await form_data(request), rules.SCOPE_MESSAGES)
    if errors:
        return await sharing_view(request, {"role": "caregiver"}, errors, 422)
    scope = rules.scope_for("caregiver", form.include_notes, form.include_thoughts)
    if not await store.set_caregiver_scope(request.app.state.db, request.scope["user"], grant_id, scope):
        raise NotFoundException()
    return redirect(request, "/sharing?notice=scope")


@get("/sharing/audit", guards=[patient], name="sharing_audit")
async def audit_page(request: Request, page: FromQuery[str | None] = None) -> Response:
    """Pages of whole days (the patient's), so a day's looks fold into one line however they
    were spread over the day; a page past the end is the last one, at its own address."""
    user = request.scope["user"]
    db = request.app.state.db
    days = await audit.log_days(db, user.id, user.timezone)
    pages = paging.day_pages([day.entries for day in days], AUDIT_PAGE_SIZE)
    current = paging.page_of(paging.asked_page(page), len(pages), 1)
    if elsewhere := to_page_shown(request, current.number):
        return elsewhere
    shown = [days[index] for index in pages[current.number - 1]] if pages else []
    entries = await audit.entries_between(db, user.id, min(day.first_id for day in shown),
                                          max(day.last_id for day in shown)) if shown else []
    lines = rules.audit_lines(entries, user.timezone, {day.day for day in shown})
    return render(request, "sharing/audit.html", lines=lines, page=current,
                  sentence=lambda line: rules.audit_line_sentence(line, user.timezone, user.twelve_hour),
                  when=lambda at: rules.local_when(at, user.timezone, user.twelve_hour))


# --- The invitee's side ---------------------------------------------------------------------


async def invitation_for_key(request: Request, key: str) -> rules.Invitation | None:
    """The invitation a link token or short code names, found or not; nothing is counted."""
    db = request.app.state.db
    if len(key) > MAX_KEY_CHARS:
        return None
    if code := rules.normalise_code(key):
        return await store.invitation_by_code(db, store.code_hash(code, code_key(request)))
    return await store.invitation_by_token(db, store.token_hash(key))


def problem_status(problem: str | None) -> int:
    return 404 if problem == "unknown" else 410 if problem else 200


async def find_invitation(request: Request, key: str) -> tuple[rules.Invitation | None, str | None, int]:
    """For the POST routes: the invitation a link token or short code names, why it can't be
    used (or None), and the status to answer with. Unknown keys count toward a per-address
    limit, so the short codes cannot be guessed by trying them one after another. Only POSTs
    count (they need the CSRF token): any web page can make a browser send a GET. Each key is
    counted before it is looked up, so a burst sent at once cannot pass the limit, and the count
    is taken back when the key names an invitation."""
    db, settings = request.app.state.db, request.app.state.settings
    window = timedelta(minutes=settings.signin_window_minutes)
    failure = await store.claim_attempt(db, client_ip(request), window,
                                        lambda failures: failures >= settings.signin_ip_limit)
    if failure is None:
        return None, "throttled", 429
    invitation = await invitation_for_key(request, key)
    problem = rules.invitation_problem(invitation, utc_now())
    if problem == "unknown":
        return None, problem, 404
    await store.forget_failure(db, failure)
    return invitation, problem, problem_status(problem)


def dead_invitation(request: Request, problem: str, status_code: int) -> Response:
    """The same page for every kind of dead invitation: it says what happened to the
    invitation and nothing about who made it."""
    message = rules.INVITATION_PROBLEMS.get(problem) or (
        "Too many invitation codes were tried from here. Wait a few minutes and try again.")
    return render(request, "invite/invalid.html", status_code=status_code, message=message)


def invitation_view(request: Request, key: str, invitation: rules.Invitation, values: dict, errors: dict,
                    status_code: int = 200) -> Response:
    user = request.scope.get("user")
    sees, hidden = rules.describe_to_invitee(invitation.scope)
    return render(request, "invite/show.html", status_code=status_code, key=key, invitation=invitation,
                  sees=sees, hidden=hidden, values=values, errors=errors,
                  timezones=timezone_list(values.get("timezone")),
                  role_problem=rules.role_problem(invitation, user.role) if user else None,
                  local_day=day_in(invitation.patient_timezone), detect_timezone=not values.get("email"))


def new_invitee_values(request: Request) -> dict:
    return {"timezone": request.app.state.settings.default_timezone}


@get("/invite", name="invite")
async def enter_code(request: Request) -> Response:
    return render(request, "invite/enter.html", values={}, errors={})


@post("/invite")
async def open_with_code(request: Request) -> Response:
    """A typed short code is posted, never looked up by a GET: its failures must count (it is
    only about 40 bits), and a counted GET is one any web page could make."""
    values = await form_data(request)
    form, errors = parse_form(rules.CodeForm, values, rules.CODE_MESSAGES)
    code = rules.normalise_code(form.code) if form else None
    if code is None:
        return render(request, "invite/enter.html", status_code=422, values={"code": values.get("code", "")},
                      errors=errors or rules.CODE_MESSAGES)
    invitation, problem, status = await find_invitation(request, code)
    if problem:
        return dead_invitation(request, problem, status)
    return invitation_view(request, code, invitation, new_invitee_values(request), {})


@get("/invite/{key:str}")
async def invitation_page(request: Request, key: FromPath[str]) -> Response:
    """Opening an invitation link. A GET counts no failure, or any web page could use up an
    address's budget (a clinic's shared one) with <img src="/invite/x"> and lock out the real
    link. So a GET may look up only link tokens (256 bits: nothing to guess); a short code in
    the path goes back to the code form, filled in, for the counted POST."""
    if code := rules.normalise_code(key):
        return render(request, "invite/enter.html", values={"code": rules.format_code(code)}, errors={})
    invitation = await invitation_for_key(request, key)
    if problem := rules.invitation_problem(invitation, utc_now()):
        return dead_invitation(request, problem, problem_status(problem))
    return invitation_view(request, key, invitation, new_invitee_values(request), {})


@post("/invite/{key:str}/signup")
async def signup_and_accept(request: Request, key: FromPath[str]) -> Response:
    """A new caregiver or clinician account, made only through an invitation, which it accepts."""
    if request.scope.get("user"):
        return redirect(request, f"/invite/{key}")
    invitation, problem, status = await find_invitation(request, key)
    if problem:
        return dead_invitation(request, problem, status)
    values = await form_data(request)
    form, errors = parse_form(accounts.SignupForm, values, accounts.SIGNUP_MESSAGES)
    if email_problem := accounts.email_problem(values.get("email", "")):
        errors["email"] = email_problem
    if form:
        if problem := accounts.password_problem(form.password, form.email):
            errors["password"] = problem
        if tz_problem := accounts.timezone_problem(form.timezone, known_timezones()):
            errors["timezone"] = tz_problem
    status = 422
    # Counted with the patients' sign-ups from this address, before the password is hashed.
    if form and not errors and (throttled := await claim_signup(request)):
        errors["form"], status = throttled, 429
    elif form and not errors:
        try:
            user, _ = await store.accept_with_new_account(
                request.app.state.db, invitation.id, accounts.normalise_email(form.email),
                await hash_password(form.password), form.timezone, invitation.role,
                dates.clock_of_hour_cycle(values.get("hour_cycle", "")),
            )
        except store.InvitationGone:
            return dead_invitation(request, "used", 410)
        if user:
            return await start_session(request, user.id, home_for(invitation.role, invitation.patient_id))
        errors["email"] = ("An account with this email already exists. Sign in with it instead, "
                           "then accept the invitation.")
    values.pop("password", None)
    return invitation_view(request, key, invitation, values, errors, status)


@post("/invite/{key:str}/accept", guards=[signed_in])
async def accept(request: Request, key: FromPath[str]) -> Response:
    user = request.scope["user"]
    invitation, problem, status = await find_invitation(request, key)
    if problem == "used" and invitation.used_by == user.id:
        # Accepted by this very account: Accept sent again after its answer was lost.
        return redirect(request, home_for(user.role, invitation.patient_id))
    if problem:
        return dead_invitation(request, problem, status)
    if rules.role_problem(invitation, user.role):
        return invitation_view(request, key, invitation, {}, {}, 409)
    if await store.accept_invitation(request.app.state.db, invitation.id, user) is None:
        return dead_invitation(request, "used", 410)
    return redirect(request, home_for(user.role, invitation.patient_id))


# --- A caregiver or clinician ending their own access ---------------------------------------


async def confirm_end_access(request: Request, patient_id: int) -> Response:
    """What ending their access means, before they do it. Nothing of the journal is shown, so
    the page is not an audited view."""
    grant = await shared_patient(request, patient_id)
    return render(request, "sharing/end_access.html", grant=grant, ending=rules.ENDINGS[grant.role],
                  facts=rules.ENDING_FACTS)


async def end_access(request: Request, patient_id: int) -> Response:
    """Only the grantee of an active grant can end it; anything else is the usual 404."""
    viewer = request.scope["user"]
    if not await store.end_own_access(request.app.state.db, viewer, patient_id):
        raise NotFoundException()
    return redirect(request, f"/{viewer.role}?notice=ended")


def ended_notice(role: str, notice: str | None) -> str | None:
    return rules.ENDINGS[role].done if notice == "ended" else None


# --- A caregiver's or clinician's own name for a patient ------------------------------------

# The notice on the patient's page after the name was saved or removed.
NAME_NOTICES = {
    "named": "Saved. Only you see this name; they don't.",
    "unnamed": "Name removed. They are shown by their email address again.",
}


def name_view(request: Request, grant: rules.Grant, values: dict, errors: dict, status_code: int = 200) -> Response:
    """The name form on a page of its own: where a name that can't be saved comes back as typed,
    with what to fix (and where the form goes without the patient's page). Nothing of the
    journal is shown, so it is not an audited view."""
    return render(request, "sharing/name.html", status_code=status_code, grant=grant, name_values=values,
                  name_errors=errors)


async def name_form(request: Request, patient_id: int) -> Response:
    grant = await shared_patient(request, patient_id)
    return name_view(request, grant, {"name": grant.grantee_label}, {})


async def save_name(request: Request, patient_id: int) -> Response:
    """Only the grantee of an active grant names its patient; anyone else gets the usual 404."""
    grant = await shared_patient(request, patient_id)
    values = await form_data(request)
    form, errors = parse_form(rules.GranteeLabelForm, values, rules.GRANTEE_LABEL_MESSAGES)
    if errors:
        return name_view(request, grant, values, errors, 422)
    try:
        saved = await store.set_grantee_label(request.app.state.db, request.scope["user"], patient_id, form.name)
    except DatabaseError:
        return name_view(request, grant, values, {"form": SAVE_FAILED}, 503)
    if not saved:  # the share ended between reading the grant and writing the name
        raise NotFoundException()
    return redirect(request, f"{home_for(grant.role, patient_id)}?notice={'named' if form.name else 'unnamed'}")


def name_notice(notice: str | None) -> str | None:
    return NAME_NOTICES.get(notice or "")
