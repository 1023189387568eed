"""Schemathesis against the app's own OpenAPI document: generated (valid and invalid) bodies,
paths and queries for every state-changing route, sent signed in with the CSRF header.

Each response must not be a 5xx, and must conform to the document: a documented status code,
a documented content type, the documented headers, and (for JSON) the documented schema.

Random values rarely get past the server's own rules (a check-in's day must be in the last week
of the patient's zone, a time zone must exist, a session must be in the future), and a random
id is never the patient's. So the patient has a treatment plan, a session today and a check-in,
and part of the valid cases are given values those rules accept and the ids that exist: the
run then reaches the code behind the validation, and says so at the end.
"""

from __future__ import annotations

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
# Path parameter -> the table whose rows (the patient's) it names.
KNOWN_IDS = {"session_id": "treatment_sessions", "checkin_id": "checkins", "result_id": "scale_results"}
TREATMENT_SESSION_ROUTE = "/treatment/sessions/{session_id}/"


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

    def post(self, path: str, form: dict) -> int:
        """A form post as the patient, the way the page sends it; the status."""
        with asgi.get_client(self.app) as client:
            response = client.post(path, data={**form, "_csrf_token": self.cookies["csrftoken"]},
                                   cookies=self.cookies, allow_redirects=False)
        assert response.status_code < 500, response.text[:500]
        return response.status_code


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

    def ids(self, table: str) -> list[int]:
        return [row[0] for row in self.query(
            f"SELECT t.id FROM {table} t JOIN users u ON u.id = t.user_id WHERE u.email = ? ORDER BY t.id",
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
    assert signed_in.post("/treatment/plan", plan_form(today + timedelta(days=1))) == 303
    assert signed_in.post("/treatment/sessions", {"session_date": today.isoformat(), "session_time": "23:59"}) == 303


def record_a_checkin(signed_in: SignedIn, known: Known) -> None:
    if known.ids("checkins"):
        return
    assert signed_in.post("/checkin", {"local_date": known.today().isoformat(), "mood": "5", "anxiety": "4",
                                       "sleep_hours": "7.5", "thoughts": "0"}) == 200


def deepen(case, draw: Callable, known: Known) -> None:
    """Give a valid case, three times in four, values the server's own rules accept and real ids."""
    if draw(st.integers(0, 3)) == 0:
        return  # left as generated
    for name, table in KNOWN_IDS.items():
        if name in (case.path_parameters or {}) and (ids := known.ids(table)):
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
    return Settings(data_dir=str(tmp_path_factory.mktemp("schemathesis")), cookie_secure=False,
                    secret_key="schemathesis-secret-" * 3)


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
    assert known.ids("treatment_sessions") and known.ids("checkins")
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
