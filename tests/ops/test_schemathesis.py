"""Schemathesis against the app's own OpenAPI document: generated (valid and invalid) bodies,
paths and queries for every state-changing route, sent signed in with the CSRF header.

Each response must not be a 5xx, and must conform to the document: a documented status code,
a documented content type, the documented headers, and (for JSON) the documented schema.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
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


class SignedIn:
    """A patient's session cookie and CSRF token, sent with every generated request."""

    def __init__(self, app) -> None:
        with asgi.get_client(app) as client:
            client.get("/help")
            token = client.cookies["csrftoken"]
            response = client.post("/signup", data={"email": "fuzz@example.com", "password": PASSWORD,
                                                    "timezone": "Europe/London", "_csrf_token": token},
                                   allow_redirects=False)
            assert response.status_code == 303, response.text[:500]
            self.cookies = {"csrftoken": token, "lift_session": client.cookies["lift_session"]}
        self.headers = {"x-csrftoken": token}


@pytest.fixture(scope="module")
def lift_app(tmp_path_factory) -> Iterator:
    app = create_app(Settings(data_dir=str(tmp_path_factory.mktemp("schemathesis")), cookie_secure=False,
                              secret_key="schemathesis-secret-" * 3))
    yield app
    asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def signed_in(lift_app) -> SignedIn:
    return SignedIn(lift_app)


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


def run_operation(operation, mode: GenerationMode, signed_in: SignedIn) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def send(case):
        case.call_and_validate(headers=signed_in.headers, cookies=signed_in.cookies, checks=CHECKS)

    send()


def test_no_state_changing_route_fails_or_breaks_its_document(lift_app, signed_in):
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", lift_app)
    operations = [result.ok() for result in
                  schema.include(method="POST").exclude(path_regex=SESSION_ENDING).get_all_operations()]
    assert len(operations) > 30
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                run_operation(operation, mode, signed_in)
            except Unsatisfiable:
                pass  # nothing to get wrong: no body, no parameters (or none that can be invalid)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation runs; all failures are reported
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
