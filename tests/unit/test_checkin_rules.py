from datetime import date, datetime, timedelta, timezone

import pytest

from lift.domain import checkins as rules
from lift.domain import trends
from lift.domain.forms import parse_form

TODAY = date(2024, 3, 10)
VALID = {"local_date": "2024-03-10", "mood": "5", "anxiety": "4", "sleep_hours": "7.5", "thoughts": "0"}


def parse_checkin(**changes):
    return parse_form(rules.CheckinForm, {**VALID, **changes}, rules.CHECKIN_MESSAGES)


def parse_typed_sleep(typed):
    """As the check-in route parses it: the typed hours made plain first."""
    return parse_form(rules.CheckinForm, rules.with_plain_hours({**VALID, "sleep_hours": typed}),
                      rules.CHECKIN_MESSAGES)


def checkin(**changes):
    fields = dict(id=1, local_date=TODAY, mood=5, anxiety=4, sleep_hours=7.5, thoughts=0,
                  note="", updated_at="2024-03-10T12:00:00Z")
    return rules.Checkin(**{**fields, **changes})


def test_it_accepts_a_complete_checkin():
    form, errors = parse_checkin(note="Walked to the shop.")
    assert errors == {}
    assert form == rules.CheckinForm(local_date=TODAY, mood=5, anxiety=4, sleep_hours=7.5,
                                     thoughts=0, note="Walked to the shop.")


# Every field boundary: just inside is accepted, just outside is refused with that field's message.

@pytest.mark.parametrize("field", ["mood", "anxiety"])
@pytest.mark.parametrize("raw, expected", [("0", 0), ("10", 10)])
def test_it_accepts_scores_at_0_and_10(field, raw, expected):
    form, errors = parse_checkin(**{field: raw})
    assert errors == {}
    assert getattr(form, field) == expected


@pytest.mark.parametrize("field", ["mood", "anxiety"])
@pytest.mark.parametrize("raw", ["-1", "11", "5.5", "abc"])
def test_it_rejects_scores_below_0_above_10_fractional_or_not_numbers(field, raw):
    form, errors = parse_checkin(**{field: raw})
    assert form is None
    assert errors == {field: rules.CHECKIN_MESSAGES[field]}


def test_it_rejects_mood_above_10():
    assert parse_checkin(mood="11")[1] == {"mood": "Choose your mood from 0 to 10."}


@pytest.mark.parametrize("raw, expected", [("0", 0.0), ("0.5", 0.5), ("23.5", 23.5), ("24", 24.0)])
def test_it_accepts_sleep_from_0_to_24_in_half_hours(raw, expected):
    form, errors = parse_checkin(sleep_hours=raw)
    assert errors == {}
    assert form.sleep_hours == expected


@pytest.mark.parametrize("typed, expected", [("7,5", 7.5), ("0,5", 0.5), ("7h", 7.0), ("7.5 h", 7.5),
                                             ("6 hours", 6.0), ("8 HRS", 8.0), ("1 hour", 1.0), (" 7,5h ", 7.5)])
def test_it_reads_sleep_typed_with_a_decimal_comma_or_a_unit(typed, expected):
    form, errors = parse_typed_sleep(typed)
    assert errors == {}
    assert form.sleep_hours == expected


@pytest.mark.parametrize("typed", ["7,3", "25h", "7,5,5", "h", "about 7", "-1h", "7.5 minutes"])
def test_it_still_refuses_sleep_it_cannot_read_as_half_hours_from_0_to_24(typed):
    form, errors = parse_typed_sleep(typed)
    assert errors == {"sleep_hours": rules.CHECKIN_MESSAGES["sleep_hours"]}


@pytest.mark.parametrize("raw", ["-0.5", "24.5", "7.3", "abc"])
def test_it_rejects_sleep_outside_0_to_24_or_not_in_half_hours(raw):
    form, errors = parse_checkin(sleep_hours=raw)
    assert form is None
    assert errors == {"sleep_hours": rules.CHECKIN_MESSAGES["sleep_hours"]}


@pytest.mark.parametrize("raw, expected", [("0", 0), ("3", 3)])
def test_it_accepts_thoughts_answers_0_to_3(raw, expected):
    assert parse_checkin(thoughts=raw)[0].thoughts == expected


@pytest.mark.parametrize("raw", ["-1", "4"])
def test_it_rejects_thoughts_answers_outside_0_to_3(raw):
    assert parse_checkin(thoughts=raw) == (None, {"thoughts": rules.CHECKIN_MESSAGES["thoughts"]})


def test_it_accepts_a_note_of_exactly_2000_characters():
    form, errors = parse_checkin(note="x" * 2000)
    assert errors == {}
    assert len(form.note) == 2000


def test_it_counts_note_length_in_characters_not_bytes():
    assert parse_checkin(note="é" * 2000)[1] == {}


def test_it_rejects_a_note_of_2001_characters():
    assert parse_checkin(note="x" * 2001) == (None, {"note": "Keep the note to 2,000 characters or fewer."})


def test_it_allows_the_note_to_be_left_out():
    form, errors = parse_checkin()
    assert errors == {}
    assert form.note == ""


@pytest.mark.parametrize("raw", ["10/03/2024", "2024-02-30", "yesterday"])
def test_it_rejects_a_date_that_is_not_a_calendar_day(raw):
    assert parse_checkin(local_date=raw)[1] == {"local_date": rules.CHECKIN_MESSAGES["local_date"]}


# Which days may be filled in.

def test_it_refuses_a_day_in_the_future():
    assert rules.date_error(date(2024, 3, 11), TODAY) == (
        "That day hasn't happened yet. Choose today or an earlier day."
    )


@pytest.mark.parametrize("day", [TODAY, date(2024, 3, 3)])
def test_it_allows_today_and_7_days_back(day):
    assert rules.date_error(day, TODAY) is None
    assert rules.is_editable(day, TODAY)


def test_it_refuses_8_days_back():
    assert rules.date_error(date(2024, 3, 2), TODAY) == (
        "Sat 2 Mar can no longer be changed: check-ins can be filled in or changed up to 7 days back. "
        "Choose another day."
    )
    assert not rules.is_editable(date(2024, 3, 2), TODAY)


def test_it_does_not_let_a_future_day_be_edited():
    assert not rules.is_editable(date(2024, 3, 11), TODAY)


def test_it_offers_today_first_then_each_of_the_7_earlier_days():
    assert rules.fillable_dates(TODAY) == [date(2024, 3, d) for d in range(10, 2, -1)]


def test_it_offers_exactly_the_days_that_date_error_allows():
    offered = set(rules.fillable_dates(TODAY))
    window = {TODAY + timedelta(days=n) for n in range(-10, 3)}
    assert offered == {day for day in window if rules.date_error(day, TODAY) is None}


def test_it_lists_the_last_7_days_oldest_first_ending_today():
    assert rules.last_days(TODAY) == [date(2024, 3, d) for d in range(4, 11)]


def test_it_lists_the_last_days_across_a_year_boundary():
    assert rules.last_days(date(2024, 1, 2), 3) == [date(2023, 12, 31), date(2024, 1, 1), date(2024, 1, 2)]


# The patient's local date.

def test_it_uses_the_local_date_when_utc_has_already_moved_to_the_next_day():
    # 02:30 UTC on the 10th is still the evening of the 9th in New York.
    now = datetime(2024, 3, 10, 2, 30, tzinfo=timezone.utc)
    assert rules.today_in("America/New_York", now) == date(2024, 3, 9)


def test_it_uses_the_local_date_when_the_patient_is_ahead_of_utc():
    now = datetime(2024, 3, 9, 12, 30, tzinfo=timezone.utc)
    assert rules.today_in("Pacific/Auckland", now) == date(2024, 3, 10)


def test_it_applies_standard_time_until_the_spring_forward_instant():
    # Clocks in New York go forward at 07:00 UTC on 10 March 2024. At 04:30 UTC it is
    # still 23:30 EST on the 9th; a fixed daylight offset would wrongly say 00:30 on the 10th.
    now = datetime(2024, 3, 10, 4, 30, tzinfo=timezone.utc)
    assert rules.today_in("America/New_York", now) == date(2024, 3, 9)


def test_it_applies_daylight_time_until_the_fall_back_instant():
    # Clocks in New York go back at 06:00 UTC on 3 November 2024. At 04:30 UTC it is
    # 00:30 EDT on the 3rd; a fixed standard offset would wrongly say 23:30 on the 2nd.
    now = datetime(2024, 11, 3, 4, 30, tzinfo=timezone.utc)
    assert rules.today_in("America/New_York", now) == date(2024, 11, 3)


# Labels and form values.

@pytest.mark.parametrize("raw, expected", [("0", 0), ("1", 1), ("2", 2), ("3", 3), (" 2 ", 2), (3, 3)])
def test_it_reads_each_thoughts_answer(raw, expected):
    assert rules.thoughts_answer(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "4", "abc", "", None, "two"])
def test_it_reads_no_thoughts_answer_from_anything_but_the_four_choices(raw):
    assert rules.thoughts_answer(raw) is None


def test_it_reads_the_thoughts_answer_even_when_other_fields_are_wrong():
    values = {**VALID, "mood": "11", "sleep_hours": "nan", "thoughts": "3"}
    assert parse_form(rules.CheckinForm, values, rules.CHECKIN_MESSAGES)[0] is None
    assert rules.thoughts_answer(values["thoughts"]) == 3


@pytest.mark.parametrize("raw", ["3.0", 3.0, "2.0"], ids=["text 3.0", "float 3.0", "text 2.0"])
def test_it_shows_the_crisis_answer_for_every_thoughts_value_the_form_saves(raw):
    form, errors = parse_checkin(thoughts=raw)
    assert errors == {}
    assert rules.thoughts_answer(raw) == form.thoughts


@pytest.mark.parametrize("hours, text", [(7.0, "7"), (0.0, "0"), (24.0, "24"), (7.5, "7.5"), (0.5, "0.5")])
def test_it_shows_whole_hours_without_a_decimal_point(hours, text):
    assert rules.format_hours(hours) == text


def test_it_turns_a_stored_checkin_into_form_strings():
    values = rules.as_form_values(checkin(sleep_hours=8.0, thoughts=1, note="Tired."))
    assert values == {"local_date": "2024-03-10", "mood": "5", "anxiety": "4",
                      "sleep_hours": "8", "thoughts": "1", "note": "Tired."}


def test_it_parses_its_own_form_values_back_to_the_same_checkin():
    stored = checkin(mood=0, anxiety=10, sleep_hours=23.5, thoughts=2, note="Long day.")
    form, errors = parse_form(rules.CheckinForm, rules.as_form_values(stored), rules.CHECKIN_MESSAGES)
    assert errors == {}
    assert (form.local_date, form.mood, form.anxiety, form.sleep_hours, form.thoughts, form.note) == (
        stored.local_date, stored.mood, stored.anxiety, stored.sleep_hours, stored.thoughts, stored.note
    )


def test_the_days_to_fill_are_the_empty_earlier_days_within_reach_newest_first():
    today = date(2026, 3, 10)
    done = [today, today - timedelta(days=1), today - timedelta(days=3), today - timedelta(days=30)]
    assert rules.days_to_fill(today, done) == [today - timedelta(days=n) for n in (2, 4, 5, 6, 7)]
    assert rules.days_to_fill(today, rules.fillable_dates(today)) == []


def test_a_new_check_in_offers_today_and_the_earlier_days_without_one_never_a_day_already_done():
    today = date(2026, 3, 10)
    done = [today - timedelta(days=1), today - timedelta(days=3), today - timedelta(days=30)]
    assert rules.open_days(today, done) == [today - timedelta(days=n) for n in (0, 2, 4, 5, 6, 7)]
    assert rules.open_days(today, rules.fillable_dates(today)) == []


def test_the_day_a_form_was_sent_for_stays_offered_when_it_comes_back_with_an_error():
    today = date(2026, 3, 10)
    done = [today, today - timedelta(days=1)]
    assert rules.open_days(today, done, today - timedelta(days=1)) == rules.fillable_dates(today)[1:]
    # A day out of reach stays out, whatever the form was sent for.
    assert rules.open_days(today, done, today - timedelta(days=9)) == rules.fillable_dates(today)[2:]


def test_days_before_the_patient_joined_are_not_days_to_fill():
    today = date(2026, 3, 10)
    joined = today - timedelta(days=2)
    assert rules.days_to_fill(today, [today], joined) == [today - timedelta(days=1), joined]
    assert rules.days_to_fill(today, [], today) == []


def test_only_days_to_fill_that_the_week_shows_are_offered_there():
    today = date(2024, 3, 10)
    week = rules.last_days(today)
    assert rules.shown_to_fill(rules.days_to_fill(today, [], today), week) == []  # joined today
    to_fill = rules.days_to_fill(today, [], today - timedelta(days=30))
    assert rules.shown_to_fill(to_fill, week) == [today - timedelta(days=n) for n in range(1, 7)]


def test_the_one_day_to_fill_older_than_the_week_is_named_apart():
    today = date(2024, 3, 10)
    week = rules.last_days(today)
    to_fill = rules.days_to_fill(today, [], today - timedelta(days=30))
    assert rules.older_than_shown(to_fill, week) == [today - timedelta(days=rules.BACKFILL_DAYS)]
    assert set(rules.shown_to_fill(to_fill, week)) | set(rules.older_than_shown(to_fill, week)) == set(to_fill)
    assert rules.older_than_shown(rules.days_to_fill(today, [], today - timedelta(days=3)), week) == []


def test_the_week_shows_blank_only_the_empty_days_before_the_first_day_with_lift():
    today = date(2026, 3, 10)
    week = rules.last_days(today)
    assert rules.before_joining(week, [], today - timedelta(days=1)) == [today - timedelta(days=n) for n in range(6, 1, -1)]
    assert rules.before_joining(week, [], week[0]) == []
    assert rules.before_joining(week, [], None) == []


def test_a_day_filled_in_before_joining_starts_the_week_and_the_days_to_fill_as_it_starts_the_charts():
    # Joined yesterday, and filled in the day four days ago: the charts count from that day, so
    # the two days between are days to fill, not blank days from before joining.
    today = date(2026, 3, 10)
    week, backfilled, joined = rules.last_days(today), today - timedelta(days=4), today - timedelta(days=1)
    first_day = trends.first_day_with_lift(joined, [backfilled])
    assert rules.before_joining(week, [backfilled], first_day) == [today - timedelta(days=n) for n in (6, 5)]
    assert rules.days_to_fill(today, [today, backfilled], first_day) == [
        today - timedelta(days=n) for n in (1, 2, 3)]


def test_it_says_a_deleted_recent_day_can_be_filled_in_again_until_the_window_closes():
    today = date(2026, 11, 29)
    assert rules.after_deletion(today, today) == "You can fill this day in again until the end of Sun 6 Dec."
    assert rules.after_deletion(date(2026, 11, 23), today).endswith("until the end of tomorrow.")
    assert rules.after_deletion(date(2026, 11, 22), today).endswith("until the end of today.")


def test_it_warns_that_a_deleted_older_day_can_never_be_filled_in_again():
    notice = rules.after_deletion(date(2026, 11, 21), date(2026, 11, 29))
    assert "more than 7 days ago" in notice and "can't be filled in again" in notice


def test_it_does_not_welcome_back_someone_who_never_left():
    today = date(2026, 11, 29)
    assert rules.welcome_back(None, today) is None
    assert rules.welcome_back(today, today) is None
    assert rules.welcome_back(today - timedelta(days=3), today) is None
    # Joined two days ago and filled in a day from the week before: not away, just new.
    assert rules.welcome_back(today - timedelta(days=6), today, joined=today - timedelta(days=2)) is None
    assert rules.welcome_back(today - timedelta(days=6), today, joined=today - timedelta(days=4)) is not None


def test_it_welcomes_back_after_days_away_while_every_missed_day_can_be_filled():
    today = date(2026, 11, 29)
    words = rules.welcome_back(today - timedelta(days=4), today)
    assert words.startswith("Start with today.") and "you can still fill them in" in words


def test_it_says_which_missed_days_can_still_be_filled_after_two_weeks_away():
    words = rules.welcome_back(date(2026, 11, 14), date(2026, 11, 29))
    assert "fill in days back to Sun 22 Nov" in words and "days before that stay empty" in words
    assert "missed" not in words and "14" not in words


@pytest.mark.parametrize(("sent", "stored", "outcome", "worded_for"), [
    (0, 3, rules.SaveOutcome.REPLAYED, 3),      # a resend of the key with a lower answer
    (0, 1, rules.SaveOutcome.REPLAYED, 1),      # passing thoughts, however little, are never lost
    (None, 1, rules.SaveOutcome.REPLAYED, 1),
    (None, 2, rules.SaveOutcome.REPLAYED, 2),
    (1, 3, rules.SaveOutcome.REPLAYED, 3),
    (3, 1, rules.SaveOutcome.REPLAYED, 3),      # the answer sent is never lowered
    (0, 0, rules.SaveOutcome.REPLAYED, 0),
    (0, 3, rules.SaveOutcome.UPDATED, 0),       # the day was changed to the answer sent
    (0, 3, rules.SaveOutcome.CREATED, 0),
])
def test_get_help_now_after_a_replay_is_worded_for_the_higher_of_the_stored_and_sent_answers(
        sent, stored, outcome, worded_for):
    assert rules.panel_thoughts(sent, stored, outcome) == worded_for
