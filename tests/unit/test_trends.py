"""Trend series, rolling averages with gaps, summaries, chart geometry and kind adherence."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from lift.domain import dates, scales, treatment, trends
from lift.domain.checkins import today_in
from lift.domain.scales import ScaleResult
from lift.domain.trends import ANXIETY, MOOD, SLEEP, DayValues

TODAY = date(2026, 5, 20)
TWO_WEEKS, THREE_MONTHS, ALL = trends.RANGES["14d"], trends.RANGES["90d"], trends.RANGES["all"]


def day(n_ago: int) -> date:
    return TODAY - timedelta(days=n_ago)


def values(mood_by_days_ago: dict[int, int], anxiety: int = 4, sleep: float = 7.5) -> list[DayValues]:
    return sorted((DayValues(day(n), mood, anxiety, sleep) for n, mood in mood_by_days_ago.items()),
                  key=lambda d: d.local_date)


def chart(history, chosen=THREE_MONTHS, metric=MOOD, markers=(), first_entry=None, joined=None,
          unlogged=()):
    first, last = trends.range_bounds(chosen, TODAY, first_entry)
    sessions = trends.SessionDays(treatment=frozenset(markers), unlogged=tuple(unlogged))
    return trends.daily_chart(metric, history, first, last, TODAY, chosen, sessions, joined, first_entry)


# --- Ranges ----------------------------------------------------------------------------------


def test_it_shows_14_days_90_days_or_everything():
    assert trends.range_bounds(TWO_WEEKS, TODAY, None) == (day(13), TODAY)
    assert trends.range_bounds(THREE_MONTHS, TODAY, None) == (day(89), TODAY)
    assert trends.range_bounds(ALL, TODAY, day(1000)) == (day(1000), TODAY)


def test_the_ranges_offered_are_named_as_a_patient_would_say_them():
    assert [(r.key, r.label) for r in trends.RANGES.values()] == [
        ("14d", "2 weeks"), ("90d", "3 months"), ("all", "All time")]


def test_it_never_shows_all_time_shorter_than_two_weeks():
    assert trends.range_bounds(ALL, TODAY, None) == (day(13), TODAY)
    assert trends.range_bounds(ALL, TODAY, day(2)) == (day(13), TODAY)


def test_it_falls_back_to_three_months_for_an_unknown_range():
    assert trends.trend_range("1y") is THREE_MONTHS
    assert trends.trend_range(None) is THREE_MONTHS
    assert trends.trend_range("14d") is TWO_WEEKS


# --- Rolling average -------------------------------------------------------------------------


def test_it_averages_the_last_seven_days():
    averages = trends.rolling_average([1, 2, 3, 4, 5, 6, 7, 8, 9], min_days=1)
    assert averages[:3] == [1, 1.5, 2]
    assert averages[6] == 4
    assert averages[7] == 5  # the first day has left the window
    assert averages[8] == 6


def test_it_leaves_missing_days_out_of_the_average_rather_than_filling_them():
    averages = trends.rolling_average([2, None, None, 8, None, 5, None, None, None, None])
    assert averages[:3] == [None, None, None]  # fewer than 3 check-ins yet
    assert averages[5] == 5  # (2 + 8 + 5) / 3, not divided by the 6 calendar days
    assert averages[6] == 5


def test_it_needs_three_check_ins_in_the_window_for_an_average():
    averages = trends.rolling_average([2, None, None, 8, None, 5, None, None, None, None])
    assert averages[7] is None  # the 2 has left the window: 8 and 5 alone are too few
    assert averages[9] is None


def test_it_never_draws_a_line_across_a_missing_day():
    history = values({5: 6, 4: 7, 2: 5, 1: 4, 0: 6})
    result = chart(history, TWO_WEEKS)
    assert [len(run) for run in result.lines] == [2, 3]
    assert len(result.dots) == 5


def test_the_words_above_the_charts_say_only_the_daily_line_leaves_a_gap_at_a_missing_day():
    """They said no line is ever drawn across a missing day, but the 7-day average and a
    questionnaire's line (a skipped GAD-7 week) are: the words now say which line does what."""
    result = chart(values({n: 5 for n in range(10) if n != 3}), TWO_WEEKS)
    assert len(result.lines) == 2 and len(result.averages) == 1  # the average runs across day 3
    first, last = trends.range_bounds(TWO_WEEKS, TODAY, None)
    gad7 = trends.scale_chart(scales.GAD7, [scale_result(9, 13, "gad7"), scale_result(7, 0, "gad7")],
                              first, last, TODAY, TWO_WEEKS)
    assert [len(run) for run in gad7.lines] == [2]  # the week without one is crossed
    assert trends.lines_text(weekly=False) == (
        "The daily line leaves a gap on each day without a check-in. The 7-day average and the "
        "questionnaire lines join the points they have, so they can run across a day without a "
        "check-in or a week without a questionnaire.")
    assert trends.lines_text(weekly=True) == (
        "Each weekly average is of the days checked in, and a week without a check-in is left as a gap. "
        "The questionnaire lines join the results they have, so they can run across a week without a "
        "questionnaire.")


def test_it_feeds_the_days_before_the_range_into_the_first_averages():
    history = values({15: 4, 14: 4, 13: 4})
    result = chart(history, TWO_WEEKS)
    # 13 days ago is the first day shown, and its window already holds three check-ins.
    assert result.averages and result.averages[0][0] == (0.0, trends.SCORE_AXIS.y(4))



def test_the_first_days_7_day_average_is_of_that_day_and_the_six_before_it():
    # Two weeks start 13 days ago; the first day's window runs from 19 days ago to it.
    result = chart(values({19: 1, 18: 2, 17: 4, 14: 9, 13: 9, 12: 9}), TWO_WEEKS)
    assert result.rows[-1][0] == dates.day_text(day(13), TODAY)
    assert [row[3] for row in result.rows[-2:]] == ["6.6", "5.0"]  # (2+4+9+9+9)/5, then (1+2+4+9+9)/5

# --- Summaries -------------------------------------------------------------------------------


def test_it_summarises_this_week_against_the_week_before():
    by_day = {day(n): v for n, v in zip(range(7), [5, 4, 4, 4, 4, 4, 4.4])}
    by_day |= {day(n): v for n, v in zip(range(7, 14), [3, 3, 3, 3, 3.7, 3, 3])}
    assert trends.week_summary(MOOD, by_day, TODAY) == "Mood averaged 4.2 this week, up from 3.1 the week before."


def test_it_words_a_fall_the_same_week_and_no_comparison():
    assert trends.week_summary(ANXIETY, {day(0): 3, day(1): 5, day(8): 7}, TODAY) == (
        "Anxiety averaged 4.0 this week, down from 7.0 the week before.")
    assert trends.week_summary(MOOD, {day(0): 6, day(1): 6, day(9): 6}, TODAY) == (
        "Mood averaged 6.0 this week, the same as the week before.")
    assert trends.week_summary(MOOD, {day(0): 6, day(1): 4}, TODAY) == (
        "Mood averaged 5.0 this week, with no check-ins the week before to compare.")


def test_a_check_in_six_days_ago_is_this_weeks_and_one_seven_days_ago_the_week_befores():
    assert trends.week_summary(MOOD, {day(6): 5}, TODAY).startswith("Mood was 5 on your one check-in this week")
    assert trends.week_summary(MOOD, {day(7): 5}, TODAY).startswith("No check-ins yet this week.")


def test_the_range_counts_a_check_in_on_its_first_day_and_one_day_is_one_day():
    result = chart(values({89: 8, 0: 2}), THREE_MONTHS)
    assert "Across the last 3 months it averaged 5.0 over 2 check-in days." in result.summary
    result = chart(values({30: 4}), THREE_MONTHS)
    assert result.summary.endswith("Across the last 3 months it averaged 4.0 over 1 check-in day.")


def test_it_summarises_one_check_in_and_none():
    assert trends.week_summary(SLEEP, {day(2): 7.5}, TODAY) == (
        "Sleep was 7.5 hours on your one check-in this week, with no check-ins the week before to compare.")
    assert trends.week_summary(MOOD, {}, TODAY) == "No mood check-ins in the last two weeks yet."
    assert trends.week_summary(MOOD, {day(9): 3}, TODAY) == (
        "No check-ins yet this week. Mood averaged 3.0 the week before.")


def test_a_new_patients_first_week_is_not_compared_with_a_week_from_before_they_joined():
    # Joined 3 days ago: there was no "week before" in which to have no check-ins.
    assert trends.week_summary(MOOD, {day(0): 6, day(2): 4}, TODAY, joined=day(3)) == (
        "Mood averaged 5.0 this week, your first week with Lift.")
    assert trends.week_summary(SLEEP, {day(0): 7.5}, TODAY, joined=TODAY) == (
        "Sleep was 7.5 hours on your one check-in this week, your first week with Lift.")
    # Joined today with only a questionnaire so far: not "in the last two weeks".
    assert trends.week_summary(MOOD, {}, TODAY, joined=TODAY) == "No mood check-ins since you joined."


def test_the_week_before_is_the_seven_days_before_this_weeks_seven():
    assert trends.week_before(TODAY) == [day(n) for n in range(13, 6, -1)]


def test_the_range_sentence_is_left_out_only_while_every_check_in_is_from_the_last_7_days():
    this_week = {day(0): 5.0, day(6): 7.0}
    assert trends.range_summary(MOOD, this_week, day(89), TODAY, TODAY, THREE_MONTHS) == ""
    a_week_ago = {day(0): 5.0, day(7): 7.0}
    assert trends.range_summary(MOOD, a_week_ago, day(89), TODAY, TODAY, THREE_MONTHS) == (
        "Across the last 3 months it averaged 6.0 over 2 check-in days.")


def test_the_week_before_counts_once_it_or_a_day_filled_in_for_it_is_there():
    # Joined 7 days ago: the week before holds the day they joined, which had no check-in.
    assert trends.week_summary(MOOD, {day(0): 6}, TODAY, joined=day(7)) == (
        "Mood was 6 on your one check-in this week, with no check-ins the week before to compare.")
    # A day filled in from before joining is a real check-in to compare with.
    assert trends.week_summary(MOOD, {day(0): 6, day(8): 4}, TODAY, joined=day(3)) == (
        "Mood was 6 on your one check-in this week, up from 4.0 the week before.")


def test_it_counts_this_week_in_local_days_across_a_daylight_saving_change():
    # 8 March 2026: clocks in New York go forward. The patient's "today" comes from their zone.
    today = today_in("America/New_York", datetime(2026, 3, 9, 3, 30, tzinfo=UTC))  # 23:30 EDT on 8 March
    assert today == date(2026, 3, 8)
    week = trends.days_between(today - timedelta(days=6), today)
    assert len(week) == 7 and week[0] == date(2026, 3, 2)
    by_day = {d: 5 for d in week} | {date(2026, 3, 1): 1}
    assert trends.week_summary(MOOD, by_day, today).startswith("Mood averaged 5.0 this week, up from 1.0")


def test_it_counts_a_week_that_falls_back_as_seven_days():
    today = today_in("America/New_York", datetime(2026, 11, 2, 4, 30, tzinfo=UTC))  # 23:30 EST on 1 November
    assert today == date(2026, 11, 1)
    assert len(trends.days_between(today - timedelta(days=6), today)) == 7


# --- Charts for no data, one point, and a year --------------------------------------------------


@pytest.mark.parametrize("chosen", [TWO_WEEKS, THREE_MONTHS, ALL])
def test_it_draws_an_empty_chart_for_a_patient_with_no_data(chosen):
    result = chart([], chosen)
    assert result.empty
    assert result.lines == [] and result.dots == [] and result.averages == []
    assert result.y_labels == ("10", "5", "0")
    assert result.x_labels[-1] == "Today"
    assert result.summary == "No mood check-ins in the last two weeks yet."


def test_it_draws_one_dot_and_no_average_for_one_check_in():
    result = chart(values({0: 6}), TWO_WEEKS)
    assert not result.empty
    assert result.dots == [(trends.WIDTH, trends.SCORE_AXIS.y(6))]
    assert result.lines == [[(trends.WIDTH, trends.SCORE_AXIS.y(6))]]
    assert result.averages == []
    assert result.summary.startswith("Mood was 6 on your one check-in this week")
    assert [row[2:] for row in result.rows][:2] == [("6", "—"), ("No check-in", "—")]


def test_each_axis_runs_from_its_lowest_value_at_the_bottom_to_its_highest_at_the_top():
    axes = [(trends.SCORE_AXIS, 10), (trends.SLEEP_AXIS, 12), (trends.LONG_SLEEP_AXIS, 24),
            (trends.SCALE_AXES["phq9"], 27), (trends.SCALE_AXES["gad7"], 21)]
    for axis, top in axes:
        assert (axis.y(0), axis.y(top / 2), axis.y(top)) == (trends.HEIGHT, trends.HEIGHT / 2, 0)
        step = top / (len(axis.ticks) - 1)  # gridlines evenly spaced, ends included
        assert axis.ticks == tuple(n * step for n in range(len(axis.ticks)))


def test_it_spreads_the_days_evenly_to_a_tenth_of_a_unit():
    assert [trends.x_position(i, 14) for i in (0, 1, 12, 13)] == [0, 23.1, 276.9, trends.WIDTH]
    assert trends.x_position(0, 1) == trends.WIDTH / 2
    assert trends.SCALE_AXES["phq9"].y(5) == 97.8  # heights too: 120 - 5/27 of 120


def test_on_a_patients_second_day_yesterday_is_at_the_left_edge_and_today_at_the_right():
    result = chart(values({1: 4, 0: 6}), TWO_WEEKS, joined=day(1), first_entry=day(1))
    assert [x for x, _ in result.dots] == [0.0, trends.WIDTH] and len(result.lines[0]) == 2


def test_a_table_names_its_values_unit_only_where_they_have_one():
    assert chart(values({0: 5}), metric=MOOD).table_headers == ("Day", "Mood", "7-day average")
    assert chart(values({0: 5}), metric=SLEEP).table_headers == ("Day", "Sleep (hours)", "7-day average")


def test_each_chart_says_beside_its_title_which_way_its_scale_runs():
    """Mood and anxiety are both 0 to 10, but a high mood is good and high anxiety is not: the
    hint is all that tells a patient or a clinician which way each chart's line should go."""
    hints = {m.title: chart(values({0: 5}), metric=m).hint for m in (MOOD, ANXIETY, SLEEP)}
    assert hints == {"Mood": "0 is the lowest, 10 is the best", "Anxiety": "0 is none, 10 the most",
                     "Sleep": "hours a night"}


def test_it_draws_smaller_dots_only_beyond_a_month_of_days():
    assert not chart(values({0: 5}), ALL, first_entry=day(30)).crowded  # 31 days
    assert chart(values({0: 5}), ALL, first_entry=day(31)).crowded  # 32 days
    assert not chart(values({0: 5}), TWO_WEEKS).crowded and chart(values({0: 5}), THREE_MONTHS).crowded


def test_it_draws_a_year_of_daily_data_as_weekly_averages():
    history = values({n: 3 + n % 5 for n in range(365)})
    result = chart(history, ALL, first_entry=day(364))
    assert result.weekly and result.dots == [] and result.lines == []
    assert len(result.averages) == 1 and len(result.averages[0]) == 53
    assert result.averages[0][-1][0] == trends.WIDTH  # the newest week ends today
    assert result.table_headers == ("Week ending", "Average", "Days checked in")
    assert len(result.rows) == 53
    assert result.rows[0][:2] == ("Wed 20 May", "") and result.rows[0][3] == "7 of 7"  # as the daily rows
    assert result.rows[-1][3] == "1 of 1"  # 365 days: the oldest block is one day long
    # The caption gives the period's year, so only a day of the year before carries its own.
    assert result.table_caption == "Mood, all your entries (21 May 2025 to 20 May 2026)"
    assert result.rows[-1][0] == "Wed 21 May 2025"
    assert result.x_labels == ("May 2025", "Today")


def test_it_leaves_a_week_without_check_ins_as_a_gap_in_the_weekly_line():
    history = values({n: 5 for n in range(200) if not 14 <= n < 21})
    result = chart(history, ALL, first_entry=day(199))
    assert [len(run) for run in result.averages] == [26, 2]  # 29 blocks, the third newest empty
    assert result.rows[2][2:] == ("No check-ins", "0 of 7")


def test_it_averages_each_week_from_the_days_checked_in():
    weeks = trends.weekly_averages([None, 2, None, 4, 6, None, None, None, 8])
    assert weeks == [(2, 2.0, 1, 2), (9, 6.0, 3, 7)]


def test_up_to_three_calendar_months_of_days_are_drawn_day_by_day_and_more_week_by_week():
    # 92 days, the longest three calendar months (July to September), are daily as "3 months" is;
    # from 93 the chart is weekly, and its axis names months then, not days.
    daily = chart(values({0: 5}), ALL, first_entry=day(91))
    weekly = chart(values({0: 5}), ALL, first_entry=day(92))
    assert not daily.weekly and daily.x_labels == ("18 Feb", "Today") and len(daily.rows) == 92
    assert weekly.weekly and weekly.x_labels == ("Feb 2026", "Today")


def test_a_weekly_chart_of_whole_weeks_has_a_row_for_each_week_and_no_more():
    result = chart(values({n: 5 for n in range(98)}), ALL, first_entry=day(97))  # 14 weeks
    assert [row[3] for row in result.rows] == ["7 of 7"] * 14
    assert not result.crowded  # a week's point is a full-size dot: weeks are a phone's width apart
    assert [len(run) for run in result.averages] == [14]


def test_it_spans_the_full_width_from_first_day_to_today():
    result = chart(values({13: 5, 0: 5}), TWO_WEEKS)
    assert result.dots[0][0] == 0.0 and result.dots[-1][0] == trends.WIDTH
    assert all(0 <= y <= trends.HEIGHT for _, y in result.dots)
    assert result.gridlines == (trends.HEIGHT, trends.HEIGHT / 2, 0.0)


def test_it_widens_the_sleep_axis_only_for_very_long_nights():
    assert chart([], metric=SLEEP).y_labels == ("12", "6", "0")  # no nights yet
    assert chart(values({0: 5}, sleep=9), metric=SLEEP).y_labels == ("12", "6", "0")
    assert chart(values({0: 5}, sleep=12), metric=SLEEP).y_labels == ("12", "6", "0")  # fits at the top
    assert chart(values({0: 5}, sleep=14), metric=SLEEP).y_labels == ("24", "12", "0")


def test_the_sleep_axis_holds_a_7_day_average_raised_by_the_days_before_the_range():
    history = [DayValues(day(n), 5, 4, 14 if n > 13 else 10) for n in range(19, -1, -1)]
    result = chart(history, TWO_WEEKS, metric=SLEEP)
    assert result.y_labels == ("24", "12", "0")
    assert all(0 <= y <= trends.HEIGHT for line in result.averages for _, y in line)


def test_it_marks_treatment_days_inside_the_range_only():
    result = chart(values({0: 5}), TWO_WEEKS, markers=[day(13), day(3), day(40), TODAY + timedelta(days=2)])
    assert result.markers == [0.0, trends.x_position(10, 14)]
    assert chart(values({0: 5}), TWO_WEEKS).markers == []


def test_it_says_the_treatment_days_in_words_for_those_who_cannot_see_the_markers():
    marked = trends.SessionDays(treatment=frozenset({day(3), day(5), day(40)}))
    first, last = trends.range_bounds(TWO_WEEKS, TODAY, None)
    assert trends.charts_text(first, last, marked) == "Dashed lines on every chart mark 2 treatment days."
    assert trends.charts_text(first, last, trends.SessionDays(treatment=frozenset({day(3)}))) == (
        "Dashed lines on every chart mark 1 treatment day.")
    assert trends.charts_text(first, last) == ""
    result = chart(values({0: 5, 3: 6}), TWO_WEEKS, markers=marked.treatment)
    # Apart from the day, so that the day keeps to one line where the note wraps.
    rows = {row[:2]: row[2] for row in result.rows}
    assert rows[(dates.day_text(day(3), TODAY), " (treatment day)")] == "6"
    assert rows[(dates.day_text(day(5), TODAY), " (treatment day)")] == "No check-in"
    assert rows[(dates.day_text(day(0), TODAY), "")] == "5"
    phq9 = [ScaleResult(id=1, instrument="phq9", local_date=day(3), total=12, band="moderate")]
    scale = trends.scale_chart(scales.PHQ9, phq9, first, last, TODAY, TWO_WEEKS,
                               trends.SessionDays(treatment=frozenset({day(3)})))
    assert scale.rows[0][:2] == (dates.day_text(day(3), TODAY), " (treatment day)")


def test_each_charts_summary_says_only_its_own_values_and_the_shared_facts_are_said_once():
    """Five summaries on Trends each repeated "Dashed lines mark 16 treatment days." and the
    shading's sentence: the page says them once, above the charts, and each chart its values."""
    marked = trends.SessionDays(treatment=frozenset({day(3), day(5), day(12)}), unlogged=(day(8), day(11)))
    first, last = trends.range_bounds(TWO_WEEKS, TODAY, None)
    daily = [trends.daily_chart(metric, values({0: 5, 3: 6}), first, last, TODAY, TWO_WEEKS, marked, day(10))
             for metric in trends.METRICS]
    phq9 = [ScaleResult(id=1, instrument="phq9", local_date=day(3), total=12, band="moderate")]
    scale = [trends.scale_chart(i, phq9, first, last, TODAY, TWO_WEEKS, marked, day(10))
             for i in scales.INSTRUMENTS.values()]
    shared = trends.charts_text(first, last, marked, day(10))
    # Sessions before they joined are not on the charts, which start that day, nor counted.
    assert shared == ("The charts start on Sun 10 May, the day you joined Lift. "
                      "Dashed lines on every chart mark 2 treatment days. "
                      "1 session is not logged yet, so its day is not marked.")
    summaries = [c.summary for c in daily + scale]
    assert summaries == [
        "Mood averaged 5.5 this week, with no check-ins the week before to compare.",
        "Anxiety averaged 4.0 this week, with no check-ins the week before to compare.",
        "Sleep averaged 7.5 hours this week, with no check-ins the week before to compare.",
        "Your latest PHQ-9 was 12 (moderate range) on Sun 17 May.",
        "No GAD-7 results in the last 2 weeks.",
    ]
    for summary in summaries:
        assert not any(word in summary for word in ("start", "Dashed", "logged", "joined"))
    # Still drawn: the markers are in every picture the line above names.
    assert all(len(c.markers) == 2 and c.x_labels[0] == "10 May" for c in daily + scale)


def test_a_new_patients_chart_does_not_average_two_weeks_mostly_from_before_they_joined():
    result = chart(values({2: 4, 0: 6}), TWO_WEEKS, joined=day(3))
    assert result.summary.startswith("Mood averaged 5.0 this week, your first week with Lift.")
    assert "Across" not in result.summary
    # Once the week before was theirs, it is spoken of; the range's sentence would still repeat
    # this week's average over the same two days, so it is left out.
    later = chart(values({2: 4, 0: 6}), TWO_WEEKS, joined=day(7)).summary
    assert "with no check-ins the week before to compare" in later and "Across" not in later


def test_the_range_sentence_returns_once_it_covers_more_than_this_weeks_check_ins():
    assert chart(values({9: 2, 2: 4, 0: 6}), TWO_WEEKS, joined=day(30)).summary == (
        "Mood averaged 5.0 this week, up from 2.0 the week before. "
        "Across the last 2 weeks it averaged 4.0 over 3 check-in days.")
    # A check-in from before the range does not count: the range's own days are all this week's.
    assert "Across" not in chart(values({20: 5, 0: 6}), TWO_WEEKS, joined=day(30)).summary


def test_a_chart_starts_on_the_first_day_with_lift_when_the_range_starts_earlier():
    first, last = trends.range_bounds(TWO_WEEKS, TODAY, None)
    assert trends.chart_first(first, last, day(3)) == day(3)
    assert trends.chart_first(first, last, TODAY) == TODAY
    # Joined on or before the first day shown, or unknown: the range's own days.
    assert trends.chart_first(first, last, day(13)) == first
    assert trends.chart_first(first, last, day(200)) == first
    assert trends.chart_first(first, last, None) == first
    # A period that ended before they started (a report on a past month) keeps its days: it is empty.
    assert trends.chart_first(day(60), day(31), day(3)) == day(60)


def test_on_a_patients_first_day_the_charts_hold_that_day_not_13_days_before_it():
    """Their 2-week charts were 13 grey days "before you joined" and one dot at the right edge:
    mostly a picture of nothing. They start on the day they joined, its dot in the middle."""
    first, last = trends.range_bounds(TWO_WEEKS, TODAY, None)
    result = chart(values({0: 6}), TWO_WEEKS, joined=TODAY, first_entry=TODAY)
    assert result.x_labels == ("Today",)
    assert result.dots == [(trends.WIDTH / 2, trends.SCORE_AXIS.y(6))]
    assert result.rows == [("Wed 20 May", "", "6", "—")]  # no day before it, missed or not
    assert result.table_caption == "Mood, the last 2 weeks (20 May 2026)"
    assert result.summary == "Mood was 6 on your one check-in this week, your first week with Lift."
    phq9 = trends.scale_chart(scales.PHQ9, [scale_result(12, 0)], first, last, TODAY, TWO_WEEKS,
                              joined=TODAY, first_entry=TODAY)
    assert phq9.x_labels == ("Today",) and phq9.dots == [(trends.WIDTH / 2, phq9.dots[0][1])]
    assert trends.charts_text(first, last, joined=TODAY, first_entry=TODAY) == (
        "The charts start on Wed 20 May, the day you joined Lift.")
    # On paper, read later: the day is named, with its year.
    on_paper = trends.daily_chart(MOOD, values({0: 6}), first, last, TODAY, REPORT, joined=TODAY)
    assert on_paper.x_labels == ("20 May 2026",)


def test_a_legend_names_only_what_its_chart_draws():
    """A patient's first day is one check-in: no 7-day average is drawn (it needs 3 days), so the
    legend no longer lists one. Nor "Each day" or "Your total" on a chart with no point yet. Its one
    day is a dot with no line to the next, and the legend showed a line for it: a dot now, as for
    days that are never two in a row."""
    first, last = trends.range_bounds(TWO_WEEKS, TODAY, None)
    first_day = chart(values({0: 6}), TWO_WEEKS, joined=TODAY, first_entry=TODAY)
    assert first_day.averages == [] and first_day.legend == ("daily_dot",)
    assert chart(values({3: 5, 2: 5, 1: 6, 0: 6}), TWO_WEEKS).legend == ("daily", "average")
    assert chart(values({0: 5}), TWO_WEEKS, markers=[TODAY]).legend == ("daily_dot", "marker")
    assert chart(values({4: 5, 2: 6, 0: 6}), TWO_WEEKS).legend[0] == "daily_dot"  # every other day
    assert chart(values({5: 5, 2: 6, 1: 6}), TWO_WEEKS).legend[0] == "daily"  # two days in a row
    assert chart([], TWO_WEEKS).legend == ()
    assert chart(values({n: 5 for n in range(0, 200, 2)}), ALL, first_entry=day(199)).legend == ("weekly",)
    phq9 = trends.scale_chart(scales.PHQ9, [scale_result(12, 0)], first, last, TODAY, TWO_WEEKS)
    assert phq9.legend == ("total", "bands")
    # Two results a week apart are joined by a line, which is the total's, not a day's.
    weekly = trends.scale_chart(scales.PHQ9, [scale_result(14, 7), scale_result(12, 0)], first, last, TODAY,
                                TWO_WEEKS)
    assert [len(run) for run in weekly.lines] == [2] and weekly.legend == ("total", "bands")
    assert trends.scale_chart(scales.PHQ9, [], first, last, TODAY, TWO_WEEKS).legend == ("bands",)


def test_an_average_of_one_point_is_a_dot_in_the_legend_as_on_the_chart():
    """Three days in a row make one 7-day average, on the third: a small dot on the chart, which
    the legend showed as a line. A dot there too; and a weekly average of one week likewise."""
    third_day = chart(values({2: 5, 1: 6, 0: 6}), TWO_WEEKS)
    assert [len(run) for run in third_day.averages] == [1]
    assert third_day.legend == ("daily", "average_dot")
    spread = chart(values({8: 5, 5: 6, 2: 6}), TWO_WEEKS)  # 3 in a 7-day window on day 2 alone
    assert [len(run) for run in spread.averages] == [1] and spread.legend == ("daily_dot", "average_dot")
    assert chart(values({3: 5, 2: 5, 1: 6, 0: 6}), TWO_WEEKS).legend == ("daily", "average")
    one_week = chart(values({199: 5, 198: 6}), ALL, first_entry=day(199))
    assert one_week.weekly and [len(run) for run in one_week.averages] == [1]
    assert one_week.legend == ("weekly_dot",)
    assert chart(values({n: 5 for n in range(0, 200, 2)}), ALL, first_entry=day(199)).legend == ("weekly",)


def test_a_chart_of_a_range_that_ended_before_today_says_so_and_an_empty_one_invites_nothing():
    """A report on a past period: no check-in or result can be added to it, so its empty charts
    do not invite one (the template reads `ended`)."""
    first, last = day(40), day(30)
    past = trends.daily_chart(MOOD, [], first, last, TODAY, REPORT)
    assert past.empty and past.ended and past.summary == "No mood check-ins in this period."
    phq9 = trends.scale_chart(scales.PHQ9, [], first, last, TODAY, REPORT)
    assert phq9.empty and phq9.ended and phq9.summary == "No PHQ-9 results in this period."
    assert not trends.daily_chart(MOOD, [], day(10), TODAY, TODAY, REPORT).ended
    assert not trends.scale_chart(scales.PHQ9, [], day(10), TODAY, TODAY, REPORT).ended
    assert not chart([], TWO_WEEKS).ended


def test_a_new_patients_chart_starts_the_day_they_joined_and_a_day_since_without_a_check_in_is_missed():
    # Joined 3 days ago, checked in twice: the 10 days before are not drawn, listed or counted.
    result = chart(values({2: 4, 0: 6}), TWO_WEEKS, joined=day(3))
    assert result.x_labels == ("17 May", "Today")
    assert [x for x, _ in result.dots] == [trends.x_position(1, 4), trends.WIDTH]
    assert [row[2] for row in result.rows] == ["6", "No check-in", "4", "No check-in"]
    assert result.summary == "Mood averaged 5.0 this week, your first week with Lift."
    assert "the last 2 weeks" not in result.summary  # most of them were before the account
    phq9 = trends.scale_chart(scales.PHQ9, [], day(13), TODAY, TODAY, TWO_WEEKS, joined=day(3))
    assert phq9.x_labels == result.x_labels and phq9.empty
    assert phq9.summary == "No PHQ-9 results in the last 2 weeks."
    assert trends.charts_text(day(13), TODAY, joined=day(3)) == "The charts start on Sun 17 May, the day you joined Lift."


def test_a_patient_who_joined_before_the_range_gets_the_whole_range_and_the_usual_words():
    result = chart(values({20: 5, 2: 4, 0: 6}), TWO_WEEKS, joined=day(30))
    assert len(result.rows) == 14 and result.x_labels == ("7 May", "Today")
    # The range's sentence would repeat the week's: both average the same two check-ins.
    assert result.summary == "Mood averaged 5.0 this week, with no check-ins the week before to compare."
    assert trends.charts_text(day(13), TODAY, joined=day(30)) == ""
    # Caregivers who may not learn the join date get charts made without one: the whole range.
    assert len(chart(values({0: 6}), TWO_WEEKS).rows) == 14
    assert trends.charts_text(day(13), TODAY, first_entry=day(2)) == ""


def test_a_join_date_in_another_year_is_said_with_its_year():
    first = day(500)
    assert trends.start_text(first, TODAY, day(400), day(400)) == (
        f"The charts start on {dates.dated(day(400))}, the day you joined Lift.")
    assert trends.start_text(first, TODAY, first, first) == ""


def test_a_period_that_ended_before_the_patient_joined_says_so_and_charts_nothing():
    first, last = day(89), day(60)
    assert trends.charts_text(first, last, joined=day(3), on_paper=True) == (
        "This period ended before Sun 17 May 2026, the day you joined Lift.")
    result = trends.daily_chart(MOOD, [], first, last, TODAY, REPORT, joined=day(3))
    assert result.empty and len(result.rows) == 30


def test_the_first_day_with_lift_is_the_join_date_or_an_earlier_day_filled_in():
    assert trends.first_day_with_lift(day(3), [day(5), None, day(0)]) == day(5)
    assert trends.first_day_with_lift(day(3), [day(2), day(0)]) == day(3)
    assert trends.first_day_with_lift(day(3), [None]) == trends.first_day_with_lift(day(3)) == day(3)
    assert trends.first_day_with_lift(None, [day(5)]) is None


def test_a_day_filled_in_from_before_joining_starts_the_charts_and_the_words_say_so():
    """Joined 3 days ago, then filled in 5 days ago: the charts start on the day filled in, and a
    day between it and the join date is a day without a check-in, as it is counted."""
    result = chart(values({5: 4, 0: 6}), TWO_WEEKS, first_entry=day(5), joined=day(3))
    assert result.x_labels == ("15 May", "Today") and result.dots[0][0] == 0.0
    assert result.summary == "Mood averaged 5.0 this week, your first week with Lift."
    assert trends.charts_text(day(13), TODAY, joined=day(3), first_entry=day(5)) == (
        "The charts start on Fri 15 May, the day of your first entry.")
    assert [row[2] for row in result.rows] == ["6", "No check-in", "No check-in", "No check-in", "No check-in", "4"]
    # The entries drawn start the chart even when the first entry is not passed.
    assert chart(values({5: 4, 0: 6}), TWO_WEEKS, joined=day(3)).x_labels == result.x_labels
    first = day(13)
    filled = [ScaleResult(id=1, instrument="phq9", local_date=day(5), total=12, band="moderate")]
    for results in ([], filled):
        phq9 = trends.scale_chart(scales.PHQ9, results, first, TODAY, TODAY, TWO_WEEKS, joined=day(3),
                                  first_entry=day(5))
        assert phq9.x_labels == result.x_labels
    alone = trends.scale_chart(scales.PHQ9, filled, first, TODAY, TODAY, TWO_WEEKS, joined=day(3))
    assert alone.x_labels == result.x_labels and alone.dots[0][0] == 0.0
    assert trends.start_text(day(500), TODAY, day(3), day(400)) == (
        f"The charts start on {dates.dated(day(400))}, the day of your first entry.")


def session_at(days_ago: int, status: str, hour: int = 14) -> tuple[datetime, str]:
    instant = datetime.combine(day(days_ago), datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)
    return instant, status


def test_a_session_logged_as_given_marks_its_day_on_the_patients_own_date():
    sessions = [
        (datetime(2026, 3, 8, 3, 30, tzinfo=UTC), "done"),  # 22:30 EST on 7 March in New York
        (datetime(2026, 3, 12, 18, 0, tzinfo=UTC), "done"),
        (datetime(2026, 3, 15, 14, 0, tzinfo=UTC), "missed"),
        (datetime(2026, 3, 16, 14, 0, tzinfo=UTC), "rescheduled"),
        (datetime(2026, 3, 17, 14, 0, tzinfo=UTC), "cancelled"),
    ]
    marked = trends.session_days(sessions, "America/New_York", TODAY)
    assert marked == trends.SessionDays(treatment=frozenset({date(2026, 3, 7), date(2026, 3, 12)}))
    assert trends.session_days(sessions[:1], "Europe/London", TODAY).treatment == {date(2026, 3, 8)}


def test_a_past_session_never_logged_is_not_a_treatment_day_but_is_named_as_not_logged_yet():
    sessions = [session_at(9, "done"), session_at(5, "planned"), session_at(2, "planned"),
                session_at(2, "planned", 18)]
    marked = trends.session_days(sessions, "UTC", TODAY)
    assert marked.treatment == {day(9)}
    # One entry per session, as the report's "Sessions not logged yet" counts them.
    assert marked.unlogged == (day(5), day(2), day(2))
    # The same rule as the Treatment page's "Not logged yet".
    assert all(treatment.awaits_log("planned", d, TODAY) for d in marked.unlogged)


def test_a_day_with_a_session_given_is_a_treatment_day_even_beside_one_not_logged():
    marked = trends.session_days([session_at(4, "planned", 9), session_at(4, "done", 15)], "UTC", TODAY)
    assert marked == trends.SessionDays(treatment=frozenset({day(4)}))


def test_a_session_planned_for_today_or_later_stays_a_treatment_day():
    marked = trends.session_days([session_at(0, "planned"), session_at(-3, "planned")], "UTC", TODAY)
    assert marked == trends.SessionDays(treatment=frozenset({TODAY, day(-3)}))


def test_a_coming_session_cancelled_or_moved_away_no_longer_marks_its_day():
    """Only a session still planned marks a day to come: tomorrow's, cancelled, and next week's,
    moved to the week after, leave their old days without a dashed line."""
    sessions = [session_at(-1, "cancelled"), session_at(-7, "rescheduled"), session_at(-14, "planned")]
    assert trends.session_days(sessions, "UTC", TODAY) == trends.SessionDays(treatment=frozenset({day(-14)}))


def test_a_moved_session_counts_on_the_day_it_moved_to_and_a_cancelled_one_nowhere():
    # Moved from 6 days ago to 4 days ago (given), and from 3 days ago to 1 day ago (never logged),
    # and from yesterday to tomorrow; one cancelled outright.
    sessions = [session_at(6, "rescheduled"), session_at(4, "done"), session_at(3, "rescheduled"),
                session_at(1, "planned"), session_at(1, "rescheduled", 9), session_at(-1, "planned"),
                session_at(8, "cancelled")]
    marked = trends.session_days(sessions, "UTC", TODAY)
    assert marked == trends.SessionDays(treatment=frozenset({day(4), day(-1)}), unlogged=(day(1),))


def test_the_words_count_the_sessions_on_a_periods_first_and_last_days():
    first, last = day(40), day(27)  # a past period, as a report's
    for given, unlogged in ((last, first), (first, last)):
        sessions = trends.SessionDays(treatment=frozenset({given}), unlogged=(unlogged,))
        assert trends.treatment_text(sessions, first, last) == (
            "Dashed lines on every chart mark 1 treatment day. 1 session is not logged yet, so its day is not marked.")
        assert trends.treatment_text(sessions, day(39), day(28)) == ""


def test_a_session_not_logged_yet_is_said_above_the_charts_and_beside_its_day_not_drawn():
    marked = [day(2), day(6), day(9), day(11), day(13)]
    result = chart(values({0: 5, 5: 6}), TWO_WEEKS, markers=marked, unlogged=[day(5)])
    first, last = trends.range_bounds(TWO_WEEKS, TODAY, None)
    assert trends.charts_text(first, last, trends.SessionDays(frozenset(marked), (day(5),))) == (
        "Dashed lines on every chart mark 5 treatment days. 1 session is not logged yet, so its day is not marked.")
    assert len(result.markers) == 5 and trends.x_position(8, 14) not in result.markers
    rows = {row[:2]: row[2] for row in result.rows}
    assert rows[(dates.day_text(day(5), TODAY), " (session not logged yet)")] == "6"
    assert rows[(dates.day_text(day(2), TODAY), " (treatment day)")] == "No check-in"
    several = trends.SessionDays(unlogged=(day(3), day(3), day(7), day(40)))
    assert trends.charts_text(first, last, several) == "3 sessions are not logged yet, so their days are not marked."
    assert chart(values({0: 5}), TWO_WEEKS, unlogged=several.unlogged).markers == []
    assert trends.charts_text(first, last, trends.SessionDays(unlogged=(day(40),))) == ""
    phq9 = [ScaleResult(id=1, instrument="phq9", local_date=day(3), total=12, band="moderate")]
    scale = trends.scale_chart(scales.PHQ9, phq9, first, last, TODAY, TWO_WEEKS,
                               trends.SessionDays(unlogged=(day(3),)))
    assert scale.rows[0][:2] == (dates.day_text(day(3), TODAY), " (session not logged yet)") and scale.markers == []


# --- Scale charts ------------------------------------------------------------------------------


def scale_result(total: int, n_ago: int, instrument: str = "phq9", baseline: bool = False) -> ScaleResult:
    chosen = scales.INSTRUMENTS[instrument]
    return ScaleResult(id=10_000 - n_ago, instrument=instrument, local_date=day(n_ago), total=total,
                       band=scales.band_for(chosen, total).key, is_baseline=baseline)


def phq9_chart(results, chosen=THREE_MONTHS):
    first, last = trends.range_bounds(chosen, TODAY, None)
    return trends.scale_chart(scales.PHQ9, results, first, last, TODAY, chosen)


def test_it_shades_each_band_so_a_total_sits_inside_its_own():
    result = phq9_chart([])
    bands = {band.key: band for band in result.bands}
    axis = trends.SCALE_AXES["phq9"]
    assert [b.key for b in result.bands] == ["minimal", "mild", "moderate", "moderately-severe", "severe"]
    assert bands["minimal"].y + bands["minimal"].height == pytest.approx(trends.HEIGHT)
    assert bands["severe"].y == 0.0
    # A total of 5 is drawn inside the mild band, not on its edge.
    assert bands["mild"].y < axis.y(5) < bands["mild"].y + bands["mild"].height
    assert result.y_labels == ("27", "18", "9", "0")


def test_it_summarises_the_latest_total_against_a_baseline_older_than_the_range():
    results = [scale_result(20, 200), scale_result(12, 7), scale_result(9, 0)]
    result = phq9_chart(results, TWO_WEEKS)
    assert len(result.dots) == 2
    assert result.summary == (
        "Your latest PHQ-9 was 9 (mild range) on Wed 20 May: down 11 points (55%) from your "
        "baseline of 20 on Sat 1 Nov 2025.")
    assert [row[2:] for row in result.rows] == [("9", "Mild"), ("12", "Moderate")]


def test_a_results_table_names_its_columns_for_a_screen_reader():
    result = phq9_chart([scale_result(9, 0)], TWO_WEEKS)
    day_header, *value_headers = result.table_headers
    assert day_header == "Day" and dict(zip(value_headers, result.rows[0][2:], strict=True)) == {
        "Total": "9", "Range": "Mild"}


def test_a_past_periods_latest_result_is_never_given_the_fall_of_a_result_after_it():
    """A report on a period that ended before the patient's latest PHQ-9: the change from the
    baseline is that later result's, so it is not written beside the period's own last one."""
    results = [scale_result(20, 100, baseline=True), scale_result(15, 60), scale_result(9, 0)]
    past = trends.scale_chart(scales.PHQ9, results, day(89), day(40), TODAY, REPORT)
    assert past.summary == "Your latest PHQ-9 was 15 (moderately severe range) on Sat 21 Mar 2026."
    # The same result, the patient's latest, is given its fall.
    assert trends.scale_chart(scales.PHQ9, results[:2], day(89), day(40), TODAY, REPORT).summary == (
        "Your latest PHQ-9 was 15 (moderately severe range) on Sat 21 Mar 2026: down 5 points (25%) from "
        "your baseline of 20 on Mon 9 Feb 2026.")


def test_a_latest_result_from_last_year_is_summarised_with_its_year():
    first = day(200)
    result = trends.scale_chart(scales.PHQ9, [scale_result(20, 200), scale_result(12, 150)], first, TODAY,
                                TODAY, ALL)
    assert result.summary.startswith("Your latest PHQ-9 was 12 (moderate range) on Sun 21 Dec 2025: down 8 points")
    assert result.summary.endswith("from your baseline of 20 on Sat 1 Nov 2025.")


def test_the_bands_meet_edge_to_edge_and_a_results_chart_is_never_weekly_or_crowded():
    result = trends.scale_chart(scales.PHQ9, [scale_result(12, n) for n in range(0, 365, 7)], day(364), TODAY,
                                TODAY, ALL)
    upper_first = result.bands[::-1]
    for upper, lower in zip(upper_first, upper_first[1:]):
        assert upper.y + upper.height == pytest.approx(lower.y)
    # At most one result a day: each is a full-size dot, its own row, however long the range.
    assert not result.weekly and not result.crowded and len(result.rows) == 53


def test_it_does_not_join_results_more_than_four_weeks_apart():
    result = phq9_chart([scale_result(15, 80), scale_result(14, 40), scale_result(12, 33)])
    assert [len(run) for run in result.lines] == [1, 2]


def test_results_four_weeks_apart_are_joined_and_a_day_more_is_a_gap():
    # Three weekly questionnaires skipped still make a line; a fourth does not.
    assert [len(run) for run in phq9_chart([scale_result(15, 60), scale_result(12, 32)]).lines] == [2]
    assert [len(run) for run in phq9_chart([scale_result(15, 61), scale_result(12, 32)]).lines] == [1, 1]


def test_a_questionnaire_result_sits_over_its_day_as_a_check_in_of_that_day_does():
    scale = phq9_chart([scale_result(15, 89), scale_result(12, 45), scale_result(9, 0)])
    mood = chart(values({89: 5, 45: 5, 0: 5}))
    assert [x for x, _ in scale.dots] == [x for x, _ in mood.dots] == [0.0, 148.3, trends.WIDTH]


def test_it_ignores_the_other_questionnaire_and_says_when_there_is_none():
    result = phq9_chart([scale_result(9, 3, instrument="gad7")])
    assert result.empty and result.dots == []
    assert result.summary == "No PHQ-9 results in the last 3 months."


# --- Checking in, kindly ---------------------------------------------------------------------

UNKIND = ("broke", "broken", "lost", "missed", "fail", "streak", "only ", "should")


def assert_kind(adherence: trends.Adherence) -> None:
    text = " ".join([adherence.text, adherence.run_text, adherence.encouragement]).lower()
    assert not [word for word in UNKIND if word in text], text


def test_it_counts_days_checked_in_of_the_last_30():
    done = [day(n) for n in (0, 1, 2, 5, 9, 29, 30, 45)]
    adherence = trends.adherence(done, TODAY)
    assert adherence.days == 6
    assert adherence.text == "You checked in on 6 of the last 30 days."
    assert adherence.run_text == "The last 3 of them were in a row, up to today."
    assert_kind(adherence)


def test_it_keeps_a_run_going_until_today_is_over():
    adherence = trends.adherence([day(1), day(2), day(3)], TODAY)
    assert adherence.run == 3 and adherence.run_text.endswith("up to yesterday.")
    assert_kind(adherence)


def test_one_day_on_its_own_is_not_called_a_run():
    adherence = trends.adherence([day(0), day(5)], TODAY)
    assert adherence.run == 1 and adherence.run_text == ""


def test_it_says_nothing_about_a_run_after_a_gap():
    adherence = trends.adherence([day(3), day(4), day(5), day(6)], TODAY)
    assert adherence.run == 0 and adherence.run_text == ""
    assert_kind(adherence)


def test_a_patient_who_joined_today_and_has_not_checked_in_is_not_told_they_did():
    adherence = trends.adherence([], TODAY, joined=TODAY)
    assert adherence.text == "No check-ins yet." and adherence.run_text == ""


@pytest.mark.parametrize("checked_in", [[], [day(0)], [day(n) for n in range(30)]])
def test_what_adherence_says_is_whole_sentences(checked_in):
    adherence = trends.adherence(checked_in, TODAY, joined=day(40))
    for sentence in filter(None, [adherence.text, adherence.run_text, adherence.encouragement]):
        assert re.fullmatch(r"[A-Z][a-z].*\.", sentence), sentence


def test_it_welcomes_someone_back_with_no_check_ins():
    adherence = trends.adherence([], TODAY)
    assert adherence.text == "No check-ins in the last 30 days yet."
    assert "30 seconds" in adherence.encouragement
    assert_kind(adherence)


def test_it_notices_every_day_of_the_last_30():
    adherence = trends.adherence([day(n) for n in range(40)], TODAY)
    assert adherence.days == 30 and adherence.run_text == "That's every day of the last 30."
    assert_kind(adherence)


def test_a_new_patient_is_counted_over_the_days_since_joining_not_the_last_30():
    # Joined 3 days ago, checked in twice: not "2 of the last 30 days".
    adherence = trends.adherence([day(0), day(1)], TODAY, joined=day(3))
    assert adherence.text == "You checked in on 2 of your first 4 days."
    assert adherence.run_text == "The last 2 of them were in a row, up to today."
    assert_kind(adherence)


def test_a_new_patient_checked_in_every_day_hears_so():
    adherence = trends.adherence([day(0), day(1), day(2)], TODAY, joined=day(2))
    assert adherence.text == "You checked in on 3 of your first 3 days."
    assert adherence.run_text == "That's every day so far."
    assert trends.adherence([day(0)], TODAY, joined=TODAY).text == "You checked in on your first day."


def test_a_day_filled_in_from_before_joining_counts_within_the_days_shown():
    adherence = trends.adherence([day(5), day(0)], TODAY, joined=day(1))
    assert adherence.text == "You checked in on 2 of your first 6 days."


def test_a_patient_is_counted_over_their_own_days_until_they_have_had_30():
    # On their 29th day: all 29 of their days; on their 31st, the last 30 like anyone else.
    assert trends.adherence([day(0)], TODAY, joined=day(28)).text == "You checked in on 1 of your first 29 days."
    every_day = trends.adherence([day(n) for n in range(31)], TODAY, joined=day(30))
    assert every_day.text == "You checked in on 30 of the last 30 days."
    assert every_day.run_text == "That's every day of the last 30."


def test_a_patient_who_joined_over_30_days_ago_keeps_the_last_30():
    adherence = trends.adherence([day(0)], TODAY, joined=day(60))
    assert adherence.text == "You checked in on 1 of the last 30 days."


def test_an_unasked_range_is_the_shortest_that_shows_the_whole_journal():
    """Two weeks for a journal younger than that, "All time" (its own days) for one younger than
    three months, so its days are not squeezed to the right of a mostly grey chart; else three months."""
    today = date(2026, 11, 29)
    assert trends.patient_range(None, None, today).key == "14d"
    assert trends.patient_range(None, today - timedelta(days=13), today).key == "14d"
    assert trends.patient_range("", today - timedelta(days=14), today).key == "all"
    assert trends.patient_range(None, today - timedelta(days=40), today).key == "all"
    assert trends.patient_range(None, today - timedelta(days=88), today).key == "all"
    # Exactly three months: the same days either way, named as three months.
    assert trends.patient_range(None, today - timedelta(days=89), today).key == "90d"
    assert trends.patient_range(None, today - timedelta(days=90), today).key == "90d"
    assert trends.patient_range("forever", today - timedelta(days=400), today).key == "90d"


def test_an_asked_for_range_is_kept_however_young_the_journal():
    today = date(2026, 11, 29)
    assert trends.patient_range("90d", today, today).key == "90d"
    assert trends.patient_range("all", None, today).key == "all"


def test_a_range_that_ended_before_today_speaks_only_of_its_own_days():
    """A report on a past period: 'this week' would be days it does not show (nor read), so it
    would say there were no check-ins beside a range full of them."""
    history = values({30: 3, 25: 4, 22: 5, 21: 6})
    first, last = day(34), day(21)
    past = trends.daily_chart(MOOD, history, first, last, TODAY, trends.TrendRange("report", "Report", "this period",
                                                                                  14))
    assert past.summary == "Across this period it averaged 4.5 over 4 check-in days."
    # Ending yesterday, with every check-in in the last 7 days, still gives the period's average.
    recent = trends.daily_chart(MOOD, values({3: 4, 1: 6}), day(13), day(1), TODAY,
                                trends.TrendRange("report", "Report", "this period", 13))
    assert recent.summary == "Across this period it averaged 5.0 over 2 check-in days."
    empty = trends.daily_chart(MOOD, history, day(60), day(40), TODAY,
                               trends.TrendRange("report", "Report", "this period", 21))
    assert empty.summary == "No mood check-ins in this period."


# --- Axis ends and paper: a day from another year is never written without its year ------------

REPORT = trends.TrendRange("report", "Report", "this period", 30, on_paper=True)


def test_an_axis_end_in_another_year_or_across_a_new_year_carries_its_year():
    """They read "23 Dec" and "Today" on 5 January, and "1 Oct" to "30 Oct" for a period of the
    year before, as if it were this year's."""
    new_year = date(2027, 1, 5)
    across = trends.daily_chart(MOOD, [], new_year - timedelta(days=13), new_year, new_year, TWO_WEEKS)
    assert across.x_labels == ("23 Dec 2026", "Today")
    last_year = trends.scale_chart(scales.PHQ9, [], date(2026, 10, 1), date(2026, 10, 30), new_year,
                                   THREE_MONTHS)
    assert last_year.x_labels == ("1 Oct 2026", "30 Oct 2026")
    # In the current year an axis end stays short, as a phone needs; a long range names its months.
    assert chart([], TWO_WEEKS).x_labels == ("7 May", "Today")
    long_range = trends.daily_chart(MOOD, [], date(2025, 11, 1), new_year, new_year, ALL)
    assert long_range.x_labels == ("Nov 2025", "Today")


def test_on_paper_an_axis_ends_on_a_dated_day_not_today():
    """A report printed today and read next week said "Today" under its last day."""
    first = TODAY - timedelta(days=29)
    daily = trends.daily_chart(MOOD, values({0: 5}), first, TODAY, TODAY, REPORT)
    assert daily.x_labels == ("21 Apr 2026", "20 May 2026")
    scale = trends.scale_chart(scales.PHQ9, [], first, TODAY, TODAY, REPORT)
    assert scale.x_labels == ("21 Apr 2026", "20 May 2026")
    assert chart([]).x_labels[-1] == "Today"  # on screen, Trends keeps it


def test_on_paper_a_charts_week_is_named_by_its_days_not_this_week():
    """A report ending today said "this week" and "the week before": wrong once read later."""
    first = TODAY - timedelta(days=29)
    week = "in the 7 days to Wed 20 May 2026"

    def summary(history, joined=None):
        return trends.daily_chart(MOOD, history, first, TODAY, TODAY, REPORT, joined=joined).summary

    assert summary(values({0: 5, 2: 6, 9: 3})).startswith(
        f"Mood averaged 5.5 {week}, up from 3.0 the 7 days before. Across this period it averaged")
    assert summary(values({0: 6, 9: 6})).startswith(
        f"Mood was 6 on your one check-in {week}, the same as the 7 days before.")
    assert summary(values({0: 6})).startswith(
        f"Mood was 6 on your one check-in {week}, with no check-ins the 7 days before to compare.")
    assert summary(values({9: 3})).startswith(f"No check-ins {week}. Mood averaged 3.0 the 7 days before.")
    assert summary(values({20: 3})).startswith("No mood check-ins in the 14 days to Wed 20 May 2026.")
    assert summary(values({0: 5, 1: 5}), joined=day(2)).startswith(
        f"Mood averaged 5.0 {week}, your first week with Lift.")
    for history in (values({0: 5, 2: 6, 9: 3}), values({9: 3}), values({20: 3}), []):
        assert "week" not in summary(history)
    # On screen, Trends keeps its words.
    assert chart(values({0: 5, 2: 6, 9: 3})).summary.startswith(
        "Mood averaged 5.5 this week, up from 3.0 the week before.")


def test_on_paper_a_charts_sentences_give_every_day_its_year_the_reports_own_included():
    """A report's PHQ-9 sentence said "on Wed 20 May: down 11 points … from the baseline of 20 on
    Sat 1 Nov 2025", and its shade "before you joined on Sun 17 May": a day of the report's own
    year lost its year, which everything on paper carries."""
    first = TODAY - timedelta(days=29)
    results = [scale_result(20, 200), scale_result(12, 7), scale_result(9, 0)]
    phq9 = trends.scale_chart(scales.PHQ9, results, first, TODAY, TODAY, REPORT)
    assert phq9.summary == ("Your latest PHQ-9 was 9 (mild range) on Wed 20 May 2026: down 11 points (55%) from "
                            "your baseline of 20 on Sat 1 Nov 2025.")
    assert trends.charts_text(first, TODAY, joined=day(3), on_paper=True) == (
        "The charts start on Sun 17 May 2026, the day you joined Lift.")
    assert trends.charts_text(first, TODAY, joined=day(3), first_entry=day(5), on_paper=True) == (
        "The charts start on Fri 15 May 2026, the day of your first entry.")
    # On screen a day of the current year stays short.
    assert phq9_chart(results).summary.startswith("Your latest PHQ-9 was 9 (mild range) on Wed 20 May:")
