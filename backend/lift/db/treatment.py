"""Treatment plans, sessions and session logs. Every query is scoped to the patient's user_id,
so another patient's plan or session reads exactly like a missing one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from lift.db.clock import iso, utc_now
from lift.db.connection import Database
from lift.domain.schedule import PlannedSession, in_new_zone
from lift.domain.treatment import LogForm, Plan, PlanForm, Session, SessionLog, normal_blood_pressure

PLAN_COLUMNS = "id, medication, medication_name, clinic_name, clinic_phone, food_advice, updated_at"
SESSION_COLUMNS = (
    "s.id, s.plan_id, s.starts_at, s.requested_date, s.requested_time, s.phase, s.status,"
    " s.ride_home, s.moved_to,"
    " EXISTS (SELECT 1 FROM treatment_session_logs l WHERE l.session_id = s.id) AS has_log,"
    # A moved session is listed with the new time it was moved to, which may be outside the range read.
    " (SELECT m.starts_at FROM treatment_sessions m WHERE m.id = s.moved_to AND m.user_id = s.user_id)"
    " AS moved_to_starts_at"
)


def _plan(row) -> Plan | None:
    return Plan(**dict(row)) if row else None


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _session(row) -> Session | None:
    if row is None:
        return None
    return Session(
        id=row["id"], plan_id=row["plan_id"], starts_at=_instant(row["starts_at"]),
        requested_date=date.fromisoformat(row["requested_date"]),
        requested_time=time.fromisoformat(row["requested_time"]), phase=row["phase"],
        status=row["status"], ride_home=row["ride_home"], moved_to=row["moved_to"],
        has_log=bool(row["has_log"]),
        moved_to_starts_at=_instant(row["moved_to_starts_at"]) if row["moved_to_starts_at"] else None,
    )


def _bp(systolic: int | None, diastolic: int | None) -> str:
    return f"{systolic}/{diastolic}" if systolic is not None and diastolic is not None else ""


def _bp_parts(text: str | None) -> tuple[int | None, int | None]:
    normal = normal_blood_pressure(text)
    if not normal:
        return None, None
    systolic, diastolic = normal.split("/")
    return int(systolic), int(diastolic)


async def _insert_sessions(conn, user_id: int, plan_id: int, sessions: list[PlannedSession],
                           now: str, client_uuid: str | None = None) -> list[int]:
    """The new sessions' ids; a key (one session's form) is stored with the first."""
    ids = []
    for planned in sessions:
        cursor = await conn.execute(
            "INSERT INTO treatment_sessions (plan_id, user_id, starts_at, requested_date, requested_time,"
            " phase, client_uuid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (plan_id, user_id, iso(planned.starts_at), planned.local_date.isoformat(),
             f"{planned.requested_time:%H:%M}", planned.phase, client_uuid, now, now),
        )
        ids.append((await cursor.fetchone())[0])
        client_uuid = None
    return ids


_SESSION_WITH_KEY = "SELECT id FROM treatment_sessions WHERE user_id = ? AND client_uuid = ?"


async def session_with_key(db: Database, user_id: int, client_uuid: str | None) -> int | None:
    """The id of the session this patient's form with this key added (or moved one to): a form
    sent again after its answer was lost. Another account's key names nothing."""
    if not client_uuid:
        return None
    row = await db.fetch_one(_SESSION_WITH_KEY, (user_id, client_uuid))
    return row["id"] if row else None


async def _keyed(conn, user_id: int, client_uuid: str | None) -> int | None:
    # Checked again in the write: two sends of one form racing each other add one session.
    if not client_uuid:
        return None
    row = await (await conn.execute(_SESSION_WITH_KEY, (user_id, client_uuid))).fetchone()
    return row["id"] if row else None


async def plan_for(db: Database, user_id: int) -> Plan | None:
    row = await db.fetch_one(f"SELECT {PLAN_COLUMNS} FROM treatment_plans WHERE user_id = ?", (user_id,))
    return _plan(row)


async def create_plan(db: Database, user_id: int, form: PlanForm,
                      sessions: list[PlannedSession]) -> Plan | None:
    """The plan and all its first sessions in one transaction: either all are stored or none.
    None when the patient already has a plan."""
    now = iso(utc_now())
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO treatment_plans (user_id, medication, medication_name, clinic_name, clinic_phone,"
            " food_advice, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (user_id) DO NOTHING RETURNING {PLAN_COLUMNS}",
            (user_id, form.medication, form.medication_name, form.clinic_name, form.clinic_phone,
             form.food_advice, now, now),
        )
        plan = _plan(await cursor.fetchone())
        if plan is not None:
            await _insert_sessions(conn, user_id, plan.id, sessions, now)
    return plan


async def update_plan(db: Database, user_id: int, form: PlanForm) -> Plan | None:
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE treatment_plans SET medication = ?, medication_name = ?, clinic_name = ?,"
            " clinic_phone = ?, food_advice = ?, updated_at = ? WHERE user_id = ?"
            f" RETURNING {PLAN_COLUMNS}",
            (form.medication, form.medication_name, form.clinic_name, form.clinic_phone,
             form.food_advice, iso(utc_now()), user_id),
        )
        return _plan(await cursor.fetchone())


async def delete_plan(db: Database, user_id: int) -> bool:
    """The plan, its sessions and their logs (by cascade)."""
    async with db.write() as conn:
        cursor = await conn.execute("DELETE FROM treatment_plans WHERE user_id = ?", (user_id,))
        return cursor.rowcount == 1


async def sessions_for(db: Database, user_id: int) -> list[Session]:
    rows = await db.fetch_all(
        f"SELECT {SESSION_COLUMNS} FROM treatment_sessions s WHERE s.user_id = ? ORDER BY s.starts_at, s.id",
        (user_id,),
    )
    return [_session(row) for row in rows]


async def sessions_between(db: Database, user_id: int, first: datetime, last: datetime) -> list[Session]:
    """Sessions starting in [first, last), oldest first."""
    rows = await db.fetch_all(
        f"SELECT {SESSION_COLUMNS} FROM treatment_sessions s WHERE s.user_id = ?"
        " AND s.starts_at >= ? AND s.starts_at < ? ORDER BY s.starts_at, s.id",
        (user_id, iso(first), iso(last)),
    )
    return [_session(row) for row in rows]


async def next_planned_session(db: Database, user_id: int, after: datetime,
                               skip: int | None = None) -> Session | None:
    # "IS NOT NULL" holds for every row, so without a session to skip none is left out.
    row = await db.fetch_one(
        f"SELECT {SESSION_COLUMNS} FROM treatment_sessions s WHERE s.user_id = ?"
        " AND s.status = 'planned' AND s.starts_at >= ? AND s.id IS NOT ? ORDER BY s.starts_at, s.id LIMIT 1",
        (user_id, iso(after), skip),
    )
    return _session(row)


async def last_dose_before(db: Database, user_id: int, before: datetime) -> Session | None:
    """The latest session starting before `before` that stands for a dose: had, missed, or not
    known until it is logged (a moved or cancelled one stands for none); None if there is none.
    Whether Today asks how it went is treatment.session_to_log's rule."""
    row = await db.fetch_one(
        f"SELECT {SESSION_COLUMNS} FROM treatment_sessions s WHERE s.user_id = ?"
        " AND s.status IN ('planned', 'done', 'missed') AND s.starts_at < ?"
        " ORDER BY s.starts_at DESC, s.id DESC LIMIT 1",
        (user_id, iso(before)),
    )
    return _session(row)


async def session_by_id(db: Database, user_id: int, session_id: int) -> Session | None:
    row = await db.fetch_one(
        f"SELECT {SESSION_COLUMNS} FROM treatment_sessions s WHERE s.id = ? AND s.user_id = ?",
        (session_id, user_id),
    )
    return _session(row)


async def add_session(db: Database, user_id: int, planned: PlannedSession,
                      client_uuid: str | None = None) -> int | None:
    """The new session's id (or the one this form's key added already), or None when the
    patient has no plan to add it to."""
    now = iso(utc_now())
    async with db.write() as conn:
        cursor = await conn.execute("SELECT id FROM treatment_plans WHERE user_id = ?", (user_id,))
        row = await cursor.fetchone()
        if row is None:
            return None
        if (added := await _keyed(conn, user_id, client_uuid)) is not None:
            return added
        return (await _insert_sessions(conn, user_id, row["id"], [planned], now, client_uuid))[0]


async def move_session(db: Database, user_id: int, session_id: int, planned: PlannedSession,
                       client_uuid: str | None = None) -> int | None:
    """Mark a planned session as moved and add the session that replaces it, in one transaction.
    Returns the new session's id (or the one this form's key moved it to already), or None if
    the session is not this patient's or not planned."""
    now = iso(utc_now())
    async with db.write() as conn:
        if (moved := await _keyed(conn, user_id, client_uuid)) is not None:
            return moved
        cursor = await conn.execute(
            "SELECT plan_id FROM treatment_sessions WHERE id = ? AND user_id = ? AND status = 'planned'",
            (session_id, user_id),
        )
        row = await cursor.fetchone()
        if row is None:
            return None
        new_id = (await _insert_sessions(conn, user_id, row["plan_id"], [planned], now, client_uuid))[0]
        await conn.execute(
            "UPDATE treatment_sessions SET status = 'rescheduled', moved_to = ?, updated_at = ?"
            " WHERE id = ? AND user_id = ?",
            (new_id, now, session_id, user_id),
        )
        return new_id


async def set_session_status(db: Database, user_id: int, session_id: int, status: str, current: str) -> bool:
    """Change the status only if it is still `current`, so two tabs cannot race past the rules."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE treatment_sessions SET status = ?, updated_at = ?"
            " WHERE id = ? AND user_id = ? AND status = ?",
            (status, iso(utc_now()), session_id, user_id, current),
        )
        return cursor.rowcount == 1


async def keep_clock_times(conn, user_id: int, timezone: str, now: datetime) -> int:
    """Part of a time zone change's transaction (db/users.set_timezone): move each planned
    session still ahead to its requested clock time in the new zone. Returns how many."""
    cursor = await conn.execute(f"SELECT {SESSION_COLUMNS} FROM treatment_sessions s WHERE s.user_id = ?",
                                (user_id,))
    moves = in_new_zone([_session(row) for row in await cursor.fetchall()], timezone, now)
    at = iso(now)
    await conn.executemany(
        "UPDATE treatment_sessions SET starts_at = ?, updated_at = ? WHERE id = ? AND user_id = ?",
        [(iso(starts_at), at, session_id, user_id) for session_id, starts_at in moves],
    )
    return len(moves)


async def set_ride_home(db: Database, user_id: int, session_id: int, value: str) -> bool:
    """Only a planned session asks about the ride home: once it is done, missed, moved or
    cancelled the ride is past or moot, so a tap from a tab opened before that changes nothing."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE treatment_sessions SET ride_home = ?, updated_at = ?"
            " WHERE id = ? AND user_id = ? AND status = 'planned'",
            (value, iso(utc_now()), session_id, user_id),
        )
        return cursor.rowcount == 1


async def save_session_log(db: Database, user_id: int, session_id: int, current: str, form: LogForm,
                           side_effects: dict[str, str]) -> bool:
    """Set the session done or missed and store its log and side effects, all in one transaction.
    False if the session is not this patient's or its status changed meanwhile."""
    now = iso(utc_now())
    before, after = _bp_parts(form.bp_before), _bp_parts(form.bp_after)
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE treatment_sessions SET status = ?, updated_at = ?"
            " WHERE id = ? AND user_id = ? AND status = ?",
            (form.outcome, now, session_id, user_id, current),
        )
        if cursor.rowcount != 1:
            return False
        await conn.execute(
            "INSERT INTO treatment_session_logs (session_id, mood_before, mood_after, bp_before_systolic,"
            " bp_before_diastolic, bp_after_systolic, bp_after_diastolic, back_to_normal, note,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (session_id) DO UPDATE SET mood_before = excluded.mood_before,"
            " mood_after = excluded.mood_after, bp_before_systolic = excluded.bp_before_systolic,"
            " bp_before_diastolic = excluded.bp_before_diastolic,"
            " bp_after_systolic = excluded.bp_after_systolic,"
            " bp_after_diastolic = excluded.bp_after_diastolic, back_to_normal = excluded.back_to_normal,"
            " note = excluded.note, updated_at = excluded.updated_at",
            (session_id, form.mood_before, form.mood_after, *before, *after, form.back_to_normal or "",
             form.note, now, now),
        )
        await conn.execute("DELETE FROM treatment_side_effects WHERE session_id = ?", (session_id,))
        await conn.executemany(
            "INSERT INTO treatment_side_effects (session_id, effect, severity) VALUES (?, ?, ?)",
            [(session_id, effect, severity) for effect, severity in side_effects.items()],
        )
    return True


LOG_COLUMNS = ("l.session_id, l.mood_before, l.mood_after, l.bp_before_systolic, l.bp_before_diastolic,"
               " l.bp_after_systolic, l.bp_after_diastolic, l.back_to_normal, l.note, l.updated_at")


def _log(row, side_effects: dict[str, str]) -> SessionLog:
    return SessionLog(
        mood_before=row["mood_before"], mood_after=row["mood_after"],
        bp_before=_bp(row["bp_before_systolic"], row["bp_before_diastolic"]),
        bp_after=_bp(row["bp_after_systolic"], row["bp_after_diastolic"]),
        back_to_normal=row["back_to_normal"], note=row["note"], side_effects=side_effects,
        updated_at=row["updated_at"],
    )


async def session_logs_between(db: Database, user_id: int, first: datetime,
                               last: datetime) -> dict[int, SessionLog]:
    """The logs of the sessions starting in [first, last), by session id, in one query (a page
    listing sessions read each log by itself: two queries a session). A log comes as one row per
    side effect, or one row with none."""
    rows = await db.fetch_all(
        f"SELECT {LOG_COLUMNS}, e.effect, e.severity FROM treatment_sessions s"
        " JOIN treatment_session_logs l ON l.session_id = s.id"
        " LEFT JOIN treatment_side_effects e ON e.session_id = l.session_id"
        " WHERE s.user_id = ? AND s.starts_at >= ? AND s.starts_at < ?"
        # Effects are inserted in the order the form lists them, so rowid order is the form's order.
        " ORDER BY l.session_id, e.rowid",
        (user_id, iso(first), iso(last)),
    )
    logs: dict[int, tuple] = {}
    for row in rows:
        _, effects = logs.setdefault(row["session_id"], (row, {}))
        if row["effect"] is not None:
            effects[row["effect"]] = row["severity"]
    return {session_id: _log(row, effects) for session_id, (row, effects) in logs.items()}


async def session_log(db: Database, user_id: int, session_id: int) -> SessionLog | None:
    row = await db.fetch_one(
        "SELECT l.* FROM treatment_session_logs l JOIN treatment_sessions s ON s.id = l.session_id"
        " WHERE l.session_id = ? AND s.user_id = ?",
        (session_id, user_id),
    )
    if row is None:
        return None
    # Inserted in the order the form lists them, so rowid order is the form's order.
    effects = {r["effect"]: r["severity"] for r in await db.fetch_all(
        "SELECT effect, severity FROM treatment_side_effects WHERE session_id = ? ORDER BY rowid",
        (session_id,),
    )}
    return _log(row, effects)
