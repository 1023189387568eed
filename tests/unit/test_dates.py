from datetime import UTC, date, datetime, time, timedelta

import pytest

from lift.domain import dates
from lift.settings import FRONTEND_DIR

TODAY = date(2024, 3, 10)  # a Sunday


def test_a_day_in_the_current_year_is_written_without_its_year():
    assert dates.day_text(date(2024, 3, 8), TODAY) == "Fri 8 Mar"
    assert dates.day_text(date(2024, 12, 31), TODAY) == "Tue 31 Dec"


def test_a_day_in_another_year_always_has_its_year():
    assert dates.day_text(date(2023, 11, 25), TODAY) == "Sat 25 Nov 2023"
    assert dates.day_text(date(2025, 1, 1), TODAY) == "Wed 1 Jan 2025"


def test_the_year_turns_between_31_december_and_1_january():
    new_year, eve = date(2025, 1, 1), date(2024, 12, 31)
    assert dates.day_text(eve, new_year) == "Tue 31 Dec 2024"
    assert dates.day_text(new_year, eve) == "Wed 1 Jan 2025"
    assert dates.day_label(eve, new_year) == "Yesterday, Tue 31 Dec 2024"
    assert dates.day_label(new_year, eve) == "Tomorrow, Wed 1 Jan 2025"
    assert dates.day_label(new_year, new_year) == "Today, Wed 1 Jan"


def test_recent_days_are_named():
    assert dates.day_label(TODAY, TODAY) == "Today, Sun 10 Mar"
    assert dates.day_label(date(2024, 3, 9), TODAY) == "Yesterday, Sat 9 Mar"
    assert dates.day_label(date(2024, 3, 11), TODAY) == "Tomorrow, Mon 11 Mar"
    assert dates.day_label(date(2024, 3, 8), TODAY) == "Fri 8 Mar"


def test_on_paper_every_day_has_its_year_and_none_is_yesterday():
    assert dates.dated(TODAY) == "Sun 10 Mar 2024"
    assert dates.day_text(TODAY, None) == "Sun 10 Mar 2024"
    assert dates.day_label(TODAY - timedelta(days=1), None) == "Sat 9 Mar 2024"


def test_a_charts_sentence_writes_a_day_of_its_own_year_short_on_screen_and_dated_on_paper():
    """The report's "latest PHQ-9 … on Fri 8 Mar" had no year, though its heading and tables did."""
    assert dates.chart_day(date(2024, 3, 8), TODAY, on_paper=False) == "Fri 8 Mar"
    assert dates.chart_day(date(2023, 11, 25), TODAY, on_paper=False) == "Sat 25 Nov 2023"
    assert dates.chart_day(date(2024, 3, 8), TODAY, on_paper=True) == "Fri 8 Mar 2024"


def test_a_period_names_each_part_its_two_days_share_once():
    """A chart table's caption: its days then leave out the year it gives."""
    assert dates.period_text(date(2024, 2, 26), TODAY) == "26 Feb to 10 Mar 2024"
    assert dates.period_text(date(2024, 3, 1), TODAY) == "1 to 10 Mar 2024"
    assert dates.period_text(date(2023, 12, 29), date(2024, 1, 2)) == "29 Dec 2023 to 2 Jan 2024"
    assert dates.period_text(TODAY, TODAY) == "10 Mar 2024"


def test_an_instant_is_the_day_it_fell_on_where_the_reader_is():
    evening_in_new_york = datetime(2025, 1, 1, 3, 0, tzinfo=UTC)  # 22:00 on 31 Dec there
    assert dates.day_of(evening_in_new_york, "America/New_York", date(2025, 1, 1)) == "Tue 31 Dec 2024"
    assert dates.day_of(evening_in_new_york, "Europe/London", date(2025, 1, 1)) == "Wed 1 Jan"


def test_short_forms_for_a_week_strip_and_a_chart_axis():
    assert (dates.weekday(TODAY), dates.weekday_name(TODAY)) == ("Sun", "Sunday")
    assert (dates.day_month(TODAY), dates.month_year(TODAY)) == ("10 Mar", "Mar 2024")


def test_every_weekday_and_month_is_named_in_english():
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    for offset in range(366):
        day = date(2024, 1, 1) + timedelta(days=offset)
        assert dates.dated(day) == f"{weekdays[day.weekday()]} {day.day} {months[day.month - 1]} 2024"


def test_no_template_writes_a_date_with_strftime():
    """strftime's %a, %A and %b follow the process's locale (any setlocale call changes them), and the
    week strips used them; domain/dates.py writes English names whatever the locale."""
    for template in (FRONTEND_DIR / "templates").rglob("*.html"):
        assert "strftime" not in template.read_text(encoding="utf-8"), template.name


@pytest.mark.parametrize(("hour", "minute", "twelve", "twenty_four"), [
    (14, 30, "2:30 PM", "14:30"),
    (12, 0, "12:00 PM", "12:00"),
    (0, 0, "12:00 AM", "00:00"),
    (0, 5, "12:05 AM", "00:05"),
    (9, 5, "9:05 AM", "09:05"),
    (11, 59, "11:59 AM", "11:59"),
    (23, 59, "11:59 PM", "23:59"),
])
def test_a_time_of_day_is_written_on_the_readers_clock(hour, minute, twelve, twenty_four):
    moment = time(hour, minute)
    assert dates.time_text(moment, twelve_hour=True) == twelve
    assert dates.time_text(moment, twelve_hour=False) == twenty_four
    # An instant is written by its own clock time, seconds left out.
    instant = datetime(2026, 5, 20, hour, minute, 42, tzinfo=UTC)
    assert dates.time_text(instant, True) == twelve and dates.time_text(instant, False) == twenty_four


@pytest.mark.parametrize(("zone", "twelve"), [
    ("America/New_York", True), ("America/Los_Angeles", True), ("America/Argentina/Buenos_Aires", True),
    ("US/Eastern", True), ("US/Hawaii", True),
    ("Europe/London", False), ("Asia/Tokyo", False), ("UTC", False), ("Etc/GMT+5", False),
    ("Australia/Sydney", False), ("EST5EDT", False), ("Americas/Nowhere", False),
])
def test_an_account_that_never_chose_reads_the_clock_of_its_time_zone(zone, twelve):
    assert dates.twelve_hour_zone(zone) is twelve
    assert dates.uses_twelve_hour(None, zone) is twelve


def test_a_choice_made_wins_over_the_time_zone():
    assert dates.uses_twelve_hour("24", "America/New_York") is False
    assert dates.uses_twelve_hour("12", "Europe/London") is True


@pytest.mark.parametrize(("cycle", "clock"), [
    ("h11", "12"), ("h12", "12"), ("h23", "24"), ("h24", "24"), ("", None), ("h25", None), ("12", None),
])
def test_the_browsers_hour_cycle_at_sign_up_is_the_first_choice(cycle, clock):
    assert dates.clock_of_hour_cycle(cycle) == clock


def test_a_zones_offset_changes_are_found_to_the_second():
    """What the access log's query tells an entry's local day by: SQLite knows no time zones."""
    first, last = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    assert dates.offset_changes("America/New_York", first, last) == [
        (first, -5 * 3600),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), -4 * 3600),  # 02:00 EST
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), -5 * 3600),  # 02:00 EDT
    ]
    assert dates.offset_changes("Asia/Kathmandu", first, last) == [(first, 5 * 3600 + 45 * 60)]
    assert dates.offset_changes("UTC", first, first) == [(first, 0)]


def test_a_change_within_the_last_day_looked_at_is_found():
    first, last = datetime(2026, 3, 7, 7, 30, tzinfo=UTC), datetime(2026, 3, 8, 7, 0, 1, tzinfo=UTC)
    assert dates.offset_changes("America/New_York", first, last)[1:] == [
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), -4 * 3600)]
