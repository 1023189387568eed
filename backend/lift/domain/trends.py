"""Trend series, summaries and chart geometry, as pure functions of dates and values.

Charts are drawn on the server as SVG. Everything here is plain numbers and words: the
templates only place them. Missing days stay missing — the daily line is never drawn across a
day with no check-in, because an invented value would look exactly like a real one. Averages and
questionnaire results are joined across the days between them (`lines_text` says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache

import msgspec
from zoneinfo import ZoneInfo

from lift.domain import scales, treatment
from lift.domain.dates import chart_day, dated, day_month, day_text, month_year, period_text

# The SVG's user space. The chart is stretched to its box (preserveAspectRatio="none"), so
# strokes use vector-effect: non-scaling-stroke and the labels live in HTML around it.
WIDTH = 300.0
HEIGHT = 120.0

AVERAGE_DAYS = 7
# A 7-day average needs at least 3 check-ins in its window: one or two scattered days are
# shown as themselves, not as a trend.
AVERAGE_MIN_DAYS = 3
ADHERENCE_DAYS = 30
# Beyond this many days, daily points are closer together than a phone has pixels: the chart
# and its table show weekly averages instead (a week with no check-ins is still a gap).
WEEKLY_AFTER_DAYS = 92
# Beyond this many days the dots of a daily chart touch on a phone, so they are drawn smaller.
CROWDED_AFTER_DAYS = 31
# Scale results are weekly; two results further apart than this are not joined by a line.
SCALE_JOIN_DAYS = 28


class TrendRange(msgspec.Struct, frozen=True):
    key: str
    label: str
    phrase: str
    days: int | None  # None: from the first entry until today
    # The printed report: read later, so no "Today" on an axis and no "this week" in a sentence.
    on_paper: bool = False


RANGES = {
    "14d": TrendRange("14d", "2 weeks", "the last 2 weeks", 14),
    "90d": TrendRange("90d", "3 months", "the last 3 months", 90),
    "all": TrendRange("all", "All time", "all your entries", None),
}
DEFAULT_RANGE = "90d"


def trend_range(key: str | None) -> TrendRange:
    """The asked-for range, or the default for anything else: a bad link still shows a chart."""
    return RANGES.get(key or "", RANGES[DEFAULT_RANGE])


def patient_range(key: str | None, first_entry: date | None, today: date) -> TrendRange:
    """The asked-for range; unasked, the shortest offered range that shows the whole journal, so a
    young journal is not squeezed into the right-hand edge of a chart mostly before it began:
    2 weeks for a journal no older than that, "All time" (the journal's own days) for one younger
    than three months, else three months (a journal of exactly three months keeps its name)."""
    if key in RANGES:
        return RANGES[key]
    if first_entry is None or first_entry >= range_bounds(RANGES["14d"], today, None)[0]:
        return RANGES["14d"]
    if first_entry > range_bounds(RANGES[DEFAULT_RANGE], today, None)[0]:
        return RANGES["all"]
    return RANGES[DEFAULT_RANGE]


def range_bounds(chosen: TrendRange, today: date, first_entry: date | None) -> tuple[date, date]:
    """First and last local date shown. "All time" is never shorter than two weeks."""
    if chosen.days is not None:
        return today - timedelta(days=chosen.days - 1), today
    shortest = today - timedelta(days=13)
    return (min(first_entry, shortest) if first_entry else shortest), today


def days_between(first: date, last: date) -> list[date]:
    """Every local calendar date from first to last: a daylight-saving day is still one day."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def rolling_average(values: Sequence[float | None], window: int = AVERAGE_DAYS,
                    min_days: int = AVERAGE_MIN_DAYS) -> list[float | None]:
    """For each day, the mean of the check-ins in the `window` days ending that day.

    `values` has one entry per consecutive day, None for a day with no check-in. Missing
    days are left out of the mean, never filled in; a window with fewer than `min_days`
    check-ins has no average.
    """
    averages: list[float | None] = []
    total, count = 0.0, 0
    for index, value in enumerate(values):
        if value is not None:
            total, count = total + value, count + 1
        if index >= window and (leaving := values[index - window]) is not None:
            total, count = total - leaving, count - 1
        averages.append(total / count if count >= min_days else None)
    return averages


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


# --- Geometry ------------------------------------------------------------------------------

Point = tuple[float, float]


class Axis(msgspec.Struct, frozen=True):
    low: float
    high: float
    ticks: tuple[float, ...]  # evenly spaced, low to high

    def y(self, value: float) -> float:
        return round(HEIGHT - (value - self.low) / (self.high - self.low) * HEIGHT, 1)


def x_position(index: int, count: int) -> float:
    return round(WIDTH / 2 if count <= 1 else index / (count - 1) * WIDTH, 1)


class Frame(msgspec.Struct, frozen=True):
    """The days of a range with their x positions and table labels, shared by every chart. A label
    has the year only when it is not the last day's, which the table's caption gives."""
    days: tuple[date, ...]
    xs: tuple[float, ...]
    labels: tuple[str, ...]


@lru_cache(maxsize=32)
def frame(first: date, last: date) -> Frame:
    days = tuple(days_between(first, last))
    count = len(days)
    return Frame(days, tuple(x_position(i, count) for i in range(count)), tuple(day_text(d, last) for d in days))


def segments(points: Sequence[Point | None]) -> list[list[Point]]:
    """Runs of consecutive points; a None (a missing day) ends a run."""
    runs: list[list[Point]] = []
    current: list[Point] = []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return runs


class BandArea(msgspec.Struct, frozen=True):
    key: str
    label: str
    range_text: str
    y: float
    height: float


# One table row: its heading (a day, or a week's last day) with the note after it ("" or
# " (treatment day)"), and two cells. Apart, so that the day never breaks across lines and the
# note may. A plain tuple, because a long range has hundreds of rows and tuples unpack fastest.
TableRow = tuple[str, str, str, str]


class Chart(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    title: str
    hint: str
    summary: str
    empty: bool
    # The range ended before today (a report on a past period): nothing can be added to it, so an
    # empty chart does not invite a check-in.
    ended: bool
    weekly: bool
    crowded: bool
    y_labels: tuple[str, ...]  # top to bottom
    gridlines: tuple[float, ...]
    x_labels: tuple[str, ...]
    lines: list[list[Point]]
    averages: list[list[Point]]
    dots: list[Point]
    bands: list[BandArea]
    markers: list[float]
    table_caption: str
    table_headers: tuple[str, ...]
    rows: list[TableRow]

    @property
    def legend(self) -> tuple[str, ...]:
        """The legend's entries, each only when the chart draws what it names: "total" (a scale's
        dots), "bands", "daily" (its line), "daily_dot" (the days' dots, where no two days
        in a row make a line), "average" (7-day) or "average_dot" (where it has no two points in
        a row), "weekly" (average) or "weekly_dot" likewise, and "marker". A chart of a patient's
        first day has its one check-in, a dot with no line, and no 7-day average (it needs 3
        days); on their third day in a row the average is one point, drawn as a small dot; an
        empty one has no points."""
        daily_line = any(len(run) > 1 for run in self.lines)
        average_line = any(len(run) > 1 for run in self.averages)
        average_dot = bool(self.averages and not average_line)
        drawn = {
            "total": bool(self.bands and self.dots), "bands": bool(self.bands),
            "daily": bool(not self.bands and daily_line),
            "daily_dot": bool(not self.bands and self.dots and not daily_line),
            "average": not self.weekly and average_line, "average_dot": not self.weekly and average_dot,
            "weekly": self.weekly and average_line, "weekly_dot": self.weekly and average_dot,
            "marker": bool(self.markers),
        }
        return tuple(entry for entry, shown in drawn.items() if shown)


def _tick_text(value: float) -> str:
    return f"{value:g}"


def _x_labels(first: date, last: date, today: date, on_paper: bool = False) -> tuple[str, ...]:
    """The axis's two ends, short for a phone: "8 Oct" in the current year, "8 Oct 2025" when
    either end is in another year or the range crosses a year (so both ends carry theirs), and
    on paper always; "Oct 2025" on a long range. "Today" only on screen: paper is read later.
    A chart of one day (a patient's first) has one label, under its one day in the middle."""
    long_span = (last - first).days >= WEEKLY_AFTER_DAYS
    with_year = on_paper or first.year != last.year or last.year != today.year
    def label(day: date) -> str:
        if day == today and not on_paper:
            return "Today"
        if long_span:
            return month_year(day)
        return f"{day_month(day)} {day.year}" if with_year else day_month(day)
    return (label(first),) if first == last else (label(first), label(last))


# The days a chart marks as treatment days agree with the session log: a session logged as given
# marks its day, and so does one still planned for today or later (a moved session is a new one
# on its new day). One still planned after its day was had or missed, and only a log would say
# which: the Treatment page, the report and the clinician's views call it "not logged yet", so
# it is not marked, and the words above the charts and the tables say so. Missed, moved and
# cancelled ones are not.
class SessionDays(msgspec.Struct, frozen=True):
    treatment: frozenset[date] = frozenset()
    # One day per session not logged yet (two on one day count as two, as the report does),
    # none of them a treatment day.
    unlogged: tuple[date, ...] = ()


NO_SESSIONS = SessionDays()


def session_days(sessions: Iterable[tuple[datetime, str]], timezone: str, today: date) -> SessionDays:
    """From (start instant, status) pairs, the patient's local treatment days and the local days
    of the sessions not logged yet, as of the patient's `today`."""
    zone = ZoneInfo(timezone)
    local = [(start.astimezone(zone).date(), status) for start, status in sessions]
    marked = frozenset(day for day, status in local
                       if status == "done" or (status == "planned" and day >= today))
    unlogged = tuple(sorted(day for day, status in local
                            if treatment.awaits_log(status, day, today) and day not in marked))
    return SessionDays(treatment=marked, unlogged=unlogged)


def _markers(days: Iterable[date], first: date, last: date) -> list[float]:
    count = (last - first).days + 1
    return sorted({x_position((day - first).days, count) for day in days if first <= day <= last})


# The dashed markers are drawn only in the picture, so their days are said in words too: once
# above the charts (`charts_text`: every chart marks the same days), and beside each day in each
# table. A session not logged yet is said there too, so a day the session log knows of is never
# left out without a word.
TREATMENT_DAY_NOTE = " (treatment day)"
NOT_LOGGED_NOTE = " (session not logged yet)"


def treatment_text(sessions: SessionDays, first: date, last: date) -> str:
    count = len({day for day in sessions.treatment if first <= day <= last})
    unlogged = sum(1 for day in sessions.unlogged if first <= day <= last)
    parts = []
    if count:
        parts.append(f"Dashed lines on every chart mark {count} treatment day{'s' if count != 1 else ''}.")
    if unlogged == 1:
        parts.append("1 session is not logged yet, so its day is not marked.")
    elif unlogged:
        parts.append(f"{unlogged} sessions are not logged yet, so their days are not marked.")
    return " ".join(parts)


def first_day_with_lift(joined: date | None, entries: Iterable[date | None] = ()) -> date | None:
    """The patient's first day with Lift: the day they joined, or an earlier day they filled in
    (a check-in can be filled in up to a week back, days before the account included). Every
    count "of their first N days" and every chart starts here. None when the join date is
    unknown."""
    if joined is None:
        return None
    return min([joined, *(day for day in entries if day is not None)])


# A new patient's range starts before their account did. Drawn, those days read as missed
# check-ins; shaded, a patient's first day was a two-week chart of 13 grey days beside one dot at
# its edge. So a chart starts on the patient's first day with Lift when the range starts earlier:
# nothing before it is drawn, listed or counted, and the line above the charts says where they
# start, and why.
def chart_first(first: date, last: date, start: date | None) -> date:
    """The first day a chart draws: the range's `first`, or `start` (first_day_with_lift) when that
    falls later in the range. A range that ended before `start` keeps its days: it has nothing to
    draw, and each chart says so."""
    return start if start is not None and first < start <= last else first


def start_text(first: date, last: date, joined: date | None, start: date | None,
               on_paper: bool = False) -> str:
    """Why the charts start later than the range asked for (or hold nothing): the days before
    `start`, the first day with Lift, were before the patient started, not missed. `start` is the
    join date, or their first entry when they filled in a day from before that."""
    if joined is None or start is None or start <= first:
        return ""
    when = chart_day(start, last, on_paper)
    what = "the day of your first entry" if start < joined else "the day you joined Lift"
    if start > last:
        return f"This period ended before {when}, {what}."
    return f"The charts start on {when}, {what}."


def charts_text(first: date, last: date, sessions: SessionDays = NO_SESSIONS, joined: date | None = None,
                first_entry: date | None = None, on_paper: bool = False) -> str:
    """What every chart of a page has in common, said once above them instead of in each chart's
    summary: where they start, when the range began before the patient did, and the treatment
    days the dashed lines mark (with the sessions not logged yet, which they do not). `first_entry`
    is the patient's earliest check-in or result, so this start is every chart's."""
    start = first_day_with_lift(joined, [first_entry])
    return " ".join(filter(None, [start_text(first, last, joined, start, on_paper),
                                  treatment_text(sessions, chart_first(first, last, start), last)]))


def _row_note(day: date, sessions: SessionDays) -> str:
    if day in sessions.treatment:
        return TREATMENT_DAY_NOTE
    return NOT_LOGGED_NOTE if day in sessions.unlogged else ""


def _table_caption(title: str, chosen: TrendRange, first: date, last: date) -> str:
    """"Mood, the last 2 weeks (17 to 30 Nov 2026)": the period's year said once, for its rows."""
    return f"{title}, {chosen.phrase} ({period_text(first, last)})"


# --- Daily charts: mood, anxiety, sleep ----------------------------------------------------


class Metric(msgspec.Struct, frozen=True):
    key: str
    title: str
    hint: str
    unit: str  # after a number in sentences, e.g. " hours"
    field: str  # the DayValues attribute


MOOD = Metric("mood", "Mood", "0 is the lowest, 10 is the best", "", "mood")
ANXIETY = Metric("anxiety", "Anxiety", "0 is none, 10 the most", "", "anxiety")
SLEEP = Metric("sleep", "Sleep", "hours a night", " hours", "sleep_hours")
METRICS = (MOOD, ANXIETY, SLEEP)

SCORE_AXIS = Axis(0, 10, (0, 5, 10))
SLEEP_AXIS = Axis(0, 12, (0, 6, 12))
LONG_SLEEP_AXIS = Axis(0, 24, (0, 12, 24))


class DayValues(msgspec.Struct, frozen=True):
    local_date: date
    mood: int
    anxiety: int
    sleep_hours: float


def number(value: float) -> str:
    """Whole numbers without a decimal point, everything else to one decimal place."""
    rounded = round(value, 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def average_text(value: float) -> str:
    return f"{value:.1f}"


def week_before(today: date) -> list[date]:
    return days_between(today - timedelta(days=13), today - timedelta(days=7))


def in_first_week(by_day: dict[date, float], today: date, joined: date | None) -> bool:
    """Joined within the last 7 local days, with nothing filled in for the 7 before them: there
    was no week before to compare with."""
    return (joined is not None and joined > today - timedelta(days=AVERAGE_DAYS)
            and not any(day in by_day for day in week_before(today)))


def week_summary(metric: Metric, by_day: dict[date, float], today: date, joined: date | None = None,
                 on_paper: bool = False) -> str:
    """"Mood averaged 4.2 this week, up from 3.1 the week before." — the last 7 local days
    against the 7 before them. In a patient's first week there was no week before: it is not
    spoken of as one without check-ins. On paper, read later, the week is named by its last day:
    "Mood averaged 4.2 in the 7 days to Wed 20 May 2026, up from 3.1 the 7 days before." """
    this_week = [by_day[d] for d in days_between(today - timedelta(days=6), today) if d in by_day]
    last_week = [by_day[d] for d in week_before(today) if d in by_day]
    unit = metric.unit
    first_week = in_first_week(by_day, today, joined)
    if on_paper:
        week, week_before_it = f"in the 7 days to {dated(today)}", "the 7 days before"
        two_weeks, none_this_week = f"in the 14 days to {dated(today)}", f"No check-ins {week}."
    else:
        week, week_before_it = "this week", "the week before"
        two_weeks, none_this_week = "in the last two weeks yet", "No check-ins yet this week."
    if not this_week and not last_week:
        if first_week:
            return f"No {metric.title.lower()} check-ins since you joined."
        return f"No {metric.title.lower()} check-ins {two_weeks}."
    before = average_text(mean(last_week)) if last_week else None
    if not this_week:
        return f"{none_this_week} {metric.title} averaged {before}{unit} {week_before_it}."
    if len(this_week) == 1:
        now = number(this_week[0])
        opening = f"{metric.title} was {now}{unit} on your one check-in {week}"
    else:
        now = average_text(mean(this_week))
        opening = f"{metric.title} averaged {now}{unit} {week}"
    if first_week:
        return f"{opening}, your first week with Lift."
    if before is None:
        return f"{opening}, with no check-ins {week_before_it} to compare."
    if float(now) == float(before):
        return f"{opening}, the same as {week_before_it}."
    direction = "up" if float(now) > float(before) else "down"
    return f"{opening}, {direction} from {before}{unit} {week_before_it}."


def range_summary(metric: Metric, by_day: dict[date, float], first: date, last: date, today: date,
                  chosen: TrendRange) -> str:
    """"Across the last 3 months it averaged …". Left out when every check-in shown is from the
    last 7 days (a first week, or a return after a gap): it would repeat the week's sentence. A
    range that ended before today has no week's sentence, so it always has this one."""
    shown = {day: value for day, value in by_day.items() if first <= day <= last}
    if not shown and last < today:
        return f"No {metric.title.lower()} check-ins in {chosen.phrase}."
    if last >= today and all(day > today - timedelta(days=AVERAGE_DAYS) for day in shown):
        return ""
    values = list(shown.values())
    days = len(values)
    return (f"Across {chosen.phrase} it averaged {average_text(mean(values))}{metric.unit} "
            f"over {days} check-in day{'s' if days != 1 else ''}.")


def daily_chart(metric: Metric, history: Sequence[DayValues], first: date, last: date, today: date,
                chosen: TrendRange, sessions: SessionDays = NO_SESSIONS, joined: date | None = None,
                first_entry: date | None = None) -> Chart:
    """One daily chart. `history` may start before `first`: those days feed the 7-day
    average of the first days shown, so the line does not start late. It starts no earlier than
    the patient's first day with Lift (`joined`, or `first_entry` if earlier): see chart_first."""
    by_day = {d.local_date: getattr(d, metric.field) for d in history}
    first = chart_first(first, last, first_day_with_lift(joined, [first_entry, *by_day]))
    shown_frame = frame(first, last)
    days, xs = shown_frame.days, shown_frame.xs
    values = [by_day.get(day) for day in days]
    shown = [v for v in values if v is not None]
    weekly = len(days) > WEEKLY_AFTER_DAYS
    lead = days_between(first - timedelta(days=AVERAGE_DAYS - 1), first - timedelta(days=1))
    averages = [] if weekly else rolling_average([by_day.get(day) for day in lead] + values)[len(lead):]
    # The 7-day average also reads the six days before the range, so it can rise above every
    # value shown: the axis must hold both.
    drawn = shown + [a for a in averages if a is not None]
    axis = LONG_SLEEP_AXIS if metric is SLEEP and drawn and max(drawn) > SLEEP_AXIS.high else (
        SLEEP_AXIS if metric is SLEEP else SCORE_AXIS)
    # A range that ended before today (a report on a past period) has no "this week": the days
    # that sentence speaks of are not in it, nor read, so it would say there were no check-ins.
    # Only what is this chart's own: where the charts start and the treatment days are the same on
    # every chart, and said once above them (charts_text).
    summary = " ".join(filter(None, [week_summary(metric, by_day, today, joined, chosen.on_paper)
                                     if last >= today else "",
                                     range_summary(metric, by_day, first, last, today, chosen)]))
    common = dict(
        key=metric.key, title=metric.title, hint=metric.hint, summary=summary, empty=not shown,
        ended=last < today,
        y_labels=tuple(_tick_text(t) for t in reversed(axis.ticks)),
        gridlines=tuple(axis.y(t) for t in axis.ticks), x_labels=_x_labels(first, last, today, chosen.on_paper),
        bands=[], markers=_markers(sessions.treatment, first, last),
        table_caption=_table_caption(metric.title, chosen, first, last),
    )
    if weekly:
        weeks = weekly_averages(values)
        week_points = [None if average is None else (xs[end - 1], axis.y(average))
                       for end, average, _, _ in weeks]
        return Chart(**common, weekly=True, crowded=False, lines=[], dots=[], averages=segments(week_points),
                     table_headers=("Week ending", f"Average{metric.unit}", "Days checked in"),
                     rows=[(day_text(days[end - 1], last), "",
                            "No check-ins" if average is None else average_text(average),
                            f"{present} of {length}")
                           for end, average, present, length in reversed(weeks)])
    y_of = {v: axis.y(v) for v in set(shown)}  # check-in values repeat: place each once
    points = [None if v is None else (x, y_of[v]) for x, v in zip(xs, values)]
    average_points = [None if a is None else (x, axis.y(a)) for x, a in zip(xs, averages)]
    return Chart(
        **common, weekly=False, crowded=len(days) > CROWDED_AFTER_DAYS, lines=segments(points),
        averages=segments(average_points),
        dots=[p for p in points if p is not None],
        table_headers=("Day", metric.title + (metric.unit and f" ({metric.unit.strip()})"), "7-day average"),
        rows=[(label, _row_note(day, sessions), number(value) if value is not None else "No check-in",
               "—" if average is None else average_text(average))
              for day, label, value, average in zip(reversed(days), reversed(shown_frame.labels),
                                                    reversed(values), reversed(averages))],
    )


def lines_text(weekly: bool) -> str:
    """What the lines join, said once above the charts. Only a daily line leaves a gap at a day
    without a check-in: a 7-day average is drawn wherever its window holds 3 check-ins, and a
    questionnaire's results are joined across a skipped week (up to `SCALE_JOIN_DAYS`), so a
    promise that no line ever crosses a missing day would be untrue of them. "Can" because
    results further apart, and a week with no check-in at all, are still left as gaps."""
    if weekly:
        return ("Each weekly average is of the days checked in, and a week without a check-in is left "
                "as a gap. The questionnaire lines join the results they have, so they can run across a "
                "week without a questionnaire.")
    return ("The daily line leaves a gap on each day without a check-in. The 7-day average and the "
            "questionnaire lines join the points they have, so they can run across a day without a "
            "check-in or a week without a questionnaire.")


def weekly_averages(values: Sequence[float | None]) -> list[tuple[int, float | None, int, int]]:
    """Seven-day blocks ending on the last day, oldest first: (end index, average of the
    check-ins in the block or None, check-ins, days in the block). The oldest block may be
    short."""
    weeks = []
    for end in range(len(values), 0, -AVERAGE_DAYS):
        block = values[max(0, end - AVERAGE_DAYS):end]
        present = [v for v in block if v is not None]
        weeks.append((end, mean(present), len(present), len(block)))
    return weeks[::-1]


# --- Scale charts: PHQ-9 and GAD-7 totals with band shading --------------------------------

SCALE_AXES = {"phq9": Axis(0, 27, (0, 9, 18, 27)), "gad7": Axis(0, 21, (0, 7, 14, 21))}


def scale_chart(instrument: scales.Instrument, results: Sequence[scales.ScaleResult], first: date,
                last: date, today: date, chosen: TrendRange, sessions: SessionDays = NO_SESSIONS,
                joined: date | None = None, first_entry: date | None = None) -> Chart:
    """Totals over the range on the instrument's bands. `results` is every result of the
    patient's (the baseline may be older than the range); only those in range are drawn. It
    starts no earlier than the first day with Lift, as the daily charts do."""
    axis = SCALE_AXES[instrument.key]
    own = scales.in_order([r for r in results if r.instrument == instrument.key])
    first = chart_first(first, last, first_day_with_lift(joined, [first_entry, *(r.local_date for r in own)]))
    latest_per_day = {r.local_date: r for r in own}
    shown = [r for day, r in sorted(latest_per_day.items()) if first <= day <= last]
    count = (last - first).days + 1
    points: list[Point | None] = []
    for index, result in enumerate(shown):
        if index and (result.local_date - shown[index - 1].local_date).days > SCALE_JOIN_DAYS:
            points.append(None)
        points.append((x_position((result.local_date - first).days, count), axis.y(result.total)))
    bands = []
    for band in instrument.bands:
        top = axis.y(min(band.high + 0.5, axis.high))
        bottom = axis.y(max(band.low - 0.5, axis.low))
        bands.append(BandArea(band.key, band.label, band.range_text, top, round(bottom - top, 1)))
    return Chart(
        key=instrument.key, title=f"{instrument.name} total", hint=f"0 to {instrument.max_total}, "
        f"lower means fewer {instrument.measures} symptoms",
        summary=scale_summary(instrument, own, shown, chosen, last),
        empty=not shown, ended=last < today, weekly=False, crowded=False,
        y_labels=tuple(_tick_text(t) for t in reversed(axis.ticks)),
        gridlines=tuple(axis.y(t) for t in axis.ticks), x_labels=_x_labels(first, last, today, chosen.on_paper),
        lines=segments(points), averages=[], dots=[p for p in points if p is not None], bands=bands,
        markers=_markers(sessions.treatment, first, last),
        table_caption=_table_caption(f"{instrument.name} results", chosen, first, last),
        table_headers=("Day", "Total", "Range"),
        rows=[(day_text(r.local_date, last), _row_note(r.local_date, sessions), str(r.total),
               scales.band_by_key(instrument, r.band).label)
              for r in reversed(shown)],
    )


def scale_summary(instrument: scales.Instrument, own: Sequence[scales.ScaleResult],
                  shown: Sequence[scales.ScaleResult], chosen: TrendRange, last: date) -> str:
    """Days are written by `dates.chart_day`: on screen in the year of the range's `last` day (with
    their year when it is another), on paper always with it."""
    if not shown:
        return f"No {instrument.name} results in {chosen.phrase}."
    latest = shown[-1]
    band = scales.band_by_key(instrument, latest.band).label.lower()
    text = (f"Your latest {instrument.name} was {latest.total} ({band} range) on "
            f"{chart_day(latest.local_date, last, chosen.on_paper)}")
    progress = scales.progress(list(own), instrument)
    if progress.change is not None and progress.latest == latest:
        baseline = progress.baseline
        return (f"{text}: {scales.change_text(progress.change, progress.change_percent)} from your "
                f"baseline of {baseline.total} on {chart_day(baseline.local_date, last, chosen.on_paper)}.")
    return f"{text}."


# --- Checking in: kind adherence ------------------------------------------------------------


class Adherence(msgspec.Struct, frozen=True):
    days: int
    window: int
    run: int
    text: str
    run_text: str
    encouragement: str


def adherence(checked_in: Iterable[date], today: date, window: int = ADHERENCE_DAYS,
              joined: date | None = None) -> Adherence:
    """Days checked in of the last `window`, and a run of days when there is one.

    Worded so that a missed day never reads as a failure: there is no "streak lost" message,
    only what was done. A patient newer than the window is counted over the days they have
    had since joining (or since their earliest filled-in day): "2 of the last 30" would read
    as 28 missed days to someone who joined 3 days ago.
    """
    window_days = set(days_between(today - timedelta(days=window - 1), today))
    done = set(checked_in) & window_days
    first_day = first_day_with_lift(joined, done)
    new = first_day is not None and first_day > today - timedelta(days=window - 1)
    if new:
        window = (today - first_day).days + 1
    run_end = today if today in done else today - timedelta(days=1)
    run = 0
    while run_end - timedelta(days=run) in done:
        run += 1
    of_days = ("your first day" if window == 1 else f"your first {window} days") if new \
        else f"the last {window} days"
    if done and of_days == "your first day":
        text = "You checked in on your first day."
    elif done:
        text = f"You checked in on {len(done)} of {of_days}."
    else:
        text = "No check-ins yet." if new else f"No check-ins in {of_days} yet."
    if run >= window:
        run_text = "That's every day so far." if new else f"That's every day of the last {window}."
    elif run >= 2:
        until = "today" if run_end == today else "yesterday"
        run_text = f"The last {run} of them were in a row, up to {until}."
    else:
        run_text = ""
    encouragement = (
        "Whenever you're ready, a check-in takes about 30 seconds." if not done else
        "Every check-in adds to the picture, and a day without one takes nothing away."
    )
    return Adherence(len(done), window, run, text, run_text, encouragement)
