"""Accounts, sign-in failures and sign-up attempts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from lift.db import audit, throttles, treatment
from lift.db.clock import iso, iso_ago, utc_now
from lift.db.connection import Database
from lift.domain.accounts import User
from lift.domain.schedule import local_date_of
from lift.domain.sharing import EMAIL_CHANGED

USER_COLUMNS = "id, email, role, timezone, clock"


def _user(row) -> User | None:
    if not row:
        return None
    return User(id=row["id"], email=row["email"], role=row["role"], timezone=row["timezone"],
                clock=row["clock"])


async def create_user(db: Database, email: str, password_hash: str, role: str, timezone: str,
                      clock: str | None = None) -> User | None:
    """The new user, or None when the email is already registered. `clock` is the "Times"
    setting the browser's locale gave ("12" or "24"), None without JavaScript."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO users (email, password_hash, role, timezone, clock, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING " + USER_COLUMNS,
            (email, password_hash, role, timezone, clock, iso(utc_now())),
        )
        return _user(await cursor.fetchone())


async def joined_on(db: Database, user_id: int, timezone: str) -> date | None:
    """The user's local date when their account was made."""
    row = await db.fetch_one("SELECT created_at FROM users WHERE id = ?", (user_id,))
    return local_date_of(datetime.fromisoformat(row[0]), timezone) if row else None


async def user_with_password_hash(db: Database, email: str) -> tuple[User, str] | None:
    row = await db.fetch_one(f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ?", (email,))
    return (_user(row), row["password_hash"]) if row else None


async def password_hash_for(db: Database, user_id: int) -> str | None:
    row = await db.fetch_one("SELECT password_hash FROM users WHERE id = ?", (user_id,))
    return row["password_hash"] if row else None


async def set_password_hash(db: Database, user_id: int, password_hash: str) -> None:
    """The new password, and any reset link for the account gone with the old one: a link the
    clinic made is a second key to the account, and a person who changes their password (often
    because someone else may know it) must not leave that key working for up to a day. Every
    session ends in the same transaction (the caller signs this browser in again): a new
    password that left a stolen session open, because its second write failed, is half a change."""
    async with db.write() as conn:
        await conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
        await conn.execute("DELETE FROM password_resets WHERE user_id = ?", (user_id,))
        await conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))


async def set_email(db: Database, user: User, new_email: str) -> bool:
    """The new sign-in address, or False when another account has it. In the same transaction,
    as a password change does: every session of the account ends (the caller signs this browser
    in again), a reset link made for the old address ends, the old address's sign-in failures
    go, and each patient who shares with this caregiver or clinician gets an entry on their log
    (its entries name people by address; the entry links the old one to the new)."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE users SET email = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM users WHERE email = ?)"
            " RETURNING id", (new_email, user.id, new_email))
        if await cursor.fetchone() is None:
            return False
        await conn.execute("DELETE FROM sessions WHERE user_id = ?", (user.id,))
        await conn.execute("DELETE FROM password_resets WHERE user_id = ?", (user.id,))
        await conn.execute("DELETE FROM signin_failures WHERE email = ?", (user.email,))
        if user.role != "patient":
            cursor = await conn.execute(
                "SELECT patient_id FROM share_grants WHERE grantee_id = ? AND revoked_at IS NULL", (user.id,))
            patients = [row[0] for row in await cursor.fetchall()]
            renamed = User(id=user.id, email=new_email, role=user.role, timezone=user.timezone,
                           clock=user.clock)
            await audit.append_many(conn, patients, renamed, "grant", EMAIL_CHANGED, user.email)
    return True


async def set_timezone(db: Database, user_id: int, timezone: str, now: datetime) -> int:
    """The new zone and the planned sessions moved to keep their clock times, in one
    transaction: no reader sees the new zone with sessions at the old zone's hours. Returns
    how many planned sessions kept their clock time."""
    async with db.write() as conn:
        await conn.execute("UPDATE users SET timezone = ? WHERE id = ?", (timezone, user_id))
        return await treatment.keep_clock_times(conn, user_id, timezone, now)


async def set_clock(db: Database, user_id: int, clock: str) -> None:
    """The account's "Times" setting: "12" or "24"."""
    async with db.write() as conn:
        await conn.execute("UPDATE users SET clock = ? WHERE id = ?", (clock, user_id))


async def claim_password_attempt(db: Database, email: str, ip: str, window: timedelta,
                                 refusal: Callable[[int, int], str | None]) -> str | None:
    """Count an attempt at `email`'s password from `ip` before the password is checked. In one
    write transaction, the failures within the window for the account and for the address go to
    `refusal` (the throttle's rule); what it says is returned, with nothing written, or, when it
    says nothing, this attempt is recorded as a failure, which a right password then clears
    (`clear_signin_failures`). Counted only after the check (argon2id takes a while), a burst of
    guesses sent at once all passed a throttle none of them had counted yet. Failures past the
    window go first."""
    since = iso_ago(window)
    async with db.write() as conn:
        await throttles.prune(conn, "signin_failures", window)
        cursor = await conn.execute(
            "SELECT (SELECT count(*) FROM signin_failures WHERE email = ? AND at > ?),"
            " (SELECT count(*) FROM signin_failures WHERE ip = ? AND at > ?)",
            (email, since, ip, since),
        )
        account_failures, ip_failures = await cursor.fetchone()
        if (refused := refusal(account_failures, ip_failures)) is not None:
            return refused
        await conn.execute(
            "INSERT INTO signin_failures (email, ip, at) VALUES (?, ?, ?)", (email, ip, iso(utc_now()))
        )
    return None


async def clear_signin_failures(db: Database, email: str) -> None:
    async with db.write() as conn:
        await conn.execute("DELETE FROM signin_failures WHERE email = ?", (email,))


async def claim_signup(db: Database, ip: str, window: timedelta,
                       refusal: Callable[[int], str | None]) -> str | None:
    """Count a sign-up from `ip` before its password is hashed. In one write transaction, rows
    past the window are deleted (each names a client's address), and the address's sign-ups
    within it go to `refusal` (the throttle's rule): what it says is returned, with nothing
    written, or, when it says nothing, this sign-up is counted. Counted after the hash, a burst
    sent at once would all pass a limit none of them had counted yet."""
    since = iso_ago(window)
    async with db.write() as conn:
        await throttles.prune(conn, "signup_attempts", window)
        cursor = await conn.execute("SELECT count(*) FROM signup_attempts WHERE ip = ? AND at > ?", (ip, since))
        if (refused := refusal((await cursor.fetchone())[0])) is not None:
            return refused
        await conn.execute("INSERT INTO signup_attempts (ip, at) VALUES (?, ?)", (ip, iso(utc_now())))
    return None
