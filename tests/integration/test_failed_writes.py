"""A write the database refuses (a locked or full disk) is a 503 that keeps what was typed.

Check-ins, questionnaires and new treatment plans have their own tests beside their features;
these cover every other form that holds typed text, and the fallback for the rest. A trigger
that aborts the statement stands in for the disk: it fails the write exactly where a full disk
would, after validation passed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.conftest import PASSWORD
from tests.integration.test_reminders import SETTINGS
from tests.integration.test_treatment import create_plan, plan_with_session_today

SAVE_FAILED = "Nothing was saved because of a problem on our side. What you entered is still here"


def refuse_writes(database, table: str, *events: str) -> None:
    for event in events or ("INSERT", "UPDATE"):
        database.execute(f"CREATE TRIGGER refuse_{event.lower()}_{table} BEFORE {event} ON {table}"
                         " BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    database.commit()


def rows(database, sql: str) -> list[tuple]:
    return [tuple(row) for row in database.execute(sql).fetchall()]


async def test_the_safety_plan_comes_back_filled_in(patient, database):
    refuse_writes(database, "safety_plans")
    response = await patient.post("/safety-plan", {"warning_signs": "Not answering texts",
                                                   "people": "Sam, 555-0100"})
    assert response.status_code == 503
    assert SAVE_FAILED in response.text
    assert ">Not answering texts</textarea>" in response.text and ">Sam, 555-0100</textarea>" in response.text
    assert rows(database, "SELECT * FROM safety_plans") == []


async def test_changes_to_a_saved_safety_plan_come_back_and_the_old_plan_stays(patient, database):
    assert (await patient.post("/safety-plan", {"coping": "Walk the dog"})).status_code == 303
    refuse_writes(database, "safety_plans")
    response = await patient.post("/safety-plan", {"coping": "Call my sister"})
    assert response.status_code == 503 and ">Call my sister</textarea>" in response.text
    assert rows(database, "SELECT coping FROM safety_plans") == [("Walk the dog",)]


async def test_a_session_being_added_comes_back_filled_in(patient, database):
    await create_plan(patient, template="none")
    refuse_writes(database, "treatment_sessions")
    day = (patient.today() + timedelta(days=3)).isoformat()
    response = await patient.post("/treatment/sessions", {"session_date": day, "session_time": "13:45"})
    assert response.status_code == 503
    assert SAVE_FAILED in response.text
    assert f'value="{day}"' in response.text and 'value="13:45"' in response.text
    assert rows(database, "SELECT * FROM treatment_sessions") == []


async def test_a_session_being_moved_comes_back_with_its_form_and_stays_where_it_was(patient, database):
    session_id = await plan_with_session_today(patient)
    before = rows(database, "SELECT id, starts_at, status FROM treatment_sessions")
    refuse_writes(database, "treatment_sessions")
    day = (patient.today() + timedelta(days=2)).isoformat()
    response = await patient.post(f"/treatment/sessions/{session_id}/move",
                                  {"session_date": day, "session_time": "16:15"})
    assert response.status_code == 503
    assert SAVE_FAILED in response.text
    # The form is there to send again (a session that can't be moved shows none).
    assert f'action="/treatment/sessions/{session_id}/move"' in response.text
    assert f'value="{day}"' in response.text and 'value="16:15"' in response.text
    assert rows(database, "SELECT id, starts_at, status FROM treatment_sessions") == before


async def test_plan_changes_come_back_filled_in(patient, database):
    await create_plan(patient)
    refuse_writes(database, "treatment_plans", "UPDATE")
    form = {"medication": "esketamine", "clinic_name": "Lakeside Clinic", "clinic_phone": "+1 555 010 0199"}
    response = await patient.post("/treatment/plan/edit", form)
    assert response.status_code == 503
    assert SAVE_FAILED in response.text and 'value="Lakeside Clinic"' in response.text
    assert rows(database, "SELECT clinic_name FROM treatment_plans") == [("Riverside Clinic",)]


@pytest.mark.parametrize("outcome", ["done", "rescheduled"])
async def test_a_session_log_comes_back_filled_in(patient, database, outcome):
    session_id = await plan_with_session_today(patient)
    before = rows(database, "SELECT id, starts_at, status FROM treatment_sessions")
    refuse_writes(database, "treatment_session_logs")
    refuse_writes(database, "treatment_sessions")
    later = (patient.today() + timedelta(days=2)).isoformat()
    response = await patient.post(f"/treatment/sessions/{session_id}/log", {
        "outcome": outcome, "mood_before": "3", "mood_after": "7", "bp_before": "128/82",
        "new_date": later, "new_time": "11:30", "note": "Felt far away for an hour."})
    assert response.status_code == 503
    assert SAVE_FAILED in response.text
    assert "Felt far away for an hour.</textarea>" in response.text and 'value="128/82"' in response.text
    assert rows(database, "SELECT * FROM treatment_session_logs") == []
    assert rows(database, "SELECT id, starts_at, status FROM treatment_sessions") == before


async def test_reminder_settings_come_back_filled_in(patient, database):
    refuse_writes(database, "reminder_preferences")
    response = await patient.post("/reminders/settings", {**SETTINGS, "checkin_time": "21:40"})
    assert response.status_code == 503
    assert SAVE_FAILED in response.text and 'value="21:40"' in response.text
    assert rows(database, "SELECT * FROM reminder_preferences") == []


async def test_a_time_zone_change_comes_back_chosen_and_the_old_zone_stays(patient, database):
    refuse_writes(database, "users", "UPDATE")
    response = await patient.post("/account/timezone", {"timezone": "Europe/Paris"})
    assert response.status_code == 503
    assert SAVE_FAILED in response.text and '<option value="Europe/Paris" selected>' in response.text
    assert rows(database, "SELECT timezone FROM users") == [("America/New_York",)]


async def test_any_other_write_the_database_cannot_make_is_a_503_page_that_says_what_happened(patient, database):
    await patient.check_in(mood=6)
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    # An OperationalError, as a locked or full database raises (a RAISE() is a constraint error).
    database.execute("CREATE TRIGGER unavailable BEFORE DELETE ON checkins BEGIN SELECT disk_is_full(); END")
    database.commit()
    response = await patient.post(f"/checkins/{checkin_id}/delete")
    assert response.status_code == 503
    assert "couldn&#39;t save that because of a problem on our side" in response.text
    assert "Traceback" not in response.text
    assert len(rows(database, "SELECT * FROM checkins")) == 1


async def test_a_constraint_that_fails_elsewhere_is_a_bug_and_stays_a_500(patient, database):
    await patient.check_in(mood=6)
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    refuse_writes(database, "checkins", "DELETE")
    response = await patient.post(f"/checkins/{checkin_id}/delete")
    assert response.status_code == 500 and "Traceback" not in response.text
    assert len(rows(database, "SELECT * FROM checkins")) == 1


async def test_an_invitation_comes_back_filled_in_and_none_is_made(patient, database):
    refuse_writes(database, "share_invitations", "INSERT")
    response = await patient.post("/sharing/invitations", {"role": "caregiver", "label": "Alex (partner)",
                                                           "include_notes": "true"})
    assert response.status_code == 503
    assert SAVE_FAILED in response.text and 'value="Alex (partner)"' in response.text
    assert 'id="include_notes" name="include_notes" value="true" checked' in response.text
    assert rows(database, "SELECT * FROM share_invitations") == []


async def test_a_new_address_comes_back_typed_and_the_old_one_stays(patient, database):
    refuse_writes(database, "users", "UPDATE")
    response = await patient.post("/account/email", {"new_email": "new-address@example.com",
                                                     "current_password": PASSWORD})
    assert response.status_code == 503
    assert "Nothing was changed because of a problem on our side" in response.text
    assert 'value="new-address@example.com"' in response.text
    assert rows(database, "SELECT email FROM users") == [(patient.email,)]


async def test_a_password_change_is_whole_or_not_at_all_and_says_so(patient, people, database):
    """The new password and the end of every other session are one change: with the sessions'
    deletion refused, the old password still works and the form says nothing was changed."""
    other_device = people(patient.email)
    assert (await other_device.sign_in()).status_code == 303
    hash_before = rows(database, "SELECT password_hash FROM users")
    refuse_writes(database, "sessions", "DELETE")
    response = await patient.post("/account/password", {"current_password": PASSWORD,
                                                        "new_password": "a brand new long password"})
    assert rows(database, "SELECT password_hash FROM users") == hash_before
    assert len(rows(database, "SELECT * FROM sessions")) == 2
    assert response.status_code == 503
    assert "Nothing was changed because of a problem on our side" in response.text
