"""How Lift writes a day for a person to read. One rule, in English whatever the server's locale
(strftime's %a and %b follow the locale, and cost microseconds a call where a chart labels
hundreds of days):

- On screen, `day_text(day, today)`: "Wed 20 May" for a day in the current year of the person the
  page is about (`today` is their local date), "Wed 20 May 2025" for a day in any other year. A
  day from another year is never written without its year.
- Where a page is about recent days (check-ins, sessions), `day_label(day, today)` puts "Today, ",
  "Yesterday, " or "Tomorrow, " in front: "Yesterday, Wed 20 May".
- On paper (the printed report) and in records kept as they are (the access log),
  `dated(day)`: always with the year, "Wed 20 May 2026". A template shared by a screen and the
  report is given `today=None` on paper, and both functions above then write `dated`:
  "Yesterday" would be wrong once the paper is read later.
- A chart's table (on screen only: paper has the chart) names its period in its caption with
  `period_text`, "7 to 20 May 2026", so its days are written as a chart's sentences are
  (`day_text` in the year of the range's last day): "Wed 20 May" keeps to one line on a phone
  at large text, and a day of the year before still carries its year.
  A chart's sentences, built once for Trends and the report, write a day with `chart_day`: on
  screen by `day_text` with the range's last day as `today` (today on Trends), on paper `dated`,
  so the report's "latest PHQ-9 … on" and "joined on" carry their year as its tables do. On paper
  a chart's week is named by its days ("in the 7 days to Wed 20 May 2026"), never "this week".
- An instant ("since", "ended on", "made on") is the day it fell on in the time zone of the
  person the page is about, written by the same rule: `day_of(instant, timezone, today)`.
- Where there is room for a few letters only: `weekday` "Wed", `weekday_name` "Wednesday", and a
  chart axis's ends (trends._x_labels), `day_month` "20 May" and `month_year` "May 2026". An axis
  end by `day_month` gets its year ("20 May 2025") when either end is in another year or the
  range crosses one, and always on paper, where it never reads "Today".
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
RECENT = {-1: "Yesterday, ", 0: "Today, ", 1: "Tomorrow, "}


def weekday(day: date) -> str:
    """"Wed" """
    return WEEKDAYS[day.weekday()][:3]


def weekday_name(day: date) -> str:
    """"Wednesday" """
    return WEEKDAYS[day.weekday()]


def day_month(day: date) -> str:
    """"20 May" """
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def month_year(day: date) -> str:
    """"May 2026" """
    return f"{MONTHS[day.month - 1][:3]} {day.year}"


def dated(day: date) -> str:
    """"Wed 20 May 2026": on paper and in records."""
    return f"{weekday(day)} {day_month(day)} {day.year}"


def period_text(first: date, last: date) -> str:
    """"7 to 20 May 2026", "28 Apr to 20 May 2026", "29 Dec 2025 to 2 Jan 2026": each part once
    where both days share it; one day is "20 May 2026"."""
    if first == last:
        return f"{day_month(last)} {last.year}"
    if first.year != last.year:
        start = f"{day_month(first)} {first.year}"
    else:
        start = str(first.day) if first.month == last.month else day_month(first)
    return f"{start} to {day_month(last)} {last.year}"


def day_text(day: date, today: date | None) -> str:
    """"Wed 20 May" in `today`'s year, else "Wed 20 May 2025"; `dated` on paper (`today` None)."""
    if today is None or day.year != today.year:
        return dated(day)
    return f"{weekday(day)} {day_month(day)}"


def day_label(day: date, today: date | None) -> str:
    """`day_text` with "Today, ", "Yesterday, " or "Tomorrow, " in front when it is one of them."""
    text = day_text(day, today)
    return text if today is None else RECENT.get((day - today).days, "") + text


def chart_day(day: date, last: date, on_paper: bool) -> str:
    """A day in a chart's sentence: `day_text` in the year of the range's `last` day on screen,
    `dated` on paper, where a day of the report's own year was once left without it."""
    return dated(day) if on_paper else day_text(day, last)


def day_of(instant: datetime, timezone: str, today: date | None) -> str:
    """An instant as the day it fell on in `timezone`: an invitation made at 22:00 in New York
    ends on that evening's date, not on the next day's (its UTC date)."""
    return day_text(instant.astimezone(ZoneInfo(timezone)).date(), today)


# A time of day for a person: "2:30 PM" or "14:30", as their account's "Times" setting says.
# Only for people: CSV exports, logs, JSON, the calendar's data and the database keep "14:30"
# (ISO-like, and what a program reads the same in every country).
CLOCKS = ("12", "24")


def time_text(moment: time | datetime, twelve_hour: bool) -> str:
    """"2:30 PM" (noon "12:00 PM", midnight "12:00 AM") or "14:30"."""
    if not twelve_hour:
        return f"{moment.hour:02d}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def twelve_hour_zone(timezone: str) -> bool:
    """The "Times" default when the account has not chosen (made without JavaScript, or before
    the setting): 12-hour in the Americas, where most of Lift's people read "2:30 PM"."""
    return timezone.startswith(("America/", "US/"))


def uses_twelve_hour(clock: str | None, timezone: str) -> bool:
    """The account's choice ("12" or "24"), else the default of its time zone."""
    return clock == "12" if clock in CLOCKS else twelve_hour_zone(timezone)


def clock_of_hour_cycle(hour_cycle: str) -> str | None:
    """The browser's `hourCycle` at sign-up as a choice: h11/h12 "12", h23/h24 "24", else None
    (no JavaScript, or a value no browser sends), which leaves the time zone's default."""
    return {"h11": "12", "h12": "12", "h23": "24", "h24": "24"}.get(hour_cycle)


def offset_changes(timezone: str, first: datetime, last: datetime) -> list[tuple[datetime, int]]:
    """`timezone`'s offset from UTC in seconds at `first`, then each instant up to `last` from
    which it changed (to the second), so a query can tell the local day of a stored instant:
    SQLite knows no time zones. Looked at day by day, as no zone changes twice within one."""
    zone = ZoneInfo(timezone)

    def offset(second: int) -> int:
        return int(datetime.fromtimestamp(second, zone).utcoffset().total_seconds())

    start, end = int(first.timestamp()), int(last.timestamp())
    changes = [(start, offset(start))]
    at = start
    while at < end:
        step = min(at + 86_400, end)
        if offset(step) != changes[-1][1]:
            # offset(low) is the one in force, offset(high) the next: halve until they touch.
            low, high = at, step
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == changes[-1][1] else (low, middle)
            changes.append((high, offset(high)))
        at = step
    return [(datetime.fromtimestamp(second, first.tzinfo), seconds) for second, seconds in changes]
