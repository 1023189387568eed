"""Throttle rows (failed sign-ins, unknown invitation keys, sign-ups) each name a client's
address: on a real SQLite file, none is kept past its window and the one-minute margin, whether
the server restarts or keeps running and more rows are written."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from lift.app import create_app
from lift.db.clock import iso, utc_now

TABLES = {"signin_failures": "INSERT INTO signin_failures (email, ip, at) VALUES ('old@example.com', '10.0.0.9', ?)",
          "invitation_failures": "INSERT INTO invitation_failures (ip, at) VALUES ('10.0.0.9', ?)",
          "signup_attempts": "INSERT INTO signup_attempts (ip, at) VALUES ('10.0.0.9', ?)"}


def add_rows(database, table: str, window_minutes: int) -> dict[str, str]:
    """Rows of several ages around the window; their `at`, by what should become of them."""
    now = utc_now()
    ages = {"gone: a day old": timedelta(days=1), "gone: past the margin": timedelta(minutes=window_minutes + 2),
            "kept: in the margin": timedelta(minutes=window_minutes, seconds=30),
            "kept: in the window": timedelta(minutes=window_minutes - 5)}
    stamps = {label: iso(now - age) for label, age in ages.items()}
    database.executemany(TABLES[table], [(stamp,) for stamp in stamps.values()])
    database.commit()
    return stamps


def left(database, table: str, stamps: dict[str, str]) -> list[str]:
    kept = {row[0] for row in database.execute(f"SELECT at FROM {table}")}
    return sorted(label for label, stamp in stamps.items() if stamp in kept)


KEPT = ["kept: in the margin", "kept: in the window"]


@pytest.mark.parametrize("signin_window", [15, 60])
async def test_throttle_rows_past_their_window_are_deleted_at_start_up(app, settings, database, signin_window):
    """Sign-in failures and unknown invitation keys count for LIFT_SIGNIN_WINDOW_MINUTES, sign-ups for the hour."""
    settings = msgspec.structs.replace(settings, signin_window_minutes=signin_window)
    windows = {"signin_failures": signin_window, "invitation_failures": signin_window, "signup_attempts": 60}
    stamps = {table: add_rows(database, table, minutes) for table, minutes in windows.items()}
    async with AsyncTestClient(app=create_app(settings)):
        pass
    assert {table: left(database, table, stamps[table]) for table in TABLES} == {table: KEPT for table in TABLES}


async def test_a_failed_sign_in_deletes_the_failures_past_their_window(patient, people, database):
    stamps = add_rows(database, "signin_failures", 15)
    assert (await people(patient.email).sign_in("not the password")).status_code == 401
    assert left(database, "signin_failures", stamps) == KEPT
    assert database.execute("SELECT count(*) FROM signin_failures WHERE email = ?", (patient.email,)).fetchone()[0] == 1


async def test_an_unknown_invitation_code_deletes_the_failures_past_their_window(stranger, database):
    stamps = add_rows(database, "invitation_failures", 15)
    assert (await stranger.post("/invite", {"code": "ZZZZ2345"})).status_code == 404
    assert left(database, "invitation_failures", stamps) == KEPT
    assert database.execute("SELECT count(*) FROM invitation_failures").fetchone()[0] == len(KEPT) + 1


async def test_a_sign_up_deletes_the_sign_ups_past_their_hour(people, database):
    stamps = add_rows(database, "signup_attempts", 60)
    assert (await people("pat@example.com").sign_up()).status_code == 303
    assert left(database, "signup_attempts", stamps) == KEPT
    assert database.execute("SELECT count(*) FROM signup_attempts").fetchone()[0] == len(KEPT) + 1


async def test_rows_in_the_margin_are_not_counted(people, database):
    """Kept a minute past the window, a row still counts for nothing: the limit is the window's."""
    now = utc_now()
    database.executemany("INSERT INTO signin_failures (email, ip, at) VALUES ('pat@example.com', '127.0.0.1', ?)",
                         [(iso(now - timedelta(minutes=15, seconds=30)),)] * 10)
    database.executemany("INSERT INTO signup_attempts (ip, at) VALUES ('127.0.0.1', ?)",
                         [(iso(now - timedelta(minutes=60, seconds=30)),)] * 30)
    database.commit()
    assert (await people("pat@example.com").sign_up()).status_code == 303
    assert (await people("pat@example.com").sign_in()).status_code == 303
