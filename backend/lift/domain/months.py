"""Calendar months named in an address (`?month=2026-03`) and the months a list can jump to."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date

import msgspec

from lift.domain.dates import MONTHS

MONTH_FORMAT = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits: \d would take "２０２６" too
MAX_SHOWN_CHARS = 20  # a bad value is quoted back in the message, cut to this


class Month(msgspec.Struct, frozen=True, order=True):
    year: int
    month: int

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def key(self) -> str:
        """"2026-03": the value in the address and in the month picker."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """"March 2026" """
        return f"{MONTHS[self.month - 1]} {self.year}"


class MonthCount(msgspec.Struct, frozen=True):
    month: Month
    count: int


def parse_month(raw: str) -> Month | None:
    """"2026-03" as a month; anything else (2026-13, 2026-3, 0000-01, words) is None."""
    match = MONTH_FORMAT.fullmatch(raw.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return Month(year, month) if year >= 1 and 1 <= month <= 12 else None


def month_of(day: date) -> Month:
    return Month(day.year, day.month)


def bad_month_message(raw: str, any_checkins: bool) -> str:
    """What a page says of a month in its address that is no month, above the list from its start."""
    said = f"“{raw.strip()[:MAX_SHOWN_CHARS]}” isn't a month Lift can show."
    return f"{said} Choose one from the list. Below are all your check-ins, newest first." if any_checkins else said


def empty_month_message(month: Month, today: date) -> str:
    """Why a real month shows no check-ins: one still to come says so."""
    if month > month_of(today):
        return f"{month.label} hasn't come yet, so it has no check-ins."
    return f"You have no check-ins in {month.label}."


def month_counts(rows: Iterable[tuple[str, int]]) -> list[MonthCount]:
    """The months with check-ins, newest first, from ("2026-03", count) rows in any order."""
    counts = [MonthCount(month, count) for key, count in rows if (month := parse_month(key)) and count > 0]
    return sorted(counts, key=lambda c: c.month, reverse=True)


def picker_months(counts: Iterable[MonthCount], shown: Month | None) -> list[Month]:
    """The months the "Go to a month" select offers, newest first: those with check-ins, and the
    month shown when it has none (a bookmark, a month emptied since), so the select names the
    month on screen instead of falling back to the newest."""
    offered = {count.month for count in counts}
    if shown is not None:
        offered.add(shown)
    return sorted(offered, reverse=True)


def neighbours(shown: Month, months: Iterable[Month]) -> tuple[Month | None, Month | None]:
    """The nearest newer and older months among `months` (those with check-ins), for the
    pager of a month's page; the month shown need not be among them (a bookmarked month emptied
    since still leads on)."""
    months = list(months)
    newer = min((m for m in months if m > shown), default=None)
    older = max((m for m in months if m < shown), default=None)
    return newer, older


HISTORY = "/checkins"
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")  # ASCII digits, as for months; no page is that far


class HistoryPlace(msgspec.Struct, frozen=True):
    """Where in History a check-in was opened from, so its page, its delete confirmation and the
    delete itself lead back there: the list's start, a month, or a page of the list."""
    address: str
    label: str  # what a link back there says

    def with_notice(self, notice: str) -> str:
        """The address with one more query parameter, such as the "deleted" notice."""
        return f"{self.address}{'&' if '?' in self.address else '?'}{notice}"


def history_place(raw: str | None) -> HistoryPlace:
    """A History address as sent back by a page (`/checkins`, `/checkins?month=2026-09`,
    `/checkins?page=3`), rebuilt from what it names; anything else, another site's address
    included, is History's start, so the way back can never lead off Lift."""
    path, _, query = (raw or "").partition("?")
    key, _, value = query.partition("=")
    if path == HISTORY and key == "month" and (month := parse_month(value)) and value == month.key:
        return HistoryPlace(f"{HISTORY}?month={month.key}", f"Back to {month.label}")
    if path == HISTORY and key == "page" and PAGE_NUMBER.fullmatch(value) and value != "1":
        return HistoryPlace(f"{HISTORY}?page={value}", f"Back to page {value} of your check-ins")
    return HistoryPlace(HISTORY, "Back to all check-ins")
