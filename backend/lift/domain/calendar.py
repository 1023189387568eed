"""The private calendar feed: an RFC 5545 iCalendar of a patient's treatment sessions.

Session times are written in the patient's zone (DTSTART;TZID=...) with a VTIMEZONE that
lists that zone's real offset changes over the feed's span, so a calendar app shows 09:00 as
09:00 on both sides of a clock change. A session whose wall-clock time is ambiguous (the
second 01:30 of a fall-back night) is written in UTC, which cannot be misread.

The feed address is a bearer secret: whoever has it can read the schedule. Only its SHA-256
is stored; the patient can turn it off or replace it at any time.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from lift.domain.reminders import local_instant
from lift.domain.treatment import SESSION_LENGTH

PAST_DAYS = 30
GENERIC_SUMMARY = "Lift appointment"
GENERIC_DESCRIPTION = "Open Lift for your checklist."
STATUS_SUFFIX = {"cancelled": " (cancelled)", "rescheduled": " (moved)"}


class FeedSession(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    starts_at: datetime  # UTC
    status: str
    clinic_name: str = ""
    updated_at: datetime | None = None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Every line break str.splitlines() knows: many calendar readers start a new content line at
# each, so one left in a value would begin a property of the text's choosing.
LINE_BREAK = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# What RFC 5545 TEXT may not hold (CONTROL, tab aside), once the line breaks are escaped.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def escape_text(text: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and line breaks (every kind) are escaped, and
    other control characters, which TEXT does not allow, are left out."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return CONTROL.sub("", LINE_BREAK.sub("\\\\n", text))


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space, never
    splitting a UTF-8 character."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # the leading space counts
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def transitions(timezone: str, start: datetime, end: datetime) -> list[tuple[datetime, timedelta, timedelta]]:
    """Each instant in [start, end) where the zone's UTC offset changes: (instant, before, after)."""
    zone, found = ZoneInfo(timezone), []
    step = start
    while step < end:
        following = min(step + timedelta(days=1), end)
        before, after = step.astimezone(zone).utcoffset(), following.astimezone(zone).utcoffset()
        if before != after:
            low, high = step, following  # the change happens in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append((high.replace(microsecond=0), before, after))
        step = following
    return found


def _observance(zone: ZoneInfo, onset: datetime, before: timedelta, after: timedelta) -> list[str]:
    kind = "DAYLIGHT" if onset.astimezone(zone).dst() else "STANDARD"
    wall = (onset.astimezone(UTC) + before).replace(tzinfo=None)  # DTSTART is local, before the change
    return [f"BEGIN:{kind}", f"DTSTART:{wall:%Y%m%dT%H%M%S}", f"TZOFFSETFROM:{_offset(before)}",
            f"TZOFFSETTO:{_offset(after)}", f"TZNAME:{escape_text(onset.astimezone(zone).tzname() or '')}",
            f"END:{kind}"]


def vtimezone(timezone: str, start: datetime, end: datetime) -> list[str]:
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone).utcoffset()
    lines = ["BEGIN:VTIMEZONE", f"TZID:{timezone}"]
    lines += _observance(zone, start, first, first)
    for instant, before, after in transitions(timezone, start, end):
        lines += _observance(zone, instant, before, after)
    return lines + ["END:VTIMEZONE"]


def _when(name: str, instant: datetime, timezone: str) -> str:
    wall = instant.astimezone(ZoneInfo(timezone))
    if local_instant(wall.date(), wall.time().replace(fold=0), timezone) == instant:
        return f"{name};TZID={timezone}:{wall:%Y%m%dT%H%M%S}"
    return f"{name}:{_utc(instant)}"  # a wall-clock time the zone repeats: UTC says which one


def _event(session: FeedSession, timezone: str, now: datetime, host: str, base_url: str,
           detailed: bool) -> list[str]:
    summary, description = GENERIC_SUMMARY, GENERIC_DESCRIPTION
    if detailed:
        summary = "Treatment session" + (f" at {session.clinic_name}" if session.clinic_name else "")
        description = ("Arrange a ride home: no driving until the next day, after a night's sleep. "
                       "Open Lift for your checklist.")
    summary += STATUS_SUFFIX.get(session.status, "")
    cancelled = session.status in STATUS_SUFFIX
    lines = [
        "BEGIN:VEVENT",
        f"UID:lift-session-{session.id}@{host}",
        f"DTSTAMP:{_utc(now)}",
        _when("DTSTART", session.starts_at, timezone),
        _when("DTEND", session.starts_at + SESSION_LENGTH, timezone),
        f"SUMMARY:{escape_text(summary)}",
        f"DESCRIPTION:{escape_text(description)}",
        # A generic event's link names no treatment page either; Lift's home shows the day.
        f"URL:{base_url}/treatment/sessions/{session.id}" if detailed else f"URL:{base_url}/",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        f"TRANSP:{'TRANSPARENT' if cancelled else 'OPAQUE'}",
    ]
    if session.updated_at:
        lines.append(f"LAST-MODIFIED:{_utc(session.updated_at)}")
    return lines + ["END:VEVENT"]


def calendar_feed(sessions: list[FeedSession], timezone: str, now: datetime, host: str, base_url: str,
                  detailed: bool = False) -> str:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Lift//Treatment days//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", f"X-WR-CALNAME:{GENERIC_SUMMARY if not detailed else 'Lift treatment days'}",
        f"X-WR-TIMEZONE:{timezone}", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
    ]
    if sessions:
        start = min(s.starts_at for s in sessions) - timedelta(days=1)
        end = max(s.starts_at for s in sessions) + SESSION_LENGTH + timedelta(days=1)
        lines += vtimezone(timezone, start, end)
    for session in sessions:
        lines += _event(session, timezone, now, host, base_url, detailed)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
