"""`python -m lift reset-link EMAIL`, as the operator runs it: the link it prints, what it stores,
and its one-line refusals with a failing exit code."""

from __future__ import annotations

import asyncio
import hashlib
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from lift.db import users
from lift.db.connection import Database
from tests.served import REPO_ROOT

TOKEN = r"[A-Za-z0-9_-]{43}"  # 32 random bytes, base64url


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A data directory whose database has one account, pat@example.com."""
    async def make() -> None:
        db = Database(tmp_path / "lift.db", readers=0)
        await db.open()
        await users.create_user(db, "pat@example.com", "not-a-real-hash", "patient", "UTC")
        await db.close()

    asyncio.run(make())
    return tmp_path


def reset_link(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "backend"),
                   "LIFT_DATA_DIR": str(data_dir), **env}
    return subprocess.run([sys.executable, "-m", "lift", "reset-link", *args], env=environment,
                          capture_output=True, text=True, timeout=60)


def stored_hashes(data_dir: Path) -> list[str]:
    with closing(sqlite3.connect(data_dir / "lift.db")) as conn:
        return [row[0] for row in conn.execute("SELECT token_hash FROM password_resets")]


def test_it_prints_a_whole_link_that_works_once_for_a_day_and_stores_only_its_hash(data_dir):
    # Production's serving checks (secret key, VAPID keys) do not stop a reset link.
    done = reset_link(data_dir, "Pat@Example.com", LIFT_PUBLIC_URL="https://lift.clinic.example/",
                      LIFT_ENV="production")
    assert done.returncode == 0 and done.stderr == ""
    link = done.stdout.splitlines()[-1]
    assert re.fullmatch(rf"https://lift\.clinic\.example/reset/{TOKEN}", link)
    assert "pat@example.com" in done.stdout and "works once, for 24 hours" in done.stdout
    token = link.rsplit("/", 1)[1]
    assert stored_hashes(data_dir) == [hashlib.sha256(token.encode()).hexdigest()]


def test_without_a_public_address_it_prints_the_path_and_says_what_to_put_before_it(data_dir):
    done = reset_link(data_dir, "pat@example.com")
    assert done.returncode == 0
    assert re.fullmatch(rf"/reset/{TOKEN}", done.stdout.splitlines()[-1])
    assert "LIFT_PUBLIC_URL is not set" in done.stdout


def test_a_new_link_replaces_the_earlier_one(data_dir):
    reset_link(data_dir, "pat@example.com")
    second = reset_link(data_dir, "pat@example.com").stdout.splitlines()[-1].rsplit("/", 1)[1]
    assert stored_hashes(data_dir) == [hashlib.sha256(second.encode()).hexdigest()]


def test_an_unknown_email_is_refused_in_one_line(data_dir):
    done = reset_link(data_dir, "nobody@example.com")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "no account has the email 'nobody@example.com'" in done.stderr
    assert stored_hashes(data_dir) == []


def test_a_data_directory_without_a_database_is_refused_and_left_empty(tmp_path):
    done = reset_link(tmp_path, "pat@example.com")
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "no database at" in done.stderr
    assert not (tmp_path / "lift.db").exists()


@pytest.mark.parametrize("args, env, says", [
    ((), {}, "reset-link needs an EMAIL"),
    (("pat@example.com",), {"LIFT_PUBLIC_URL": "lift.clinic.example"}, "LIFT_PUBLIC_URL"),
])
def test_a_missing_email_or_a_bad_address_is_refused(data_dir, args, env, says):
    done = reset_link(data_dir, *args, **env)
    assert done.returncode == 2 and says in done.stderr and done.stdout == ""


def test_in_production_a_plain_http_address_is_refused_and_no_link_is_made(data_dir):
    """The command skips serving's checks, but not the one about its own link: an http:// link
    would carry the token in the clear to whoever watches the network."""
    done = reset_link(data_dir, "pat@example.com", LIFT_PUBLIC_URL="http://lift.clinic.example",
                      LIFT_ENV="production")
    assert done.returncode == 2 and done.stdout == ""
    assert "LIFT_PUBLIC_URL" in done.stderr and "https://" in done.stderr
    assert stored_hashes(data_dir) == []
