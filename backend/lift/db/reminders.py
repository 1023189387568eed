"""Push subscriptions, reminder preferences, reminder rows and their deliveries.

Workers claim due rows with one UPDATE ... RETURNING each: the claim and the read are a single
statement in a single write transaction, so two workers (in one process or several) can
never claim the same row. A claim older than the worker's timeout is taken over, so a worker
that died mid-batch leaves nothing stuck.

What a worker needs to decide about a reminder (check-ins, sessions, preferences) is read on
the writer connection inside a transaction, so it includes every write committed before it:
a stale read could send a check-in reminder for a check-in just saved.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from lift.db.clock import iso
from lift.db.connection import Database
from lift.domain.dates import uses_twelve_hour
from lift.domain.push import SubscriptionIn, endpoint_hash
from lift.domain.reminders import (
    DEFAULT_PREFERENCES,
    SESSION_LOOKAHEAD,
    Delivery,
    DeliveryOutcome,
    Device,
    GoneDevice,
    Occurrence,
    PatientContext,
    Preferences,
    Settlement,
    StoredReminder,
    UpcomingSession,
)

CHUNK = 500
REMINDER_COLUMNS = (
    "id, user_id, kind, about, session_id, local_date, due_at, expires_at, status, claimed_by"
)
DELIVERY_COLUMNS = "id, reminder_id, subscription_id, payload, urgency, topic, expires_at, attempts"


def stamp(instant: datetime) -> str:
    """ISO 8601 UTC with milliseconds: one fixed width, so instants compare as text."""
    instant = instant.astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def parse_stamp(text: str) -> datetime:
    pattern = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in text else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.strptime(text, pattern).replace(tzinfo=UTC)


def _ids(values: Iterable[int]) -> str:
    return json.dumps(sorted(set(values)))


def _chunks(values: list[int]) -> list[list[int]]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


def _wall(text: str) -> time | None:
    return time.fromisoformat(text) if text else None


def _wall_text(value: time | None) -> str:
    return f"{value:%H:%M}" if value else ""


def _reminder(row) -> StoredReminder:
    return StoredReminder(
        id=row["id"], user_id=row["user_id"], kind=row["kind"], key=row["about"],
        session_id=row["session_id"], local_date=date.fromisoformat(row["local_date"]),
        due_at=parse_stamp(row["due_at"]), expires_at=parse_stamp(row["expires_at"]),
        status=row["status"], claimed=row["claimed_by"] is not None,
    )


def _preferences(row) -> Preferences:
    if row is None or row["checkin_enabled"] is None:
        return DEFAULT_PREFERENCES
    return Preferences(
        checkin_enabled=bool(row["checkin_enabled"]), checkin_time=_wall(row["checkin_time"]),
        eve_enabled=bool(row["eve_enabled"]), eve_time=_wall(row["eve_time"]),
        lead_enabled=bool(row["lead_enabled"]), lead_minutes=row["lead_minutes"],
        scale_enabled=bool(row["scale_enabled"]), scale_time=_wall(row["scale_time"]),
        quiet_start=_wall(row["quiet_start"]), quiet_end=_wall(row["quiet_end"]),
        detailed_text=bool(row["detailed_text"]),
    )


# Devices -----------------------------------------------------------------------------------

def _holds_secret(stored_auth: str, given_auth: str) -> bool:
    """Whether the caller showed this browser's auth secret, which the push service never sees.
    Constant time, so the answer's timing does not leak the secret a byte at a time."""
    return hmac.compare_digest(stored_auth.encode(), given_auth.encode())


async def save_subscription(db: Database, user_id: int, subscription: SubscriptionIn, label: str,
                            now: datetime) -> int | None:
    """Store a device's subscription, or refresh it. A browser another account subscribed
    before moves to this one, and nothing still queued for the other account reaches it; but
    only when the caller shows that browser's auth secret (the same browser subscribing again
    gets the same keys). Knowing the endpoint alone, as the push service does, moves nothing:
    None."""
    async with db.write() as conn:
        cursor = await conn.execute("SELECT user_id, auth FROM push_subscriptions WHERE endpoint = ?",
                                    (subscription.endpoint,))
        held = await cursor.fetchone()
        if held and held["user_id"] != user_id and not _holds_secret(held["auth"], subscription.keys.auth):
            return None
        # This browser is getting reminders again: whatever said it stopped is past.
        await conn.execute("DELETE FROM gone_devices WHERE user_id = ? AND label = ?", (user_id, label))
        await conn.execute(
            "DELETE FROM push_deliveries WHERE status = 'pending' AND subscription_id IN"
            " (SELECT id FROM push_subscriptions WHERE endpoint = ? AND user_id != ?)",
            (subscription.endpoint, user_id),
        )
        cursor = await conn.execute(
            "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, label, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET"
            " p256dh = excluded.p256dh, auth = excluded.auth, label = excluded.label,"
            " created_at = CASE WHEN push_subscriptions.user_id = excluded.user_id"
            "   THEN push_subscriptions.created_at ELSE excluded.created_at END,"
            " user_id = excluded.user_id RETURNING id",
            (user_id, subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth, label,
             stamp(now)),
        )
        return (await cursor.fetchone())[0]


async def renew_subscription(db: Database, old_endpoint: str, old_auth: str,
                             subscription: SubscriptionIn) -> int | None:
    """Move a device to the subscription its browser replaced the old one with, keeping its
    owner, label and history. None when no device has the old endpoint with that auth secret
    (the push service knows the endpoint, never the secret)."""
    async with db.write() as conn:
        cursor = await conn.execute("SELECT id, auth FROM push_subscriptions WHERE endpoint = ?",
                                    (old_endpoint,))
        row = await cursor.fetchone()
        if row is None or not _holds_secret(row[1], old_auth):
            return None
        # The page may already have saved the new subscription: one row per browser.
        await conn.execute("DELETE FROM push_subscriptions WHERE endpoint = ? AND id != ?",
                           (subscription.endpoint, row[0]))
        await conn.execute(
            "UPDATE push_subscriptions SET endpoint = ?, p256dh = ?, auth = ? WHERE id = ?",
            (subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth, row[0]),
        )
        return row[0]


async def has_room_for(db: Database, user_id: int, endpoint: str, limit: int) -> bool:
    """Whether this endpoint is already one of the patient's devices, or they have fewer than `limit`."""
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT count(*), coalesce(sum(endpoint = ?), 0) FROM push_subscriptions WHERE user_id = ?",
            (endpoint, user_id),
        )
        count, known = await cursor.fetchone()
    return bool(known) or count < limit


async def devices_for(db: Database, user_id: int) -> list[Device]:
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT id, label, endpoint, created_at, last_sent_at FROM push_subscriptions"
            " WHERE user_id = ? ORDER BY created_at, id",
            (user_id,),
        )
        rows = await cursor.fetchall()
    return [Device(id=row["id"], label=row["label"], endpoint_hash=endpoint_hash(row["endpoint"]),
                   created_at=parse_stamp(row["created_at"]),
                   last_sent_at=parse_stamp(row["last_sent_at"]) if row["last_sent_at"] else None)
            for row in rows]


async def gone_devices_for(db: Database, user_id: int) -> list[GoneDevice]:
    """Devices deleted because their push service said they are gone, oldest first."""
    rows = await db.fetch_all("SELECT label, gone_at FROM gone_devices WHERE user_id = ? ORDER BY gone_at, id",
                              (user_id,))
    return [GoneDevice(label=row["label"], gone_at=parse_stamp(row["gone_at"])) for row in rows]


async def delete_device(db: Database, user_id: int, device_id: int) -> bool:
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?", (device_id, user_id)
        )
        return cursor.rowcount == 1


async def delete_device_by_endpoint(db: Database, user_id: int, endpoint: str) -> bool:
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?", (endpoint, user_id)
        )
        return cursor.rowcount == 1


async def delete_all_devices(db: Database, user_id: int) -> int:
    async with db.write() as conn:
        cursor = await conn.execute("DELETE FROM push_subscriptions WHERE user_id = ?", (user_id,))
        return cursor.rowcount


async def queue_message(db: Database, user_id: int, device_id: int, payload: str, urgency: str,
                        topic: str, expires_at: datetime, now: datetime) -> int | None:
    """Queue one message (a test the patient asked for) to one of their own devices."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO push_deliveries (subscription_id, payload, urgency, topic, expires_at,"
            " next_attempt_at, created_at) SELECT id, ?, ?, ?, ?, ?, ? FROM push_subscriptions"
            " WHERE id = ? AND user_id = ? RETURNING id",
            (payload, urgency, topic, stamp(expires_at), stamp(now), stamp(now), device_id, user_id),
        )
        row = await cursor.fetchone()
    return row[0] if row else None


# Preferences -------------------------------------------------------------------------------

async def preferences_for(db: Database, user_id: int) -> Preferences:
    async with db.read() as conn:
        cursor = await conn.execute("SELECT * FROM reminder_preferences WHERE user_id = ?", (user_id,))
        return _preferences(await cursor.fetchone())


async def save_preferences(db: Database, user_id: int, prefs: Preferences, now: datetime) -> None:
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO reminder_preferences (user_id, checkin_enabled, checkin_time, eve_enabled,"
            " eve_time, lead_enabled, lead_minutes, scale_enabled, scale_time, quiet_start, quiet_end,"
            " detailed_text, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET checkin_enabled = excluded.checkin_enabled,"
            " checkin_time = excluded.checkin_time, eve_enabled = excluded.eve_enabled,"
            " eve_time = excluded.eve_time, lead_enabled = excluded.lead_enabled,"
            " lead_minutes = excluded.lead_minutes, scale_enabled = excluded.scale_enabled,"
            " scale_time = excluded.scale_time, quiet_start = excluded.quiet_start,"
            " quiet_end = excluded.quiet_end, detailed_text = excluded.detailed_text,"
            " updated_at = excluded.updated_at",
            (user_id, int(prefs.checkin_enabled), _wall_text(prefs.checkin_time), int(prefs.eve_enabled),
             _wall_text(prefs.eve_time), int(prefs.lead_enabled), prefs.lead_minutes,
             int(prefs.scale_enabled), _wall_text(prefs.scale_time), _wall_text(prefs.quiet_start),
             _wall_text(prefs.quiet_end), int(prefs.detailed_text), stamp(now)),
        )


# What the rules need -----------------------------------------------------------------------

async def subscribed_patients(db: Database) -> list[int]:
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT DISTINCT s.user_id FROM push_subscriptions s JOIN users u ON u.id = s.user_id"
            " WHERE u.role = 'patient' ORDER BY s.user_id"
        )
        return [row[0] for row in await cursor.fetchall()]


async def _moved_from(conn, user_ids: list[int], since: datetime) -> dict[int, int]:
    """Each session a patient moved since `since`, by the session that replaced it. Older moves
    do not matter: a session gets no reminders once moved, and planning looks two days back."""
    cursor = await conn.execute(
        "SELECT id, moved_to FROM treatment_sessions WHERE user_id IN (SELECT value FROM json_each(?))"
        " AND status = 'rescheduled' AND moved_to IS NOT NULL AND updated_at >= ?",
        (_ids(user_ids), iso(since)),
    )
    return {row["moved_to"]: row["id"] for row in await cursor.fetchall()}


def _replaced(session_id: int, moved_from: dict[int, int]) -> tuple[int, ...]:
    found: list[int] = []
    while (earlier := moved_from.get(session_id)) is not None and earlier not in found:
        found.append(earlier)
        session_id = earlier
    return tuple(found)


async def _sessions(conn, user_ids: list[int], start: datetime, end: datetime) -> list[tuple[int, UpcomingSession]]:
    cursor = await conn.execute(
        "SELECT s.id, s.user_id, s.starts_at, p.clinic_name FROM treatment_sessions s"
        " JOIN treatment_plans p ON p.id = s.plan_id"
        " WHERE s.user_id IN (SELECT value FROM json_each(?)) AND s.status = 'planned'"
        " AND s.starts_at >= ? AND s.starts_at < ? ORDER BY s.starts_at, s.id",
        (_ids(user_ids), iso(start), iso(end)),
    )
    rows = await cursor.fetchall()
    moved_from = await _moved_from(conn, user_ids, start - timedelta(days=2)) if rows else {}
    return [(row["user_id"], UpcomingSession(id=row["id"], starts_at=parse_stamp(row["starts_at"]),
                                             clinic_name=row["clinic_name"],
                                             replaces=_replaced(row["id"], moved_from)))
            for row in rows]


async def _contexts(conn, user_ids: list[int], now: datetime) -> dict[int, PatientContext]:
    ids = _ids(user_ids)
    cursor = await conn.execute(
        "SELECT u.id, u.timezone, u.clock, p.* FROM users u"
        " LEFT JOIN reminder_preferences p ON p.user_id = u.id"
        " WHERE u.id IN (SELECT value FROM json_each(?)) AND u.role = 'patient'",
        (ids,),
    )
    people = {row["id"]: (row["timezone"], uses_twelve_hour(row["clock"], row["timezone"]), _preferences(row))
              for row in await cursor.fetchall()}
    # Wide enough for every zone's "yesterday" to "the day after tomorrow".
    first, last = (now - timedelta(days=2)).date(), (now + timedelta(days=3)).date()
    cursor = await conn.execute(
        "SELECT user_id, local_date FROM checkins WHERE user_id IN (SELECT value FROM json_each(?))"
        " AND local_date BETWEEN ? AND ?",
        (ids, first.isoformat(), last.isoformat()),
    )
    checked: dict[int, set[date]] = {}
    for row in await cursor.fetchall():
        checked.setdefault(row["user_id"], set()).add(date.fromisoformat(row["local_date"]))
    sessions: dict[int, list[UpcomingSession]] = {}
    for user_id, session in await _sessions(conn, user_ids, now - timedelta(days=1), now + SESSION_LOOKAHEAD):
        sessions.setdefault(user_id, []).append(session)
    cursor = await conn.execute(
        "SELECT user_id, instrument, max(local_date) AS last FROM scale_results"
        " WHERE user_id IN (SELECT value FROM json_each(?)) GROUP BY user_id, instrument",
        (ids,),
    )
    taken: dict[int, dict[str, date]] = {}
    for row in await cursor.fetchall():
        taken.setdefault(row["user_id"], {})[row["instrument"]] = date.fromisoformat(row["last"])
    return {
        user_id: PatientContext(
            user_id=user_id, timezone=zone, twelve_hour=twelve_hour, preferences=prefs,
            checked_in=frozenset(checked.get(user_id, ())), sessions=tuple(sessions.get(user_id, ())),
            scales_taken=tuple(taken.get(user_id, {}).items()),
        )
        for user_id, (zone, twelve_hour, prefs) in people.items()
    }


async def patient_contexts(db: Database, user_ids: Iterable[int], now: datetime) -> dict[int, PatientContext]:
    """Each patient's zone, preferences, recent check-ins, upcoming sessions and scale due date."""
    found: dict[int, PatientContext] = {}
    for chunk in _chunks(sorted(set(user_ids))):
        # On the writer, for the reason in the module docstring.
        async with db.write() as conn:
            found.update(await _contexts(conn, chunk, now))
    return found


# Planning ----------------------------------------------------------------------------------

async def reminders_since(db: Database, user_ids: Iterable[int], since: datetime) -> dict[int, list[StoredReminder]]:
    """Every reminder row of these patients due since `since`, by patient."""
    found: dict[int, list[StoredReminder]] = {}
    for chunk in _chunks(sorted(set(user_ids))):
        async with db.write() as conn:
            cursor = await conn.execute(
                f"SELECT {REMINDER_COLUMNS} FROM reminders WHERE user_id IN (SELECT value FROM json_each(?))"
                " AND due_at >= ?",
                (_ids(chunk), stamp(since)),
            )
            for row in await cursor.fetchall():
                found.setdefault(row["user_id"], []).append(_reminder(row))
    return found


async def write_plan(db: Database, writes: list[tuple[int, Occurrence]], withdrawals: list[int],
                     now: datetime) -> None:
    """Insert or move the planned reminders, and withdraw the ones no longer wanted. A row a
    worker has claimed, or that was already sent or dropped, is never touched."""
    if not writes and not withdrawals:
        return
    at = stamp(now)
    async with db.write() as conn:
        await conn.executemany(
            "INSERT INTO reminders (user_id, kind, about, session_id, local_date, due_at, expires_at,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, kind, about) DO UPDATE SET session_id = excluded.session_id,"
            " local_date = excluded.local_date, due_at = excluded.due_at, expires_at = excluded.expires_at,"
            " status = 'pending', updated_at = excluded.updated_at"
            " WHERE reminders.claimed_by IS NULL AND reminders.status IN ('pending', 'withdrawn')",
            [(user_id, occ.kind, occ.key, occ.session_id, occ.local_date.isoformat(), stamp(occ.due_at),
              stamp(occ.expires_at), at, at) for user_id, occ in writes],
        )
        await conn.executemany(
            "UPDATE reminders SET status = 'withdrawn', updated_at = ?"
            " WHERE id = ? AND status = 'pending' AND claimed_by IS NULL",
            [(at, reminder_id) for reminder_id in withdrawals],
        )


# Sending -----------------------------------------------------------------------------------

async def claim_due_reminders(db: Database, worker: str, now: datetime, stale_before: datetime,
                              limit: int) -> list[StoredReminder]:
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE reminders SET claimed_by = ?, claimed_at = ?"
            " WHERE id IN (SELECT id FROM reminders WHERE status = 'pending' AND due_at <= ?"
            "   AND (claimed_by IS NULL OR claimed_at < ?) ORDER BY due_at, id LIMIT ?)"
            " AND (claimed_by IS NULL OR claimed_at < ?)"
            f" RETURNING {REMINDER_COLUMNS}",
            (worker, stamp(now), stamp(now), stamp(stale_before), limit, stamp(stale_before)),
        )
        return [_reminder(row) for row in await cursor.fetchall()]


async def settle_reminders(db: Database, worker: str, settlements: list[Settlement], now: datetime) -> int:
    """Record what happened to each claimed reminder, and queue one delivery per device of each
    one sent, all in one transaction. Returns how many deliveries were queued. A reminder whose
    claim another worker has taken over is left to that worker."""
    at = stamp(now)
    by_action: dict[str, list[Settlement]] = {}
    for item in settlements:
        by_action.setdefault(item.decision.action, []).append(item)
    async with db.write() as conn:
        sends = by_action.get("send", [])
        await conn.executemany(
            "UPDATE reminders SET status = 'dispatched', claimed_by = NULL, claimed_at = NULL,"
            " updated_at = ? WHERE id = ? AND claimed_by = ?",
            [(at, item.reminder_id, worker) for item in sends],
        )
        after_updates = conn.total_changes
        await conn.executemany(
            "INSERT INTO push_deliveries (reminder_id, subscription_id, payload, urgency, topic,"
            " expires_at, next_attempt_at, created_at)"
            " SELECT r.id, s.id, ?, ?, ?, ?, ?, ? FROM reminders r JOIN push_subscriptions s"
            " ON s.user_id = r.user_id WHERE r.id = ? AND r.status = 'dispatched'"
            # Unique per reminder and device: a reminder settled twice still queues one each.
            " ON CONFLICT (reminder_id, subscription_id) DO NOTHING",
            [(item.payload, item.urgency, item.topic, stamp(item.decision.expires_at), at, at,
              item.reminder_id) for item in sends],
        )
        queued = conn.total_changes - after_updates
        await conn.executemany(
            "UPDATE reminders SET status = 'no_device' WHERE id = ? AND status = 'dispatched'"
            " AND NOT EXISTS (SELECT 1 FROM push_deliveries d WHERE d.reminder_id = reminders.id)",
            [(item.reminder_id,) for item in sends],
        )
        await conn.executemany(
            "UPDATE reminders SET due_at = ?, expires_at = ?, claimed_by = NULL, claimed_at = NULL,"
            " updated_at = ? WHERE id = ? AND claimed_by = ?",
            [(stamp(item.decision.due_at), stamp(item.decision.expires_at), at, item.reminder_id, worker)
             for item in by_action.get("reschedule", [])],
        )
        for action, status in (("withdraw", "withdrawn"), ("expire", "expired")):
            await conn.executemany(
                "UPDATE reminders SET status = ?, claimed_by = NULL, claimed_at = NULL, updated_at = ?"
                " WHERE id = ? AND claimed_by = ?",
                [(status, at, item.reminder_id, worker) for item in by_action.get(action, [])],
            )
    return queued


async def claim_deliveries(db: Database, worker: str, now: datetime, stale_before: datetime,
                           limit: int) -> list[Delivery]:
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE push_deliveries SET claimed_by = ?, claimed_at = ?, attempts = attempts + 1"
            " WHERE id IN (SELECT id FROM push_deliveries WHERE status = 'pending' AND next_attempt_at <= ?"
            "   AND (claimed_by IS NULL OR claimed_at < ?) ORDER BY next_attempt_at, id LIMIT ?)"
            " AND (claimed_by IS NULL OR claimed_at < ?)"
            f" RETURNING {DELIVERY_COLUMNS}",
            (worker, stamp(now), stamp(now), stamp(stale_before), limit, stamp(stale_before)),
        )
        claimed = await cursor.fetchall()
        if not claimed:
            return []
        cursor = await conn.execute(
            "SELECT id, endpoint, p256dh, auth FROM push_subscriptions"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (_ids(row["subscription_id"] for row in claimed),),
        )
        devices = {row["id"]: row for row in await cursor.fetchall()}
        # What the worker needs to decide again whether each reminder's message should still go,
        # read with the claim (on the writer, for the reason in the module docstring).
        cursor = await conn.execute(
            f"SELECT {REMINDER_COLUMNS} FROM reminders WHERE id IN (SELECT value FROM json_each(?))",
            (_ids(row["reminder_id"] for row in claimed if row["reminder_id"] is not None),),
        )
        reminders = {row["id"]: _reminder(row) for row in await cursor.fetchall()}
        patients = sorted({reminder.user_id for reminder in reminders.values()})
        contexts = await _contexts(conn, patients, now) if patients else {}

    def delivery(row) -> Delivery:
        device, reminder = devices[row["subscription_id"]], reminders.get(row["reminder_id"])
        return Delivery(id=row["id"], subscription_id=row["subscription_id"], endpoint=device["endpoint"],
                        p256dh=device["p256dh"], auth=device["auth"], payload=row["payload"],
                        urgency=row["urgency"], topic=row["topic"], expires_at=parse_stamp(row["expires_at"]),
                        attempts=row["attempts"], reminder=reminder,
                        context=contexts.get(reminder.user_id) if reminder else None)

    return [delivery(row) for row in sorted(claimed, key=lambda r: r["id"])]


async def release_deliveries(db: Database, worker: str, delivery_ids: list[int]) -> None:
    """Hand back deliveries claimed but never started (a worker stopping), uncounted."""
    async with db.write() as conn:
        await conn.executemany(
            "UPDATE push_deliveries SET claimed_by = NULL, claimed_at = NULL, attempts = attempts - 1"
            " WHERE id = ? AND claimed_by = ?",
            [(delivery_id, worker) for delivery_id in delivery_ids],
        )


async def record_outcomes(db: Database, worker: str, outcomes: list[DeliveryOutcome], now: datetime) -> None:
    """Record each delivery's outcome. A device its push service says is gone (404/410) is
    deleted with everything queued for it."""
    at = stamp(now)
    groups: dict[str, list[DeliveryOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.status, []).append(outcome)
    async with db.write() as conn:
        sent = groups.get("sent", [])
        await conn.executemany(
            "UPDATE push_deliveries SET status = 'sent', sent_at = ?, last_status = ?, last_error = '',"
            " claimed_by = NULL, claimed_at = NULL WHERE id = ? AND claimed_by = ?",
            [(at, o.http_status, o.delivery_id, worker) for o in sent],
        )
        await conn.executemany(
            "UPDATE push_subscriptions SET last_sent_at = ? WHERE id = ?",
            [(at, o.subscription_id) for o in sent],
        )
        await conn.executemany(
            "UPDATE push_deliveries SET next_attempt_at = ?, last_status = ?, last_error = ?,"
            " claimed_by = NULL, claimed_at = NULL WHERE id = ? AND claimed_by = ?",
            [(stamp(o.next_attempt_at), o.http_status, o.error[:500], o.delivery_id, worker)
             for o in groups.get("retry", [])],
        )
        await conn.executemany(
            "UPDATE push_deliveries SET status = ?, last_status = ?, last_error = ?,"
            " claimed_by = NULL, claimed_at = NULL WHERE id = ? AND claimed_by = ?",
            [(o.status, o.http_status, o.error[:500], o.delivery_id, worker)
             for o in groups.get("failed", []) + groups.get("expired", []) + groups.get("withdrawn", [])],
        )
        # Wanted later now: waiting for that is not a failed attempt.
        await conn.executemany(
            "UPDATE push_deliveries SET next_attempt_at = ?, expires_at = ?, attempts = attempts - 1,"
            " claimed_by = NULL, claimed_at = NULL WHERE id = ? AND claimed_by = ?",
            [(stamp(o.next_attempt_at), stamp(o.expires_at), o.delivery_id, worker)
             for o in groups.get("deferred", [])],
        )
        gone = [(device_id,) for device_id in sorted({o.subscription_id for o in groups.get("gone", [])})]
        # Kept by name and day, so the Reminders page can say which device stopped and when.
        await conn.executemany(
            "INSERT INTO gone_devices (user_id, label, gone_at) SELECT user_id, label, ?"
            " FROM push_subscriptions WHERE id = ?",
            [(at, device_id) for (device_id,) in gone],
        )
        await conn.executemany("DELETE FROM push_subscriptions WHERE id = ?", gone)


async def prune_history(db: Database, before: datetime) -> None:
    """Forget reminders and messages that were settled long ago."""
    async with db.write() as conn:
        await conn.execute("DELETE FROM reminders WHERE status != 'pending' AND due_at < ?", (stamp(before),))
        await conn.execute(
            "DELETE FROM push_deliveries WHERE status != 'pending' AND created_at < ?", (stamp(before),)
        )
        await conn.execute("DELETE FROM gone_devices WHERE gone_at < ?", (stamp(before),))
