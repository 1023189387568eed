"""Reminder instants, quiet hours, the overdue window, and what a locked phone shows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from lift.domain import reminders as rules
from lift.domain.forms import parse_form
from lift.domain.reminders import (
    Delivery,
    Occurrence,
    PatientContext,
    Preferences,
    RetryPolicy,
    StoredReminder,
    UpcomingSession,
)

NY, BERLIN, SYDNEY, LA = "America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Los_Angeles"
SANTIAGO = "America/Santiago"  # its clocks go forward at midnight: some days have no 00:00
NO_QUIET = {"quiet_start": None, "quiet_end": None}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def local(day: date, hour: int, minute: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def patient(zone: str, sessions=(), checked_in=(), scale_due=None, **prefs) -> PatientContext:
    """scale_due: both questionnaires were last taken a week before it."""
    merged = {**NO_QUIET, **prefs}
    taken = () if scale_due is None else (("phq9", scale_due - timedelta(days=7)), ("gad7", scale_due - timedelta(days=7)))
    return PatientContext(user_id=1, timezone=zone, preferences=Preferences(**merged),
                          sessions=tuple(sessions), checked_in=frozenset(checked_in), scales_taken=taken)


def noon(day: date, zone: str) -> datetime:
    return local(day, 12, 0, zone)


def find(found: list[Occurrence], kind: str, key: str) -> Occurrence | None:
    """A date's reminder by its date; a session's by the session's id (its key adds the start)."""
    return next((o for o in found if o.kind == kind and key in (o.key, str(o.session_id))), None)


# Daily check-in ---------------------------------------------------------------------------

@pytest.mark.parametrize(("zone", "day", "at", "expected"), [
    (NY, date(2026, 3, 7), time(20, 0), "2026-03-08T01:00Z"),   # the evening before: EST, UTC-5
    (NY, date(2026, 3, 8), time(20, 0), "2026-03-09T00:00Z"),   # spring-forward day: EDT, UTC-4
    (NY, date(2026, 3, 8), time(2, 30), "2026-03-08T07:00Z"),   # 02:30 never happens: 03:00 EDT
    (NY, date(2026, 10, 31), time(20, 0), "2026-11-01T00:00Z"),  # the evening before: EDT
    (NY, date(2026, 11, 1), time(1, 30), "2026-11-01T05:30Z"),  # 01:30 happens twice: the first
    (NY, date(2026, 11, 1), time(20, 0), "2026-11-02T01:00Z"),  # fall-back day: EST
    (BERLIN, date(2026, 3, 28), time(20, 0), "2026-03-28T19:00Z"),
    (BERLIN, date(2026, 3, 29), time(2, 30), "2026-03-29T01:00Z"),  # gap: 03:00 CEST
    (BERLIN, date(2026, 3, 29), time(20, 0), "2026-03-29T18:00Z"),
    (BERLIN, date(2026, 10, 25), time(2, 30), "2026-10-25T00:30Z"),  # fold: the first, CEST
    (BERLIN, date(2026, 10, 25), time(20, 0), "2026-10-25T19:00Z"),
    (SYDNEY, date(2026, 4, 5), time(2, 30), "2026-04-04T15:30Z"),  # southern autumn fold: AEDT
    (SYDNEY, date(2026, 10, 4), time(2, 30), "2026-10-03T16:00Z"),  # southern spring gap: 03:00 AEDT
])
def test_it_puts_the_checkin_reminder_at_the_local_time_across_clock_changes(zone, day, at, expected):
    found = rules.checkin_occurrences(patient(zone, checkin_time=at), noon(day, zone))
    assert find(found, "checkin", day.isoformat()).due_at == utc(expected)


def test_it_makes_one_reminder_for_a_time_the_clocks_repeat():
    ctx = patient(NY, checkin_time=time(1, 30))
    found = rules.checkin_occurrences(ctx, noon(date(2026, 11, 1), NY))
    assert [o.due_at for o in found if o.key == "2026-11-01"] == [utc("2026-11-01T05:30Z")]


def test_it_skips_the_checkin_reminder_on_a_day_already_checked_in():
    day = date(2026, 6, 10)
    found = rules.checkin_occurrences(patient(NY, checked_in={day}), noon(day, NY))
    assert find(found, "checkin", day.isoformat()) is None
    assert find(found, "checkin", (day + timedelta(days=1)).isoformat()) is not None


def test_it_makes_no_checkin_reminder_when_that_kind_is_turned_off():
    assert rules.checkin_occurrences(patient(NY, checkin_enabled=False), noon(date(2026, 6, 10), NY)) == []


# Treatment days ---------------------------------------------------------------------------

def test_it_reminds_the_evening_before_at_local_time_and_a_lead_time_in_real_hours():
    # 09:00 EDT on the spring-forward Sunday; eight hours earlier the clocks still said EST.
    session = UpcomingSession(id=7, starts_at=local(date(2026, 3, 8), 9, 0, NY))
    ctx = patient(NY, sessions=[session], eve_time=time(19, 0), lead_minutes=240)
    found = rules.treatment_occurrences(ctx, noon(date(2026, 3, 7), NY))
    eve, lead = find(found, "treatment_eve", "7"), find(found, "treatment_lead", "7")
    assert eve.due_at == utc("2026-03-08T00:00Z")  # Saturday 19:00 EST
    assert eve.local_date == date(2026, 3, 7)
    assert lead.due_at == session.starts_at - timedelta(hours=4) == utc("2026-03-08T09:00Z")
    assert lead.expires_at == session.starts_at


def test_it_reminds_before_a_session_on_a_fall_back_morning_in_berlin():
    session = UpcomingSession(id=3, starts_at=local(date(2026, 10, 25), 9, 0, BERLIN))  # 08:00Z, CET
    ctx = patient(BERLIN, sessions=[session], eve_time=time(19, 0), lead_minutes=180)
    found = rules.treatment_occurrences(ctx, noon(date(2026, 10, 24), BERLIN))
    assert find(found, "treatment_eve", "3").due_at == utc("2026-10-24T17:00Z")  # 19:00 CEST
    lead = find(found, "treatment_lead", "3")
    assert lead.due_at == utc("2026-10-25T05:00Z")
    assert lead.due_at.astimezone(ZoneInfo(BERLIN)).strftime("%H:%M %Z") == "06:00 CET"


@pytest.mark.parametrize(("eve_time", "due"), [(time(22, 30), "2026-03-29T00:30Z"), (time(23, 30), None)])
def test_an_evening_before_that_the_clocks_skip_into_the_sessions_day_is_not_sent(eve_time, due):
    """Nuuk's clocks go from 23:00 on 28 March 2026 straight to midnight: 23:30 that evening is
    placed at 00:00 on the session's own day, where "tomorrow" is already wrong."""
    nuuk = "America/Nuuk"
    session = UpcomingSession(id=4, starts_at=local(date(2026, 3, 29), 10, 0, nuuk))
    ctx = patient(nuuk, sessions=[session], eve_time=eve_time, lead_enabled=False)
    eve = find(rules.plannable(ctx, noon(date(2026, 3, 28), nuuk)), "treatment_eve", "4")
    assert (eve and eve.due_at) == (due and utc(due))
    if eve:
        assert eve.expires_at == utc("2026-03-29T01:00Z")  # midnight, when the clocks skip to it


def test_each_treatment_reminder_can_be_turned_off():
    session = UpcomingSession(id=1, starts_at=local(date(2026, 6, 11), 10, 0, NY))
    now = noon(date(2026, 6, 10), NY)
    only_lead = rules.treatment_occurrences(patient(NY, sessions=[session], eve_enabled=False), now)
    only_eve = rules.treatment_occurrences(patient(NY, sessions=[session], lead_enabled=False), now)
    assert [o.kind for o in only_lead] == ["treatment_lead"]
    assert [o.kind for o in only_eve] == ["treatment_eve"]


# Weekly questionnaires --------------------------------------------------------------------

def test_it_reminds_about_the_weekly_questions_on_the_due_day_and_weekly_after():
    due = date(2026, 6, 10)
    ctx = patient(NY, scale_due=due, scale_time=time(10, 0))
    assert find(rules.scale_occurrences(ctx, noon(due, NY)), "scale", "2026-06-10").due_at == local(due, 10, 0, NY)
    assert rules.scale_occurrences(ctx, noon(due + timedelta(days=3), NY)) == []
    later = due + timedelta(days=7)
    assert find(rules.scale_occurrences(ctx, noon(later, NY)), "scale", later.isoformat()) is not None


def test_it_does_not_remind_about_questionnaires_before_the_first_one():
    assert rules.scale_occurrences(patient(NY, scale_due=None), noon(date(2026, 6, 10), NY)) == []
    assert rules.scale_due_date({}) is None
    assert rules.scale_due_date({"phq9": date(2026, 6, 1), "gad7": date(2026, 6, 3)}) == date(2026, 6, 8)


def test_the_detailed_questionnaire_reminder_names_only_those_due_that_day():
    taken = (("phq9", date(2026, 6, 1)), ("gad7", date(2026, 6, 3)))
    ctx = PatientContext(user_id=1, timezone=NY, preferences=Preferences(**NO_QUIET, detailed_text=True),
                         scales_taken=taken)
    first = find(rules.scale_occurrences(ctx, noon(date(2026, 6, 8), NY)), "scale", "2026-06-08")
    assert rules.notification_for(first, ctx).title == "Lift: your weekly PHQ-9 is due"
    assert rules.notification_for(first, ctx).body == "It takes a minute or two."
    week_later = find(rules.scale_occurrences(ctx, noon(date(2026, 6, 15), NY)), "scale", "2026-06-15")
    assert rules.notification_for(week_later, ctx).title == "Lift: your weekly PHQ-9 and GAD-7 are due"
    only_gad7 = (("gad7", date(2026, 6, 1)), ("phq9", date(2026, 6, 4)))
    assert rules.scale_text(dict(only_gad7), date(2026, 6, 8))[0] == "Lift: your weekly GAD-7 is due"


# Every kind, on both clock-change days, in two zones ---------------------------------------

# (zone, clock-change day, the wall clock eight real hours before 09:00 that morning)
CLOCK_CHANGES = [(NY, date(2026, 3, 8), time(0, 0)), (NY, date(2026, 11, 1), time(1, 0)),
                 (BERLIN, date(2026, 3, 29), time(0, 0)), (BERLIN, date(2026, 10, 25), time(2, 0))]


@pytest.mark.parametrize(("zone", "day", "eight_hours_before"), CLOCK_CHANGES)
def test_every_kind_lands_at_its_wall_clock_time_on_a_clock_change_day(zone, day, eight_hours_before):
    session = UpcomingSession(id=1, starts_at=local(day, 9, 0, zone))
    ctx = patient(zone, sessions=[session], scale_due=day, checkin_time=time(20, 0), eve_time=time(19, 0),
                  scale_time=time(10, 0), lead_minutes=480)
    found = rules.occurrences(ctx, local(day - timedelta(days=1), 12, 0, zone))
    wall = {o.kind: o.due_at.astimezone(ZoneInfo(zone)) for o in found
            if day.isoformat() == o.key or o.session_id == 1}
    assert (wall["checkin"].date(), wall["checkin"].time()) == (day, time(20, 0))
    assert (wall["scale"].date(), wall["scale"].time()) == (day, time(10, 0))
    assert (wall["treatment_eve"].date(), wall["treatment_eve"].time()) == (day - timedelta(days=1), time(19, 0))
    # A lead time is real hours across the change, so the wall clock is not simply 01:00.
    assert wall["treatment_lead"].astimezone(UTC) == session.starts_at - timedelta(hours=8)
    assert wall["treatment_lead"].time() == eight_hours_before



def test_a_reminder_is_useful_for_six_hours_or_twelve_for_the_questionnaires():
    """Without quiet hours, a check-in and an evening-before reminder (set early enough not to
    reach midnight) are dropped six hours after they are due, the weekly questionnaires twelve."""
    day = date(2026, 6, 10)
    session = UpcomingSession(id=1, starts_at=local(day + timedelta(days=1), 10, 0, NY))
    ctx = patient(NY, sessions=[session], scale_due=day, checkin_time=time(9, 0), eve_time=time(17, 0),
                  scale_time=time(10, 0), lead_enabled=False)
    found = rules.occurrences(ctx, local(day, 8, 0, NY))
    windows = {kind: find(found, kind, key).expires_at - find(found, kind, key).due_at
               for kind, key in (("checkin", "2026-06-10"), ("treatment_eve", "1"), ("scale", "2026-06-10"))}
    assert windows == {"checkin": timedelta(hours=6), "treatment_eve": timedelta(hours=6),
                       "scale": timedelta(hours=12)}


# Quiet hours ------------------------------------------------------------------------------

def test_it_moves_a_reminder_in_quiet_hours_to_when_they_end():
    session = UpcomingSession(id=1, starts_at=local(date(2026, 6, 11), 8, 30, NY))
    ctx = patient(NY, sessions=[session], lead_minutes=120, quiet_start=time(22, 0), quiet_end=time(7, 0))
    lead = find(rules.treatment_occurrences(ctx, noon(date(2026, 6, 10), NY)), "treatment_lead", "1")
    assert lead.due_at == local(date(2026, 6, 11), 7, 0, NY)


def test_it_drops_a_reminder_when_quiet_hours_end_too_late_for_it():
    session = UpcomingSession(id=1, starts_at=local(date(2026, 6, 11), 7, 0, NY))
    ctx = patient(NY, sessions=[session], lead_minutes=120, eve_enabled=False,
                  quiet_start=time(22, 0), quiet_end=time(7, 0))
    assert rules.treatment_occurrences(ctx, noon(date(2026, 6, 10), NY)) == []


def test_it_drops_a_checkin_reminder_set_inside_quiet_hours():
    # 23:00 is quiet until 07:00, long after the six hours a check-in reminder is useful.
    ctx = patient(NY, checkin_time=time(23, 0), quiet_start=time(22, 0), quiet_end=time(7, 0))
    assert rules.checkin_occurrences(ctx, noon(date(2026, 6, 10), NY)) == []


@pytest.mark.parametrize(("start", "end", "wall", "quiet"), [
    (time(22, 0), time(7, 0), time(23, 30), True),
    (time(22, 0), time(7, 0), time(6, 59), True),
    (time(22, 0), time(7, 0), time(7, 0), False),
    (time(22, 0), time(7, 0), time(21, 59), False),
    (time(13, 0), time(15, 0), time(14, 0), True),
    (time(13, 0), time(15, 0), time(13, 0), True),
    (time(13, 0), time(15, 0), time(12, 59), False),
    (time(13, 0), time(15, 0), time(15, 0), False),
    (None, None, time(3, 0), False),
])
def test_it_knows_which_wall_clock_times_are_quiet(start, end, wall, quiet):
    assert rules.wall_time_in_quiet_hours(wall, Preferences(quiet_start=start, quiet_end=end)) is quiet


def test_a_weekly_reminder_time_in_quiet_hours_is_named_as_the_weekly_questionnaires_are_everywhere():
    prefs = Preferences(checkin_enabled=False, eve_enabled=False, scale_time=time(23, 0),
                        quiet_start=time(22, 0), quiet_end=time(7, 0))
    assert rules.quiet_hours_notes(prefs)[0].startswith("Your weekly questionnaire reminder, set for 23:00,")


def test_no_note_for_a_reminder_outside_quiet_hours_or_one_turned_off():
    prefs = Preferences(checkin_time=time(20, 0), eve_enabled=False, eve_time=time(23, 0),
                        quiet_start=time(22, 0), quiet_end=time(7, 0))
    assert rules.quiet_hours_notes(prefs) == []


def test_quiet_hours_the_clocks_skip_do_not_cut_short_a_reminder_due_as_they_would_end():
    # 02:30 to 03:00 does not happen on 8 March 2026 in New York: a check-in at 03:00 has its
    # six hours, not a few minutes before quiet hours that start "at 03:00".
    ctx = patient(NY, checkin_time=time(3, 0), quiet_start=time(2, 30), quiet_end=time(3, 0))
    day = date(2026, 3, 8)
    checkin = find(rules.occurrences(ctx, local(day, 1, 0, NY)), "checkin", day.isoformat())
    assert checkin.due_at == utc("2026-03-08T07:00Z")
    assert checkin.expires_at == checkin.due_at + timedelta(hours=6)


def test_a_reminder_time_in_quiet_hours_is_said_to_come_when_they_end_only_if_it_does():
    # The page said every such reminder "will wait until quiet hours end, or be skipped if that
    # is too late": a check-in at 23:00 with quiet hours until 07:00 is never sent, every day.
    prefs = dict(checkin_time=time(23, 0), eve_time=time(23, 30), scale_time=time(6, 30),
                 quiet_start=time(22, 0), quiet_end=time(7, 0))
    day = date(2026, 6, 10)
    ctx = patient(NY, sessions=[UpcomingSession(id=1, starts_at=local(day + timedelta(days=1), 12, 0, NY))],
                  scale_due=day, lead_enabled=False, **prefs)
    found = rules.occurrences(ctx, noon(day, NY))
    assert [o.kind for o in found if o.local_date == day] == ["scale"]
    assert find(found, "scale", day.isoformat()).due_at == local(day, 7, 0, NY)

    assert rules.quiet_hours_notes(Preferences(**prefs)) == [
        "Your check-in reminder, set for 23:00, falls in your quiet hours (22:00 to 07:00). By 07:00 it "
        "would be too late to be useful, so it is never sent: choose a time outside quiet hours to get it.",
        "Your evening-before reminder, set for 23:30, falls in your quiet hours (22:00 to 07:00). By 07:00 it "
        "would be too late to be useful, so it is never sent: choose a time outside quiet hours to get it.",
        "Your weekly questionnaire reminder, set for 06:30, falls in your quiet hours (22:00 to 07:00), "
        "so it comes when they end, at 07:00.",
    ]
    assert rules.quiet_hours_notes(Preferences(**prefs), twelve_hour=True)[2] == (
        "Your weekly questionnaire reminder, set for 6:30 AM, falls in your quiet hours (10:00 PM to 7:00 AM), "
        "so it comes when they end, at 7:00 AM.")


@pytest.mark.parametrize(("kind", "at", "quiet_start", "quiet_end", "comes_at"), [
    ("checkin", time(21, 30), time(21, 0), time(3, 0), time(3, 0)),    # 5 h 30 min late: within 6 h
    ("checkin", time(21, 0), time(21, 0), time(3, 0), None),           # 6 h late: too late
    ("treatment_eve", time(21, 30), time(21, 0), time(23, 0), time(23, 0)),
    ("treatment_eve", time(21, 30), time(21, 0), time(0, 0), None),     # midnight is the session's day
    ("scale", time(22, 0), time(22, 0), time(9, 0), time(9, 0)),        # 11 h: within 12 h
    ("scale", time(20, 0), time(20, 0), time(9, 0), None),
])
def test_the_note_and_the_rules_agree_on_when_a_quiet_reminder_comes(kind, at, quiet_start, quiet_end, comes_at):
    field = {"checkin": "checkin_time", "treatment_eve": "eve_time", "scale": "scale_time"}[kind]
    chosen = {"quiet_start": quiet_start, "quiet_end": quiet_end, field: at}
    day = date(2026, 6, 10)
    session = UpcomingSession(id=1, starts_at=local(day + timedelta(days=1), 12, 0, "UTC"))
    ctx = patient("UTC", sessions=[session], scale_due=day, lead_enabled=False, **chosen)
    found = next((o for o in rules.occurrences(ctx, noon(day, "UTC")) if o.kind == kind and o.local_date == day), None)
    assert (found.due_at.time() if found else None) == comes_at

    note = next(n for n in rules.quiet_hours_notes(Preferences(**chosen)) if f"set for {at:%H:%M}" in n)
    assert ("never sent" in note) is (comes_at is None)
    assert comes_at is None or note.endswith(f"at {comes_at:%H:%M}.")


def test_quiet_hours_that_end_in_a_skipped_hour_end_when_the_clocks_have_jumped():
    prefs = Preferences(quiet_start=time(22, 0), quiet_end=time(2, 30))
    night = local(date(2026, 3, 7), 23, 0, NY)
    assert rules.quiet_hours_end_after(night, prefs, NY) == utc("2026-03-08T07:00Z")  # 03:00 EDT



# The hour the clocks repeat -----------------------------------------------------------------
# New York goes back from 02:00 EDT to 01:00 EST on 1 Nov 2026 and London from 02:00 BST to
# 01:00 GMT on 25 Oct; Lord Howe Island from 02:00 to 01:30 on 5 Apr, half an hour. A lead time
# is real hours, so a reminder two hours before a 03:15 session falls at the second 01:15.
LONDON, LORD_HOWE = "Europe/London", "Australia/Lord_Howe"
FALL_BACK = {NY: date(2026, 11, 1), LONDON: date(2026, 10, 25), LORD_HOWE: date(2026, 4, 5)}


def in_fold(zone: str, hour: int, minute: int, fold: int) -> datetime:
    """The first (fold 0) or second (fold 1) time the clocks read hour:minute on the fall-back day."""
    return datetime.combine(FALL_BACK[zone], time(hour, minute), tzinfo=ZoneInfo(zone)).replace(
        fold=fold).astimezone(UTC)


@pytest.mark.parametrize(("zone", "quiet_end", "at", "fold", "comes_at"), [
    (NY, time(7, 0), (1, 15), 0, "2026-11-01T12:00Z"),  # 07:00 EST, that morning
    (NY, time(7, 0), (1, 15), 1, "2026-11-01T12:00Z"),
    (NY, time(7, 0), (1, 45), 0, "2026-11-01T12:00Z"),
    (NY, time(7, 0), (1, 45), 1, "2026-11-01T12:00Z"),
    (NY, time(1, 30), (1, 15), 0, "2026-11-01T05:30Z"),  # the first 01:30, EDT
    (NY, time(1, 30), (1, 15), 1, "2026-11-01T06:30Z"),  # the second 01:30, EST, not the next night's
    (NY, time(1, 30), (1, 45), 0, None),  # after quiet hours: as it is
    (NY, time(1, 30), (1, 45), 1, None),
    (LONDON, time(7, 0), (1, 15), 0, "2026-10-25T07:00Z"),
    (LONDON, time(7, 0), (1, 15), 1, "2026-10-25T07:00Z"),
    (LONDON, time(7, 0), (1, 45), 0, "2026-10-25T07:00Z"),
    (LONDON, time(7, 0), (1, 45), 1, "2026-10-25T07:00Z"),
    (LONDON, time(1, 30), (1, 15), 0, "2026-10-25T00:30Z"),  # 01:30 BST
    (LONDON, time(1, 30), (1, 15), 1, "2026-10-25T01:30Z"),  # 01:30 GMT
    (LONDON, time(1, 30), (1, 45), 0, None),
    (LONDON, time(1, 30), (1, 45), 1, None),
    (LORD_HOWE, time(7, 0), (1, 15), 0, "2026-04-04T20:30Z"),  # 07:00 +10:30
    (LORD_HOWE, time(7, 0), (1, 45), 0, "2026-04-04T20:30Z"),
    (LORD_HOWE, time(7, 0), (1, 45), 1, "2026-04-04T20:30Z"),
    (LORD_HOWE, time(1, 30), (1, 15), 0, "2026-04-04T14:30Z"),  # 01:15 and 01:30 +11 happen once
    (LORD_HOWE, time(1, 30), (1, 45), 1, None),
    (LORD_HOWE, time(1, 50), (1, 45), 0, "2026-04-04T14:50Z"),  # 01:50 +11
    (LORD_HOWE, time(1, 50), (1, 45), 1, "2026-04-04T15:20Z"),  # 01:50 +10:30, not the next night's
])
def test_a_reminder_in_quiet_hours_in_the_repeated_hour_comes_when_they_end_that_morning(
        zone, quiet_end, at, fold, comes_at):
    prefs = Preferences(quiet_start=time(22, 0), quiet_end=quiet_end)
    due = in_fold(zone, *at, fold)
    moved = rules.respect_quiet_hours(due, due + timedelta(hours=12), prefs, zone)
    assert moved == (utc(comes_at) if comes_at else due)
    assert moved.astimezone(ZoneInfo(zone)).date() == FALL_BACK[zone]


def test_a_lead_reminder_at_the_second_0115_comes_at_the_second_0130_once():
    # Two hours before a 03:15 session is 01:15 EST; quiet hours end at 01:30.
    session = UpcomingSession(id=5, starts_at=in_fold(NY, 3, 15, 0))
    ctx = patient(NY, sessions=[session], eve_enabled=False, lead_minutes=120,
                  quiet_start=time(22, 0), quiet_end=time(1, 30))
    found = rules.occurrences(ctx, in_fold(NY, 0, 0, 0))
    assert [(o.kind, o.due_at) for o in found if o.session_id == 5] == [("treatment_lead", in_fold(NY, 1, 30, 1))]


def test_a_late_reminder_looked_at_in_the_repeated_quiet_hour_waits_for_its_end_that_morning():
    # Quiet hours end at 01:30, so the 01:40 EDT check-in is due outside them; the worker was down
    # until 01:10 EST, when the clocks have gone back into quiet hours.
    ctx = patient(NY, checkin_time=time(1, 40), quiet_start=time(22, 0), quiet_end=time(1, 30))
    day = FALL_BACK[NY]
    wanted = find(rules.occurrences(ctx, in_fold(NY, 1, 10, 1)), "checkin", day.isoformat())
    assert wanted.due_at == in_fold(NY, 1, 40, 0)
    decision = rules.decide(wanted.due_at, wanted, ctx, in_fold(NY, 1, 10, 1))
    assert (decision.action, decision.due_at) == ("reschedule", in_fold(NY, 1, 30, 1))


def test_a_reminder_in_the_repeated_hour_expires_when_quiet_hours_start_at_their_second_reading():
    # Two hours before a 03:10 session is 01:10 EST, before quiet hours start at the second 01:30:
    # held by the push service until the session, it could arrive inside them.
    session = UpcomingSession(id=6, starts_at=in_fold(NY, 3, 10, 0))
    ctx = patient(NY, sessions=[session], eve_enabled=False, lead_minutes=120,
                  quiet_start=time(1, 30), quiet_end=time(7, 0))
    lead = find(rules.occurrences(ctx, in_fold(NY, 0, 0, 0)), "treatment_lead", "6")
    assert (lead.due_at, lead.expires_at) == (in_fold(NY, 1, 10, 1), in_fold(NY, 1, 30, 1))


# At 02:00 the clocks go back to 01:00, inside quiet hours that end at 01:30 or 01:45 again until
# their second end: a message sent at the first end must not be held by the push service past
# 02:00, and a reminder not sent by then goes at the second end, once.
FOLD_QUIET = [(zone, end) for zone in (NY, LONDON) for end in (time(1, 30), time(1, 45))]


def test_the_clocks_go_back_into_quiet_hours_when_they_end_in_the_repeated_hour():
    for zone, end in FOLD_QUIET:
        prefs = Preferences(quiet_start=time(22, 0), quiet_end=end)
        back = rules.clocks_back_into_quiet_hours(in_fold(zone, 0, 30, 0), prefs, zone)
        assert back == in_fold(zone, 1, 0, 1) == in_fold(zone, 1, 59, 0) + timedelta(minutes=1), zone
        assert rules.clocks_back_into_quiet_hours(back, prefs, zone) is None
    # Quiet hours that end before the repeated hour, or at its end, are not entered again.
    for end in (time(0, 30), time(2, 0), time(7, 0)):
        prefs = Preferences(quiet_start=time(22, 0), quiet_end=end)
        assert rules.clocks_back_into_quiet_hours(in_fold(NY, 0, 0, 0), prefs, NY) is None


@pytest.mark.parametrize(("zone", "end"), FOLD_QUIET)
def test_a_reminder_sent_as_quiet_hours_first_end_is_held_only_until_the_clocks_go_back(zone, end):
    ctx = patient(zone, checkin_time=time(1, 0), quiet_start=time(22, 0), quiet_end=end)
    day = FALL_BACK[zone]
    occ = find(rules.occurrences(ctx, in_fold(zone, 0, 0, 0)), "checkin", day.isoformat())
    assert occ.due_at == in_fold(zone, end.hour, end.minute, 0)
    decision = rules.decide(occ.due_at, occ, ctx, occ.due_at)
    # 02:00, as the clocks go back to 01:00 (the second 01:00).
    assert (decision.action, decision.expires_at) == ("send", in_fold(zone, 1, 0, 1))
    held_until = occ.due_at + timedelta(seconds=rules.ttl_seconds(decision.expires_at, occ.due_at))
    quiet = [t for t in every_minute(occ.due_at, held_until) if rules.in_quiet_hours(t, ctx.preferences, zone)]
    assert quiet == []


@pytest.mark.parametrize(("zone", "end"), FOLD_QUIET)
def test_a_reminder_not_sent_before_the_clocks_go_back_comes_at_the_second_end_of_quiet_hours(zone, end):
    ctx = patient(zone, checkin_time=time(1, 0), quiet_start=time(22, 0), quiet_end=end)
    day = FALL_BACK[zone]
    second_end = in_fold(zone, end.hour, end.minute, 1)
    # The worker was down from the first end of quiet hours until 01:05 after the clocks went back.
    now = in_fold(zone, 1, 5, 1)
    occ = find(rules.occurrences(ctx, now), "checkin", day.isoformat())
    decision = rules.decide(occ.due_at, occ, ctx, now)
    assert (decision.action, decision.due_at) == ("reschedule", second_end)
    sent = rules.decide(occ.due_at, find(rules.occurrences(ctx, second_end), "checkin", day.isoformat()),
                        ctx, second_end)
    assert (sent.action, sent.expires_at) == ("send", occ.expires_at)


@pytest.mark.parametrize(("zone", "end"), FOLD_QUIET)
def test_a_reminder_due_just_before_the_clocks_go_back_waits_for_the_second_end(zone, end):
    # Due at 01:55, outside quiet hours, five minutes before 02:00 becomes 01:00: too little time
    # for the scheduler and the shortest TTL, so it comes when quiet hours end the second time,
    # and also when a slow worker first looks at it just after the clocks went back.
    ctx = patient(zone, checkin_time=time(1, 55), quiet_start=time(22, 0), quiet_end=end)
    day = FALL_BACK[zone]
    occ = find(rules.occurrences(ctx, in_fold(zone, 0, 0, 0)), "checkin", day.isoformat())
    assert occ.due_at == in_fold(zone, 1, 55, 0)
    for now in (occ.due_at, in_fold(zone, 1, 1, 1)):
        decision = rules.decide(occ.due_at, occ, ctx, now)
        assert (decision.action, decision.due_at) == ("reschedule", in_fold(zone, end.hour, end.minute, 1))
    # Due at 01:40 (quiet hours until 01:30), twenty minutes before: it goes, held until 02:00.
    early = patient(zone, checkin_time=time(1, 40), quiet_start=time(22, 0), quiet_end=time(1, 30))
    occ = find(rules.occurrences(early, in_fold(zone, 0, 0, 0)), "checkin", day.isoformat())
    assert rules.decide(occ.due_at, occ, early, occ.due_at).expires_at == in_fold(zone, 1, 0, 1)


# Sending: overdue, moved, withdrawn -------------------------------------------------------

def test_it_drops_a_reminder_overdue_by_more_than_its_window():
    day = date(2026, 6, 10)
    ctx = patient(NY, checkin_time=time(20, 0))
    due = local(day, 20, 0, NY)
    wanted = find(rules.occurrences(ctx, due), "checkin", day.isoformat())
    assert rules.decide(due, wanted, ctx, due + timedelta(hours=5, minutes=59)).action == "send"
    assert rules.decide(due, wanted, ctx, due + timedelta(hours=6)).action == "expire"


def test_it_withdraws_a_reminder_the_rules_no_longer_want():
    due = local(date(2026, 6, 10), 20, 0, NY)
    assert rules.decide(due, None, patient(NY), due).action == "withdraw"


def test_it_moves_a_reminder_when_the_patient_moved_to_a_later_time_zone():
    day = date(2026, 6, 10)
    due_in_new_york = local(day, 20, 0, NY)
    ctx = patient(LA, checkin_time=time(20, 0))
    wanted = find(rules.occurrences(ctx, due_in_new_york), "checkin", day.isoformat())
    decision = rules.decide(due_in_new_york, wanted, ctx, due_in_new_york)
    assert decision.action == "reschedule"
    assert decision.due_at == local(day, 20, 0, LA)


def test_it_waits_out_quiet_hours_when_a_late_reminder_comes_due_in_them():
    day = date(2026, 6, 10)
    ctx = patient(NY, checkin_time=time(20, 0), quiet_start=time(21, 0), quiet_end=time(7, 0))
    due = local(day, 20, 0, NY)
    wanted = find(rules.occurrences(ctx, due), "checkin", day.isoformat())
    # The worker was down until 21:30: quiet hours end after the reminder stops being useful.
    assert rules.decide(due, wanted, ctx, local(day, 21, 30, NY)).action == "expire"
    session = UpcomingSession(id=4, starts_at=local(day + timedelta(days=1), 10, 0, NY))
    ctx = patient(NY, sessions=[session], lead_minutes=240, quiet_start=time(5, 0), quiet_end=time(7, 0))
    lead = find(rules.occurrences(ctx, due), "treatment_lead", "4")
    decision = rules.decide(lead.due_at, lead, ctx, local(day + timedelta(days=1), 6, 30, NY))
    assert decision.action == "reschedule"
    assert decision.due_at == local(day + timedelta(days=1), 7, 0, NY)


def test_a_reminder_moved_to_a_time_already_past_goes_at_once():
    day = date(2026, 6, 10)
    ctx = patient(NY, checkin_time=time(19, 30), quiet_start=time(22, 0), quiet_end=time(7, 0))
    wanted = find(rules.occurrences(ctx, noon(day, NY)), "checkin", day.isoformat())
    # The row was written for 20:00; the patient has since chosen 19:30, and it is 20:00.
    decision = rules.decide(local(day, 20, 0, NY), wanted, ctx, local(day, 20, 0, NY))
    assert (decision.action, decision.expires_at) == ("send", local(day, 22, 0, NY))


def test_a_reminder_moved_to_the_very_instant_it_is_looked_at_goes_then():
    day = date(2026, 6, 10)
    ctx = patient(NY, checkin_time=time(20, 0))
    wanted = find(rules.occurrences(ctx, noon(day, NY)), "checkin", day.isoformat())
    # The row was written for 19:00; the patient has since chosen 20:00, and it is 20:00.
    assert rules.decide(local(day, 19, 0, NY), wanted, ctx, wanted.due_at).action == "send"


def test_the_ttl_is_what_is_left_of_the_window_never_more_and_never_under_a_minute():
    due = utc("2026-06-11T00:00Z")
    expires = due + rules.WINDOWS["checkin"]
    assert rules.ttl_seconds(expires, due) == 6 * 3600
    assert rules.ttl_seconds(expires, expires - timedelta(seconds=60)) == rules.MIN_TTL_SECONDS == 60
    # Less than a minute left: the shortest TTL would outlast the window, so it is not sent.
    assert rules.ttl_seconds(expires, expires - timedelta(seconds=59)) is None
    assert rules.ttl_seconds(expires, expires + timedelta(hours=1)) is None


# Expiry: a push service may hold a message until then, so never into quiet hours -----------

def test_a_reminder_expires_when_quiet_hours_start_and_without_them_keeps_its_window():
    day = date(2026, 6, 10)  # a Wednesday; the session is on Thursday
    session = UpcomingSession(id=1, starts_at=local(day + timedelta(days=1), 10, 0, NY))
    quiet = patient(NY, sessions=[session], checkin_time=time(20, 0), eve_time=time(19, 0),
                    quiet_start=time(22, 0), quiet_end=time(7, 0))
    found = rules.occurrences(quiet, noon(day, NY))
    # Not 02:00 and 01:00 on Thursday, six hours after they were due.
    assert find(found, "checkin", day.isoformat()).expires_at == local(day, 22, 0, NY)
    assert find(found, "treatment_eve", "1").expires_at == local(day, 22, 0, NY)
    no_quiet = patient(NY, checkin_time=time(20, 0))
    checkin = find(rules.checkin_occurrences(no_quiet, noon(day, NY)), "checkin", day.isoformat())
    assert checkin.expires_at == local(day + timedelta(days=1), 2, 0, NY)


def test_a_reminder_set_just_before_quiet_hours_still_has_time_to_go_out():
    """Capped at 22:00, a 21:59 reminder would expire before the scheduler's next pass."""
    day = date(2026, 6, 10)
    ctx = patient(NY, checkin_time=time(21, 59), quiet_start=time(22, 0), quiet_end=time(7, 0))
    occ = find(rules.checkin_occurrences(ctx, noon(day, NY)), "checkin", day.isoformat())
    assert occ.expires_at == occ.due_at + rules.MIN_WINDOW
    soon = occ.due_at + timedelta(seconds=70)  # a dispatch pass and a delivery later
    decision = rules.decide(occ.due_at, occ, ctx, soon)
    assert decision.action == "send" and rules.ttl_seconds(decision.expires_at, soon) >= rules.MIN_TTL_SECONDS
    # Due well before quiet hours, the cap is still their start.
    early = patient(NY, checkin_time=time(21, 0), quiet_start=time(22, 0), quiet_end=time(7, 0))
    assert find(rules.checkin_occurrences(early, noon(day, NY)), "checkin", day.isoformat()).expires_at \
        == local(day, 22, 0, NY)


def test_the_evening_before_reminder_expires_at_midnight_even_without_quiet_hours():
    day = date(2026, 6, 10)
    session = UpcomingSession(id=1, starts_at=local(day + timedelta(days=1), 10, 0, NY))
    ctx = patient(NY, sessions=[session], eve_time=time(22, 0), lead_enabled=False)
    eve = find(rules.treatment_occurrences(ctx, noon(day, NY)), "treatment_eve", "1")
    assert eve.expires_at == local(day + timedelta(days=1), 0, 0, NY)  # it says "tomorrow"
    assert rules.decide(eve.due_at, eve, ctx, local(day, 23, 59, NY)).action == "send"
    late = local(day + timedelta(days=1), 0, 30, NY)  # a worker that was down comes back
    wanted = find(rules.occurrences(ctx, late), "treatment_eve", "1")
    assert rules.decide(eve.due_at, wanted, ctx, late).action == "expire"


def test_on_a_clock_change_night_the_caps_are_wall_clock_times():
    # New York falls back at 02:00 on Sunday 1 Nov 2026: from Saturday 23:00 to quiet hours at
    # 03:00 is five real hours, not four.
    saturday = date(2026, 10, 31)
    ctx = patient(NY, checkin_time=time(23, 0), quiet_start=time(3, 0), quiet_end=time(7, 0))
    occ = find(rules.checkin_occurrences(ctx, noon(saturday, NY)), "checkin", saturday.isoformat())
    assert occ.expires_at == utc("2026-11-01T08:00Z") == occ.due_at + timedelta(hours=5)  # 03:00 EST
    # Santiago goes forward at midnight on Sunday 6 Sep 2026: that day starts at 01:00.
    sunday = date(2026, 9, 6)
    session = UpcomingSession(id=1, starts_at=local(sunday, 10, 0, SANTIAGO))
    ctx = patient(SANTIAGO, sessions=[session], eve_time=time(22, 0), lead_enabled=False)
    found = rules.treatment_occurrences(ctx, noon(sunday - timedelta(days=1), SANTIAGO))
    eve = find(found, "treatment_eve", "1")
    assert eve.expires_at == utc("2026-09-06T04:00Z") == eve.due_at + timedelta(hours=2)  # 01:00 -03


def every_minute(start: datetime, end: datetime):
    while start < end:
        yield start
        start += timedelta(minutes=1)


@pytest.mark.parametrize(("zone", "day", "prefs"), [
    (NY, date(2026, 6, 10), {"quiet_start": time(22, 0), "quiet_end": time(7, 0)}),
    (NY, date(2026, 6, 10), {"eve_time": time(22, 0), "lead_minutes": 240}),  # no quiet hours
    (NY, date(2026, 10, 31), {"checkin_time": time(23, 0), "quiet_start": time(3, 0),
                              "quiet_end": time(7, 0)}),  # the night the clocks go back
    (BERLIN, date(2026, 3, 28), {"eve_time": time(21, 0), "quiet_start": time(23, 30),
                                 "quiet_end": time(6, 0)}),  # the night they go forward
    (SANTIAGO, date(2026, 9, 5), {"eve_time": time(23, 0), "checkin_time": time(21, 0)}),
])
def test_no_ttl_given_to_the_push_service_reaches_into_quiet_hours_or_past_midnight(zone, day, prefs):
    session_day = day + timedelta(days=1)
    session = UpcomingSession(id=1, starts_at=local(session_day, 10, 0, zone))
    ctx = patient(zone, sessions=[session], scale_due=day, scale_time=time(16, 0), **prefs)
    # 00:00 as zoneinfo reads it (fold=0): on a day that skips midnight, the instant the day starts.
    midnight = datetime.combine(session_day, time(0, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    found = [occ for occ in rules.occurrences(ctx, noon(day, zone)) if occ.local_date == day]
    assert {occ.kind for occ in found} == {"checkin", "treatment_eve", "scale"}
    for occ in found:
        # Sent the moment it is due, the push service may deliver it until due + TTL.
        held_until = occ.due_at + timedelta(seconds=rules.ttl_seconds(occ.expires_at, occ.due_at))
        quiet = [t for t in every_minute(occ.due_at, held_until)
                 if rules.in_quiet_hours(t, ctx.preferences, zone)]
        assert quiet == [], occ.kind
        if occ.kind == "treatment_eve":
            assert held_until <= midnight
        # Sent later (a worker was down, a retry), never for longer than that.
        for now in every_minute(occ.due_at, occ.expires_at):
            ttl = rules.ttl_seconds(occ.expires_at, now)
            assert ttl is None or now + timedelta(seconds=ttl) <= held_until


# What a locked phone shows ----------------------------------------------------------------

SENSITIVE = ("ketamine", "esketamine", "spravato", "treatment", "session", "phq", "gad", "depress",
             "mood", "suicid", "clinic", "dose")


def all_kinds(ctx_prefs: dict) -> list[tuple[Occurrence, PatientContext]]:
    day = date(2026, 6, 10)
    session = UpcomingSession(id=9, starts_at=local(day + timedelta(days=1), 10, 0, NY), clinic_name="Ketamine Clinic")
    ctx = patient(NY, sessions=[session], scale_due=day, **ctx_prefs)
    found = rules.occurrences(ctx, noon(day, NY))
    return [(find(found, kind, key), ctx) for kind, key in
            (("checkin", "2026-06-10"), ("treatment_eve", "9"), ("treatment_lead", "9"), ("scale", "2026-06-10"))]


def test_lock_screen_text_is_generic_by_default():
    titles = []
    for occ, ctx in all_kinds({}):
        note = rules.notification_for(occ, ctx)
        shown = f"{note.title} {note.body}".lower()
        assert not [word for word in SENSITIVE if word in shown], shown
        assert note.title.startswith("Lift: ")
        titles.append(note.title)
    assert titles == ["Lift: time for your check-in", "Lift: reminder for tomorrow", "Lift: reminder for today",
                      "Lift: time for your weekly questionnaires"]


def test_detailed_text_appears_only_after_opting_in():
    notes = [rules.notification_for(occ, ctx) for occ, ctx in all_kinds({"detailed_text": True})]
    assert notes[1].title == "Lift: treatment session tomorrow at 10:00 at Ketamine Clinic"
    assert "ride home" in notes[1].body


@pytest.mark.parametrize(("twelve_hour", "example"), [(True, "Lift: treatment session tomorrow at 9:00 AM"),
                                                      (False, "Lift: treatment session tomorrow at 09:00")])
def test_the_details_example_reads_as_a_real_reminder_on_the_patients_clock(twelve_hour, example):
    assert rules.details_example(twelve_hour) == example
    session = UpcomingSession(id=9, starts_at=local(date(2026, 6, 11), 9, 0, NY))
    ctx = msgspec.structs.replace(patient(NY, sessions=[session], detailed_text=True), twelve_hour=twelve_hour)
    eve = find(rules.occurrences(ctx, noon(date(2026, 6, 10), NY)), "treatment_eve", "9")
    assert rules.notification_for(eve, ctx).title == example


def test_tapping_a_reminder_opens_the_right_page():
    urls = [rules.notification_for(occ, ctx).url for occ, ctx in all_kinds({})]
    assert urls == ["/checkin?day=2026-06-10", "/treatment/sessions/9", "/treatment/sessions/9", "/scales"]


def test_a_payload_always_fits_one_push_record():
    occ, ctx = all_kinds({"detailed_text": True})[1]
    huge = PatientContext(user_id=1, timezone=NY, preferences=ctx.preferences, scales_taken=ctx.scales_taken,
                          sessions=(UpcomingSession(id=9, starts_at=ctx.sessions[0].starts_at,
                                                    clinic_name="Ünïcode clinic " * 400),))
    text = rules.payload(rules.notification_for(occ, huge))
    assert len(text.encode()) <= rules.MAX_PAYLOAD_BYTES
    assert json.loads(text)["url"] == "/treatment/sessions/9"



def _message(title="t", body="b", url="/"):
    return rules.Notification(title=title, body=body, url=url, tag="t", kind="checkin")


def test_the_longest_title_and_body_fit_one_record_even_in_four_byte_characters():
    # JSON escapes of such characters (12 bytes each) would not fit: the text goes as UTF-8.
    text = rules.payload(_message("😀" * 200, "😀" * 500))
    assert len(text.encode()) <= 3993
    assert json.loads(text)["title"] == "😀" * 119 + "…"


def test_a_message_of_exactly_one_push_record_goes_and_a_byte_more_is_refused():
    # RFC 8291: one aes128gcm record of 4096 bytes holds 3993 bytes of plaintext.
    base = len(rules.payload(_message(url="")).encode())
    assert len(rules.payload(_message(url="/" * (3993 - base))).encode()) == 3993
    with pytest.raises(ValueError):
        rules.payload(_message(url="/" * (3994 - base)))


def test_a_title_of_120_characters_and_a_body_of_400_are_shown_whole_and_longer_ones_are_cut():
    def shown(title, body):
        data = json.loads(rules.payload(_message(title, body)))
        return data["title"], data["body"]

    assert shown("t" * 120, "b" * 400) == ("t" * 120, "b" * 400)
    assert shown("t" * 121, "b" * 401) == ("t" * 119 + "…", "b" * 399 + "…")


# Naming a session's day ------------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 6, 10), "today"), (date(2026, 6, 11), "tomorrow"), (date(2026, 6, 12), "Friday"),
    (date(2026, 6, 16), "Tuesday"), (date(2026, 6, 17), "Wed 17 Jun"),  # a week on: "Wednesday" would mislead
])
def test_a_day_is_named_from_the_day_the_message_is_read(day, expected):
    assert rules.relative_day(day, today=date(2026, 6, 10)) == expected


@pytest.mark.parametrize(("zone", "sent_at", "starts_at", "expected"), [
    (NY, "2026-06-11T03:59:59Z", "2026-06-11T04:30:00Z", "tomorrow"),  # 23:59:59 for 00:30
    (NY, "2026-06-11T04:00:00Z", "2026-06-11T04:30:00Z", "today"),     # midnight, for 00:30
    # 23:30 before a 25-hour day (the clocks go back), for 23:45 on it: 25 h 15 min away.
    (NY, "2026-11-01T03:30:00Z", "2026-11-02T04:45:00Z", "tomorrow"),
    # 23:50 before a 23-hour day (the clocks go forward), for 00:10 after it: 23 h 20 min away.
    (NY, "2026-03-08T04:50:00Z", "2026-03-09T04:10:00Z", "Monday"),
    # Santiago's clocks jump from 00:00 to 01:00: a minute before and just after the missing hour.
    (SANTIAGO, "2026-09-06T03:59:00Z", "2026-09-06T04:30:00Z", "tomorrow"),  # 23:59 for 01:30
    (SANTIAGO, "2026-09-06T04:00:00Z", "2026-09-06T04:30:00Z", "today"),     # 01:00 for 01:30
])
def test_a_sessions_day_is_named_in_the_patients_zone_across_midnight_and_clock_changes(
        zone, sent_at, starts_at, expected):
    sent = utc(sent_at)
    assert rules.session_day(utc(starts_at), sent, sent, zone) == expected  # shown as it is sent


def test_a_message_that_may_be_shown_after_midnight_names_the_weekday():
    starts_at = local(date(2026, 6, 11), 1, 0, NY)  # a Thursday
    sent = local(date(2026, 6, 10), 23, 0, NY)
    assert rules.session_day(starts_at, sent, starts_at, NY) == "Thursday"  # held until 01:00
    midnight = local(date(2026, 6, 11), 0, 0, NY)
    assert rules.session_day(starts_at, sent, midnight, NY) == "tomorrow"  # held until midnight, no later


def test_the_text_before_an_after_midnight_session_follows_when_it_is_sent():
    session = UpcomingSession(id=4, starts_at=local(date(2026, 6, 11), 0, 30, NY), clinic_name="Eastside")
    ctx = patient(NY, sessions=[session], lead_minutes=60, detailed_text=True)
    lead = find(rules.treatment_occurrences(ctx, noon(date(2026, 6, 10), NY)), "treatment_lead", "4")
    before = rules.notification_for(lead, ctx, sent_at=local(date(2026, 6, 10), 23, 30, NY))
    after = rules.notification_for(lead, ctx, sent_at=local(date(2026, 6, 11), 0, 0, NY))
    assert (before.title, before.body) == ("Lift: treatment session on Thursday at 00:30 at Eastside",
                                           "Open the session's checklist.")
    assert (after.title, after.body) == ("Lift: treatment session today at 00:30 at Eastside",
                                         "Open today's checklist.")
    generic = patient(NY, sessions=[session], lead_minutes=60)
    assert rules.notification_for(lead, generic, sent_at=local(date(2026, 6, 11), 0, 0, NY)).title == \
        "Lift: reminder for today"


# Looking again before a message goes ------------------------------------------------------

def queued(ctx: PatientContext | None, row: StoredReminder, attempts: int = 2) -> Delivery:
    return Delivery(id=7, subscription_id=3, endpoint="https://push.example/1", p256dh="x", auth="y",
                    payload="as first queued", urgency="normal", topic="r1", expires_at=row.expires_at,
                    attempts=attempts, reminder=row, context=ctx)


def checkin_row(ctx: PatientContext, day: date) -> StoredReminder:
    return stored(5, find(rules.checkin_occurrences(ctx, noon(day, NY)), "checkin", day.isoformat()),
                  status="dispatched")


def test_a_queued_message_goes_with_the_text_and_window_of_the_facts_now():
    day = date(2026, 6, 10)
    row = checkin_row(patient(NY, detailed_text=True), day)
    now = local(day, 20, 10, NY)
    sent = rules.recheck(queued(patient(NY, detailed_text=False), row), now)
    assert json.loads(sent.payload)["title"] == "Lift: time for your check-in"  # detail was turned off
    shorter = patient(NY, quiet_start=time(21, 0), quiet_end=time(7, 0))
    assert rules.recheck(queued(shorter, row), now).expires_at == local(day, 21, 0, NY)


def test_a_queued_message_no_longer_wanted_is_withdrawn_and_a_late_one_expires():
    day = date(2026, 6, 10)
    ctx = patient(NY)
    row = checkin_row(ctx, day)
    now = local(day, 20, 10, NY)
    for changed in (patient(NY, checked_in=[day]), patient(NY, checkin_enabled=False), None):
        outcome = rules.recheck(queued(changed, row), now)
        assert (outcome.delivery_id, outcome.subscription_id, outcome.status) == (7, 3, "withdrawn")
    assert rules.recheck(queued(ctx, row), row.expires_at).status == "expired"


def test_a_queued_message_for_a_reminder_moved_later_waits_for_its_new_time():
    day = date(2026, 6, 10)
    row = checkin_row(patient(NY), day)
    later = patient(NY, checkin_time=time(21, 0))
    outcome = rules.recheck(queued(later, row), local(day, 20, 10, NY))
    assert (outcome.status, outcome.next_attempt_at, outcome.expires_at) == (
        "deferred", local(day, 21, 0, NY), local(day + timedelta(days=1), 3, 0, NY))


# Retries ----------------------------------------------------------------------------------

POLICY = RetryPolicy(base_seconds=5, cap_seconds=60, max_attempts=5, max_retry_after_seconds=600)


def delivery(attempts: int, expires_in: timedelta = timedelta(hours=6)) -> Delivery:
    now = utc("2026-06-10T12:00Z")
    return Delivery(id=1, subscription_id=1, endpoint="https://push.example/1", p256dh="x", auth="y",
                    payload="{}", urgency="normal", topic="checkin", expires_at=now + expires_in, attempts=attempts)


@pytest.mark.parametrize(("attempt", "low", "high"), [(1, 2.5, 5), (2, 5, 10), (3, 10, 20), (4, 20, 40), (5, 30, 60), (9, 30, 60)])
def test_backoff_doubles_with_jitter_and_stops_at_the_cap(attempt, low, high):
    assert rules.retry_delay(attempt, POLICY, 0.0) == low
    assert rules.retry_delay(attempt, POLICY, 0.999999) == pytest.approx(high, rel=1e-5)


def test_it_retries_until_the_attempts_run_out():
    now = utc("2026-06-10T12:00Z")
    status, when = rules.after_failure(delivery(attempts=2), now, POLICY, 0.5)
    assert status == "retry" and when == now + timedelta(seconds=7.5)
    assert rules.after_failure(delivery(attempts=5), now, POLICY, 0.5) == ("failed", None)


def test_it_honours_retry_after_up_to_a_limit():
    now = utc("2026-06-10T12:00Z")
    assert rules.after_failure(delivery(1), now, POLICY, 0.5, retry_after=120) == ("retry", now + timedelta(seconds=120))
    assert rules.after_failure(delivery(1), now, POLICY, 0.5, retry_after=86400) == ("retry", now + timedelta(seconds=600))


def test_it_does_not_retry_past_the_reminders_window():
    now = utc("2026-06-10T12:00Z")
    assert rules.after_failure(delivery(1, timedelta(seconds=60)), now, POLICY, 0.5, retry_after=120) == ("expired", None)
    # A retry due at the very instant the window ends would have no time left to be delivered in.
    assert rules.after_failure(delivery(1, timedelta(seconds=120)), now, POLICY, 0.5, retry_after=120) == ("expired", None)
    assert rules.after_failure(delivery(1, timedelta(seconds=121)), now, POLICY, 0.5, retry_after=120)[0] == "retry"



def test_the_sender_tries_a_message_five_times_at_most():
    now = utc("2026-06-10T12:00Z")
    assert rules.after_failure(delivery(attempts=4), now, RetryPolicy(), 0.5)[0] == "retry"
    assert rules.after_failure(delivery(attempts=5), now, RetryPolicy(), 0.5) == ("failed", None)


# Planning ---------------------------------------------------------------------------------

def stored(id: int, occ: Occurrence, status="pending", claimed=False) -> StoredReminder:
    return StoredReminder(id=id, user_id=1, kind=occ.kind, key=occ.key, local_date=occ.local_date,
                          due_at=occ.due_at, expires_at=occ.expires_at, status=status,
                          session_id=occ.session_id, claimed=claimed)


def test_planning_writes_only_what_changed_and_never_revives_history():
    now = noon(date(2026, 6, 10), NY)
    wanted = rules.plannable(patient(NY), now)
    today, tomorrow = wanted[0], wanted[1]
    moved = Occurrence(kind=tomorrow.kind, key=tomorrow.key, local_date=tomorrow.local_date,
                       due_at=tomorrow.due_at + timedelta(hours=1), expires_at=tomorrow.expires_at)
    stale = Occurrence(kind="treatment_lead", key="99", local_date=today.local_date,
                       due_at=now + timedelta(hours=3), expires_at=now + timedelta(hours=5), session_id=99)
    existing = [stored(1, today), stored(2, moved), stored(3, stale)]
    writes, withdrawals = rules.plan_changes(existing, wanted, now)
    assert writes == [tomorrow] and withdrawals == [3]
    sent = [stored(1, today, status="dispatched"), stored(2, tomorrow, claimed=True)]
    assert rules.plan_changes(sent, wanted, now) == ([], [])
    assert rules.plan_changes([stored(1, today, status="withdrawn")], [today], now) == ([today], [])


def test_a_sent_or_claimed_reminder_is_not_written_again_when_its_time_changes():
    now = noon(date(2026, 6, 10), NY)
    today, tomorrow = rules.plannable(patient(NY), now)[:2]
    later = [msgspec.structs.replace(occ, due_at=occ.due_at + timedelta(hours=1)) for occ in (today, tomorrow)]
    for row in (stored(1, today, status="dispatched"), stored(1, today, status="expired"),
                stored(1, today, claimed=True)):
        assert rules.plan_changes([row], later[:1], now) == ([], [])
    assert rules.plan_changes([stored(2, tomorrow)], later[1:], now) == (later[1:], [])


def test_a_check_in_just_after_midnight_is_planned_two_dates_ahead_within_the_horizon():
    # At 23:00, 00:30 the day after tomorrow is 25½ hours away.
    found = rules.plannable(patient(NY, checkin_time=time(0, 30)), local(date(2026, 6, 10), 23, 0, NY))
    assert [o.key for o in found] == ["2026-06-11", "2026-06-12"]


def test_a_reminder_is_planned_until_the_instant_it_expires_and_a_row_withdrawn_only_before_its_due():
    day = date(2026, 6, 10)
    ctx = patient(NY, checkin_time=time(20, 0))
    checkin = find(rules.occurrences(ctx, noon(day, NY)), "checkin", day.isoformat())
    just_before = checkin.expires_at - timedelta(seconds=1)
    assert find(rules.plannable(ctx, just_before), "checkin", day.isoformat()) == checkin
    assert find(rules.plannable(ctx, checkin.expires_at), "checkin", day.isoformat()) is None
    # A row no longer wanted is withdrawn while ahead; once due, a worker may be sending it.
    unwanted = stored(7, checkin)
    assert rules.plan_changes([unwanted], [], checkin.due_at - timedelta(seconds=1)) == ([], [7])
    assert rules.plan_changes([unwanted], [], checkin.due_at) == ([], [])


JUNE_10, JUNE_11, JUNE_12 = date(2026, 6, 10), date(2026, 6, 11), date(2026, 6, 12)


def at_ten_tomorrow(zone: str = NY, id: int = 1, replaces=()) -> PatientContext:
    """A patient with only treatment reminders (defaults: 19:00 the evening before, 2 hours
    before) and one session on 11 June at 10:00 in `zone`."""
    session = UpcomingSession(id=id, starts_at=local(JUNE_11, 10, 0, zone), replaces=replaces)
    return patient(zone, [session], checkin_enabled=False)


def history_of(ctx: PatientContext, sent_until: datetime) -> list[StoredReminder]:
    """The session's reminder rows: sent if due by `sent_until`, else still pending."""
    found = [o for o in rules.occurrences(ctx, sent_until) if o.session_id is not None]
    return [stored(i, o, status="dispatched" if o.due_at <= sent_until else "pending")
            for i, o in enumerate(found, start=10)]


def planned(writes: list[Occurrence]) -> list[tuple[str, int, datetime]]:
    return [(o.kind, o.session_id, o.due_at) for o in writes]


def test_a_session_that_starts_later_after_its_lead_reminder_went_gets_one_for_its_new_time():
    # Sent at 08:00 in New York for 10:00. The patient then sets Los Angeles as their time zone,
    # and the session keeps its clock time: 10:00 there, three hours later. Without a second
    # reminder at 08:00 there, the only one came five hours before the session.
    history = history_of(at_ten_tomorrow(NY), local(JUNE_11, 8, 0, NY))
    now = local(JUNE_11, 8, 10, NY)
    writes, withdrawals = rules.plan_changes(history, rules.plannable(at_ten_tomorrow(LA), now), now)
    assert planned(writes) == [("treatment_lead", 1, local(JUNE_11, 8, 0, LA))]
    assert withdrawals == []
    # Sent once: the new one is then history like any other.
    history.append(stored(99, writes[0], status="dispatched"))
    later = local(JUNE_11, 8, 1, LA)
    assert rules.plan_changes(history, rules.plannable(at_ten_tomorrow(LA), later), later) == ([], [])


def test_a_new_time_zone_the_evening_the_reminder_went_gives_no_second_evening_reminder():
    # The evening-before reminder went at 19:00 in New York: it said "tomorrow", and the session
    # is still tomorrow at 10:00. The reminder before the session follows it to its new instant.
    history = history_of(at_ten_tomorrow(NY), local(JUNE_10, 19, 0, NY))
    old_lead = next(row for row in history if row.kind == "treatment_lead")
    now = local(JUNE_10, 19, 30, NY)
    writes, withdrawals = rules.plan_changes(history, rules.plannable(at_ten_tomorrow(LA), now), now)
    assert planned(writes) == [("treatment_lead", 1, local(JUNE_11, 8, 0, LA))]
    assert withdrawals == [old_lead.id]  # nothing at the old time


@pytest.mark.parametrize(("day", "hour", "minute", "expected"), [
    (JUNE_11, 11, 0, [("treatment_lead", 2, (JUNE_11, 9, 0))]),  # same day: no second "tomorrow"
    (JUNE_11, 10, 5, []),  # its reminders would come when the ones sent came
    (JUNE_11, 10, 9, []),  # still within MIN_WINDOW of the one sent
    (JUNE_11, 10, 10, [("treatment_lead", 2, (JUNE_11, 8, 10))]),  # MIN_WINDOW later: a new one
    (JUNE_11, 9, 30, []),  # its lead-time reminder's moment has passed: the one sent stands
    (JUNE_12, 10, 0, [("treatment_eve", 2, (JUNE_11, 19, 0)), ("treatment_lead", 2, (JUNE_12, 8, 0))]),
])
def test_a_moved_session_gets_the_reminders_those_sent_do_not_stand_for(day, hour, minute, expected):
    # Both reminders went for the 10:00 session; at 08:30 the patient moves it (a new session, 2,
    # replacing 1). The lead time is two hours, the evening-before reminder at 19:00.
    history = history_of(at_ten_tomorrow(NY), local(JUNE_11, 8, 0, NY))
    moved = patient(NY, [UpcomingSession(id=2, starts_at=local(day, hour, minute, NY), replaces=(1,))],
                    checkin_enabled=False)
    now = local(JUNE_11, 8, 30, NY)
    writes, _ = rules.plan_changes(history, rules.plannable(moved, now), now)
    assert planned(writes) == [(kind, id, local(*when, NY)) for kind, id, when in expected]


def test_a_session_moved_the_evening_its_reminder_went_gets_no_second_evening_reminder():
    history = history_of(at_ten_tomorrow(NY), local(JUNE_10, 19, 0, NY))
    now = local(JUNE_10, 20, 0, NY)
    moved = at_ten_tomorrow(NY, id=2, replaces=(1,))
    assert planned(rules.plan_changes(history, rules.plannable(moved, now), now)[0]) == [
        ("treatment_lead", 2, local(JUNE_11, 8, 0, NY))]
    # A session added, not moved, is one the patient has not been reminded of.
    added = at_ten_tomorrow(NY, id=2)
    assert [o.kind for o in rules.plan_changes(history, rules.plannable(added, now), now)[0]] == [
        "treatment_eve", "treatment_lead"]


def test_reminders_sent_before_their_keys_named_the_start_still_stand():
    # Rows written before a session's key carried its start instant say only its id.
    ctx, now = at_ten_tomorrow(NY), local(JUNE_10, 19, 30, NY)
    history = [msgspec.structs.replace(row, key="1") for row in history_of(ctx, local(JUNE_10, 19, 0, NY))]
    writes, withdrawals = rules.plan_changes(history, rules.plannable(ctx, now), now)
    assert planned(writes) == [("treatment_lead", 1, local(JUNE_11, 8, 0, NY))]
    assert withdrawals == [row.id for row in history if row.kind == "treatment_lead"]


def test_plannable_keeps_only_reminders_still_useful_and_within_the_horizon():
    now = local(date(2026, 6, 10), 21, 0, NY)
    found = rules.plannable(patient(NY, checkin_time=time(20, 0)), now)
    assert [o.key for o in found] == ["2026-06-10", "2026-06-11"]  # 20:00 today still in its window
    assert all(o.expires_at > now and o.due_at <= now + rules.HORIZON for o in found)



@pytest.mark.parametrize(("now", "keys"), [
    (local(date(2026, 6, 10), 8, 0, NY), ["2026-06-10", "2026-06-11"]),  # tomorrow's 20:00 is 36 hours away
    (local(date(2026, 6, 10), 7, 59, NY), ["2026-06-10"]),
])
def test_reminders_are_planned_a_day_and_a_half_ahead(now, keys):
    assert [o.key for o in rules.plannable(patient(NY, checkin_time=time(20, 0)), now)] == keys


@pytest.mark.parametrize(("zone", "day"), [
    (NY, date(2026, 6, 13)),
    (NY, date(2026, 11, 1)),  # the day before has 25 hours
    (LORD_HOWE, date(2026, 4, 5)),
    ("Antarctica/Troll", date(2026, 10, 25)),  # its clocks go back two hours
])
def test_the_planner_looks_far_enough_ahead_to_plan_an_evening_reminder_a_day_and_a_half_ahead(zone, day):
    """The earliest evening-before reminder: at 00:00 the day before a session at 23:59. The
    planner reads sessions starting up to SESSION_LOOKAHEAD ahead; its row is due HORIZON ahead."""
    session = UpcomingSession(id=1, starts_at=local(day, 23, 59, zone))
    ctx = patient(zone, sessions=[session], eve_time=time(0, 0), lead_enabled=False)
    eve = find(rules.treatment_occurrences(ctx, noon(day - timedelta(days=2), zone)), "treatment_eve", "1")
    assert eve.due_at == local(day - timedelta(days=1), 0, 0, zone)
    now = eve.due_at - rules.HORIZON
    assert eve in rules.plannable(ctx, now)
    assert session.starts_at - eve.due_at <= rules.LONGEST_LEAD
    assert session.starts_at < now + rules.SESSION_LOOKAHEAD


def test_push_topics_travel_in_the_clear_so_they_name_nothing_and_differ_per_kind():
    """The Topic header is not encrypted: the push service (Google, Mozilla, Apple) reads it."""
    topics = list(rules.TOPICS.values())
    assert len(set(topics)) == len(topics)
    for topic in topics:
        assert rules.TOPIC_PATTERN.match(topic)
        assert not any(word in topic for word in ("treat", "session", "scale", "check", "mood", "eve", "lead"))


@pytest.mark.parametrize("minutes, label", [(30, "30 minutes"), (60, "1 hour"), (90, "1½ hours"),
                                            (120, "2 hours"), (150, "2½ hours"), (75, "1 h 15 min"),
                                            (240, "4 hours")])
def test_a_lead_time_reads_as_a_person_would_say_it(minutes, label):
    assert rules.lead_label(minutes) == label



def test_a_patient_who_never_saved_the_settings_has_every_reminder_on_at_the_usual_times():
    assert rules.preferences_as_form_values(rules.DEFAULT_PREFERENCES) == {
        "checkin_enabled": "true", "checkin_time": "20:00", "eve_enabled": "true", "eve_time": "19:00",
        "lead_enabled": "true", "lead_minutes": "120", "scale_enabled": "true", "scale_time": "10:00",
        "quiet_start": "22:00", "quiet_end": "07:00", "detailed_text": ""}


# The settings form -------------------------------------------------------------------------

SENT = {"checkin_enabled": "true", "checkin_time": "21:15", "eve_enabled": "true", "eve_time": "18:30",
        "lead_enabled": "true", "lead_minutes": "90", "scale_enabled": "true", "scale_time": "09:00",
        "quiet_start": "23:00", "quiet_end": "06:30"}


@pytest.mark.parametrize(("change", "problems"), [
    ({}, {}),
    ({"quiet_start": "", "quiet_end": ""}, {}),
    ({"quiet_end": " "}, {"quiet_end": "Enter both times for quiet hours, or leave both empty."}),
    ({"quiet_start": ""}, {"quiet_start": "Enter both times for quiet hours, or leave both empty."}),
    ({"quiet_end": "23:00"}, {"quiet_end": "Quiet hours need to end at a different time than they start."}),
    # The same time on the other clock, as a text box sends it, is the same time.
    ({"quiet_end": "11 pm"}, {"quiet_end": "Quiet hours need to end at a different time than they start."}),
    ({"quiet_start": "10:00 PM", "quiet_end": " 22:00"},
     {"quiet_end": "Quiet hours need to end at a different time than they start."}),
    ({"lead_minutes": "7"}, {"lead_minutes": "Choose how long before the session."}),
    ({"lead_minutes": "soon"}, {"lead_minutes": "Choose how long before the session."}),
    # Digits str.isdigit() takes that int() refuses ("²") or reads ("٣٠", "３０"): refused, not an error.
    ({"lead_minutes": "²"}, {"lead_minutes": "Choose how long before the session."}),
    ({"lead_minutes": "٣٠"}, {"lead_minutes": "Choose how long before the session."}),
    ({"lead_minutes": "３０"}, {"lead_minutes": "Choose how long before the session."}),
    ({"lead_minutes": "9" * 5000}, {"lead_minutes": "Choose how long before the session."}),
    ({"lead_minutes": "0090"}, {}),
])
def test_the_settings_pairing_and_lead_are_checked_from_the_answers_as_sent(change, problems):
    assert rules.settings_problems({**SENT, **change}) == problems



def test_the_lead_times_offered_run_from_half_an_hour_to_four_hours_and_each_is_accepted():
    assert [rules.lead_label(minutes) for minutes in rules.LEAD_CHOICES] == [
        "30 minutes", "1 hour", "1½ hours", "2 hours", "3 hours", "4 hours"]
    for minutes in ("30", "60", "90", "120", "180", "240"):
        assert rules.settings_problems({**SENT, "lead_minutes": minutes}) == {}


@pytest.mark.parametrize(("twelve_hour", "examples"), [
    (True, {"checkin_time": "8:00 PM", "eve_time": "7:00 PM", "scale_time": "10:00 AM",
            "quiet_start": "10:00 PM", "quiet_end": "7:00 AM"}),
    (False, {"checkin_time": "20:00", "eve_time": "19:00", "scale_time": "10:00", "quiet_start": "22:00",
             "quiet_end": "07:00"}),
])
def test_a_refused_time_is_asked_for_on_the_patients_clock(twelve_hour, examples):
    # "Enter a time like 20:00" was shown to a patient who reads "8:00 PM" everywhere else.
    sent = {**SENT, **dict.fromkeys(examples, "8:60 pm")}
    _, errors = parse_form(rules.PreferencesForm, sent, rules.preferences_messages(twelve_hour))
    assert errors == {field: f"Enter a time like {example}" + (
        ", or leave both quiet-hours times empty." if field.startswith("quiet") else ".")
        for field, example in examples.items()}


def test_the_settings_pairing_and_lead_are_checked_even_when_another_answer_is_wrong():
    # They were checked only once every answer had the right shape: a patient who fixed a time
    # was then told, in a second round, that quiet hours needed both ends.
    sent = {**SENT, "checkin_time": "25:00", "eve_time": "", "quiet_end": "", "lead_minutes": "7"}
    assert set(rules.settings_problems(sent)) == {"quiet_end", "lead_minutes"}


def test_a_box_left_unticked_turns_its_reminder_or_the_details_off():
    # A browser sends nothing for an unticked checkbox.
    unticked = {field: value for field, value in SENT.items() if not field.endswith("_enabled")}
    form, errors = parse_form(rules.PreferencesForm, unticked, rules.preferences_messages(False))
    assert errors == {}
    prefs = rules.preferences_from_form(form)
    assert not any((prefs.checkin_enabled, prefs.eve_enabled, prefs.lead_enabled, prefs.scale_enabled,
                    prefs.detailed_text))
    assert (prefs.checkin_time, prefs.quiet_start, prefs.quiet_end) == (time(21, 15), time(23, 0), time(6, 30))
    form, _ = parse_form(rules.PreferencesForm, {**SENT, "quiet_start": "", "quiet_end": ""},
                         rules.preferences_messages(False))
    assert rules.preferences_from_form(form).quiet_start is rules.preferences_from_form(form).quiet_end is None


def test_a_reminder_turned_off_keeps_its_stored_time_when_the_one_sent_is_empty_or_wrong():
    stored = Preferences(checkin_time=time(21, 15))
    sent = {**SENT, "checkin_enabled": "", "checkin_time": "", "eve_enabled": "", "eve_time": "17:45",
            "scale_time": ""}
    answers = rules.settings_answers(sent, stored)
    assert answers["checkin_time"] == "21:15"
    assert answers["eve_time"] == "17:45"  # a time that can be used is kept as sent, though turned off
    assert answers["scale_time"] == ""  # still on: its missing time is its own error
    assert rules.settings_answers({**SENT, "checkin_enabled": "", "checkin_time": "8:60pm"},
                                  rules.DEFAULT_PREFERENCES)["checkin_time"] == "20:00"
    # A time typed on the 12-hour clock is a time: kept as sent, for parse_form to read.
    assert rules.settings_answers({**SENT, "checkin_enabled": "", "checkin_time": "8 pm"},
                                  rules.DEFAULT_PREFERENCES)["checkin_time"] == "8 pm"
