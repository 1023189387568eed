"""The calendar feed's RFC 5545 text: escaping, folding, and the time zone's real offset changes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest

from lift.domain.calendar import FeedSession, calendar_feed, escape_text, fold, token_hash, transitions
from lift.domain.schedule import resolve_local
from lift.domain.treatment import SESSION_LENGTH


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


# (zone, local date, time) of sessions on and around each zone's clock changes in 2026, placed
# by the gap and fold rules: a half-hour change (Lord Howe), one at midnight (Havana), a zone
# half an hour off the hour with summer time (Adelaide), one 45 minutes off (Kathmandu), and
# the date line (Kiritimati, UTC+14).
AROUND_CLOCK_CHANGES = [
    ("America/New_York", [(date(2026, 3, 8), time(2, 30)), (date(2026, 3, 8), time(10)),
                          (date(2026, 11, 1), time(0, 45)), (date(2026, 11, 1), time(1, 30)),
                          (date(2026, 11, 2), time(10))]),
    ("Europe/London", [(date(2026, 3, 29), time(1, 30)), (date(2026, 10, 25), time(1, 30))]),
    ("Australia/Adelaide", [(date(2026, 4, 5), time(2, 30)), (date(2026, 10, 4), time(2, 15)),
                            (date(2026, 10, 5), time(9))]),
    ("Australia/Lord_Howe", [(date(2026, 4, 5), time(1, 45)), (date(2026, 10, 4), time(2, 15)),
                             (date(2026, 10, 5), time(9))]),
    ("America/Havana", [(date(2026, 3, 8), time(0, 30)), (date(2026, 11, 1), time(0, 30))]),
    ("Asia/Kathmandu", [(date(2026, 3, 29), time(1, 30))]),
    ("Pacific/Kiritimati", [(date(2026, 1, 1), time(0, 30))]),
]


@pytest.mark.parametrize("zone, wall_times", AROUND_CLOCK_CHANGES)
def test_a_calendar_reading_the_feeds_own_time_zone_puts_every_session_at_its_instant(zone, wall_times):
    """A calendar app may know no IANA names and go by the VTIMEZONE alone: read that way, each
    event starts and ends at the session's real instant, on both sides of every clock change,
    whether it is written as a wall-clock time or (one the clocks repeat) in UTC."""
    starts = [resolve_local(day, at, zone).starts_at for day, at in wall_times]
    # The second 01:30 of New York's fall-back night, as a session placed before a zone change is.
    starts += [datetime(2026, 11, 1, 6, 30, tzinfo=UTC)] if zone == "America/New_York" else []
    sessions = [FeedSession(id=n, starts_at=at, status="planned") for n, at in enumerate(starts, 1)]
    feed = icalendar.Calendar.from_ical(calendar_feed(sessions, zone, datetime(2026, 1, 1, tzinfo=UTC),
                                                      "lift.test", "https://lift.test"))
    own_zone = feed.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)  # its own rules, not tzdata's

    def instant(prop) -> datetime:
        if "TZID" not in prop.params:
            return prop.dt  # written in UTC
        assert prop.params["TZID"] == zone
        return prop.dt.replace(tzinfo=own_zone).astimezone(UTC)

    events = feed.walk("VEVENT")
    assert [instant(event["DTSTART"]) for event in events] == starts
    assert [instant(event["DTEND"]) for event in events] == [at + SESSION_LENGTH for at in starts]
