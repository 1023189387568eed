"""What the operator is shown before `python -m lift delete-account` deletes an account, and
what counts as typing its email again."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lift.domain.accounts import User
from lift.domain.data_rights import AccountOnRecord, confirms, deletion_summary

MADE = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def account(role: str = "patient", checkins: int = 0, shares: int = 0, made: datetime = MADE) -> AccountOnRecord:
    user = User(id=7, email="pat@example.com", role=role, timezone="Europe/London")
    return AccountOnRecord(user=user, created_at=made, checkins=checkins, shares=shares)


def test_a_patient_is_shown_with_their_check_ins_and_who_loses_access():
    assert deletion_summary(account(checkins=42, shares=2)) == [
        "email: pat@example.com", "role: patient", "account made: 2026-01-05 09:30 UTC", "check-ins: 42",
        "shared with: 2 people (their access ends)"]


@pytest.mark.parametrize("shares, says", [(0, "shared with: nobody"), (1, "shared with: 1 person (their access ends)")])
def test_a_patients_shares_are_counted_in_words(shares, says):
    assert deletion_summary(account(shares=shares))[-1] == says


@pytest.mark.parametrize("role", ["caregiver", "clinician"])
def test_a_caregiver_or_clinician_is_shown_with_the_patients_whose_log_will_say_so(role):
    lines = deletion_summary(account(role=role, shares=1))
    assert lines[1] == f"role: {role}" and not any(line.startswith("check-ins") for line in lines)
    assert lines[-1] == ("sees the journals of: 1 patient (each one's log and Sharing page will say this"
                         " account was deleted)")
    assert deletion_summary(account(role=role))[-1] == "sees the journals of: nobody"


def test_the_creation_time_is_said_in_utc():
    made = MADE.astimezone(timezone(timedelta(hours=-5)))
    assert "account made: 2026-01-05 09:30 UTC" in deletion_summary(account(made=made))


@pytest.mark.parametrize("typed, confirmed", [
    ("pat@example.com", True), ("  PAT@Example.com \n", True), ("", False), ("pat@example.co", False),
    ("kim@example.com", False), ("yes", False),
])
def test_only_the_accounts_own_email_confirms(typed, confirmed):
    assert confirms(typed, "pat@example.com") is confirmed
