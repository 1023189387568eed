"""Password reset links: how long one works, when it can no longer be used, and its wording.

Lift sends no email, so a person who forgot their password asks whoever runs their Lift (the
clinic) for a link, which the operator makes with `python -m lift reset-link EMAIL`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import msgspec

from lift.domain.accounts import PASSWORD_CHANGE_MESSAGES, Password
from lift.domain.dates import day_of, time_text
from lift.domain.schedule import local_time_of

# Long enough for the clinic to reach the person (a phone call, the next visit's morning),
# short enough that a link left in a message or on paper soon stops working.
RESET_LINK_HOURS = 24
# A dead link is kept a week after it expired, so opening it says why it no longer works
# ("already used", "expired") rather than "not one Lift knows"; then it is purged at start-up.
DEAD_LINK_KEPT = timedelta(days=7)
RESET_PATH = "/reset"


class ResetLink(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    email: str
    expires_at: datetime
    used_at: datetime | None = None


class PasswordResetForm(msgspec.Struct, frozen=True, kw_only=True):
    new_password: Password


RESET_MESSAGES = {"new_password": PASSWORD_CHANGE_MESSAGES["new_password"]}


def reset_expiry(created_at: datetime) -> datetime:
    return created_at + timedelta(hours=RESET_LINK_HOURS)


def reset_problem(link: ResetLink | None, now: datetime) -> str | None:
    """Why a reset link cannot set a password now, or None if it can."""
    if link is None:
        return "unknown"
    if link.used_at is not None:
        return "used"
    if now >= link.expires_at:
        return "expired"
    return None


# Every dead link says what to do next, and that the journal is untouched.
ASK_AGAIN = "Ask your clinic (whoever runs Lift for you) for a new link. Your journal is kept as it is."
RESET_PROBLEMS = {
    "unknown": f"This link isn't one Lift knows: it may have been copied only in part, replaced by a "
               f"newer link, or ended when the account's password or email address was changed. {ASK_AGAIN}",
    "used": f"This link has already been used to choose a password, and each link works once. If you "
            f"can't sign in with that password, {ASK_AGAIN[0].lower()}{ASK_AGAIN[1:]}",
    "expired": f"This link has expired: reset links work for {RESET_LINK_HOURS} hours. {ASK_AGAIN}",
}


def reset_path(token: str) -> str:
    return f"{RESET_PATH}/{token}"


def reset_link(public_url: str, token: str) -> str:
    """The whole link when the server's public address is known, else only its path."""
    return f"{public_url.rstrip('/')}{reset_path(token)}"


def waiting_link_notice(made_at: datetime, expires_at: datetime, timezone: str, today: date,
                        twelve_hour: bool = False) -> str:
    """What the account page says while a reset link can still be used, in the owner's time and
    on their clock (`twelve_hour`)."""
    def when(instant: datetime) -> str:
        at = time_text(local_time_of(instant, timezone), twelve_hour)
        return f"{day_of(instant, timezone, today)} at {at}"

    return (f"A password reset link for this account was made on {when(made_at)} and works until "
            f"{when(expires_at)}. If you didn't ask your clinic for one, change your password below: "
            "that ends the link.")
