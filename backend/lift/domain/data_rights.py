"""Deleting an account: the password again, and a tick that says the person means it."""

from __future__ import annotations

import msgspec

from lift.domain.accounts import AnyPassword


class DeleteForm(msgspec.Struct, frozen=True, kw_only=True):
    password: AnyPassword
    confirm: bool = False


DELETE_MESSAGES = {
    "password": "Enter your password to confirm it's you.",
    "confirm": "Tick the box to confirm you want everything deleted. It can't be undone.",
}
