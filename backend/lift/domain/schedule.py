"""Treatment schedules: templates that become concrete dated sessions, and session statuses.

A template is a list of phases taken from the patient-education article (seed 001):
esketamine twice a week for about four weeks, then weekly for about four weeks, then tapering
off over time; IV ketamine twice a week for two to three weeks, then weekly, then monthly, then
hopefully tapering off. The documents give no count for the weekly and monthly IV phases, and
no spacing for esketamine after week eight (the article says "tapering off", the newsletter,
seed 000, "occasionally" after a break), so Lift fills in a starting point (four weekly IV
sessions, three monthly ones) and leaves esketamine's later sessions to the clinic: "Not yet"
is the default, and the weekly or every-other-week maintenance choices are conveniences for a
clinic that booked them, not a schedule the sources give. The patient then moves, cancels or
adds sessions to match their clinic's real plan.

"Twice a week" is the start day and three days later (Mon and Thu, Tue and Fri, ...), and
"monthly" is every four weeks, so a session keeps its weekday: clinics book by weekday.

Every session is a local date and a wall-clock time in the patient's IANA zone, stored as a
UTC instant. Two wall-clock times need a rule, and Lift tells the patient which it applied:
- A time in a spring-forward gap (02:30 in New York on the second Sunday of March) does not
  exist. Lift moves it forward to the first time that does exist that day: the moment the
  clocks change (03:00).
- A time in a fall-back fold (01:30 in New York on the first Sunday of November) happens
  twice. Lift uses the first one, before the clocks go back (fold=0).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import msgspec

from lift.domain.dates import day_text, time_text

if TYPE_CHECKING:  # only for the annotation: domain.treatment imports this module
    from lift.domain.treatment import Session

TemplateName = Literal["esketamine", "iv_ketamine", "none"]
Maintenance = Literal["none", "weekly", "every_other_week"]
Status = Literal["planned", "done", "missed", "rescheduled", "cancelled"]

TEMPLATES = {
    "esketamine": "Esketamine: twice a week for 4 weeks, then weekly for 4 weeks",
    "iv_ketamine": "IV ketamine: twice a week for 2 or 3 weeks, then weekly, then monthly",
    "none": "No template: I'll add my sessions one by one",
}
MAINTENANCE = {
    "none": "Not yet: I'll add maintenance sessions when my clinic sets them",
    "weekly": "Weekly, for 8 weeks",
    "every_other_week": "Every other week, for 8 weeks",
}

IV_WEEKLY_SESSIONS = 4
IV_MONTHLY_SESSIONS = 3
MAINTENANCE_WEEKS = 8
# A plan or a session starts within a year: a later date is almost surely a typo.
LATEST_START_DAYS = 366


class SessionSlot(msgspec.Struct, frozen=True, kw_only=True):
    """One session of a template, before it is placed in a time zone."""

    local_date: date
    phase: str


class Resolved(msgspec.Struct, frozen=True, kw_only=True):
    """A local date and time turned into a UTC instant, with the rule applied if any."""

    starts_at: datetime  # UTC
    local: datetime  # the wall-clock date and time the session really starts at (naive)
    adjustment: Literal["", "gap", "fold"] = ""


class PlannedSession(msgspec.Struct, frozen=True, kw_only=True):
    local_date: date
    requested_time: time
    starts_at: datetime  # UTC
    phase: str
    adjustment: Literal["", "gap", "fold"] = ""


def _twice_weekly(start: date, weeks: int, phase: str) -> list[SessionSlot]:
    return [SessionSlot(local_date=start + timedelta(weeks=w, days=d), phase=phase)
            for w in range(weeks) for d in (0, 3)]


def _every(start: date, first_week: int, count: int, step_weeks: int, phase: str) -> list[SessionSlot]:
    return [SessionSlot(local_date=start + timedelta(weeks=first_week + n * step_weeks), phase=phase)
            for n in range(count)]


def template_slots(template: str, start: date, maintenance: str = "none",
                   induction_weeks: int = 3) -> list[SessionSlot]:
    """The dated sessions of a template starting on `start`; ValueError for an unknown one."""
    if template == "esketamine":
        slots = _twice_weekly(start, 4, "Twice a week")
        slots += _every(start, 4, 4, 1, "Weekly")
        if maintenance == "weekly":
            slots += _every(start, 8, MAINTENANCE_WEEKS, 1, "Maintenance, weekly")
        elif maintenance == "every_other_week":
            slots += _every(start, 9, MAINTENANCE_WEEKS // 2, 2, "Maintenance, every other week")
        elif maintenance != "none":
            raise ValueError(f"unknown maintenance {maintenance!r}")
        return slots
    if template == "iv_ketamine":
        if induction_weeks not in (2, 3):
            raise ValueError("IV ketamine starts with 2 or 3 weeks of twice-weekly sessions")
        slots = _twice_weekly(start, induction_weeks, "Twice a week")
        slots += _every(start, induction_weeks, IV_WEEKLY_SESSIONS, 1, "Weekly")
        last_weekly = induction_weeks + IV_WEEKLY_SESSIONS - 1
        slots += _every(start, last_weekly + 4, IV_MONTHLY_SESSIONS, 4, "Monthly")
        return slots
    if template == "none":
        return []
    raise ValueError(f"unknown template {template!r}")


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def resolve_local(day: date, at: time, timezone: str) -> Resolved:
    """The UTC instant of a wall-clock time on a local date, by the gap and fold rules above."""
    zone = ZoneInfo(timezone)
    wanted = datetime.combine(day, at)
    first = datetime.combine(day, at, tzinfo=zone)  # fold=0: the earlier reading
    instant = first.astimezone(UTC)
    if _wall(instant, zone) == wanted:
        ambiguous = first.replace(fold=1).utcoffset() != first.utcoffset()
        return Resolved(starts_at=instant, local=wanted, adjustment="fold" if ambiguous else "")
    # The time does not exist: step forward a minute at a time to the first one that does.
    # Gaps are whole minutes in every zone in use, and no zone skips more than a day.
    candidate = wanted
    for _ in range(2 * 24 * 60):
        candidate += timedelta(minutes=1)
        instant = candidate.replace(tzinfo=zone).astimezone(UTC)
        if _wall(instant, zone) == candidate:
            return Resolved(starts_at=instant, local=candidate, adjustment="gap")
    raise ValueError(f"no valid time after {wanted} in {timezone}")


def local_instants(day: date, at: time, timezone: str) -> tuple[datetime, ...]:
    """Every UTC instant at which the local clock reads `at` on `day`, in order: two in a
    fall-back fold, one otherwise (in a spring-forward gap, the one the gap rule gives)."""
    zone = ZoneInfo(timezone)
    first = resolve_local(day, at, timezone).starts_at
    second = datetime.combine(day, at, tzinfo=zone).replace(fold=1).astimezone(UTC)
    if second != first and _wall(second, zone) == datetime.combine(day, at):
        return first, second
    return (first,)


def plan_sessions(slots: list[SessionSlot], at: time, timezone: str) -> list[PlannedSession]:
    sessions = []
    for slot in slots:
        resolved = resolve_local(slot.local_date, at, timezone)
        sessions.append(PlannedSession(local_date=slot.local_date, requested_time=at,
                                       starts_at=resolved.starts_at, phase=slot.phase,
                                       adjustment=resolved.adjustment))
    return sessions


def in_new_zone(sessions: Iterable[Session], timezone: str, now: datetime) -> list[tuple[int, datetime]]:
    """After the patient changes time zone: each planned session still ahead, with the instant
    of the clock time they asked for (by the gap and fold rules) in the new zone. A clinic books
    10:00 where the patient is, so 10:00 stays 10:00; keeping the UTC instant would show it at
    another hour. What already happened or was settled (done, missed, moved, cancelled, or
    past) keeps its instant: it is a record."""
    return [(s.id, resolve_local(s.requested_date, s.requested_time, timezone).starts_at)
            for s in sessions if s.status == "planned" and s.starts_at > now]


def adjustment_note(day: date, requested: time, timezone: str, today: date, twelve_hour: bool = False) -> str:
    """What Lift did with a time the clocks skip or repeat that day, in plain words; '' if nothing.
    Times on the reader's clock (`twelve_hour`: "2:30 AM", else "02:30")."""
    resolved = resolve_local(day, requested, timezone)
    asked = time_text(requested, twelve_hour)
    if resolved.adjustment == "gap":
        moved_to = time_text(resolved.local, twelve_hour)
        if resolved.local.date() != day:
            moved_to += f" on {day_text(resolved.local.date(), today)}"
        return (f"{asked} doesn't exist on {day_text(day, today)} because the clocks go "
                f"forward, so Lift set this session for {moved_to}, the first time that exists "
                "after it. Check the time with your clinic.")
    if resolved.adjustment == "fold":
        return (f"{asked} happens twice on {day_text(day, today)} because the clocks go back; "
                "Lift uses the first one, before the change.")
    return ""


def start_date_error(start: date, today: date) -> str | None:
    if start < today:
        return "That day has passed. Choose today or a later day."
    if start > today + timedelta(days=LATEST_START_DAYS):
        return "Choose a day within the next year."
    return None


def end_date_error(start: date, end: date | None) -> str | None:
    if end is not None and end < start:
        return "The last day can't be before the first session. Choose a later day, or leave it empty."
    return None


def until(slots: list[SessionSlot], end: date | None) -> list[SessionSlot]:
    return [slot for slot in slots if end is None or slot.local_date <= end]


# Which status a session may move to. A planned session becomes done, missed, rescheduled
# (a new planned session takes its place) or cancelled. A log saying done or missed may be
# corrected to the other. Rescheduled and cancelled are final: the record of what happened
# to that booking stays as it was.
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"done", "missed", "rescheduled", "cancelled"}),
    "done": frozenset({"done", "missed"}),
    "missed": frozenset({"done", "missed"}),
    "rescheduled": frozenset(),
    "cancelled": frozenset(),
}

STATUS_LABELS = {
    "planned": "Planned",
    "done": "Done",
    "missed": "Missed",
    "rescheduled": "Moved",
    "cancelled": "Cancelled",
}


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def transition_error(current: str, new: str) -> str | None:
    if can_transition(current, new):
        return None
    if current == "rescheduled":
        return "This session was moved to another time, so it can't be changed. Open the new session instead."
    if current == "cancelled":
        return "This session was cancelled, so it can't be changed. Add a new session if it is back on."
    return "That change isn't possible for this session."


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts and the next one starts (23 or 25 hours on DST days)."""
    start = resolve_local(day, time(0, 0), timezone).starts_at
    end = resolve_local(day + timedelta(days=1), time(0, 0), timezone).starts_at
    return start, end


def local_date_of(instant: datetime, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()


def local_time_of(instant: datetime, timezone: str) -> time:
    return instant.astimezone(ZoneInfo(timezone)).time().replace(second=0, microsecond=0)
