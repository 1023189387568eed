"""When a password reset link can still set a password, and the link the operator is given."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lift.domain.password_resets import (
    RESET_LINK_HOURS, RESET_PROBLEMS, ResetLink, reset_expiry, reset_link, reset_problem, waiting_link_notice,
)

MADE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def link(used_at: datetime | None = None) -> ResetLink:
    return ResetLink(user_id=1, email="pat@example.com", expires_at=reset_expiry(MADE), used_at=used_at)


def test_a_link_expires_a_day_after_it_is_made():
    assert RESET_LINK_HOURS == 24
    assert reset_expiry(MADE) == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("now, problem", [
    (MADE, None),
    (MADE + timedelta(hours=24) - timedelta(seconds=1), None),
    (MADE + timedelta(hours=24), "expired"),
    (MADE + timedelta(days=30), "expired"),
])
def test_an_unused_link_works_until_it_expires(now, problem):
    assert reset_problem(link(), now) == problem


def test_a_used_link_never_works_again_even_before_it_expires():
    assert reset_problem(link(used_at=MADE + timedelta(minutes=5)), MADE + timedelta(minutes=6)) == "used"


def test_a_used_link_reads_as_used_once_expired_too():
    assert reset_problem(link(used_at=MADE), MADE + timedelta(days=2)) == "used"


def test_a_link_nobody_made_is_unknown():
    assert reset_problem(None, MADE) == "unknown"


@pytest.mark.parametrize("problem", ["unknown", "used", "expired"])
def test_every_dead_link_says_to_ask_the_clinic_and_that_the_journal_is_kept(problem):
    assert "clinic" in RESET_PROBLEMS[problem] and "Your journal is kept as it is" in RESET_PROBLEMS[problem]


@pytest.mark.parametrize("public_url, expected", [
    ("", "/reset/tok"),
    ("https://lift.clinic.example", "https://lift.clinic.example/reset/tok"),
    ("https://clinic.example/lift/", "https://clinic.example/lift/reset/tok"),
])
def test_the_link_is_whole_when_the_public_address_is_known(public_url, expected):
    assert reset_link(public_url, "tok") == expected


def test_a_waiting_link_is_told_in_the_owners_own_time():
    made = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    text = waiting_link_notice(made, made + timedelta(hours=24), "America/New_York", date(2026, 11, 29))
    assert text.startswith("A password reset link for this account was made on Sun 29 Nov at 18:30 and works "
                           "until Mon 30 Nov at 18:30.")
    twelve = waiting_link_notice(made, made + timedelta(hours=24), "America/New_York", date(2026, 11, 29), True)
    assert twelve.startswith("A password reset link for this account was made on Sun 29 Nov at 6:30 PM and works "
                             "until Mon 30 Nov at 6:30 PM.")


def test_a_waiting_link_made_last_year_says_which_year():
    made = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)  # 22:00 on New Year's Eve in New York
    text = waiting_link_notice(made, made + timedelta(hours=24), "America/New_York", date(2027, 1, 1))
    assert text.startswith("A password reset link for this account was made on Thu 31 Dec 2026 at 22:00 and "
                           "works until Fri 1 Jan at 22:00.")
