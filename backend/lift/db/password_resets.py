"""Password reset links (stored as hashes), and using one: the new password, the link spent,
every session ended and the sign-in throttle cleared, all in one transaction."""

from __future__ import annotations

import secrets
from datetime import datetime

from lift.db.clock import iso
from lift.db.connection import Database
from lift.db.reminders import parse_stamp
from lift.db.sessions import token_hash
from lift.domain.password_resets import ResetLink, reset_expiry

__all__ = ["token_hash"]


async def create_reset_link(db: Database, email: str, now: datetime) -> tuple[str, datetime] | None:
    """A new link's token (256 bits) and when it expires, or None when no account has this
    email. Only the token's hash is stored; it replaces the account's earlier link, used or not."""
    token = secrets.token_urlsafe(32)
    expires_at = reset_expiry(now)
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at)"
            " SELECT id, ?, ?, ? FROM users WHERE email = ?"
            " ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,"
            " created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL"
            " RETURNING user_id",
            (token_hash(token), iso(now), iso(expires_at), email),
        )
        if await cursor.fetchone() is None:
            return None
    return token, expires_at


async def reset_link_by_token(db: Database, token_digest: str) -> ResetLink | None:
    row = await db.fetch_one(
        "SELECT r.user_id, u.email, r.expires_at, r.used_at FROM password_resets r"
        " JOIN users u ON u.id = r.user_id WHERE r.token_hash = ?",
        (token_digest,),
    )
    if row is None:
        return None
    return ResetLink(user_id=row["user_id"], email=row["email"], expires_at=parse_stamp(row["expires_at"]),
                     used_at=parse_stamp(row["used_at"]) if row["used_at"] else None)


async def use_reset_link(db: Database, token_digest: str, password_hash: str, now: datetime) -> int | None:
    """Set the password through the link and spend it; the account's id, or None when the link
    was used, replaced or expired since it was read. Every session of the account ends (whoever
    knew the old password may be signed in) and its failed sign-ins are forgotten."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
            " AND expires_at > ? RETURNING user_id",
            (iso(now), token_digest, iso(now)),
        )
        row = await cursor.fetchone()
        if row is None:
            return None
        user_id = row["user_id"]
        await conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
        await conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
        await conn.execute("DELETE FROM signin_failures WHERE email = (SELECT email FROM users WHERE id = ?)",
                           (user_id,))
    return user_id


async def unused_link_times(db: Database, user_id: int, now: datetime) -> tuple[datetime, datetime] | None:
    """When the account's reset link was made and until when it works, if one can still be used."""
    row = await db.fetch_one(
        "SELECT created_at, expires_at FROM password_resets WHERE user_id = ? AND used_at IS NULL"
        " AND expires_at > ?", (user_id, iso(now)))
    return (parse_stamp(row["created_at"]), parse_stamp(row["expires_at"])) if row else None
