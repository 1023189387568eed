"""Schemathesis against the app's own OpenAPI document: generated (valid and invalid) bodies,
paths and queries for every state-changing route, sent signed in with the CSRF header.

Each response must not be a 5xx, and must conform to the document: a documented status code,
a documented content type, the documented headers, and (for JSON) the documented schema.

Random values rarely get past the server's own rules (a check-in's day must be in the last week
of the patient's zone, a time zone must exist, a session must be in the future), and a random
id is never the patient's. So the patient has a treatment plan, a session today, a check-in, a
pending invitation, a caregiver who accepted another one, and a phone with reminders on; part
of the valid cases are given values those rules accept and the ids that exist: the run then
reaches the code behind the validation, and says so at the end.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python import asgi

from lift.app import create_app
from lift.settings import Settings
from tests.integration.conftest import PASSWORD
from tests.push.pushservice import b64url

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# These end the session (or the account) the rest of the run signs in with; tests elsewhere cover them.
EXAMPLES = 15  # per operation and mode: valid, then invalid data
SESSION_ENDING = r"^/(signout|account/signout-everywhere|account/delete)$"
# A sign-up that succeeds replaces the session it arrives with: these are sent as a signed-out visitor.
SIGNED_OUT = ("/signup", "/signin", "/invite/{key}/signup")
EMAIL = "fuzz@example.com"
PATIENT_ZONE = "Europe/London"
# Real zones far apart, so "today" in the patient's zone moves when one of them is chosen.
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "Pacific/Honolulu", "UTC")
BACKFILL_DAYS = 7  # a check-in may be for today or up to a week back
LEAD_CHOICES = (30, 60, 90, 120, 180, 240)
TIMES = ("00:00", "07:30", "10:00", "12:00", "19:45", "23:59")
# Path parameter -> the table whose rows (the patient's) it names, and the column naming the patient.
KNOWN_IDS = {"session_id": ("treatment_sessions", "user_id"), "checkin_id": ("checkins", "user_id"),
             "result_id": ("scale_results", "user_id"), "invitation_id": ("share_invitations", "patient_id"),
             "grant_id": ("share_grants", "patient_id"), "device_id": ("push_subscriptions", "user_id")}
TREATMENT_SESSION_ROUTE = "/treatment/sessions/{session_id}/"
CAREGIVER_EMAIL = "fuzz-caregiver-{n}@example.com"


class SignedIn:
    """A patient's session cookie and CSRF token, sent with every generated request."""

    def __init__(self, app) -> None:
        self.app = app
        with asgi.get_client(app) as client:
            client.get("/help")
            token = client.cookies["csrftoken"]
            response = client.post("/signup", data={"email": EMAIL, "password": PASSWORD,
                                                    "timezone": PATIENT_ZONE, "_csrf_token": token},
                                   allow_redirects=False)
            assert response.status_code == 303, response.text[:500]
            self.cookies = {"csrftoken": token, "lift_session": client.cookies["lift_session"]}
        self.visitor_cookies = {"csrftoken": token}
        self.headers = {"x-csrftoken": token}

    def post(self, path: str, form: dict, *, as_visitor: bool = False):
        """A form post the way the page sends it, as the patient (or a signed-out visitor)."""
        with asgi.get_client(self.app) as client:
            response = client.post(path, data={**form, "_csrf_token": self.cookies["csrftoken"]},
                                   cookies=self.visitor_cookies if as_visitor else self.cookies,
                                   allow_redirects=False)
        assert response.status_code < 500, response.text[:500]
        return response

    def post_json(self, path: str, body: dict):
        with asgi.get_client(self.app) as client:
            response = client.post(path, json=body, cookies=self.cookies, headers=self.headers)
        assert response.status_code < 500, response.text[:500]
        return response


class Known:
    """What the patient has right now, read from the app's database: their zone and their ids."""

    def __init__(self, database: Path) -> None:
        self.database = database

    def query(self, sql: str, params=()) -> list:
        with closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)) as conn:
            return conn.execute(sql, params).fetchall()

    def zone(self) -> str:
        return self.query("SELECT timezone FROM users WHERE email = ?", (EMAIL,))[0][0]

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.zone())).date()

    def ids(self, table: str, owner: str = "user_id", where: str = "1") -> list[int]:
        return [row[0] for row in self.query(
            f"SELECT t.id FROM {table} t JOIN users u ON u.id = t.{owner} WHERE u.email = ? AND {where} ORDER BY t.id",
            (EMAIL,))]

    def has_plan(self) -> bool:
        return bool(self.ids("treatment_plans"))


def plan_form(start: date) -> dict:
    """As tests/integration/test_treatment.py posts it: esketamine, twelve sessions from `start`."""
    return {"medication": "esketamine", "clinic_name": "Riverside Clinic", "clinic_phone": "+1 (555) 010-0123",
            "template": "esketamine", "start_date": start.isoformat(), "session_time": "10:00",
            "maintenance": "none", "induction_weeks": "3"}


def give_the_patient_a_plan(signed_in: SignedIn, known: Known) -> None:
    """A plan (twelve sessions from tomorrow) and one session today, which can be logged."""
    if known.has_plan():
        return
    today = known.today()
    assert signed_in.post("/treatment/plan", plan_form(today + timedelta(days=1))).status_code == 303
    assert signed_in.post("/treatment/sessions",
                          {"session_date": today.isoformat(), "session_time": "23:59"}).status_code == 303


def record_a_checkin(signed_in: SignedIn, known: Known) -> None:
    if known.ids("checkins"):
        return
    assert signed_in.post("/checkin", {"local_date": known.today().isoformat(), "mood": "5", "anxiety": "4",
                                       "sleep_hours": "7.5", "thoughts": "0"}).status_code == 303


def invite(signed_in: SignedIn) -> str:
    """A caregiver invitation; its link's key, shown this once."""
    response = signed_in.post("/sharing/invitations", {"role": "caregiver", "label": "Sam"})
    assert response.status_code == 200, response.text[:500]
    return re.search(r"/invite/([A-Za-z0-9_-]{20,})", response.text).group(1)


def share_with_a_caregiver(signed_in: SignedIn, known: Known) -> None:
    """An active grant (a caregiver signed up through an invitation) and a pending invitation."""
    if not known.ids("share_grants", "patient_id", "t.revoked_at IS NULL"):
        n = len(known.ids("share_grants", "patient_id"))
        response = signed_in.post(f"/invite/{invite(signed_in)}/signup", {
            "email": CAREGIVER_EMAIL.format(n=n), "password": PASSWORD, "timezone": PATIENT_ZONE}, as_visitor=True)
        assert response.status_code == 303, response.text[:500]
    if not known.ids("share_invitations", "patient_id", "t.used_at IS NULL AND t.withdrawn_at IS NULL"):
        invite(signed_in)


def turn_reminders_on(signed_in: SignedIn, known: Known) -> None:
    """A phone's push subscription, as the browser hands it over (a real P-256 key)."""
    if known.ids("push_subscriptions"):
        return
    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    subscription = {"endpoint": f"https://push.example.org/wpush/{b64url(os.urandom(16))}",
                    "keys": {"p256dh": b64url(public), "auth": b64url(os.urandom(16))}}
    assert signed_in.post_json("/reminders/subscriptions", subscription).status_code == 201


def deepen(case, draw: Callable, known: Known) -> None:
    """Give a valid case, three times in four, values the server's own rules accept and real ids."""
    if draw(st.integers(0, 3)) == 0:
        return  # left as generated
    for name, (table, owner) in KNOWN_IDS.items():
        if name in (case.path_parameters or {}) and (ids := known.ids(table, owner)):
            case.path_parameters[name] = draw(st.sampled_from(ids))
    body = case.body
    if not isinstance(body, dict):
        return
    today = known.today()

    def future(days: int = 60) -> str:
        return (today + timedelta(days=draw(st.integers(0, days)))).isoformat()

    def a_time() -> str:
        return draw(st.sampled_from(TIMES))

    if "timezone" in body:
        body["timezone"] = draw(st.sampled_from(ZONES))
    if "local_date" in body:
        body["local_date"] = (today - timedelta(days=draw(st.integers(0, BACKFILL_DAYS)))).isoformat()
    if case.path in SIGNED_OUT and "password" in body:
        body["password"] = PASSWORD
    if body.get("medication") == "other" and not body.get("medication_name"):
        body["medication_name"] = "Ketamine lozenges"
    if case.path == "/treatment/plan":
        body["start_date"], body["session_time"] = future(), a_time()
        body.pop("end_date", None)
        if body.get("template") in ("esketamine", "iv_ketamine"):
            body["medication"] = body["template"]
    if "session_date" in body:
        body["session_date"], body["session_time"] = future(), a_time()
    if case.path.endswith("/log"):
        if body.get("outcome") == "rescheduled":
            body["new_date"], body["new_time"] = future(), a_time()
        else:
            body.pop("new_date", None)
            body.pop("new_time", None)
    if "lead_minutes" in body:
        body["lead_minutes"] = draw(st.sampled_from(LEAD_CHOICES))
        if bool(body.get("quiet_start")) != bool(body.get("quiet_end")):
            body["quiet_start"], body["quiet_end"] = "22:00", "07:00"


@pytest.fixture(scope="module")
def lift_settings(tmp_path_factory) -> Settings:
    # No scheduler: the test phone's push service does not exist, and sending is tested elsewhere.
    # Every valid sign-up the run generates is from one address: none may meet the sign-up limit.
    return Settings(data_dir=str(tmp_path_factory.mktemp("schemathesis")), cookie_secure=False,
                    secret_key="schemathesis-secret-" * 3, run_scheduler=False, signup_ip_limit=100_000)


@pytest.fixture(scope="module")
def lift_app(lift_settings) -> Iterator:
    app = create_app(lift_settings)
    yield app
    asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def signed_in(lift_app) -> SignedIn:
    return SignedIn(lift_app)


@pytest.fixture(scope="module")
def known(lift_settings, signed_in) -> Known:
    known = Known(lift_settings.database_path)
    assert known.zone() == PATIENT_ZONE
    give_the_patient_a_plan(signed_in, known)
    record_a_checkin(signed_in, known)
    share_with_a_caregiver(signed_in, known)
    turn_reminders_on(signed_in, known)
    assert known.ids("treatment_sessions") and known.ids("checkins")
    assert known.ids("share_grants", "patient_id") and known.ids("push_subscriptions")
    return known


def test_the_document_describes_every_form_and_json_body(lift_app):
    with asgi.get_client(lift_app) as client:
        response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    checkin = document["paths"]["/checkin"]["post"]
    form = checkin["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert {"local_date", "mood", "anxiety", "sleep_hours", "thoughts", "note", "client_uuid"} <= set(form["properties"])
    assert form["properties"]["mood"] == {"type": "integer", "minimum": 0, "maximum": 10}
    assert "422" in checkin["responses"] and "text/html" in checkin["responses"]["422"]["content"]
    assert "application/json" in document["paths"]["/reminders/subscriptions"]["post"]["requestBody"]["content"]
    posts = [path for path, item in document["paths"].items() if "post" in item]
    assert len(posts) > 30


def run_operation(operation, mode: GenerationMode, signed_in: SignedIn, known: Known, statuses: Counter) -> None:
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def send(case, data):
        if mode is GenerationMode.POSITIVE:
            deepen(case, data.draw, known)
        cookies = signed_in.visitor_cookies if case.path in SIGNED_OUT else signed_in.cookies
        response = case.call_and_validate(headers=signed_in.headers, cookies=cookies, checks=CHECKS)
        statuses[response.status_code] += 1

    send()


def test_no_state_changing_route_fails_or_breaks_its_document(lift_app, signed_in, known):
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", lift_app)
    operations = [result.ok() for result in
                  schema.include(method="POST").exclude(path_regex=SESSION_ENDING).get_all_operations()]
    assert len(operations) > 30
    failures = []
    statuses: dict[str, Counter] = defaultdict(Counter)
    for operation in operations:
        # Earlier operations may have deleted the plan or the check-in: put them back.
        if operation.path.startswith("/treatment/sessions"):
            give_the_patient_a_plan(signed_in, known)
        if operation.path.startswith("/checkins/"):
            record_a_checkin(signed_in, known)
        if operation.path.startswith("/sharing/"):
            share_with_a_caregiver(signed_in, known)
        if operation.path.startswith("/reminders/"):
            turn_reminders_on(signed_in, known)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                run_operation(operation, mode, signed_in, known, statuses[operation.path])
            except Unsatisfiable:
                pass  # nothing to get wrong: no body, no parameters (or none that can be invalid)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation runs; all failures are reported
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
    reached = "\n".join(f"{path}: {dict(sorted(counts.items()))}" for path, counts in sorted(statuses.items()))
    # The valid cases got past validation to the code behind it ...
    assert statuses["/checkin"][200] > 0, reached
    assert statuses["/signup"][303] > 0, reached
    assert statuses["/treatment/sessions"][303] > 0, reached
    # ... and to the patient's own sessions, not only to "not found".
    for action in ("move", "cancel", "ride", "log"):
        counts = statuses[f"{TREATMENT_SESSION_ROUTE}{action}"]
        assert sum(n for status, n in counts.items() if status != 404) > 0, reached
    # ... and to the patient's own invitations, grants and devices.
    for route in ("/sharing/invitations/{invitation_id}/withdraw", "/sharing/grants/{grant_id}/revoke",
                  "/sharing/grants/{grant_id}/scope", "/reminders/devices/{device_id}/test",
                  "/reminders/devices/{device_id}/delete"):
        assert sum(n for status, n in statuses[route].items() if status != 404) > 0, reached
