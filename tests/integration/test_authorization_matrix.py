"""Every route × every kind of person: the status each one gets.

The routes come from the app's own route table, so a route added anywhere (sharing, push,
offline, anything later) fails this test until someone decides here who may use it.

Each actor gets a fresh world: a patient who shares with two caregivers (summary only, and
with notes), a linked clinician, a clinician and a caregiver (who had notes and thoughts
answers) whose grants were revoked, an unlinked clinician, another patient, and a pending
caregiver invitation. The actor then sends every request, GETs
first, then POSTs with an empty form (which changes little: mostly a 422 once past the
guard), and the two sign-outs last, since they end the actor's session.

Roles see other roles' pages as missing (404), never as forbidden; a view of a patient by
anyone else, or a caregiver's or clinician's name for them, is a 404 without an active grant.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import msgspec
import pytest

from lift.db import password_resets, sessions, users
from lift.db import sharing as sharing_store
from lift.domain.sharing import InviteForm
from lift.passwords import _hasher
from lift.settings import Settings, ensure_secret_key
from tests.integration.conftest import PASSWORD, Person

A, P, O, CS, CN, CL, CU, R, RC = ACTORS = (
    "anonymous", "patient", "other_patient", "caregiver_summary", "caregiver_notes", "linked_clinician",
    "unlinked_clinician", "revoked_grantee", "revoked_caregiver",
)
EMAILS = {P: "pat@example.com", O: "other@example.com", CS: "carer@example.com", CN: "carer-notes@example.com",
          CL: "doctor@example.com", CU: "stranger-doctor@example.com", R: "former-doctor@example.com",
          RC: "former-carer@example.com"}
ROLES = {P: "patient", O: "patient", CS: "caregiver", CN: "caregiver", CL: "clinician", CU: "clinician",
         R: "clinician", RC: "caregiver"}
# Litestar answers OPTIONS (and HEAD for static files) itself, for every path.
AUTOMATIC_METHODS = frozenset({"OPTIONS", "HEAD"})
SIGNED_OUT_REDIRECT = 303  # to /signin?next=…


def expect(default: int, **by_actor: int) -> dict[str, int]:
    return {actor: by_actor.get(actor, default) for actor in ACTORS}


def everyone(status: int) -> dict[str, int]:
    return expect(status)


def signed_in(ok: int, anonymous: int = SIGNED_OUT_REDIRECT) -> dict[str, int]:
    return expect(ok, anonymous=anonymous)


def patients(ok: int, other: int | None = None, anonymous: int = SIGNED_OUT_REDIRECT) -> dict[str, int]:
    """Patients' own pages. `other` is what the other patient gets for the patient's record."""
    return expect(404, anonymous=anonymous, patient=ok, other_patient=ok if other is None else other)


def caregivers(ok: int) -> dict[str, int]:
    return expect(404, anonymous=SIGNED_OUT_REDIRECT, caregiver_summary=ok, caregiver_notes=ok,
                  revoked_caregiver=ok)


def caregivers_of_patient(ok: int, notes_only: bool = False) -> dict[str, int]:
    return expect(404, anonymous=SIGNED_OUT_REDIRECT, caregiver_summary=404 if notes_only else ok,
                  caregiver_notes=ok)


def clinicians(ok: int) -> dict[str, int]:
    return expect(404, anonymous=SIGNED_OUT_REDIRECT, linked_clinician=ok, unlinked_clinician=ok, revoked_grantee=ok)


def clinician_of_patient(ok: int) -> dict[str, int]:
    return expect(404, anonymous=SIGNED_OUT_REDIRECT, linked_clinician=ok)


# (method, route path as in the route table, URL template, expected status per actor), in the
# order they are sent. POSTs that delete or end something come after the ones that need it.
MATRIX: list[tuple[str, str, str, dict[str, int]]] = [
    # Public pages, for everyone the same.
    ("GET", "/healthz", "/healthz", everyone(200)),
    ("GET", "/readyz", "/readyz", everyone(200)),
    ("GET", "/help", "/help", everyone(200)),
    ("GET", "/learn", "/learn", everyone(200)),
    ("GET", "/learn/{slug:str}", "/learn/side-effects", everyone(200)),
    ("GET", "/{path:path}", "/no-such-page", everyone(404)),
    ("GET", "/static/{file_path:path}", "/static/css/app.css", everyone(200)),
    ("GET", "/sw.js", "/sw.js", everyone(200)),
    ("GET", "/sw-config.js", "/sw-config.js", everyone(200)),
    ("GET", "/manifest.webmanifest", "/manifest.webmanifest", everyone(200)),
    # The OpenAPI document (JSON only), at /schema and /schema/openapi.json; anything else under it is missing.
    # Development only: a production app has none of these routes (test_security.py).
    ("GET", "/schema", "/schema", everyone(200)),
    ("GET", "/schema/openapi.json", "/schema/openapi.json", everyone(200)),
    ("GET", "/schema/{path:str}", "/schema/swagger", everyone(404)),
    ("GET", "/offline", "/offline", everyone(200)),
    ("GET", "/offline/checkin", "/offline/checkin", everyone(200)),
    ("GET", "/offline/help", "/offline/help", everyone(200)),
    ("GET", "/offline/safety-plan", "/offline/safety-plan", everyone(200)),
    # The calendar feed has no sign-in (calendar apps can't): its unguessable token is the key.
    ("GET", "/calendar/{token:str}", "/calendar/not-a-real-calendar-token-000000.ics", everyone(404)),
    ("GET", "/invite", "/invite", everyone(200)),
    ("GET", "/invite/{key:str}", "/invite/{invite_token}", everyone(200)),
    # Forgot your password, and the operator's reset link: its 256-bit token is the key, and
    # whoever holds it (signed in as anyone or not) may choose that account's password.
    ("GET", "/reset", "/reset", everyone(200)),
    ("GET", "/reset/{token:str}", "/reset/{reset_token}", everyone(200)),
    # Home: patients get Today, caregivers and clinicians their own home.
    ("GET", "/", "/", expect(303, anonymous=200, patient=200, other_patient=200)),
    ("GET", "/signup", "/signup", expect(303, anonymous=200)),
    ("GET", "/signin", "/signin", expect(303, anonymous=200)),
    ("GET", "/offline/session", "/offline/session", expect(403, anonymous=401, patient=200, other_patient=200)),
    # Every account.
    ("GET", "/account", "/account", signed_in(200)),
    ("GET", "/account/data", "/account/data", signed_in(200)),
    ("GET", "/account/data/archive.json", "/account/data/archive.json", signed_in(200)),
    ("GET", "/account/delete", "/account/delete", signed_in(200)),
    # A patient's own journal.
    ("GET", "/safety-plan", "/safety-plan", patients(200)),
    ("GET", "/checkin", "/checkin", patients(200)),
    ("GET", "/checkins", "/checkins", patients(200)),
    ("GET", "/checkins/{checkin_id:int}", "/checkins/{checkin_id}", patients(200, other=404)),
    ("GET", "/checkins/{checkin_id:int}/delete", "/checkins/{checkin_id}/delete", patients(200, other=404)),
    ("GET", "/scales", "/scales", patients(200)),
    ("GET", "/scales/{instrument:str}", "/scales/phq9", patients(200)),
    ("GET", "/scales/results/{result_id:int}", "/scales/results/{result_id}", patients(200, other=404)),
    ("GET", "/scales/results/{result_id:int}/change", "/scales/results/{result_id}/change",
     patients(200, other=404)),
    ("GET", "/trends", "/trends", patients(200)),
    ("GET", "/treatment", "/treatment", patients(200)),
    # The patient already has a plan, so "new plan" sends them to it; the other patient has none.
    ("GET", "/treatment/plan/new", "/treatment/plan/new", patients(303, other=200)),
    ("GET", "/treatment/plan/edit", "/treatment/plan/edit", patients(200, other=404)),
    ("GET", "/treatment/plan/delete", "/treatment/plan/delete", patients(200, other=404)),
    # Without a plan, "add a session" sends the other patient to make one first.
    ("GET", "/treatment/sessions/new", "/treatment/sessions/new", patients(200, other=303)),
    ("GET", "/treatment/sessions/{session_id:int}", "/treatment/sessions/{session_id}", patients(200, other=404)),
    ("GET", "/treatment/sessions/{session_id:int}/move", "/treatment/sessions/{session_id}/move",
     patients(200, other=404)),
    # The session is in two days: it can't be logged yet (409), but the patient reaches the page.
    ("GET", "/treatment/sessions/{session_id:int}/log", "/treatment/sessions/{session_id}/log",
     patients(409, other=404)),
    ("GET", "/reminders", "/reminders", patients(200)),
    ("GET", "/sharing", "/sharing", patients(200)),
    ("GET", "/sharing/audit", "/sharing/audit", patients(200)),
    # The page that asks the patient to confirm stopping sharing: only their own active share.
    ("GET", "/sharing/grants/{grant_id:int}/revoke", "/sharing/grants/{grant_id}/revoke", patients(200, other=404)),
    ("GET", "/report", "/report", patients(200)),
    ("GET", "/export", "/export?kind=checkins", patients(200)),
    # Caregivers: their own list, and only the patients who share with them now.
    ("GET", "/caregiver", "/caregiver", caregivers(200)),
    ("GET", "/caregiver/patients/{patient_id:int}", "/caregiver/patients/{patient_id}", caregivers_of_patient(200)),
    ("GET", "/caregiver/patients/{patient_id:int}/notes", "/caregiver/patients/{patient_id}/notes",
     caregivers_of_patient(200, notes_only=True)),
    # The page that asks a caregiver to confirm ending their own access, and the same for a clinician.
    ("GET", "/caregiver/patients/{patient_id:int}/stop", "/caregiver/patients/{patient_id}/stop",
     caregivers_of_patient(200)),
    # Clinicians: their own panel (empty when nobody links to them), and linked patients only.
    ("GET", "/clinician", "/clinician", clinicians(200)),
    ("GET", "/clinician/export", "/clinician/export?kind=checkins", clinicians(200)),
    ("GET", "/clinician/patients/{patient_id:int}", "/clinician/patients/{patient_id}", clinician_of_patient(200)),
    ("GET", "/clinician/patients/{patient_id:int}/report", "/clinician/patients/{patient_id}/report",
     clinician_of_patient(200)),
    ("GET", "/clinician/patients/{patient_id:int}/export", "/clinician/patients/{patient_id}/export?kind=scales",
     clinician_of_patient(200)),
    ("GET", "/clinician/patients/{patient_id:int}/stop", "/clinician/patients/{patient_id}/stop",
     clinician_of_patient(200)),
    # The page of the form for a caregiver's or clinician's own name for the patient.
    ("GET", "/caregiver/patients/{patient_id:int}/name", "/caregiver/patients/{patient_id}/name",
     caregivers_of_patient(200)),
    ("GET", "/clinician/patients/{patient_id:int}/name", "/clinician/patients/{patient_id}/name",
     clinician_of_patient(200)),

    # POSTs with an empty form. Signed out, anything posted under /checkin or /scales gets a
    # page with the crisis resources (401) rather than a redirect: it may have reported thoughts.
    ("POST", "/signup", "/signup", everyone(422)),
    ("POST", "/signin", "/signin", everyone(422)),
    ("POST", "/account/timezone", "/account/timezone", signed_in(422)),
    ("POST", "/account/clock", "/account/clock", signed_in(422)),
    ("POST", "/account/password", "/account/password", signed_in(422)),
    ("POST", "/account/email", "/account/email", signed_in(422)),
    ("POST", "/account/delete", "/account/delete", signed_in(422)),
    ("POST", "/checkin", "/checkin", patients(422, anonymous=401)),
    ("POST", "/scales/{instrument:str}", "/scales/phq9", patients(422, anonymous=401)),
    ("POST", "/scales/results/{result_id:int}/baseline", "/scales/results/{result_id}/baseline",
     patients(303, other=404, anonymous=401)),
    ("POST", "/scales/results/{result_id:int}/delete", "/scales/results/{result_id}/delete",
     patients(303, other=404, anonymous=401)),
    ("POST", "/checkins/{checkin_id:int}/delete", "/checkins/{checkin_id}/delete",
     patients(303, other=404, anonymous=401)),
    ("POST", "/safety-plan", "/safety-plan", patients(303)),
    ("POST", "/treatment/plan", "/treatment/plan", patients(422)),
    ("POST", "/treatment/plan/edit", "/treatment/plan/edit", patients(422, other=404)),
    # Without a plan, the other patient is told it is gone, with what they typed (409).
    ("POST", "/treatment/sessions", "/treatment/sessions", patients(422, other=409)),
    ("POST", "/treatment/sessions/{session_id:int}/move", "/treatment/sessions/{session_id}/move",
     patients(422, other=404)),
    ("POST", "/treatment/sessions/{session_id:int}/ride", "/treatment/sessions/{session_id}/ride",
     patients(303, other=404)),
    ("POST", "/treatment/sessions/{session_id:int}/log", "/treatment/sessions/{session_id}/log",
     patients(422, other=404)),
    ("POST", "/treatment/sessions/{session_id:int}/cancel", "/treatment/sessions/{session_id}/cancel",
     patients(303, other=404)),
    ("POST", "/treatment/plan/delete", "/treatment/plan/delete", patients(303, other=404)),
    ("POST", "/reminders/settings", "/reminders/settings", patients(422)),
    ("POST", "/reminders/subscriptions", "/reminders/subscriptions", patients(400)),
    ("POST", "/reminders/subscriptions/remove", "/reminders/subscriptions/remove", patients(400)),
    # The service worker's renewal: the old endpoint in the body is the credential, not the session.
    ("POST", "/reminders/subscriptions/renew", "/reminders/subscriptions/renew", everyone(400)),
    # Entering an invitation code is open to everyone (an empty form is answered 422).
    ("POST", "/invite", "/invite", everyone(422)),
    ("POST", "/reset/{token:str}", "/reset/{reset_token}", everyone(422)),
    ("POST", "/reminders/devices/{device_id:int}/test", "/reminders/devices/{device_id}/test",
     patients(303, other=404)),
    ("POST", "/reminders/devices/{device_id:int}/delete", "/reminders/devices/{device_id}/delete",
     patients(303, other=404)),
    ("POST", "/reminders/calendar", "/reminders/calendar", patients(303)),
    ("POST", "/reminders/calendar/delete", "/reminders/calendar/delete", patients(303)),
    ("POST", "/sharing/invitations", "/sharing/invitations", patients(422)),
    # Only the grantee of an active grant names its patient (an empty name removes theirs); a
    # patient, another caregiver or clinician, or one whose grant ended gets the missing grant's 404.
    ("POST", "/caregiver/patients/{patient_id:int}/name", "/caregiver/patients/{patient_id}/name",
     caregivers_of_patient(303)),
    ("POST", "/clinician/patients/{patient_id:int}/name", "/clinician/patients/{patient_id}/name",
     clinician_of_patient(303)),
    # Only the grantee of an active grant ends it from their side. Before the accept below, which
    # would give the revoked caregiver an active grant again.
    ("POST", "/caregiver/patients/{patient_id:int}/stop", "/caregiver/patients/{patient_id}/stop",
     caregivers_of_patient(303)),
    ("POST", "/clinician/patients/{patient_id:int}/stop", "/clinician/patients/{patient_id}/stop",
     clinician_of_patient(303)),
    # Signed in, sign-up through an invitation is not offered: back to the invitation.
    ("POST", "/invite/{key:str}/signup", "/invite/{invite_token}/signup", signed_in(303, anonymous=422)),
    # Only a caregiver account can accept a caregiver invitation.
    ("POST", "/invite/{key:str}/accept", "/invite/{invite_token}/accept",
     expect(409, anonymous=SIGNED_OUT_REDIRECT, caregiver_summary=303, caregiver_notes=303,
            revoked_caregiver=303)),
    ("POST", "/sharing/invitations/{invitation_id:int}/withdraw", "/sharing/invitations/{invitation_id}/withdraw",
     patients(303, other=404)),
    ("POST", "/sharing/grants/{grant_id:int}/scope", "/sharing/grants/{grant_id}/scope", patients(303, other=404)),
    ("POST", "/sharing/grants/{grant_id:int}/revoke", "/sharing/grants/{grant_id}/revoke", patients(303, other=404)),
    # These end the actor's session: last.
    ("POST", "/account/signout-everywhere", "/account/signout-everywhere", signed_in(303)),
    ("POST", "/signout", "/signout", signed_in(303)),
]


# Addresses of GET routes above with a query or an ID that takes its own path through the handler:
# a month's check-ins, a later page of a list, and a result that Change answers replaced (deleted,
# its addresses lead the patient to the result that replaced it). Sent after the GETs above.
PARAMETERS: list[tuple[str, str, dict[str, int]]] = [
    ("/checkins", "/checkins?month={checkin_month}", patients(200)),
    # Past the end of each one's short list: a redirect to its last page.
    ("/checkins", "/checkins?page=2", patients(303)),
    ("/scales", "/scales?page=2", patients(303)),
    ("/scales/results/{result_id:int}", "/scales/results/{replaced_id}", patients(303, other=404)),
    ("/scales/results/{result_id:int}", "/scales/results/{replaced_id}?saved=1", patients(303, other=404)),
    ("/scales/results/{result_id:int}/change", "/scales/results/{replaced_id}/change", patients(303, other=404)),
    # Mangled addresses: the page itself, or the download form saying what to fix (422), only
    # to those who may open the page; a clinician without the grant still gets the 404 first.
    ("/safety-plan", "/safety-plan?saved=abc", patients(200)),
    ("/export", "/export?kind=passwords", patients(422)),
    ("/clinician/export", "/clinician/export?kind=passwords", clinicians(422)),
    ("/clinician/patients/{patient_id:int}/export", "/clinician/patients/{patient_id}/export?kind=passwords",
     clinician_of_patient(422)),
]


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path) for every handler in the app's route table."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            for method in getattr(handler, "http_methods", ()):
                if method not in AUTOMATIC_METHODS:
                    found.add((method, route.path))
    return sorted(found)


@pytest.fixture
def settings(data_dir) -> Settings:
    # No reminder scheduler: the patient's "send a test" request queues a message and must not
    # try to reach a push service from a test.
    return Settings(data_dir=str(data_dir), cookie_secure=False, secret_key="test-secret-" * 4,
                    run_scheduler=False)


def test_every_route_in_the_app_is_in_the_matrix(app):
    listed = {(method, path) for method, path, _, _ in MATRIX}
    missing = [f"{method} {path}" for method, path in app_routes(app) if (method, path) not in listed]
    stale = [f"{method} {path}" for method, path in sorted(listed) if (method, path) not in set(app_routes(app))]
    assert not missing, ("These routes are not in the authorization matrix; add each to MATRIX in "
                         f"tests/integration/test_authorization_matrix.py with who may use it: {missing}")
    assert not stale, f"These matrix entries match no route in the app any more; remove them: {stale}"


def test_the_matrix_names_every_actor_for_every_route():
    for method, path, _, expected in MATRIX:
        assert set(expected) == set(ACTORS), f"{method} {path}"
    for path, url, expected in PARAMETERS:
        assert ("GET", path) in {(method, path) for method, path, _, _ in MATRIX}, url
        assert set(expected) == set(ACTORS), url


@cache
def password_hash() -> str:
    return _hasher.hash(PASSWORD)


class World(msgspec.Struct, kw_only=True):
    ids: dict[str, int]
    patient_id: int
    checkin_id: int
    result_id: int
    replaced_id: int
    checkin_month: str
    session_id: int
    device_id: int
    grant_id: int
    invitation_id: int
    invite_token: str
    reset_token: str


async def build_world(app) -> World:
    """The same people and records for every actor, made directly in the app's database."""
    db = app.state.db
    people = {actor: await users.create_user(db, email, password_hash(), ROLES[actor], "America/New_York")
              for actor, email in EMAILS.items()}
    patient = people[P]
    key = ensure_secret_key(app.state.settings)

    async def grant(actor: str, role: str, **scope) -> int:
        token, *_ = await sharing_store.create_invitation(db, patient, InviteForm(role=role, **scope), key)
        invitation = await sharing_store.invitation_by_token(db, sharing_store.token_hash(token))
        return await sharing_store.accept_invitation(db, invitation.id, people[actor])

    summary_grant = await grant(CS, "caregiver")
    await grant(CN, "caregiver", include_notes=True)
    await grant(CL, "clinician")
    await sharing_store.revoke_grant(db, patient, await grant(R, "clinician"))
    await sharing_store.revoke_grant(db, patient, await grant(RC, "caregiver", include_notes=True,
                                                               include_thoughts=True))
    invite_token, *_ = await sharing_store.create_invitation(db, patient, InviteForm(role="caregiver"), key)
    invitation = await sharing_store.invitation_by_token(db, sharing_store.token_hash(invite_token))
    reset_token, _ = await password_resets.create_reset_link(db, EMAILS[O], datetime.now(UTC))

    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    session_start = (now + timedelta(days=2)).replace(hour=15, minute=0, second=0, microsecond=0)
    async with db.write() as conn:
        async def insert(sql: str, params: tuple) -> int:
            cursor = await conn.execute(sql + " RETURNING id", params)
            return (await cursor.fetchone())[0]

        checkin_id = await insert(
            "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
            " updated_at) VALUES (?, ?, 5, 5, 7, 0, 'matrix note', ?, ?)",
            (patient.id, (now - timedelta(days=1)).date().isoformat(), stamp, stamp))
        # Taken on the patient's today, with its form's key: its answers can still be changed. It
        # replaced the one before it (Change answers), which is deleted.
        def phq9_today() -> tuple:
            return (patient.id, now.astimezone(ZoneInfo("America/New_York")).date().isoformat(), stamp,
                    str(uuid.uuid4()))

        add_result = ("INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band, client_uuid)"
                      " VALUES (?, 'phq9', ?, ?, 9, 'mild', ?)")
        replaced_id = await insert(add_result, phq9_today())
        result_id = await insert(add_result, phq9_today())
        await conn.execute("INSERT INTO scale_changes (earlier_id, result_id) VALUES (?, ?)", (replaced_id, result_id))
        await conn.execute("DELETE FROM scale_results WHERE id = ?", (replaced_id,))
        plan_id = await insert(
            "INSERT INTO treatment_plans (user_id, medication, created_at, updated_at)"
            " VALUES (?, 'esketamine', ?, ?)", (patient.id, stamp, stamp))
        session_id = await insert(
            "INSERT INTO treatment_sessions (plan_id, user_id, starts_at, requested_date, requested_time,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, '10:00', ?, ?)",
            (plan_id, patient.id, session_start.strftime("%Y-%m-%dT%H:%M:%SZ"), session_start.date().isoformat(),
             stamp, stamp))
        device_id = await insert(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
            " VALUES (?, 'https://push.invalid/matrix', 'key', 'auth', ?)", (patient.id, stamp))
    return World(ids={actor: user.id for actor, user in people.items()}, patient_id=patient.id,
                 checkin_id=checkin_id, result_id=result_id, replaced_id=replaced_id,
                 checkin_month=(now - timedelta(days=1)).strftime("%Y-%m"), session_id=session_id, device_id=device_id,
                 grant_id=summary_grant, invitation_id=invitation.id, invite_token=invite_token,
                 reset_token=reset_token)


async def as_actor(app, people, world: World, actor: str) -> Person:
    person = people(EMAILS.get(actor, "anonymous@example.com"))
    if actor != A:
        token = await sessions.create_session(app.state.db, world.ids[actor], timedelta(days=1), "matrix")
        person.http.cookies.set("lift_session", token)
    return person


@pytest.mark.parametrize("actor", ACTORS)
async def test_each_route_answers_each_actor_as_the_matrix_says(app, people, actor):
    by_route = {(method, path): (url, expected) for method, path, url, expected in MATRIX}
    unlisted = [f"{m} {p}" for m, p in app_routes(app) if (m, p) not in by_route]
    assert not unlisted, f"Routes missing from the authorization matrix (add them to MATRIX): {unlisted}"
    world = await build_world(app)
    person = await as_actor(app, people, world, actor)
    values = msgspec.structs.asdict(world)
    wrong = []
    sent = MATRIX + [("GET", path, url, expected) for path, url, expected in PARAMETERS]
    for method, path, url, expected in sorted(sent, key=lambda entry: entry[0] != "GET"):
        target = url.format(**values)
        if method == "GET":
            response = await person.get(target)
        else:
            response = await person.post(target, {})
        if response.status_code != expected[actor]:
            wrong.append(f"{method} {target}: expected {expected[actor]}, got {response.status_code}")
    assert not wrong, f"{actor}:\n" + "\n".join(wrong)
