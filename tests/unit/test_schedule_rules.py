"""Schedule templates, wall-clock times across DST changes, and session status transitions."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from lift.domain import schedule
from lift.domain.treatment import Session

MONDAY = date(2026, 1, 5)
NEW_YORK = "America/New_York"


def dates(slots):
    return [slot.local_date for slot in slots]


def days_from(start, *offsets):
    return [start + timedelta(days=n) for n in offsets]


# Templates -----------------------------------------------------------------------------


def test_esketamine_is_twice_weekly_for_four_weeks_then_weekly_for_four():
    slots = schedule.template_slots("esketamine", MONDAY)
    assert dates(slots) == days_from(MONDAY, 0, 3, 7, 10, 14, 17, 21, 24, 28, 35, 42, 49)
    assert [s.phase for s in slots] == ["Twice a week"] * 8 + ["Weekly"] * 4


def test_esketamine_weekly_maintenance_adds_eight_weekly_sessions_after_week_eight():
    slots = schedule.template_slots("esketamine", MONDAY, maintenance="weekly")
    maintenance = [s for s in slots if s.phase.startswith("Maintenance")]
    assert dates(maintenance) == days_from(MONDAY, *(7 * w for w in range(8, 16)))


def test_esketamine_every_other_week_maintenance_starts_two_weeks_after_the_last_weekly_session():
    slots = schedule.template_slots("esketamine", MONDAY, maintenance="every_other_week")
    maintenance = [s for s in slots if s.phase.startswith("Maintenance")]
    assert dates(maintenance) == days_from(MONDAY, 63, 77, 91, 105)
    assert maintenance[0].local_date - slots[11].local_date == timedelta(weeks=2)


@pytest.mark.parametrize("weeks", [2, 3])
def test_iv_ketamine_is_twice_weekly_then_weekly_then_every_four_weeks(weeks):
    slots = schedule.template_slots("iv_ketamine", MONDAY, induction_weeks=weeks)
    twice = [s for s in slots if s.phase == "Twice a week"]
    weekly = [s for s in slots if s.phase == "Weekly"]
    monthly = [s for s in slots if s.phase == "Monthly"]
    assert dates(twice) == [d for w in range(weeks) for d in days_from(MONDAY, 7 * w, 7 * w + 3)]
    assert dates(weekly) == days_from(MONDAY, *(7 * w for w in range(weeks, weeks + 4)))
    last_weekly = weekly[-1].local_date
    assert dates(monthly) == [last_weekly + timedelta(weeks=4 * n) for n in (1, 2, 3)]
    assert len(slots) == 2 * weeks + 4 + 3


def test_every_template_session_keeps_the_start_weekday_or_three_days_after():
    for slot in schedule.template_slots("esketamine", MONDAY, maintenance="weekly"):
        assert slot.local_date.weekday() in (0, 3)


def test_no_template_means_no_sessions():
    assert schedule.template_slots("none", MONDAY) == []


@pytest.mark.parametrize("template, options", [
    ("ketamine_daily", {}), ("", {}), ("iv_ketamine", {"induction_weeks": 4}),
    ("esketamine", {"maintenance": "daily"}),
])
def test_it_refuses_an_unknown_template_or_option(template, options):
    with pytest.raises(ValueError):
        schedule.template_slots(template, MONDAY, **options)


def test_a_last_day_drops_the_sessions_after_it():
    slots = schedule.template_slots("esketamine", MONDAY)
    kept = schedule.until(slots, MONDAY + timedelta(days=10))
    assert dates(kept) == days_from(MONDAY, 0, 3, 7, 10)
    assert schedule.until(slots, None) == slots


# Local times and DST -------------------------------------------------------------------


def test_sessions_keep_their_local_time_across_the_spring_change():
    # New York moves from UTC-5 to UTC-4 on Sunday 8 March 2026.
    start = date(2026, 2, 23)
    sessions = schedule.plan_sessions(schedule.template_slots("esketamine", start), time(10, 0), NEW_YORK)
    for session in sessions:
        assert schedule.local_time_of(session.starts_at, NEW_YORK) == time(10, 0)
        assert schedule.local_date_of(session.starts_at, NEW_YORK) == session.local_date
        expected_hour = 15 if session.local_date < date(2026, 3, 8) else 14
        assert session.starts_at == datetime.combine(session.local_date, time(expected_hour), tzinfo=UTC)
        assert session.adjustment == ""


def test_sessions_keep_their_local_time_across_the_autumn_change():
    start = date(2026, 10, 19)  # New York goes back to UTC-5 on Sunday 1 November 2026
    sessions = schedule.plan_sessions(schedule.template_slots("iv_ketamine", start), time(9, 30), NEW_YORK)
    offsets = {s.local_date < date(2026, 11, 1): s.starts_at.hour for s in sessions}
    assert offsets == {True: 13, False: 14}
    assert all(schedule.local_time_of(s.starts_at, NEW_YORK) == time(9, 30) for s in sessions)


def test_a_time_in_the_spring_forward_gap_moves_to_the_first_time_that_exists():
    resolved = schedule.resolve_local(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert resolved.adjustment == "gap"
    assert resolved.local == datetime(2026, 3, 8, 3, 0)
    assert resolved.starts_at == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_the_gap_rule_is_the_same_on_the_other_side_of_the_world():
    # Sydney springs forward at 02:00 on Sunday 4 October 2026 (UTC+10 -> UTC+11).
    resolved = schedule.resolve_local(date(2026, 10, 4), time(2, 45), "Australia/Sydney")
    assert resolved.adjustment == "gap"
    assert resolved.local == datetime(2026, 10, 4, 3, 0)
    assert resolved.starts_at == datetime(2026, 10, 3, 16, 0, tzinfo=UTC)


def test_a_half_hour_gap_moves_only_to_its_end():
    # Lord Howe Island moves its clocks by 30 minutes, at 02:00 on 4 October 2026.
    resolved = schedule.resolve_local(date(2026, 10, 4), time(2, 10), "Australia/Lord_Howe")
    assert (resolved.adjustment, resolved.local.time()) == ("gap", time(2, 30))


def test_a_time_in_the_fall_back_fold_uses_the_first_occurrence():
    resolved = schedule.resolve_local(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert resolved.adjustment == "fold"
    assert resolved.local == datetime(2026, 11, 1, 1, 30)
    assert resolved.starts_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


@pytest.mark.parametrize(("day", "at", "instants"), [
    (date(2026, 11, 1), time(1, 30), ["2026-11-01T05:30", "2026-11-01T06:30"]),  # EDT, then EST
    (date(2026, 11, 1), time(2, 0), ["2026-11-01T07:00"]),  # the clocks reach 02:00 once, in EST
    (date(2026, 3, 8), time(2, 30), ["2026-03-08T07:00"]),  # never read: the gap rule's 03:00
    (date(2026, 3, 9), time(2, 30), ["2026-03-09T06:30"]),
])
def test_a_time_the_clocks_repeat_is_read_at_two_instants_and_any_other_at_one(day, at, instants):
    assert schedule.local_instants(day, at, NEW_YORK) == tuple(
        datetime.fromisoformat(text).replace(tzinfo=UTC) for text in instants)


def test_an_ordinary_time_needs_no_rule():
    resolved = schedule.resolve_local(date(2026, 3, 9), time(2, 30), NEW_YORK)
    assert resolved.adjustment == ""
    assert resolved.starts_at == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)


def test_a_template_session_on_the_gap_day_is_moved_and_the_others_are_not():
    sessions = schedule.plan_sessions(schedule.template_slots("esketamine", date(2026, 3, 5)), time(2, 30), NEW_YORK)
    on_gap_day = [s for s in sessions if s.local_date == date(2026, 3, 8)]
    assert [s.adjustment for s in on_gap_day] == ["gap"]
    assert on_gap_day[0].requested_time == time(2, 30)
    assert schedule.local_time_of(on_gap_day[0].starts_at, NEW_YORK) == time(3, 0)
    assert all(s.adjustment == "" for s in sessions if s.local_date != date(2026, 3, 8))


def test_the_patient_is_told_what_happened_to_a_skipped_or_repeated_time():
    today = date(2026, 2, 1)
    gap = schedule.adjustment_note(date(2026, 3, 8), time(2, 30), NEW_YORK, today)
    assert "02:30 doesn't exist on Sun 8 Mar because the clocks go forward" in gap and "03:00" in gap
    fold = schedule.adjustment_note(date(2026, 11, 1), time(1, 30), NEW_YORK, today)
    assert "happens twice on Sun 1 Nov" in fold and "first one" in fold
    assert schedule.adjustment_note(date(2026, 3, 9), time(2, 30), NEW_YORK, today) == ""


def test_a_clock_change_is_told_on_the_readers_clock():
    today = date(2026, 3, 1)
    gap = schedule.adjustment_note(date(2026, 3, 8), time(2, 30), NEW_YORK, today, twelve_hour=True)
    assert gap.startswith("2:30 AM doesn't exist on Sun 8 Mar") and "for 3:00 AM, the first" in gap
    fold = schedule.adjustment_note(date(2026, 11, 1), time(1, 30), NEW_YORK, today, twelve_hour=True)
    assert fold.startswith("1:30 AM happens twice")


def test_a_clock_change_in_another_year_is_told_with_its_year():
    planned_in_december = date(2025, 12, 1)
    gap = schedule.adjustment_note(date(2026, 3, 8), time(2, 30), NEW_YORK, planned_in_december)
    assert "02:30 doesn't exist on Sun 8 Mar 2026 because" in gap


def test_a_time_moved_past_midnight_by_a_skipped_day_names_the_day_it_moved_to():
    # Samoa skipped 30 December 2011 whole: 10:00 that day is first 00:00 on the 31st.
    gap = schedule.adjustment_note(date(2011, 12, 30), time(10, 0), "Pacific/Apia", date(2011, 12, 1))
    assert "so Lift set this session for 00:00 on Sat 31 Dec, the first time" in gap
    same_day = schedule.adjustment_note(date(2026, 3, 8), time(2, 30), NEW_YORK, date(2026, 2, 1))
    assert "so Lift set this session for 03:00, the first time" in same_day


def test_a_local_day_with_a_spring_change_is_23_hours_long():
    start, end = schedule.local_day_bounds(date(2026, 3, 8), NEW_YORK)
    assert start == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)
    autumn_start, autumn_end = schedule.local_day_bounds(date(2026, 11, 1), NEW_YORK)
    assert autumn_end - autumn_start == timedelta(hours=25)


def booked(session_id: int, day: date, at: time, status: str = "planned") -> Session:
    """A session as Lift stored it for a patient in New York."""
    return Session(id=session_id, plan_id=1, starts_at=schedule.resolve_local(day, at, NEW_YORK).starts_at,
                   requested_date=day, requested_time=at, phase="Weekly", status=status, ride_home="")


def test_a_new_time_zone_keeps_each_planned_session_ahead_at_its_clock_time():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    ahead = booked(1, date(2026, 6, 2), time(10, 0))  # 14:00 UTC in New York (EDT)
    # 02:30 does not exist in New York that night (stored as 03:00 EDT) but does in London.
    skipped_in_new_york = booked(2, date(2027, 3, 14), time(2, 30))
    # 01:30 does not exist in London that night: it moves to 02:00 BST, as when planning.
    skipped_in_london = booked(3, date(2027, 3, 28), time(1, 30))
    moved = schedule.in_new_zone([ahead, skipped_in_new_york, skipped_in_london], "Europe/London", now)
    assert moved == [(1, datetime(2026, 6, 2, 9, 0, tzinfo=UTC)),  # 10:00 BST: five hours earlier
                     (2, datetime(2027, 3, 14, 2, 30, tzinfo=UTC)),  # 02:30 GMT, as asked
                     (3, datetime(2027, 3, 28, 1, 0, tzinfo=UTC))]  # 02:00 BST


def test_a_new_time_zone_leaves_past_and_settled_sessions_where_they_were():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    past = booked(1, date(2026, 6, 1), time(7, 0))  # 11:00 UTC: an hour ago, still "planned"
    settled = [booked(n, date(2026, 6, 4), time(10, 0), status)
               for n, status in enumerate(("done", "missed", "rescheduled", "cancelled"), start=2)]
    assert schedule.in_new_zone([past, *settled], "Europe/London", now) == []
    starting_now = booked(6, date(2026, 6, 1), time(8, 0))  # 12:00 UTC: under way, not ahead
    assert schedule.in_new_zone([starting_now], "Europe/London", now) == []


# Dates ---------------------------------------------------------------------------------


def test_a_first_session_must_be_today_or_later_and_within_a_year():
    today = date(2026, 11, 23)
    assert schedule.start_date_error(today, today) is None
    assert schedule.start_date_error(today + timedelta(days=366), today) is None
    assert "passed" in schedule.start_date_error(today - timedelta(days=1), today)
    assert "within the next year" in schedule.start_date_error(today + timedelta(days=367), today)


def test_a_last_day_cannot_come_before_the_first_session():
    start = date(2026, 12, 1)
    assert schedule.end_date_error(start, None) is None
    assert schedule.end_date_error(start, start) is None
    assert "can't be before" in schedule.end_date_error(start, start - timedelta(days=1))


# Status transitions --------------------------------------------------------------------


@pytest.mark.parametrize("new", ["done", "missed", "rescheduled", "cancelled"])
def test_a_planned_session_can_become_any_outcome(new):
    assert schedule.can_transition("planned", new)
    assert schedule.transition_error("planned", new) is None


@pytest.mark.parametrize("current, new", [("done", "missed"), ("missed", "done"), ("done", "done")])
def test_a_logged_session_can_be_corrected_between_done_and_missed(current, new):
    assert schedule.can_transition(current, new)


@pytest.mark.parametrize("current, new", [
    ("planned", "planned"), ("done", "planned"), ("done", "cancelled"), ("done", "rescheduled"),
    ("missed", "rescheduled"), ("rescheduled", "done"), ("rescheduled", "planned"),
    ("cancelled", "planned"), ("cancelled", "done"), ("planned", "lost"), ("unknown", "done"),
])
def test_other_transitions_are_refused(current, new):
    assert not schedule.can_transition(current, new)
    assert schedule.transition_error(current, new)


def test_the_refusal_for_a_moved_or_cancelled_session_says_what_to_do():
    assert "moved" in schedule.transition_error("rescheduled", "done")
    assert "cancelled" in schedule.transition_error("cancelled", "done")
