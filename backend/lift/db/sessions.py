"""Server-side sessions. The cookie holds a random token; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from lift.db import throttles
from lift.db.clock import iso, utc_now
from lift.db.connection import Database
from lift.db.users import _user
from lift.domain.accounts import User
from lift.domain.password_resets import DEAD_LINK_KEPT


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_session(db: Database, user_id: int, lifetime: timedelta, user_agent: str) -> str:
    """A fresh token for a new session; a new one is made at every sign-in (no fixation)."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_hash(token), user_id, iso(now), iso(now + lifetime), user_agent[:200]),
        )
    return token


async def user_for_session(db: Database, token: str) -> User | None:
    row = await db.fetch_one(
        "SELECT u.id, u.email, u.role, u.timezone, u.clock FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND s.expires_at > ?",
        (token_hash(token), iso(utc_now())),
    )
    return _user(row)


async def delete_session(db: Database, token: str) -> None:
    async with db.write() as conn:
        await conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))


async def delete_user_sessions(db: Database, user_id: int) -> None:
    """Sign a user out everywhere."""
    async with db.write() as conn:
        await conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))


async def purge_expired(db: Database, signin_window: timedelta) -> None:
    """Drop ended sessions, throttle rows past their window (`db/throttles.py`; sign-in failures
    and unknown invitation keys count for `signin_window`), and reset links long dead."""
    now = utc_now()
    async with db.write() as conn:
        await conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (iso(now),))
        await throttles.prune_all(conn, signin_window)
        await conn.execute("DELETE FROM password_resets WHERE expires_at <= ?", (iso(now - DEAD_LINK_KEPT),))
