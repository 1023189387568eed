"""A form sent again after Lift's answer was lost (no signal on the way back, a timeout, a proxy's
error page after Lift had saved it) is done once: a session added or moved and a sharing
invitation carry a key made when the form was shown (migration 0021). Check-ins and
questionnaires have theirs tested in test_checkins.py and test_scales.py."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from tests.integration.sharing_helpers import CODE, LINK, caregiver, invite, join  # noqa: F401 (a fixture)
from tests.integration.test_treatment import create_plan, plan_with_session_today, session_rows


def form_key(html: str) -> str:
    return re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', html).group(1)


def count(database, table: str) -> int:
    return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def session_form(person, days: int = 2, at: str = "09:30", **extra) -> dict:
    return {"session_date": (person.today() + timedelta(days=days)).isoformat(), "session_time": at, **extra}


# --- A session added -----------------------------------------------------------------------


async def test_a_session_added_twice_with_one_key_is_added_once_with_the_same_answer(patient, database):
    await create_plan(patient, template="none")
    key = form_key((await patient.get("/treatment/sessions/new")).text)
    first = await patient.post("/treatment/sessions", session_form(patient, client_uuid=key))
    again = await patient.post("/treatment/sessions", session_form(patient, client_uuid=key))
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert [r["client_uuid"] for r in session_rows(database)] == [key]


async def test_each_session_form_gets_its_own_key_and_two_keys_add_two_sessions(patient, database):
    await create_plan(patient, template="none")
    keys = [form_key((await patient.get("/treatment/sessions/new")).text) for _ in range(2)]
    assert keys[0] != keys[1]
    answers = [await patient.post("/treatment/sessions", session_form(patient, client_uuid=key)) for key in keys]
    assert answers[0].headers["location"] != answers[1].headers["location"]
    assert len(session_rows(database)) == 2
    # A form sent without a key (an old page) adds one as before.
    await patient.post("/treatment/sessions", session_form(patient))
    assert len(session_rows(database)) == 3


async def test_a_session_form_sent_back_keeps_its_key_and_one_lift_cannot_read_adds_nothing(patient, database):
    await create_plan(patient, template="none")
    key = form_key((await patient.get("/treatment/sessions/new")).text)
    refused = await patient.post("/treatment/sessions", {"session_time": "09:30", "client_uuid": key})
    assert refused.status_code == 422 and form_key(refused.text) == key
    bad = await patient.post("/treatment/sessions", session_form(patient, client_uuid="not-a-key"))
    assert bad.status_code == 422 and "key Lift can&#39;t read" in bad.text
    assert session_rows(database) == []
    fresh = form_key(bad.text)
    assert fresh != "not-a-key"
    assert (await patient.post("/treatment/sessions", session_form(patient, client_uuid=fresh))).status_code == 303


async def test_another_patients_key_adds_their_own_session_and_shows_nothing_of_the_first(
        patient, other_patient, database):
    await create_plan(patient, template="none")
    await create_plan(other_patient, template="none")
    key = str(uuid.uuid4())
    mine = await patient.post("/treatment/sessions", session_form(patient, client_uuid=key))
    theirs = await other_patient.post("/treatment/sessions", session_form(other_patient, at="16:00", client_uuid=key))
    assert theirs.status_code == 303 and theirs.headers["location"] != mine.headers["location"]
    rows = session_rows(database)
    assert sorted((r["requested_time"], r["client_uuid"]) for r in rows) == [("09:30", key), ("16:00", key)]
    assert len({r["user_id"] for r in rows}) == 2
    assert (await other_patient.get(mine.headers["location"])).status_code == 404
    # The key of the first patient's move moves their own session, never to the first patient's.
    moving = str(uuid.uuid4())
    mine_moved = await patient.post(f"{mine.headers['location']}/move", session_form(patient, 3, client_uuid=moving))
    theirs_moved = await other_patient.post(f"{theirs.headers['location']}/move",
                                            session_form(other_patient, 3, client_uuid=moving))
    assert theirs_moved.status_code == 303 and theirs_moved.headers["location"] != mine_moved.headers["location"]
    statuses = database.execute("SELECT user_id, status FROM treatment_sessions WHERE client_uuid = ?",
                                (moving,)).fetchall()
    assert sorted(tuple(r) for r in statuses) == sorted((r["user_id"], "planned") for r in rows)


# --- A session moved -----------------------------------------------------------------------


async def test_a_session_moved_twice_with_one_key_is_moved_once_with_the_same_answer(patient, database):
    session_id = await plan_with_session_today(patient)
    key = form_key((await patient.get(f"/treatment/sessions/{session_id}/move")).text)
    first = await patient.post(f"/treatment/sessions/{session_id}/move", session_form(patient, client_uuid=key))
    again = await patient.post(f"/treatment/sessions/{session_id}/move", session_form(patient, client_uuid=key))
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert first.headers["location"].endswith("?notice=moved")
    assert [(r["status"], r["client_uuid"]) for r in session_rows(database)] == [("rescheduled", None),
                                                                                  ("planned", key)]
    # A new form for the moved session says it can no longer be moved, as before.
    other = await patient.post(f"/treatment/sessions/{session_id}/move",
                               session_form(patient, 4, client_uuid=str(uuid.uuid4())))
    assert other.status_code == 409 and len(session_rows(database)) == 2


async def test_a_session_logged_as_moved_twice_with_one_key_is_moved_once(patient, database):
    session_id = await plan_with_session_today(patient)
    key = form_key((await patient.get(f"/treatment/sessions/{session_id}/log")).text)
    form = {"outcome": "rescheduled", "new_date": (patient.today() + timedelta(days=2)).isoformat(),
            "new_time": "08:15", "client_uuid": key}
    first = await patient.post(f"/treatment/sessions/{session_id}/log", form)
    again = await patient.post(f"/treatment/sessions/{session_id}/log", form)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert [r["status"] for r in session_rows(database)] == ["rescheduled", "planned"]


# --- An invitation -------------------------------------------------------------------------


def shown(response) -> tuple[str, str]:
    return LINK.search(response.text).group(1), CODE.search(response.text).group(1)


async def test_an_invitation_sent_twice_with_one_key_is_made_once_and_shows_the_same_link(
        patient, stranger, database):
    key = form_key((await patient.get("/sharing")).text)
    form = {"role": "caregiver", "label": "Sam", "include_notes": "true", "client_uuid": key}
    first = await patient.post("/sharing/invitations", form)
    again = await patient.post("/sharing/invitations", form)
    assert first.status_code == again.status_code == 200
    assert shown(again) == shown(first) and "Send Sam the link" in again.text
    assert count(database, "share_invitations") == 1
    assert count(database, "audit_log") == 1
    # The link shown again is the one that works.
    path = "/invite/" + shown(again)[0].rsplit("/invite/", 1)[1]
    assert (await join(stranger, path)).status_code == 303
    # Used now: a further resend makes nothing and shows no link, only the Sharing page.
    late = await patient.post("/sharing/invitations", form)
    assert late.status_code == 303 and late.headers["location"] == "/sharing"
    assert count(database, "share_invitations") == 1


async def test_two_invitation_keys_make_two_invitations_whose_codes_work(patient, stranger, database):
    keys = [form_key((await patient.get("/sharing")).text) for _ in range(2)]
    assert keys[0] != keys[1]
    answers = [await patient.post("/sharing/invitations", {"role": "caregiver", "client_uuid": key}) for key in keys]
    assert shown(answers[0])[0] != shown(answers[1])[0] and shown(answers[0])[1] != shown(answers[1])[1]
    assert count(database, "share_invitations") == 2
    for answer in answers:
        opened = await stranger.post("/invite", {"code": shown(answer)[1]})
        assert opened.status_code == 200 and "Create account and accept" in opened.text


async def test_a_withdrawn_invitations_key_sent_again_makes_nothing(patient, database):
    key = str(uuid.uuid4())
    await patient.post("/sharing/invitations", {"role": "clinician", "client_uuid": key})
    invitation_id = database.execute("SELECT id FROM share_invitations").fetchone()[0]
    await patient.post(f"/sharing/invitations/{invitation_id}/withdraw")
    late = await patient.post("/sharing/invitations", {"role": "clinician", "client_uuid": key})
    assert late.status_code == 303 and late.headers["location"] == "/sharing"
    assert count(database, "share_invitations") == 1


async def test_another_patients_invitation_key_makes_their_own_and_shows_nothing_of_the_first(
        patient, other_patient, database):
    key = str(uuid.uuid4())
    mine = await patient.post("/sharing/invitations", {"role": "clinician", "label": "Dr Who", "client_uuid": key})
    theirs = await other_patient.post("/sharing/invitations", {"role": "caregiver", "client_uuid": key})
    assert theirs.status_code == 200
    assert shown(theirs)[0] != shown(mine)[0] and shown(theirs)[1] != shown(mine)[1]
    assert "Dr Who" not in theirs.text and "clinician account" not in theirs.text
    rows = database.execute("SELECT patient_id, role FROM share_invitations ORDER BY id").fetchall()
    assert [r["role"] for r in rows] == ["clinician", "caregiver"] and rows[0]["patient_id"] != rows[1]["patient_id"]


async def test_an_invitation_key_lift_cannot_read_makes_nothing(patient, database):
    response = await patient.post("/sharing/invitations", {"role": "caregiver", "label": "Sam", "client_uuid": "x"})
    assert response.status_code == 422 and "key Lift can&#39;t read" in response.text
    assert 'value="Sam"' in response.text and form_key(response.text)
    assert count(database, "share_invitations") == 0


# --- An invitation accepted -----------------------------------------------------------------


async def test_accept_sent_again_by_the_account_that_accepted_answers_as_before_and_no_one_else(
        patient, other_patient, caregiver, stranger, database):
    path, _ = await invite(other_patient)
    first = await caregiver.post(f"{path}/accept")
    again = await caregiver.post(f"{path}/accept")
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert count(database, "share_grants") == 2  # the caregiver fixture's own, and this one
    # Anyone else still finds it used, and learns nothing of whose it was.
    await stranger.sign_up()
    refused = await stranger.post(f"{path}/accept")
    assert refused.status_code == 410 and "other@example.com" not in refused.text
