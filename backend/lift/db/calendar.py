"""Calendar feed tokens (stored hashed) and the sessions a feed lists."""

from __future__ import annotations

from datetime import datetime

from lift.db.clock import iso
from lift.db.connection import Database
from lift.db.reminders import parse_stamp, stamp
from lift.domain.calendar import FeedSession


async def feed_created_at(db: Database, user_id: int) -> datetime | None:
    async with db.read() as conn:
        cursor = await conn.execute("SELECT created_at FROM calendar_feeds WHERE user_id = ?", (user_id,))
        row = await cursor.fetchone()
    return parse_stamp(row["created_at"]) if row else None


async def replace_feed_token(db: Database, user_id: int, token_hash: str, now: datetime) -> None:
    """A new address for the patient's feed; the old one stops working at once."""
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,"
            " created_at = excluded.created_at",
            (user_id, token_hash, stamp(now)),
        )


async def delete_feed(db: Database, user_id: int) -> bool:
    async with db.write() as conn:
        cursor = await conn.execute("DELETE FROM calendar_feeds WHERE user_id = ?", (user_id,))
        return cursor.rowcount == 1


async def feed_owner(db: Database, token_hash: str) -> tuple[int, str] | None:
    """The patient (id, time zone) whose feed has this token, if any."""
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT u.id, u.timezone FROM calendar_feeds f JOIN users u ON u.id = f.user_id"
            " WHERE f.token_hash = ? AND u.role = 'patient'",
            (token_hash,),
        )
        row = await cursor.fetchone()
    return (row["id"], row["timezone"]) if row else None


async def sessions_for_feed(db: Database, user_id: int, since: datetime) -> list[FeedSession]:
    async with db.read() as conn:
        cursor = await conn.execute(
            "SELECT s.id, s.starts_at, s.status, s.updated_at, p.clinic_name FROM treatment_sessions s"
            " JOIN treatment_plans p ON p.id = s.plan_id WHERE s.user_id = ? AND s.starts_at >= ?"
            " ORDER BY s.starts_at, s.id",
            (user_id, iso(since)),
        )
        rows = await cursor.fetchall()
    return [FeedSession(id=row["id"], starts_at=parse_stamp(row["starts_at"]), status=row["status"],
                        clinic_name=row["clinic_name"], updated_at=parse_stamp(row["updated_at"]))
            for row in rows]
