"""Long lists shown a page at a time, newest first (History, the questionnaire results, and
"Who saw my journal", whose pages hold whole days)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

PAGE_NUMBER = re.compile(r"[+-]?[0-9]+")  # ASCII digits: int() would take "２" and "1_0" too
PAST_ANY_END = 10**9  # a longer number asks for the last page; int() refuses over 4300 digits


class Page(msgspec.Struct, frozen=True, kw_only=True):
    number: int  # 1 is the newest page
    pages: int  # at least 1, so an empty list is "page 1 of 1"
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def asked_page(raw: str | None) -> int:
    """The page number an address asks for. A person may edit it or follow a mangled link, so
    anything that is no whole number (empty, a word, "1.5") asks for the first page rather than
    being refused; page_of keeps a number within the list."""
    text = (raw or "").strip()
    if not PAGE_NUMBER.fullmatch(text):
        return 1
    digits = text.lstrip("+-").lstrip("0")
    number = PAST_ANY_END if len(digits) > len(str(PAST_ANY_END)) else int(digits or "0")
    return -number if text.startswith("-") else number


def page_of(asked: int, total: int, size: int) -> Page:
    """The page asked for, kept within the list: below 1 is the first page, beyond the end the last
    (a bookmark kept after deleting entries still shows entries, not an empty list). The offset
    thus never passes the list's length, however large the number in the address."""
    pages = max(1, -(-total // size))
    return Page(number=min(max(asked, 1), pages), pages=pages, size=size)


def day_pages(day_sizes: Sequence[int], size: int) -> list[range]:
    """Days (their entry counts, newest first) packed into pages of at most `size` entries, each
    page the indexes of its days. A day is never split, so what is counted over a day (the
    access log's "4 times") is counted on one page; a day of more than `size` is a page alone."""
    pages: list[range] = []
    start = filled = 0
    for index, entries in enumerate(day_sizes):
        if index > start and filled + entries > size:
            pages.append(range(start, index))
            start, filled = index, 0
        filled += entries
    if day_sizes:
        pages.append(range(start, len(day_sizes)))
    return pages
