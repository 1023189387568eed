"""Pruning the throttle tables: failed sign-ins (by the email typed and the client's address),
unknown invitation keys and sign-ups (by address). A row matters only while its window counts
it, so rows past it (and `accounts.THROTTLE_MARGIN`) are deleted at start-up and in each
transaction that adds a row to their table."""

from __future__ import annotations

from datetime import timedelta

import aiosqlite

from lift.db.clock import iso_ago
from lift.domain.accounts import SIGNUP_WINDOW_MINUTES, throttle_kept

PRUNE = {
    "signin_failures": "DELETE FROM signin_failures WHERE at <= ?",
    "invitation_failures": "DELETE FROM invitation_failures WHERE at <= ?",
    "signup_attempts": "DELETE FROM signup_attempts WHERE at <= ?",
}


def windows(signin_window: timedelta) -> dict[str, timedelta]:
    """Each table's window: LIFT_SIGNIN_WINDOW_MINUTES counts sign-in failures and unknown
    invitation keys, the hour counts sign-ups."""
    return {"signin_failures": signin_window, "invitation_failures": signin_window,
            "signup_attempts": timedelta(minutes=SIGNUP_WINDOW_MINUTES)}


async def prune(conn: aiosqlite.Connection, table: str, window: timedelta) -> None:
    await conn.execute(PRUNE[table], (iso_ago(throttle_kept(window)),))


async def prune_all(conn: aiosqlite.Connection, signin_window: timedelta) -> None:
    for table, window in windows(signin_window).items():
        await prune(conn, table, window)
