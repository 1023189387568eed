"""Hostile bodies at every state-changing route: never a 5xx, and no journal data written.

Routes come from the app's own route table, so a new POST route is fuzzed without anyone
remembering to add it.
"""

from __future__ import annotations

import random
import re

import pytest

from lift.app import MAX_BODY_BYTES

# Tables that hold what a patient wrote. Bookkeeping (sessions, throttles, audit) may change.
JOURNAL_TABLES = ("checkins", "safety_plans", "scale_results", "scale_answers", "treatment_plans",
                  "treatment_sessions", "treatment_session_logs", "treatment_side_effects",
                  "reminder_preferences", "push_subscriptions", "share_invitations", "share_grants")
# Submitting these with no usable fields is a complete, valid action (clearing a plan,
# signing out), so only the no-5xx rule applies to them.
EMPTY_IS_VALID = {"/safety-plan", "/signout", "/account/signout-everywhere", "/reminders/settings"}
rng = random.Random(20261123)

BODIES = {
    "random bytes": (rng.randbytes(2048), "application/x-www-form-urlencoded"),
    "invalid utf-8": (b"mood=\xff\xfe\xfd&note=\xc3\x28&thoughts=\x80", "application/x-www-form-urlencoded"),
    "nested json": (b"[" * 5000 + b"]" * 5000, "application/json"),
    "json object": (b'{"mood": {"$gt": ""}, "thoughts": [1, 2]}', "application/json"),
    "multipart garbage": (b"--x\r\nContent-Disposition: form-data; name=\"mood\"\r\n\r\n" + rng.randbytes(300),
                          "multipart/form-data; boundary=x"),
    "fields as files": (b"".join(
        b'--x\r\nContent-Disposition: form-data; name="%s"; filename="f.txt"\r\n\r\n1\r\n' % name
        for name in (b"mood", b"thoughts", b"note", b"email", b"password", b"local_date", b"back",
                     b"bp_after", b"effect_nausea", b"outcome", b"timezone", b"code", b"phq9_9")
    ) + b"--x--\r\n", "multipart/form-data; boundary=x"),
}


def post_paths(app) -> list[str]:
    paths = []
    for route in app.routes:
        if "POST" in getattr(route, "methods", set()):
            paths.append(re.sub(r"\{[^}]+\}", "1", route.path))
    return sorted(set(paths))


def counts(database) -> dict[str, int]:
    return {t: database.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in JOURNAL_TABLES}


@pytest.mark.parametrize("body_name", BODIES)
async def test_no_route_fails_or_writes_on_a_hostile_body(app, patient, database, body_name):
    body, content_type = BODIES[body_name]
    token = await patient.csrf_token()
    paths = post_paths(app)
    assert "/checkin" in paths and len(paths) > 20
    for path in paths:
        before = counts(database)
        response = await patient.http.post(path, content=body, headers={"content-type": content_type,
                                                                         "x-csrftoken": token})
        assert response.status_code < 500, (path, response.status_code)
        if path not in EMPTY_IS_VALID:
            assert counts(database) == before, path
        if "lift_session" not in patient.http.cookies:  # a sign-out route ended the session
            await patient.sign_in()
            token = await patient.csrf_token()


async def test_an_oversized_body_is_refused_with_413_everywhere(app, patient, database):
    token = await patient.csrf_token()
    huge = b"note=" + b"x" * (MAX_BODY_BYTES + 1)
    refused, others = [], []
    for path in post_paths(app):
        before = counts(database)
        response = await patient.http.post(path, content=huge, headers={
            "content-type": "application/x-www-form-urlencoded", "x-csrftoken": token})
        refused.append(path) if response.status_code == 413 else others.append((path, response.status_code))
        assert counts(database) == before, path
        if "lift_session" not in patient.http.cookies:
            await patient.sign_in()
            token = await patient.csrf_token()
    assert others == [] and len(refused) == len(post_paths(app))
