"""Long lists shown a page at a time, newest first (History, the questionnaire results)."""

from __future__ import annotations

import msgspec


class Page(msgspec.Struct, frozen=True, kw_only=True):
    number: int  # 1 is the newest page
    pages: int  # at least 1, so an empty list is "page 1 of 1"
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_of(asked: int, total: int, size: int) -> Page:
    """The page asked for, kept within the list: below 1 is the first page, beyond the end the last
    (a bookmark kept after deleting entries still shows entries, not an empty list). The offset
    thus never passes the list's length, however large the number in the address."""
    pages = max(1, -(-total // size))
    return Page(number=min(max(asked, 1), pages), pages=pages, size=size)
