"""Lean reads for the trends page: only the columns a chart needs, never the notes."""

from __future__ import annotations

from datetime import date

from lift.db.connection import Database
from lift.domain.trends import DayValues


async def day_values_between(db: Database, user_id: int, first: date, last: date) -> list[DayValues]:
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT local_date, mood, anxiety, sleep_hours FROM checkins"
            " WHERE user_id = ? AND local_date BETWEEN ? AND ? ORDER BY local_date",
            (user_id, first.isoformat(), last.isoformat()),
        )
        rows = await cursor.fetchall()
    return [DayValues(date.fromisoformat(r[0]), r[1], r[2], r[3]) for r in rows]


async def checkin_dates_between(db: Database, user_id: int, first: date, last: date) -> list[date]:
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT local_date FROM checkins WHERE user_id = ? AND local_date BETWEEN ? AND ?",
            (user_id, first.isoformat(), last.isoformat()),
        )
        return [date.fromisoformat(row[0]) for row in await cursor.fetchall()]


async def first_entry_date(db: Database, user_id: int) -> date | None:
    """The earliest local date with a check-in or a scale result, for the "All time" range."""
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT min(first) FROM (SELECT min(local_date) AS first FROM checkins WHERE user_id = ?"
            " UNION ALL SELECT min(local_date) FROM scale_results WHERE user_id = ?)",
            (user_id, user_id),
        )
        row = await cursor.fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None
