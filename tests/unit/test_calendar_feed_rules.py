"""The calendar feed's RFC 5545 text: escaping, folding, and the time zone's real offset changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from lift.domain.calendar import FeedSession, calendar_feed, escape_text, fold, token_hash, transitions


def test_it_escapes_text_values():
    assert escape_text("Clinic; Room 2, floor\\3\nCall first") == "Clinic\\; Room 2\\, floor\\\\3\\nCall first"


def test_no_text_in_the_feed_can_start_a_property_of_its_own():
    # RFC 5545 TEXT holds no control character, and many readers (Python's str.splitlines among
    # them) start a new line at every Unicode line break, not only at CR and LF: a clinic name
    # holding one added a property of its choosing to every event.
    breaks = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    clinic = "".join(f"Clinic{ch}ATTENDEE:mailto:x@example.com" for ch in breaks) + "\x00\x07\x1b\x7f\x9f\tend"
    session = FeedSession(id=1, starts_at=datetime(2026, 3, 9, 13, 0, tzinfo=UTC), status="planned",
                          clinic_name=clinic)
    text = calendar_feed([session], "America/New_York", datetime(2026, 3, 1, tzinfo=UTC), "lift.test",
                         "https://lift.test", detailed=True)
    assert [line for line in text.replace("\r\n ", "").splitlines() if line.startswith("ATTENDEE")] == []
    assert re.findall(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]", text.replace("\r\n", "")) == []
    summary = next(line for line in text.replace("\r\n ", "").split("\r\n") if line.startswith("SUMMARY:"))
    assert summary.count("\\nATTENDEE:mailto:x@example.com") == len(breaks)
    assert summary.endswith("ATTENDEE:mailto:x@example.com\tend")


def test_it_folds_long_lines_at_75_octets_without_splitting_characters():
    line = "SUMMARY:" + "é" * 100
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line


def test_it_finds_each_clock_change_to_the_second():
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    found = transitions("America/New_York", start, end)
    assert [(t, b, a) for t, b, a in found] == [
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), timedelta(hours=-5), timedelta(hours=-4)),
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), timedelta(hours=-4), timedelta(hours=-5)),
    ]
    assert transitions("Asia/Tokyo", start, end) == []


def test_it_writes_wall_clock_times_with_a_time_zone_and_ambiguous_ones_in_utc():
    sessions = [
        FeedSession(id=1, starts_at=datetime(2026, 3, 9, 13, 0, tzinfo=UTC), status="planned"),
        # 01:30 EST on the fall-back night: the second 01:30, which a TZID time cannot name.
        FeedSession(id=2, starts_at=datetime(2026, 11, 1, 6, 30, tzinfo=UTC), status="planned"),
    ]
    text = calendar_feed(sessions, "America/New_York", datetime(2026, 3, 1, tzinfo=UTC), "lift.test", "https://lift.test")
    assert "DTSTART;TZID=America/New_York:20260309T090000\r\n" in text
    assert "DTSTART:20261101T063000Z\r\n" in text
    # The feed spans 8 Mar to 2 Nov: EDT from its start, then one change back to EST, whose
    # onset is written in the wall time before the change (RFC 5545 3.6.5).
    assert text.count("BEGIN:DAYLIGHT") == 1 and text.count("BEGIN:STANDARD") == 1
    assert ("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"
            "TZNAME:EST\r\nEND:STANDARD") in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_feed_tokens_are_stored_as_a_hash():
    assert token_hash("abc") != "abc" and len(token_hash("abc")) == 64
