"""Backups of a live database, and restores that refuse what they must not trust."""

import sqlite3
import threading

import pytest

from lift.db.backup import BackupError, backup_database, database_problem, latest_schema_version, restore_database
from lift.db.connection import Database


@pytest.fixture
async def live_db(tmp_path):
    db = Database(tmp_path / "live" / "lift.db", readers=1)
    await db.open()
    yield db.path
    await db.close()


def add_users(path, start, count):
    with sqlite3.connect(path, timeout=10) as conn:
        for n in range(start, start + count):
            conn.execute(
                "INSERT INTO users (email, password_hash, role, timezone, created_at)"
                " VALUES (?, 'x', 'patient', 'UTC', 'now')", (f"user{n}@example.com",),
            )
            conn.commit()


async def test_it_backs_up_a_database_while_writes_continue(live_db, tmp_path):
    add_users(live_db, 0, 50)
    writer = threading.Thread(target=add_users, args=(live_db, 1000, 300))
    writer.start()
    backup_database(live_db, tmp_path / "backups" / "copy.db")
    writer.join()
    copy = tmp_path / "backups" / "copy.db"
    assert database_problem(copy) is None
    with sqlite3.connect(copy) as conn:
        copied = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    assert 50 <= copied <= 350
    assert (copy.stat().st_mode & 0o777) == 0o600


async def test_it_restores_a_good_backup(live_db, tmp_path):
    add_users(live_db, 0, 3)
    backup_database(live_db, tmp_path / "copy.db")
    target = tmp_path / "restored" / "lift.db"
    restore_database(tmp_path / "copy.db", target)
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 3


def test_it_refuses_to_restore_a_corrupt_file(tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4096)
    with pytest.raises(BackupError, match="refusing to restore"):
        restore_database(broken, tmp_path / "target.db")
    assert not (tmp_path / "target.db").exists()


async def test_it_refuses_a_backup_from_a_newer_schema(live_db, tmp_path):
    backup_database(live_db, tmp_path / "copy.db")
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (?, 'future.sql', 'now')", (latest_schema_version() + 1,))
    with pytest.raises(BackupError, match="newer than this Lift understands"):
        restore_database(tmp_path / "copy.db", tmp_path / "target.db")


def test_it_refuses_a_missing_file(tmp_path):
    assert "does not exist" in database_problem(tmp_path / "nothing.db")


async def test_the_command_line_backs_up_and_refuses_a_bad_restore(live_db, tmp_path):
    import subprocess
    import sys

    from tests.served import REPO_ROOT

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "backend"),
           "LIFT_DATA_DIR": str(live_db.parent)}
    copy = tmp_path / "cli-copy.db"
    done = subprocess.run([sys.executable, "-m", "lift", "backup", str(copy)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "integrity check ok" in done.stdout and database_problem(copy) is None
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    refused = subprocess.run([sys.executable, "-m", "lift", "restore", str(bad)], env=env, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 1 and "refusing to restore" in refused.stderr


async def test_a_backup_is_one_file_and_backing_up_or_restoring_leaves_nothing_beside_it(live_db, tmp_path):
    # Backups are copied off the server as they are: a -wal beside one would be left behind,
    # and files named after a temporary copy would pile up in the folder with every backup.
    add_users(live_db, 0, 3)
    folder = tmp_path / "backups"
    backup_database(live_db, folder / "copy.db")
    restore_database(folder / "copy.db", tmp_path / "restored" / "lift.db")
    assert sorted(path.name for path in folder.iterdir()) == ["copy.db"]
    with sqlite3.connect(f"file:{folder / 'copy.db'}?immutable=1", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 3
