"""Deleting an account: the password again, and a tick that says the person means it; or,
from the command line, the operator typing the account's email again."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from lift.domain.accounts import AnyPassword, User, normalise_email


class DeleteForm(msgspec.Struct, frozen=True, kw_only=True):
    password: AnyPassword
    confirm: bool = False


DELETE_MESSAGES = {
    "password": "Enter your password to confirm it's you.",
    "confirm": "Tick the box to confirm you want everything deleted. It can't be undone.",
}


class AccountOnRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What an operator deleting an account from the command line is shown first. `shares`
    counts active shares: people who see this patient's journal, or, for a caregiver or
    clinician, patients whose journal they see."""

    user: User
    created_at: datetime
    checkins: int
    shares: int


def _count(n: int, one: str, many: str) -> str:
    return "nobody" if n == 0 else f"{n} {one if n == 1 else many}"


def deletion_summary(account: AccountOnRecord) -> list[str]:
    """The lines `python -m lift delete-account` prints before it asks for the email again."""
    user = account.user
    lines = [f"email: {user.email}", f"role: {user.role}",
             f"account made: {account.created_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"]
    if user.role == "patient":
        lines.append(f"check-ins: {account.checkins}")
        ends = " (their access ends)" if account.shares else ""
        lines.append(f"shared with: {_count(account.shares, 'person', 'people')}{ends}")
    else:
        tells = " (each one's log and Sharing page will say this account was deleted)" if account.shares else ""
        lines.append(f"sees the journals of: {_count(account.shares, 'patient', 'patients')}{tells}")
    return lines


def confirms(typed: str, email: str) -> bool:
    """The operator typed the account's email again (case and surrounding spaces aside)."""
    return normalise_email(typed) == normalise_email(email)
