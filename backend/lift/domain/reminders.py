"""Reminder rules: when each kind of reminder is due, when it is too late to be useful, what it
says on a lock screen, and what to do with one that comes due. No I/O: everything here is a
function of the patient's time zone, preferences, check-ins, sessions and the current instant.

Wall-clock times are turned into UTC instants with the same gap and fold rules as treatment
sessions (domain/schedule.py): a time the clocks skip moves forward to the first time that
exists, and a time that happens twice uses the first one. So a check-in reminder set for 02:30
arrives at 03:00 on the night the clocks go forward, and once, not twice, the night they go back.
The ends of quiet hours are different: they are when the clock reads a time, and on the night
the clocks go back it reads 01:30 twice, so quiet hours until 01:30 end at both (next_reading).

A "lead time" before a session is elapsed time (two hours before is two real hours before),
so it is computed on the UTC instant, never on the wall clock.

A push service holds a message for an offline phone until its TTL runs out and delivers it
when the phone comes back, so quiet hours are kept only if no reminder's expiry (which sets
the TTL) reaches into them: each one expires at the latest when the next quiet hours start,
and the evening-before reminder, which says "tomorrow", at the latest at midnight. Quiet hours that
end in the hour the clocks repeat start again, without their start being read, when the clocks
go back: a message sent before then is held only until then, and one not sent by then comes
when they end the second time (decide, clocks_back_into_quiet_hours).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from lift.domain.dates import day_label, time_text, weekday_name
from lift.domain.scales import DUE_EVERY_DAYS, due_instruments
from lift.domain.schedule import local_date_of, local_day_bounds, local_instants, resolve_local
from lift.domain.time_of_day import TimeOfDay, parse_time_of_day

# How long after its due instant a reminder is still worth sending. A check-in reminder six
# hours late would arrive in the middle of the night or the next morning: it is dropped.
WINDOWS = {
    "checkin": timedelta(hours=6),
    "treatment_eve": timedelta(hours=6),  # but never past midnight: it says "tomorrow"
    "treatment_lead": timedelta(hours=12),  # but never after the session has started
    "scale": timedelta(hours=12),
}
# Rows are created this far ahead, so a worker that was down when one came due still has it.
HORIZON = timedelta(hours=36)
LEAD_CHOICES = (30, 60, 90, 120, 180, 240)
# How long before its session a reminder can be due: the evening-before one as early as the
# first minute of the day before (eve_time 00:00, the session at 23:59), two days plus a clock
# change of up to two hours (Antarctica/Troll) before it; the longest lead time is less.
LONGEST_LEAD = max(timedelta(days=2, hours=2), timedelta(minutes=max(LEAD_CHOICES)))
# Reminders for sessions up to this far ahead are planned, so each is planned a HORIZON ahead.
SESSION_LOOKAHEAD = HORIZON + LONGEST_LEAD
TEST_TTL = timedelta(minutes=10)
# A push message that the service may hold for an offline phone for at least a minute: a TTL
# of 0 means "drop it unless the phone is online right now", which loses reminders. A reminder
# with less than this left of its window is not sent: a longer TTL would outlast the window.
MIN_TTL_SECONDS = 60
# The shortest window a reminder gets before quiet hours: the scheduler's passes and the push
# service's minimum TTL must fit in it.
MIN_WINDOW = timedelta(minutes=10)
# RFC 8291: a single aes128gcm record of 4096 bytes holds at most 3993 bytes of plaintext.
MAX_PAYLOAD_BYTES = 3993
TITLE_MAX, BODY_MAX = 120, 400  # characters; at 4 UTF-8 bytes each, still far under the limit
# An ordinary day for telling a patient what quiet hours do to a daily reminder time: a date in
# UTC, which has no clock changes.
ORDINARY_DAY = date(2026, 1, 14)
TOPIC_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

URGENCY = {"checkin": "normal", "treatment_eve": "normal", "treatment_lead": "high", "scale": "low",
           "test": "high"}
# One Topic per kind: a newer reminder of the same kind replaces an older one that the push
# service is still holding for an offline phone, so a phone coming back online shows one.
# The Topic header travels unencrypted to the push service: neutral names, never "treatment".
TOPICS = {"checkin": "r1", "treatment_eve": "r2", "treatment_lead": "r3", "scale": "r4", "test": "r5"}

# What a locked phone shows unless the patient chose detailed text: nothing about treatment,
# medication, mood or scores. A session's reminders name its day ("Lift: reminder for today").
GENERIC_TITLES = {
    "checkin": "Lift: time for your check-in",
    "scale": "Lift: time for your weekly questionnaires",
    "test": "Lift: test notification",
}
GENERIC_BODY = "Open Lift to see it."
TEST_BODY = "Reminders work on this device."


def lead_label(minutes: int) -> str:
    """A lead time as the Reminders list says it: "30 minutes", "1 hour", "1½ hours", "3 hours"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} minutes"
    if rest == 30:
        return f"{hours}½ hours"
    if rest:
        return f"{hours} h {rest} min"
    return "1 hour" if hours == 1 else f"{hours} hours"


class Preferences(msgspec.Struct, frozen=True, kw_only=True):
    checkin_enabled: bool = True
    checkin_time: time = time(20, 0)
    eve_enabled: bool = True
    eve_time: time = time(19, 0)
    lead_enabled: bool = True
    lead_minutes: int = 120
    scale_enabled: bool = True
    scale_time: time = time(10, 0)
    quiet_start: time | None = time(22, 0)
    quiet_end: time | None = time(7, 0)
    detailed_text: bool = False

    def enabled(self, kind: str) -> bool:
        return {"checkin": self.checkin_enabled, "treatment_eve": self.eve_enabled,
                "treatment_lead": self.lead_enabled, "scale": self.scale_enabled}[kind]


DEFAULT_PREFERENCES = Preferences()


class UpcomingSession(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    starts_at: datetime  # UTC
    clinic_name: str = ""
    # The sessions the patient moved to this one (each one's moved_to led here, the latest
    # first): a reminder already sent for one of them may stand for this one's (see already_sent).
    replaces: tuple[int, ...] = ()


def session_key(session: UpcomingSession) -> str:
    """What a session's reminders are about: the session at its start instant. When a session
    starts at another instant (a new time zone keeps its clock time), its reminders are new ones."""
    return f"{session.id}@{session.starts_at.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


class PatientContext(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the rules need to know about one patient at one instant."""

    user_id: int
    timezone: str
    twelve_hour: bool = False  # the patient's clock, for the times a notification writes
    preferences: Preferences = DEFAULT_PREFERENCES
    checked_in: frozenset[date] = frozenset()
    sessions: tuple[UpcomingSession, ...] = ()
    # Each questionnaire's key and the local date it was last taken.
    scales_taken: tuple[tuple[str, date], ...] = ()

    @property
    def scale_due(self) -> date | None:
        """The first day a weekly questionnaire is due again; None before the first one is taken."""
        return scale_due_date(dict(self.scales_taken))


class Occurrence(msgspec.Struct, frozen=True, kw_only=True):
    """One reminder: a kind, what it is for (a local date or a session), and its instants."""

    kind: str
    key: str  # the local date, or the session id, it reminds about
    local_date: date
    due_at: datetime  # UTC
    expires_at: datetime  # UTC: after this it is dropped, never sent late
    session_id: int | None = None
    replaces: tuple[int, ...] = ()  # the sessions this session replaced (UpcomingSession.replaces)

    @property
    def identity(self) -> tuple[str, str]:
        return self.kind, self.key


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """What to do with a reminder that came due: send it, move it, or let it go (and why)."""

    action: Literal["send", "reschedule", "withdraw", "expire"]
    due_at: datetime | None = None
    expires_at: datetime | None = None


class StoredReminder(msgspec.Struct, frozen=True, kw_only=True):
    """A reminder row as the database holds it."""

    id: int
    user_id: int
    kind: str
    key: str
    local_date: date
    due_at: datetime
    expires_at: datetime
    status: str = "pending"
    session_id: int | None = None
    claimed: bool = False


class Device(msgspec.Struct, frozen=True, kw_only=True):
    """A browser that turned notifications on, as the Reminders page lists it."""

    id: int
    label: str
    endpoint_hash: str
    created_at: datetime
    last_sent_at: datetime | None = None


class GoneDevice(msgspec.Struct, frozen=True, kw_only=True):
    """A device Lift deleted because its push service said its subscription is gone."""

    label: str
    gone_at: datetime


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    """One push message to one device, claimed by a worker for sending."""

    id: int
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: str
    urgency: str
    topic: str
    expires_at: datetime
    attempts: int  # including the one about to be made
    # A reminder's message, with the patient's facts read when it was claimed: it is looked at
    # again before it goes (None for a test message, and a context of None for an account
    # that is no longer a patient's).
    reminder: StoredReminder | None = None
    context: PatientContext | None = None


class DeliveryOutcome(msgspec.Struct, frozen=True, kw_only=True):
    delivery_id: int
    subscription_id: int
    # withdrawn: the reminder is no longer wanted. deferred: wanted later, at next_attempt_at.
    status: Literal["sent", "retry", "gone", "failed", "expired", "withdrawn", "deferred"]
    http_status: int | None = None
    error: str = ""
    next_attempt_at: datetime | None = None
    expires_at: datetime | None = None  # a deferred message's new window


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    base_seconds: float = 5.0
    cap_seconds: float = 300.0
    max_attempts: int = 5
    # A Retry-After longer than this is treated as this: a reminder cannot wait for hours.
    max_retry_after_seconds: float = 3600.0


class Settlement(msgspec.Struct, frozen=True, kw_only=True):
    """A claimed reminder's fate, and for one that is sent, the message for each device."""

    reminder_id: int
    decision: Decision
    payload: str = ""
    urgency: str = "normal"
    topic: str = ""


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    body: str
    url: str
    tag: str
    kind: str


def local_instant(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of a wall-clock time on a local date (gap: forward; fold: first)."""
    return resolve_local(day, at, timezone).starts_at


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def wall_time_in_quiet_hours(at: time, prefs: Preferences) -> bool:
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end  # quiet hours that run past midnight


def in_quiet_hours(instant: datetime, prefs: Preferences, timezone: str) -> bool:
    return wall_time_in_quiet_hours(instant.astimezone(ZoneInfo(timezone)).time(), prefs)


def next_reading(instant: datetime, at: time, timezone: str) -> datetime:
    """The first instant after `instant` at which the local clock reads `at` (where the clocks
    skip it, the moment they jump past it). A time the clocks repeat is read twice: on the night
    they go back, quiet hours until 01:30 end at the first 01:30 and again at the second."""
    day = local_date_of(instant, timezone)
    for offset in range(3):
        for candidate in local_instants(day + timedelta(days=offset), at, timezone):
            if candidate > instant:
                return candidate
    raise ValueError(f"{at} never comes")  # unreachable: every time of day exists today or the next day


def quiet_hours_end_after(instant: datetime, prefs: Preferences, timezone: str) -> datetime:
    """The first instant after `instant` at which the patient's quiet hours end."""
    return next_reading(instant, prefs.quiet_end, timezone)


def quiet_hours_start_after(instant: datetime, prefs: Preferences, timezone: str) -> datetime | None:
    """The first instant after `instant` at which the patient's quiet hours start; None without them."""
    if prefs.quiet_start is None or prefs.quiet_end is None or prefs.quiet_start == prefs.quiet_end:
        return None
    return next_reading(instant, prefs.quiet_start, timezone)


def clocks_back_into_quiet_hours(instant: datetime, prefs: Preferences, timezone: str) -> datetime | None:
    """The first instant after `instant` (today or tomorrow, local) at which the clocks going back
    put the wall clock into quiet hours again: with quiet hours until 01:30, at 02:00 on the night
    the clocks go back to 01:00. It happens only where quiet hours end in the repeated hour, so
    their end is read twice; None elsewhere, or without quiet hours."""
    if quiet_hours_start_after(instant, prefs, timezone) is None:
        return None
    day = local_date_of(instant, timezone)
    for offset in range(2):
        readings = local_instants(day + timedelta(days=offset), prefs.quiet_end, timezone)
        if len(readings) == 2:
            back = _clock_change_between(*readings, timezone)
            if back > instant and in_quiet_hours(back, prefs, timezone) and not in_quiet_hours(
                    back - timedelta(seconds=1), prefs, timezone):
                return back
    return None


def _clock_change_between(first: datetime, second: datetime, timezone: str) -> datetime:
    """The instant the UTC offset changes between two readings of one wall time (a fold): found
    by halving, to the second, since zoneinfo does not list its transitions."""
    zone = ZoneInfo(timezone)
    before = first.astimezone(zone).utcoffset()
    low, high = 0, int((second - first).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if (first + timedelta(seconds=middle)).astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return first + timedelta(seconds=high)


def respect_quiet_hours(due: datetime, expires: datetime, prefs: Preferences, timezone: str) -> datetime | None:
    """The due instant moved to the end of quiet hours if it falls in them; None if that is too late."""
    if not in_quiet_hours(due, prefs, timezone):
        return due
    later = quiet_hours_end_after(due, prefs, timezone)
    return later if later < expires else None


def _occurrence(ctx: PatientContext, kind: str, key: str, local_date: date, due: datetime,
                expires: datetime, session: UpcomingSession | None = None) -> Occurrence | None:
    if expires <= due:
        return None
    moved = respect_quiet_hours(due, expires, ctx.preferences, ctx.timezone)
    if moved is None:
        return None
    # The expiry is the push TTL's end: past the next start of quiet hours, the push service
    # could deliver it in the middle of the patient's night. A reminder set just before quiet
    # hours still gets MIN_WINDOW to go out (a few minutes into them at worst), or it would
    # never be sent at all. (The clocks going back into quiet hours cap only the message's TTL,
    # at send time, in decide: the reminder itself stays wanted until their second end.)
    if (quiet := quiet_hours_start_after(moved, ctx.preferences, ctx.timezone)) is not None:
        expires = min(expires, max(quiet, moved + MIN_WINDOW))
    return Occurrence(kind=kind, key=key, local_date=local_date, due_at=moved, expires_at=expires,
                      session_id=session.id if session else None,
                      replaces=session.replaces if session else ())


def _daily_candidates(now: datetime, timezone: str) -> list[date]:
    # Yesterday's late reminder can still be inside its window just after midnight.
    today = local_today(now, timezone)
    return [today - timedelta(days=1), today, today + timedelta(days=1), today + timedelta(days=2)]


def checkin_occurrences(ctx: PatientContext, now: datetime) -> list[Occurrence]:
    prefs, found = ctx.preferences, []
    if not prefs.checkin_enabled:
        return found
    for day in _daily_candidates(now, ctx.timezone):
        if day in ctx.checked_in:
            continue  # that day's check-in is already done: nothing to remind about
        due = local_instant(day, prefs.checkin_time, ctx.timezone)
        if occ := _occurrence(ctx, "checkin", day.isoformat(), day, due, due + WINDOWS["checkin"]):
            found.append(occ)
    return found


def treatment_occurrences(ctx: PatientContext, now: datetime) -> list[Occurrence]:
    prefs, zone, found = ctx.preferences, ZoneInfo(ctx.timezone), []
    for session in ctx.sessions:
        session_day, key = session.starts_at.astimezone(zone).date(), session_key(session)
        if prefs.eve_enabled:
            eve = session_day - timedelta(days=1)
            due = local_instant(eve, prefs.eve_time, ctx.timezone)
            session_day_starts, _ = local_day_bounds(session_day, ctx.timezone)
            expires = min(due + WINDOWS["treatment_eve"], session.starts_at, session_day_starts)
            if occ := _occurrence(ctx, "treatment_eve", key, eve, due, expires, session):
                found.append(occ)
        if prefs.lead_enabled:
            due = session.starts_at - timedelta(minutes=prefs.lead_minutes)
            expires = min(due + WINDOWS["treatment_lead"], session.starts_at)
            if occ := _occurrence(ctx, "treatment_lead", key, session_day, due, expires, session):
                found.append(occ)
    return found


def scale_occurrences(ctx: PatientContext, now: datetime) -> list[Occurrence]:
    """On the day the weekly questionnaires are due, and once a week after that until taken."""
    prefs, found, first_due = ctx.preferences, [], ctx.scale_due
    if not prefs.scale_enabled or first_due is None:
        return found
    for day in _daily_candidates(now, ctx.timezone):
        if day < first_due or (day - first_due).days % 7:
            continue
        due = local_instant(day, prefs.scale_time, ctx.timezone)
        if occ := _occurrence(ctx, "scale", day.isoformat(), day, due, due + WINDOWS["scale"]):
            found.append(occ)
    return found


def scale_due_date(last_taken: dict[str, date]) -> date | None:
    """The first day a weekly questionnaire is due again. Before the first one is taken there
    is no reminder: the first (baseline) questionnaire is the patient's own choice of day."""
    if not last_taken:
        return None
    return min(last_taken.values()) + timedelta(days=DUE_EVERY_DAYS)


KIND_RULES = {"checkin": checkin_occurrences, "treatment_eve": treatment_occurrences,
              "treatment_lead": treatment_occurrences, "scale": scale_occurrences}


def occurrences(ctx: PatientContext, now: datetime) -> list[Occurrence]:
    """Every reminder this patient should have around `now`, including ones already past."""
    return checkin_occurrences(ctx, now) + treatment_occurrences(ctx, now) + scale_occurrences(ctx, now)


def plannable(ctx: PatientContext, now: datetime, horizon: timedelta = HORIZON) -> list[Occurrence]:
    """The reminders to keep as rows now: not yet too late, and due within the horizon."""
    return [occ for occ in occurrences(ctx, now) if occ.expires_at > now and occ.due_at <= now + horizon]


def already_sent(sent: StoredReminder, occ: Occurrence) -> bool:
    """Whether a session's reminder that was sent stands for `occ`, one of the same kind for the
    same session at a new start instant, or for a session the patient moved it to. It does when
    `occ` is due no later than it (give or take MIN_WINDOW): by then the patient had it, and
    another would be the same reminder again, at once. The evening-before reminder is also for
    its evening: one sent that evening already said "tomorrow" (the patient moved the session
    within that day, or changed time zone, which keeps its clock time)."""
    if sent.status != "dispatched" or sent.kind != occ.kind or occ.session_id is None:
        return False
    if sent.session_id != occ.session_id and sent.session_id not in occ.replaces:
        return False
    if occ.due_at < sent.due_at + MIN_WINDOW:
        return True
    return occ.kind == "treatment_eve" and occ.local_date == sent.local_date


def plan_changes(existing: list[StoredReminder], wanted: list[Occurrence],
                 now: datetime) -> tuple[list[Occurrence], list[int]]:
    """Which wanted reminders to write (new, changed, or wanted again after being withdrawn)
    and which future rows to withdraw because the rules no longer want them. Rows that were
    already sent or dropped are history and never come back; claimed rows belong to a worker.
    A session that now starts at another instant, or that replaced a moved one, has new
    reminders, written unless one already sent stands for them (already_sent)."""
    stored = {(row.kind, row.key): row for row in existing}
    writes = []
    for occ in wanted:
        row = stored.get(occ.identity)
        if row is None:
            if not any(already_sent(earlier, occ) for earlier in existing):
                writes.append(occ)
        elif row.claimed or row.status not in ("pending", "withdrawn"):
            continue
        elif row.status == "withdrawn" or (row.due_at, row.expires_at, row.session_id, row.local_date) != (
                occ.due_at, occ.expires_at, occ.session_id, occ.local_date):
            writes.append(occ)
    wanted_ids = {occ.identity for occ in wanted}
    withdrawals = [row.id for row in existing
                   if row.status == "pending" and not row.claimed and row.due_at > now
                   and (row.kind, row.key) not in wanted_ids]
    return writes, withdrawals


def decide(due_at: datetime, wanted: Occurrence | None, ctx: PatientContext, now: datetime) -> Decision:
    """What to do with a reminder row that came due at `due_at`, given what is wanted now.

    `wanted` is the same reminder (kind and key) as the rules compute it with today's facts,
    or None if the rules no longer want it: the check-in is done, the session moved or was
    cancelled, the kind was turned off.
    """
    if wanted is None:
        return Decision(action="withdraw")
    if wanted.due_at > now and wanted.due_at != due_at:
        # The time zone, the chosen time or the session changed since the row was written.
        return Decision(action="reschedule", due_at=wanted.due_at, expires_at=wanted.expires_at)
    if now >= wanted.expires_at:
        return Decision(action="expire")
    prefs, zone = ctx.preferences, ctx.timezone
    # The night the clocks go back into quiet hours (those ending in the repeated hour), the
    # wall clock re-enters them without reading their start: `back` is that instant.
    back = clocks_back_into_quiet_hours(wanted.due_at, prefs, zone)
    just_due = wanted.due_at <= now < wanted.due_at + MIN_WINDOW and (back is None or now < back)
    if in_quiet_hours(now, prefs, zone) and not just_due:
        # Late because a worker was down, and now it is the middle of the patient's night.
        # (Within MIN_WINDOW of its due time, a reminder due just before quiet hours still goes,
        # unless they came back with the clocks: then they end again soon.)
        later = quiet_hours_end_after(now, prefs, zone)
        if later < wanted.expires_at:
            return Decision(action="reschedule", due_at=later, expires_at=wanted.expires_at)
        return Decision(action="expire")
    if back is not None and back <= now:
        back = clocks_back_into_quiet_hours(now, prefs, zone)
    if back is None or back >= wanted.expires_at:
        return Decision(action="send", expires_at=wanted.expires_at)
    # The push service may hold the message only until the clocks go back. Too near that to be
    # sure to go out (the scheduler's passes and the shortest TTL need MIN_WINDOW), it comes
    # when quiet hours end the second time, if that is not too late.
    if back < now + MIN_WINDOW and (later := quiet_hours_end_after(back, prefs, zone)) < wanted.expires_at:
        return Decision(action="reschedule", due_at=later, expires_at=wanted.expires_at)
    return Decision(action="send", expires_at=back)


def wanted_now(row: StoredReminder, ctx: PatientContext, now: datetime) -> Occurrence | None:
    """The same reminder as the rules compute it with the facts in `ctx`, or None. Only its
    kind's rule runs: this is asked once per message sent."""
    return next((occ for occ in KIND_RULES[row.kind](ctx, now) if occ.identity == (row.kind, row.key)), None)


def settle(row: StoredReminder, ctx: PatientContext | None, wanted: Occurrence | None,
           now: datetime) -> Settlement:
    """A due reminder's fate (see decide), and for one to send, its message as of `now`.
    `ctx` is None when the account is gone or is no longer a patient's."""
    if ctx is None:
        return Settlement(reminder_id=row.id, decision=Decision(action="withdraw"))
    decision = decide(row.due_at, wanted, ctx, now)
    if decision.action != "send":
        return Settlement(reminder_id=row.id, decision=decision)
    return Settlement(reminder_id=row.id, decision=decision,
                      payload=payload(notification_for(wanted, ctx, sent_at=now)),
                      urgency=URGENCY[row.kind], topic=TOPICS[row.kind])


# A reminder's decision at send time, as its message's outcome, and why.
RECHECKED = {"withdraw": ("withdrawn", "no longer wanted"), "expire": ("expired", "too late to be useful"),
             "reschedule": ("deferred", "")}


def recheck(delivery: Delivery, now: datetime) -> Delivery | DeliveryOutcome:
    """A reminder's message about to be sent, or sent again after its push service refused it
    (a retry can wait up to an hour), looked at with the facts of `delivery.context`: the
    message as it reads now, in the patient's current words and level of detail, or why it
    does not go. Meanwhile the session may have been cancelled, the check-in done, or the
    reminder moved to a later time (deferred, not counted as an attempt)."""
    row, ctx = delivery.reminder, delivery.context
    wanted = wanted_now(row, ctx, now) if ctx is not None else None
    settled = settle(row, ctx, wanted, now)
    decision = settled.decision
    if decision.action == "send":
        return msgspec.structs.replace(delivery, payload=settled.payload, expires_at=decision.expires_at)
    status, why = RECHECKED[decision.action]
    return DeliveryOutcome(delivery_id=delivery.id, subscription_id=delivery.subscription_id, status=status,
                           error=why, next_attempt_at=decision.due_at, expires_at=decision.expires_at)


def ttl_seconds(expires_at: datetime, now: datetime) -> int | None:
    """How long a push service may hold the message: until the reminder stops being useful, and
    not a second longer (it may deliver it at any moment until then). None when less than
    MIN_TTL_SECONDS are left: too late to send, since the shortest TTL would outlast the window."""
    left = int((expires_at - now).total_seconds())
    return left if left >= MIN_TTL_SECONDS else None


def _session_for(ctx: PatientContext, session_id: int | None) -> UpcomingSession | None:
    return next((s for s in ctx.sessions if s.id == session_id), None)


def relative_day(day: date, today: date) -> str:
    """How a message read on the local date `today` names `day`: "today", "tomorrow", the
    weekday within the week ahead, else its date. Dates, not elapsed time: a day with a clock
    change has 23 or 25 hours, and still the next one is "tomorrow"."""
    ahead = (day - today).days
    if ahead == 0:
        return "today"
    if ahead == 1:
        return "tomorrow"
    if 1 < ahead < 7:
        return weekday_name(day)
    return day_label(day, today)


def session_day(starts_at: datetime, sent_at: datetime, held_until: datetime, timezone: str) -> str:
    """How a message sent at `sent_at` names a session's day. The push service may hold it for an
    offline phone until `held_until` (exclusive): when a local midnight falls in between,
    "tomorrow" could be read on the day itself, so it names the weekday, true either way."""
    day = local_date_of(starts_at, timezone)
    sent_word = relative_day(day, local_date_of(sent_at, timezone))
    last_word = relative_day(day, local_date_of(max(sent_at, held_until - timedelta(seconds=1)), timezone))
    return sent_word if sent_word == last_word else weekday_name(day)


def _on_day(day_word: str) -> str:
    return day_word if day_word in ("today", "tomorrow") else f"on {day_word}"


def notification_for(occ: Occurrence, ctx: PatientContext, sent_at: datetime | None = None) -> Notification:
    """Generic lock-screen text by default; the detail only if the patient opted in. Worded as
    of `sent_at` (by default, its due instant)."""
    if occ.kind == "checkin":
        # The form opens on today; a reminder that arrives after midnight still opens its day.
        url = f"/checkin?day={occ.local_date.isoformat()}"
    elif occ.kind == "scale":
        url = "/scales"
    else:  # the session's page, with the treatment-day checklist on the day
        url = f"/treatment/sessions/{occ.session_id}"
    sent_at = sent_at or occ.due_at
    title, body = GENERIC_TITLES.get(occ.kind, "Lift: reminder"), GENERIC_BODY
    if ctx.preferences.detailed_text:
        title, body = detailed_text(occ, ctx, sent_at)
    elif session := _session_for(ctx, occ.session_id):
        day = session_day(session.starts_at, sent_at, occ.expires_at, ctx.timezone)
        title = f"Lift: reminder for {day}"
    return Notification(title=title, body=body, url=url, tag=f"{occ.kind}-{occ.key}", kind=occ.kind)


def detailed_text(occ: Occurrence, ctx: PatientContext, sent_at: datetime) -> tuple[str, str]:
    if occ.kind == "checkin":
        return "Lift: time for your daily check-in", "How were your mood, anxiety and sleep today?"
    if occ.kind == "scale":
        return scale_text(dict(ctx.scales_taken), occ.local_date)
    session = _session_for(ctx, occ.session_id)
    when = _on_day(session_day(session.starts_at, sent_at, occ.expires_at, ctx.timezone))
    at = time_text(session.starts_at.astimezone(ZoneInfo(ctx.timezone)), ctx.twelve_hour)
    title = session_title(when, at, session.clinic_name)
    if occ.kind == "treatment_eve":
        return title, "Arrange a ride home: no driving until the next day, after a night's sleep."
    return title, "Open today's checklist." if when == "today" else "Open the session's checklist."


def session_title(when: str, at: str, clinic_name: str | None = None) -> str:
    return f"Lift: treatment session {when} at {at}" + (f" at {clinic_name}" if clinic_name else "")


def details_example(twelve_hour: bool) -> str:
    """The example beside the Reminders page's "Show details" choice, on the patient's clock,
    so it reads as their own reminders will."""
    return session_title("tomorrow", time_text(time(9), twelve_hour))


def scale_text(last_taken: dict[str, date], day: date) -> tuple[str, str]:
    """Names only the questionnaires due that day: with one taken later than the other, the
    first reminder is for one of them."""
    names = [instrument.name for instrument in due_instruments(last_taken, day)]
    if len(names) == 1:
        return f"Lift: your weekly {names[0]} is due", "It takes a minute or two."
    return f"Lift: your weekly {' and '.join(names)} are due", "They take about three minutes."


def device_test_notification() -> Notification:
    return Notification(title=GENERIC_TITLES["test"], body=TEST_BODY, url="/reminders", tag="test",
                        kind="test")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def payload(notification: Notification) -> str:
    """The JSON the service worker reads. Lock screens show a line or two, so long text is cut
    there first; the result always fits one aes128gcm record."""
    data = msgspec.structs.asdict(notification)
    data["title"] = _shorten(data["title"], TITLE_MAX)
    data["body"] = _shorten(data["body"], BODY_MAX)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError("notification does not fit in a push message")
    return text


def retry_delay(attempt: int, policy: RetryPolicy, jitter: float) -> float:
    """Exponential backoff for the `attempt`-th failure (1-based), with jitter in [0, 1)
    spreading retries over the upper half so that many failures do not retry in step."""
    delay = min(policy.cap_seconds, policy.base_seconds * 2 ** (attempt - 1))
    return delay * (0.5 + 0.5 * jitter)


def after_failure(delivery: Delivery, now: datetime, policy: RetryPolicy, jitter: float,
                  retry_after: float | None = None) -> tuple[str, datetime | None]:
    """Retry a delivery that failed for a passing reason (429, 5xx, timeout), or give it up:
    ("retry", when) while attempts and the reminder's window allow, else ("failed" or "expired", None)."""
    if delivery.attempts >= policy.max_attempts:
        return "failed", None
    if retry_after is not None:
        delay = min(max(retry_after, 1.0), policy.max_retry_after_seconds)
    else:
        delay = retry_delay(delivery.attempts, policy, jitter)
    when = now + timedelta(seconds=delay)
    if when >= delivery.expires_at:
        return "expired", None
    return "retry", when


# Settings form ----------------------------------------------------------------------------

class PreferencesForm(msgspec.Struct, frozen=True, kw_only=True):
    checkin_enabled: bool = False
    checkin_time: TimeOfDay
    eve_enabled: bool = False
    eve_time: TimeOfDay
    lead_enabled: bool = False
    lead_minutes: int
    scale_enabled: bool = False
    scale_time: TimeOfDay
    quiet_start: TimeOfDay = ""
    quiet_end: TimeOfDay = ""
    detailed_text: bool = False


LEAD_MESSAGE = "Choose how long before the session."
LEAD_DIGITS = re.compile(r"[0-9]{1,6}")


def preferences_messages(twelve_hour: bool) -> dict[str, str]:
    """Each setting's message when it is refused. The example times are on the patient's clock
    ("8:00 PM" or "20:00"), as every time they read in Lift is."""
    def like(hour: int) -> str:
        return f"Enter a time like {time_text(time(hour), twelve_hour)}"

    return {
        "checkin_enabled": "Choose whether to get check-in reminders.",
        "checkin_time": f"{like(20)}.",
        "eve_enabled": "Choose whether to get a reminder the evening before.",
        "eve_time": f"{like(19)}.",
        "lead_enabled": "Choose whether to get a reminder before the session.",
        "lead_minutes": LEAD_MESSAGE,
        "scale_enabled": "Choose whether to get weekly questionnaire reminders.",
        "scale_time": f"{like(10)}.",
        "quiet_start": f"{like(22)}, or leave both quiet-hours times empty.",
        "quiet_end": f"{like(7)}, or leave both quiet-hours times empty.",
        "detailed_text": "Choose whether notifications may show details.",
    }


# What the summary of a refused form calls each answer, in the form's order: on a phone the
# settings are several screens long, so it names each one wrong, as a link to it.
PREFERENCES_NAMES = {
    "checkin_enabled": "the check-in reminder",
    "checkin_time": "the check-in reminder time",
    "eve_enabled": "the evening-before reminder",
    "eve_time": "the evening reminder time",
    "lead_enabled": "the reminder before the session",
    "lead_minutes": "how long before the session",
    "scale_enabled": "the weekly questionnaire reminder",
    "scale_time": "the weekly reminder time",
    "quiet_start": "when quiet hours start",
    "quiet_end": "when quiet hours end",
    "detailed_text": "details in notifications",
}


def _wall(text: str) -> time | None:
    return time.fromisoformat(text) if text else None


# Each reminder with a time of its own: its switch and its time.
REMINDER_TIMES = (("checkin_enabled", "checkin_time"), ("eve_enabled", "eve_time"),
                  ("scale_enabled", "scale_time"))


def settings_answers(values: dict[str, str], stored: Preferences) -> dict[str, str]:
    """The settings form's answers as they are checked and saved. A reminder turned off keeps its
    stored time (the default before any was saved) when the one sent is empty or not a time:
    nothing uses it until the reminder is turned on again, so it must not stop the rest from
    being saved."""
    answers = dict(values)
    kept = preferences_as_form_values(stored)
    for switch, field in REMINDER_TIMES:
        if not (values.get(switch) or "").strip() and parse_time_of_day(values.get(field)) is None:
            answers[field] = kept[field]
    return answers


def settings_problems(answers: dict[str, str]) -> dict[str, str]:
    """What is wrong beyond each answer's own shape: a lead no choice offers, and quiet hours
    with one end or with both ends the same. Read from the answers as sent (trimmed, as
    parse_form reads them), so they show beside any other problem, not after it is fixed."""
    errors: dict[str, str] = {}
    lead = (answers.get("lead_minutes") or "").strip()
    # A few ASCII digits only: str.isdigit() also takes "²", and int() refuses it and any
    # number over 4300 digits with an error.
    if lead and not (LEAD_DIGITS.fullmatch(lead) and int(lead) in LEAD_CHOICES):
        errors["lead_minutes"] = LEAD_MESSAGE
    start, end = ((answers.get(field) or "").strip() for field in ("quiet_start", "quiet_end"))
    if bool(start) != bool(end):
        errors["quiet_end" if start else "quiet_start"] = ("Enter both times for quiet hours, "
                                                          "or leave both empty.")
    elif start and (parse_time_of_day(start) or start) == (parse_time_of_day(end) or end):
        errors["quiet_end"] = "Quiet hours need to end at a different time than they start."
    return errors


def preferences_from_form(form: PreferencesForm) -> Preferences:
    return Preferences(
        checkin_enabled=form.checkin_enabled, checkin_time=_wall(form.checkin_time),
        eve_enabled=form.eve_enabled, eve_time=_wall(form.eve_time),
        lead_enabled=form.lead_enabled, lead_minutes=form.lead_minutes,
        scale_enabled=form.scale_enabled, scale_time=_wall(form.scale_time),
        quiet_start=_wall(form.quiet_start), quiet_end=_wall(form.quiet_end),
        detailed_text=form.detailed_text,
    )


def preferences_as_form_values(prefs: Preferences) -> dict[str, str]:
    def wall(value: time | None) -> str:  # a time input's value: HH:MM whatever the clock
        return f"{value:%H:%M}" if value else ""

    return {
        "checkin_enabled": "true" if prefs.checkin_enabled else "", "checkin_time": wall(prefs.checkin_time),
        "eve_enabled": "true" if prefs.eve_enabled else "", "eve_time": wall(prefs.eve_time),
        "lead_enabled": "true" if prefs.lead_enabled else "", "lead_minutes": str(prefs.lead_minutes),
        "scale_enabled": "true" if prefs.scale_enabled else "", "scale_time": wall(prefs.scale_time),
        "quiet_start": wall(prefs.quiet_start), "quiet_end": wall(prefs.quiet_end),
        "detailed_text": "true" if prefs.detailed_text else "",
    }


def _after_quiet_hours(kind: str, at: time, prefs: Preferences) -> time | None:
    """When a reminder set for `at`, inside quiet hours, comes on an ordinary day: when they
    end, or None when that is past its window (for the evening before, past midnight too)."""
    due = datetime.combine(ORDINARY_DAY, at, UTC)
    expires = due + WINDOWS[kind]
    if kind == "treatment_eve":
        expires = min(expires, datetime.combine(ORDINARY_DAY + timedelta(days=1), time(0), UTC))
    moved = respect_quiet_hours(due, expires, prefs, "UTC")
    return moved.time() if moved else None


def quiet_hours_notes(prefs: Preferences, twelve_hour: bool = False) -> list[str]:
    """One sentence for each reminder time inside quiet hours, so nobody wonders where a
    reminder went: it comes when they end, or, too late by then, it is never sent. Times on the
    patient's clock (`twelve_hour`)."""
    def at_(value: time) -> str:
        return time_text(value, twelve_hour)

    notes = []
    for kind, label, enabled, at in (
        ("checkin", "check-in", prefs.checkin_enabled, prefs.checkin_time),
        ("treatment_eve", "evening-before", prefs.eve_enabled, prefs.eve_time),
        ("scale", "weekly questionnaire", prefs.scale_enabled, prefs.scale_time),
    ):
        if not enabled or not wall_time_in_quiet_hours(at, prefs):
            continue
        quiet = (f"Your {label} reminder, set for {at_(at)}, falls in your quiet hours "
                 f"({at_(prefs.quiet_start)} to {at_(prefs.quiet_end)})")
        comes = _after_quiet_hours(kind, at, prefs)
        if comes is None:
            notes.append(f"{quiet}. By {at_(prefs.quiet_end)} it would be too late to be useful, so it is "
                         "never sent: choose a time outside quiet hours to get it.")
        else:
            notes.append(f"{quiet}, so it comes when they end, at {at_(comes)}.")
    return notes
