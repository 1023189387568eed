"""Daily check-ins: one per patient per local date."""

from __future__ import annotations

import sqlite3
from datetime import date

from lift.db.clock import iso, utc_now
from lift.db.connection import Database
from lift.domain.checkins import Checkin, CheckinForm, SaveOutcome, same_answers

CHECKIN_COLUMNS = "id, local_date, mood, anxiety, sleep_hours, thoughts, note, updated_at"


def _checkin(row) -> Checkin | None:
    if row is None:
        return None
    return Checkin(
        id=row["id"],
        local_date=date.fromisoformat(row["local_date"]),
        mood=row["mood"],
        anxiety=row["anxiety"],
        sleep_hours=row["sleep_hours"],
        thoughts=row["thoughts"],
        note=row["note"],
        updated_at=row["updated_at"],
    )


UPSERT_CHECKIN = (
    "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, client_uuid,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (user_id, local_date) DO UPDATE SET mood = excluded.mood,"
    " anxiety = excluded.anxiety, sleep_hours = excluded.sleep_hours,"
    " thoughts = excluded.thoughts, note = excluded.note, client_uuid = excluded.client_uuid,"
    " updated_at = excluded.updated_at"
    f" RETURNING {CHECKIN_COLUMNS}"
)


def _upsert_params(user_id: int, form: CheckinForm, client_uuid: str | None) -> tuple:
    now = iso(utc_now())
    return (user_id, form.local_date.isoformat(), form.mood, form.anxiety, form.sleep_hours,
            form.thoughts, form.note, client_uuid, now, now)


async def save_checkin(db: Database, user_id: int, form: CheckinForm) -> tuple[Checkin, bool]:
    """Insert the day's check-in or update it if that day already has one.

    Returns the stored check-in and whether it was newly created.
    """
    return await db.transact(_save_checkin, user_id, form)


def _save_checkin(conn: sqlite3.Connection, user_id: int, form: CheckinForm) -> tuple[Checkin, bool]:
    existed = conn.execute(
        "SELECT 1 FROM checkins WHERE user_id = ? AND local_date = ?", (user_id, form.local_date.isoformat())
    ).fetchone() is not None
    row = conn.execute(UPSERT_CHECKIN, _upsert_params(user_id, form, None)).fetchone()
    return _checkin(row), not existed


async def save_keyed_checkin(
    db: Database, user_id: int, form: CheckinForm, client_uuid: str, replace_other: bool
) -> tuple[Checkin, SaveOutcome]:
    """Save a check-in the phone sent with its own UUID, at most once per UUID.

    All in one write transaction, so two copies of the same send arriving together still
    make one row. A UUID seen before returns its check-in untouched (REPLAYED). When the day
    already holds different answers and replace_other is False, nothing is written and the
    stored check-in comes back as a CONFLICT for the patient to settle.
    """
    return await db.transact(_save_keyed_checkin, user_id, form, client_uuid, replace_other)


def _save_keyed_checkin(
    conn: sqlite3.Connection, user_id: int, form: CheckinForm, client_uuid: str, replace_other: bool
) -> tuple[Checkin, SaveOutcome]:
    row = conn.execute(
        f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE user_id = ? AND client_uuid = ?", (user_id, client_uuid)
    ).fetchone()
    if row is not None:
        return _checkin(row), SaveOutcome.REPLAYED
    existing = _checkin(conn.execute(
        f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE user_id = ? AND local_date = ?",
        (user_id, form.local_date.isoformat()),
    ).fetchone())
    if existing and not replace_other and not same_answers(existing, form):
        return existing, SaveOutcome.CONFLICT
    row = conn.execute(UPSERT_CHECKIN, _upsert_params(user_id, form, client_uuid)).fetchone()
    return _checkin(row), SaveOutcome.UPDATED if existing else SaveOutcome.CREATED


async def checkin_for_day(db: Database, user_id: int, day: date) -> Checkin | None:
    row = await db.fetch_one(
        f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE user_id = ? AND local_date = ?",
        (user_id, day.isoformat()),
    )
    return _checkin(row)


async def checkin_by_id(db: Database, user_id: int, checkin_id: int) -> Checkin | None:
    """The check-in if it belongs to this user; another user's ID looks exactly like a missing one."""
    row = await db.fetch_one(
        f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id = ? AND user_id = ?", (checkin_id, user_id)
    )
    return _checkin(row)


async def checkins_between(db: Database, user_id: int, first: date, last: date) -> list[Checkin]:
    rows = await db.fetch_all(
        f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE user_id = ? AND local_date BETWEEN ? AND ?"
        " ORDER BY local_date",
        (user_id, first.isoformat(), last.isoformat()),
    )
    return [_checkin(row) for row in rows]


async def last_checkin_date(db: Database, user_id: int) -> date | None:
    row = await db.fetch_one("SELECT max(local_date) FROM checkins WHERE user_id = ?", (user_id,))
    return date.fromisoformat(row[0]) if row and row[0] else None


async def checkin_page(db: Database, user_id: int, limit: int, offset: int) -> list[Checkin]:
    """One page of check-ins, newest first."""
    rows = await db.fetch_all(
        f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE user_id = ? ORDER BY local_date DESC LIMIT ? OFFSET ?",
        (user_id, limit, offset),
    )
    return [_checkin(row) for row in rows]


async def checkin_month_counts(db: Database, user_id: int) -> list[tuple[str, int]]:
    """("2026-03", check-ins that month) for each month with any, newest first."""
    rows = await db.fetch_all(
        "SELECT substr(local_date, 1, 7) AS month, count(*) FROM checkins WHERE user_id = ?"
        " GROUP BY month ORDER BY month DESC",
        (user_id,),
    )
    return [(row[0], row[1]) for row in rows]


async def delete_checkin(db: Database, user_id: int, checkin_id: int) -> bool:
    async with db.write() as conn:
        cursor = await conn.execute("DELETE FROM checkins WHERE id = ? AND user_id = ?", (checkin_id, user_id))
        return cursor.rowcount == 1
