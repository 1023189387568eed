"""argon2id at the cheapest cost, for the tests that run the app inside pytest's own process.

Hashing at the production cost takes ~0.13 s, and those tests sign up and sign in well over a
thousand times: about 80 s of a ten-minute suite spent on key stretching. The hash is still
argon2id through the same `lift.passwords` code, only with fewer passes and less memory.
Every app served as a subprocess (`python -m lift run`: the browser, crash and operations
tests) keeps the production cost, and `tests/ops/test_operations.py` checks that it does.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type

import lift.passwords


def use_cheap_argon2id() -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)
    lift.passwords._hasher = hasher
    lift.passwords._DUMMY_HASH = hasher.hash("not a real password, only for timing")
