"""`python -m lift delete-account EMAIL`, as the operator runs it (to redo deletions a restore
undid): it shows the account, asks for its email again unless `--yes`, deletes exactly as
*Delete my account* does, refuses in one line, and works while the app serves."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from lift.db import users
from lift.db.connection import Database
from lift.db.data_rights import account_on_record, delete_account
from tests.account_rows import rows_naming
from tests.integration.conftest import Person
from tests.integration.sharing_helpers import shared_with
from tests.served import REPO_ROOT, ServedApp

WORDS = "Quokka zebra words only this patient wrote"
MADE = "2026-01-05T09:30:00Z"
ASKS = "Type the account's email again"


def lift(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "backend"), "LIFT_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "lift", *args], env=environment, input=stdin,
                          stdin=subprocess.DEVNULL if stdin is None else None, capture_output=True, text=True,
                          timeout=60)


def connect(data_dir: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(data_dir / "lift.db"))


def emails(data_dir: Path) -> list[str]:
    with connect(data_dir) as conn:
        return [row[0] for row in conn.execute("SELECT email FROM users ORDER BY email")]


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """pat@example.com (a patient with three check-ins, made on 5 January) and kim@example.com."""
    async def make() -> None:
        db = Database(tmp_path / "lift.db", readers=0)
        await db.open()
        for email in ("pat@example.com", "kim@example.com"):
            await users.create_user(db, email, "not-a-real-hash", "patient", "UTC")
        async with db.write() as conn:
            await conn.execute("UPDATE users SET created_at = ? WHERE email = 'pat@example.com'", (MADE,))
            await conn.executemany(
                "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
                " updated_at) SELECT id, ?, 5, 4, 7, 0, ?, ?, ? FROM users WHERE email = 'pat@example.com'",
                [(f"2026-03-0{day}", WORDS, MADE, MADE) for day in (1, 2, 3)])
        await db.close()

    asyncio.run(make())
    return tmp_path


def test_it_shows_the_account_and_a_different_answer_deletes_nothing(data_dir):
    done = lift(data_dir, "delete-account", "pat@example.com", stdin="kim@example.com\n")
    assert done.returncode == 1
    for shown in ("email: pat@example.com", "role: patient", "account made: 2026-01-05 09:30 UTC",
                  "check-ins: 3", "shared with: nobody", ASKS):
        assert shown in done.stdout, shown
    assert done.stderr == "lift: that is not the account's email; nothing was deleted\n"
    assert emails(data_dir) == ["kim@example.com", "pat@example.com"]


def test_no_answer_at_all_deletes_nothing(data_dir):
    done = lift(data_dir, "delete-account", "pat@example.com", stdin="")
    assert done.returncode == 1 and done.stderr == "lift: that is not the account's email; nothing was deleted\n"
    assert emails(data_dir) == ["kim@example.com", "pat@example.com"]


def test_the_email_typed_again_deletes_the_account_as_the_app_does(data_dir):
    with connect(data_dir) as conn:
        uid = conn.execute("SELECT id FROM users WHERE email = 'pat@example.com'").fetchone()[0]
    done = lift(data_dir, "delete-account", "Pat@Example.com", stdin="  PAT@example.com \n")
    assert done.returncode == 0, done.stderr
    assert "deleted the account pat@example.com (patient)" in done.stdout
    assert emails(data_dir) == ["kim@example.com"]
    with connect(data_dir) as conn:
        assert rows_naming(conn, uid, "pat@example.com")[0] == []
        # The app's own last entry, as the account's: the schema has no operator role (see operations.md).
        assert conn.execute("SELECT actor_role, actor_email, action FROM audit_log").fetchall() == [
            ("patient", "", "delete_account")]
    for path in data_dir.glob("lift.db*"):
        assert WORDS.encode() not in path.read_bytes() and b"pat@example.com" not in path.read_bytes(), path.name


def test_yes_deletes_without_asking(data_dir):
    done = lift(data_dir, "delete-account", "pat@example.com", "--yes")
    assert done.returncode == 0 and done.stderr == ""
    assert "check-ins: 3" in done.stdout and ASKS not in done.stdout
    assert emails(data_dir) == ["kim@example.com"]


def test_an_unknown_email_is_refused_in_one_line_with_2(data_dir):
    done = lift(data_dir, "delete-account", "nobody@example.com", "--yes")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"lift: no account has the email 'nobody@example.com' in {data_dir / 'lift.db'}\n"
    assert emails(data_dir) == ["kim@example.com", "pat@example.com"]


def test_a_data_directory_without_a_database_is_refused_and_left_empty(tmp_path):
    done = lift(tmp_path, "delete-account", "pat@example.com", "--yes")
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "no database at" in done.stderr
    assert not (tmp_path / "lift.db").exists()


@pytest.mark.parametrize("args, says", [
    (("delete-account",), "delete-account needs an EMAIL"),
    (("reset-link", "pat@example.com", "--yes"), "--yes is only for delete-account"),
])
def test_a_missing_email_or_a_stray_yes_is_refused(data_dir, args, says):
    done = lift(data_dir, *args)
    assert done.returncode == 2 and says in done.stderr and done.stdout == ""


@pytest.mark.parametrize("made_again", [False, True], ids=["deleted", "deleted and made again"])
def test_an_account_that_changed_while_the_operator_was_confirming_is_not_deleted(data_dir, made_again):
    """Minutes can pass at the question. The account the operator was shown may be deleted from
    the app meanwhile, and a new one made with the same email takes the same id (SQLite reuses
    the highest): typing the email must not delete the newcomer."""
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "backend"), "LIFT_DATA_DIR": str(data_dir)}
    asking = subprocess.Popen([sys.executable, "-m", "lift", "delete-account", "kim@example.com"], env=environment,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while ASKS not in asking.stdout.readline():
            assert asking.poll() is None, asking.stderr.read()
        with connect(data_dir) as conn:
            uid = conn.execute("SELECT id FROM users WHERE email = 'kim@example.com'").fetchone()[0]
        assert lift(data_dir, "delete-account", "kim@example.com", "--yes").returncode == 0
        if made_again:
            with connect(data_dir) as conn:
                conn.execute("INSERT INTO users (email, password_hash, role, timezone, created_at)"
                             " VALUES ('kim@example.com', 'x', 'patient', 'UTC', '2099-01-01T00:00:00Z')")
                conn.commit()
                assert conn.execute("SELECT id FROM users WHERE email = 'kim@example.com'").fetchone()[0] == uid
        _, errors = asking.communicate("kim@example.com\n", timeout=60)
    finally:
        asking.kill()
    assert asking.returncode == 1
    assert errors == ("lift: the account changed while you were confirming; nothing was deleted"
                      " (run the command again)\n")
    assert emails(data_dir) == (["kim@example.com", "pat@example.com"] if made_again else ["pat@example.com"])


async def test_deleting_an_account_already_gone_writes_nothing(tmp_path):
    """The app and the command can both reach an account: whichever comes second finds it gone
    (it failed on the audit entry for an account no longer there)."""
    db = Database(tmp_path / "lift.db", readers=1)
    await db.open()
    try:
        await users.create_user(db, "pat@example.com", "x", "patient", "UTC")
        account = await account_on_record(db, "pat@example.com")
        assert await delete_account(db, account.user) is True
        assert await delete_account(db, account.user) is False
        assert (await db.fetch_one("SELECT count(*) FROM audit_log"))[0] == 1
    finally:
        await db.close()


class ServedPerson(Person):
    """A Person (tests/integration) talking to the app served over a real socket."""

    def __init__(self, app: ServedApp, email: str) -> None:
        self.email = email
        self.http = httpx.AsyncClient(base_url=app.url, timeout=20)


async def test_it_deletes_accounts_while_the_app_serves_and_writes(tmp_path):
    served = ServedApp(tmp_path / "data", tmp_path / "server.log")
    served.start()
    people: list[ServedPerson] = []

    def person(email: str) -> ServedPerson:
        people.append(ServedPerson(served, email))
        return people[-1]

    try:
        patient, other = person("pat@example.com"), person("other@example.com")
        for someone in (patient, other):
            assert (await someone.sign_up()).status_code == 303
        assert (await patient.check_in(note=WORDS)).status_code == 200
        assert (await patient.post("/safety-plan", {"coping": WORDS})).status_code in (200, 303)
        carer = await shared_with(patient, person("carer@example.com"))
        with connect(served.data_dir) as conn:
            uid = conn.execute("SELECT id FROM users WHERE email = 'pat@example.com'").fetchone()[0]
        assert (await carer.get(f"/caregiver/patients/{uid}")).status_code == 200
        assert (await patient.post("/sharing/invitations", {"role": "clinician", "label": ""})).status_code == 200
        assert (await person("pat@example.com").sign_in("a wrong guess")).status_code != 303
        assert lift(served.data_dir, "reset-link", "pat@example.com").returncode == 0

        # The caregiver first, while another patient keeps checking in: both writers take turns.
        statuses: list[int] = []
        deleting = asyncio.create_task(asyncio.to_thread(
            lift, served.data_dir, "delete-account", "carer@example.com", "--yes"))
        while not deleting.done():
            statuses.append((await other.check_in(mood=len(statuses) % 10)).status_code)
        done = await deleting
        assert done.returncode == 0, done.stderr
        assert "sees the journals of: 1 patient" in done.stdout
        assert statuses and set(statuses) == {200}
        assert (await carer.get(f"/caregiver/patients/{uid}")).status_code in (302, 303)  # signed out
        log = (await patient.get("/sharing/audit")).text
        assert "carer@example.com (caregiver) deleted their Lift account" in log
        assert "deleted their Lift account" in (await patient.get("/sharing")).text

        # Then the patient, with the app idle: the WAL is emptied even with the server's
        # connections open, so the words are gone from the files too.
        done = lift(served.data_dir, "delete-account", "pat@example.com", stdin="pat@example.com\n")
        assert done.returncode == 0, done.stderr
        assert "check-ins: 1" in done.stdout
        with connect(served.data_dir) as conn:
            left, checked = rows_naming(conn, uid, "pat@example.com")
        assert left == [] and checked >= 14
        for path in served.data_dir.glob("lift.db*"):
            assert WORDS.encode() not in path.read_bytes(), path.name
        page = await patient.get("/account")
        assert page.status_code in (302, 303) and page.headers["location"].startswith("/signin")
        # And the app goes on serving and writing.
        assert (await other.check_in(mood=7)).status_code == 200
        assert (await person("new@example.com").sign_up()).status_code == 303
    finally:
        for someone in people:
            await someone.close()
        served.stop()


RESTORE = re.compile(r"python - (\S+) > redo-deletions\.txt <<'EOF'\n(.*?)\nEOF\n", re.DOTALL)


async def test_the_restore_procedure_finds_and_redoes_the_deletions_a_restore_undid(data_dir, tmp_path):
    """docs/operations.md's script, run as written: the accounts in the backup that the live
    database no longer has (one deleted and made again with the same email counts), then
    delete-account for each once the backup is back."""
    operations = (REPO_ROOT / "docs" / "operations.md").read_text()
    _, script = RESTORE.search(operations).groups()
    backup = tmp_path / "backup.db"
    assert lift(data_dir, "backup", str(backup)).returncode == 0
    assert lift(data_dir, "delete-account", "pat@example.com", "--yes").returncode == 0
    assert lift(data_dir, "delete-account", "kim@example.com", "--yes").returncode == 0
    with connect(data_dir) as conn:
        conn.execute("INSERT INTO users (email, password_hash, role, timezone, created_at)"
                     " VALUES ('kim@example.com', 'x', 'patient', 'UTC', '2099-01-01T00:00:00Z')")
        conn.execute("INSERT INTO users (email, password_hash, role, timezone, created_at)"
                     " VALUES ('late@example.com', 'x', 'patient', 'UTC', '2099-01-01T00:00:00Z')")
        conn.commit()
    listed = subprocess.run([sys.executable, "-", str(backup)], input=script, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "LIFT_DATA_DIR": str(data_dir)}, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["kim@example.com", "pat@example.com"]
    assert lift(data_dir, "restore", str(backup)).returncode == 0
    assert emails(data_dir) == ["kim@example.com", "pat@example.com"]
    for email in listed.stdout.splitlines():
        assert lift(data_dir, "delete-account", "--yes", email).returncode == 0
    assert emails(data_dir) == []
    assert lift(data_dir, "delete-account", "--yes", "pat@example.com").returncode == 2  # already done
