"""A migration meeting a database that already holds data, as an upgrade does: the database is
made with the migrations before it, filled in as the app of that time left it, then opened by
the app as it is now."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from lift.db import connection
from lift.db.connection import Database


async def database_at(path, version: int, monkeypatch) -> None:
    """A database with the migrations up to `version` applied, and no later one."""
    every = connection._migration_files()
    with monkeypatch.context() as patch:
        patch.setattr(connection, "_migration_files", lambda: [m for m in every if m[0] <= version])
        db = Database(path, readers=1)
        await db.open()
        await db.close()


def latest_version() -> int:
    return connection._migration_files()[-1][0]


async def database_before(tmp_path, monkeypatch, version: int) -> tuple:
    """The file of a database made with every migration before `version`, and a plain connection
    to fill it in as the app of that time would have."""
    path = tmp_path / "lift.db"
    await database_at(path, version - 1, monkeypatch)
    return path, sqlite3.connect(path)


@pytest.fixture
async def before_0014(tmp_path, monkeypatch):
    path, conn = await database_before(tmp_path, monkeypatch, 14)
    yield path, conn
    conn.close()


def add_user(conn, email: str, role: str) -> int:
    return conn.execute("INSERT INTO users (email, password_hash, role, timezone, created_at)"
                        " VALUES (?, 'x', ?, 'UTC', '2026-01-01T00:00:00Z') RETURNING id", (email, role)).fetchone()[0]


def add_grant(conn, patient: int, grantee: int, revoked_at: str | None, ended_by: str | None,
              role: str = "caregiver") -> int:
    return conn.execute(
        "INSERT INTO share_grants (patient_id, grantee_id, role, created_at, updated_at, revoked_at, ended_by)"
        " VALUES (?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?) RETURNING id",
        (patient, grantee, role, revoked_at, ended_by)).fetchone()[0]


def add_entry(conn, subject: str, at: str, actor_role: str, actor_email: str, what: str, detail: str = "") -> None:
    conn.execute("INSERT INTO audit_log (at, subject, actor_role, actor_email, action, what, detail)"
                 " VALUES (?, ?, ?, ?, 'revoke', ?, ?)", (at, subject, actor_role, actor_email, what, detail))


async def test_0014_gives_grants_ended_before_it_the_address_their_ending_logged(before_0014):
    """The log holds the address each ending had; the grantee's current address is shown only
    where it is theirs beyond doubt, and an address that cannot be told apart is left unknown, as
    is the patient's address at each ending."""
    path, conn = before_0014
    pat = add_user(conn, "pat@example.com", "patient")
    conn.execute("INSERT INTO audit_subjects (user_id, subject) VALUES (?, 'pat-subject')", (pat,))
    moved = add_user(conn, "mum@new.example", "caregiver")  # was carer@example.com when cut off
    left = add_user(conn, "dr@new.example", "clinician")  # was doctor@example.com when they left
    same = add_user(conn, "friend@example.com", "caregiver")  # ended with another in one second
    other = add_user(conn, "uncle@new.example", "caregiver")  # was uncle@example.com then
    active = add_user(conn, "alex@example.com", "caregiver")
    grants = {
        "moved": add_grant(conn, pat, moved, "2026-02-01T10:00:00Z", "patient"),
        "left": add_grant(conn, pat, left, "2026-02-02T10:00:00Z", "grantee", "clinician"),
        "same": add_grant(conn, pat, same, "2026-02-03T10:00:00Z", "patient"),
        "other": add_grant(conn, pat, other, "2026-02-03T10:00:00Z", "patient"),
        "active": add_grant(conn, pat, active, None, None),
    }
    add_entry(conn, "pat-subject", "2026-02-01T10:00:00Z", "patient", "", "caregiver", "carer@example.com")
    # Written a few seconds after revoked_at: the grant's time is read before the write turn.
    add_entry(conn, "pat-subject", "2026-02-02T10:00:03Z", "clinician", "doctor@example.com", "ended_by_grantee")
    add_entry(conn, "pat-subject", "2026-02-03T10:00:00Z", "patient", "", "caregiver", "friend@example.com")
    add_entry(conn, "pat-subject", "2026-02-03T10:00:00Z", "patient", "", "caregiver", "uncle@example.com")
    conn.commit()

    db = Database(path, readers=1)
    await db.open()
    await db.close()

    ended = dict(conn.execute("SELECT id, ended_email FROM share_grants").fetchall())
    assert ended == {grants["moved"]: "carer@example.com", grants["left"]: "doctor@example.com",
                     grants["same"]: "friend@example.com", grants["other"]: None, grants["active"]: None}
    # The patient's address when each ended is logged nowhere (a patient's change of address
    # writes no entry), so it stays unknown rather than today's, which may be a later one.
    patient_then = dict(conn.execute("SELECT id, ended_patient_email FROM share_grants").fetchall())
    assert patient_then == dict.fromkeys(grants.values())
    assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == latest_version()


@pytest.fixture
async def before_0015(tmp_path, monkeypatch):
    path, conn = await database_before(tmp_path, monkeypatch, 15)
    yield path, conn
    conn.close()


async def test_0015_gives_every_grant_room_for_the_grantees_own_name_for_the_patient_and_none_yet(before_0015):
    """Grants made before it, active or ended, have no name; a name is 1 to 80 characters, and
    no name is NULL, never an empty string."""
    path, conn = before_0015
    pat = add_user(conn, "pat@example.com", "patient")
    active = add_grant(conn, pat, add_user(conn, "mum@example.com", "caregiver"), None, None)
    ended = add_grant(conn, pat, add_user(conn, "dr@example.com", "clinician"), "2026-02-01T10:00:00Z",
                      "patient", "clinician")
    conn.commit()

    db = Database(path, readers=1)
    await db.open()
    await db.close()

    assert dict(conn.execute("SELECT id, grantee_label FROM share_grants").fetchall()) == {active: None, ended: None}
    conn.execute("UPDATE share_grants SET grantee_label = ? WHERE id = ?", ("M" * 80, active))
    for refused in ("", "M" * 81):
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE share_grants SET grantee_label = ? WHERE id = ?", (refused, active))
    assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == latest_version()


async def test_0016_adds_an_empty_table_of_sign_up_attempts_by_address(tmp_path, monkeypatch):
    """An upgrade starts with no sign-up counted, whatever accounts and failed sign-ins it holds,
    and the table is indexed by address (the count) and by time (the pruning)."""
    path, conn = await database_before(tmp_path, monkeypatch, 16)
    with closing(conn):
        add_user(conn, "pat@example.com", "patient")
        conn.execute("INSERT INTO signin_failures (email, ip, at) VALUES ('pat@example.com', '10.0.0.9',"
                     " '2026-01-01T00:00:00Z')")
        conn.commit()

        db = Database(path, readers=1)
        await db.open()
        await db.close()

        assert conn.execute("SELECT count(*) FROM signup_attempts").fetchone()[0] == 0
        columns = [row[1] for row in conn.execute("PRAGMA table_info(signup_attempts)")]
        assert columns == ["id", "ip", "at"]
        indexed = {tuple(row[2] for row in conn.execute(f"PRAGMA index_info({index[1]})"))
                   for index in conn.execute("PRAGMA index_list(signup_attempts)")}
        assert indexed == {("ip", "at"), ("at",)}
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == latest_version()


async def test_0017_adds_an_empty_table_of_changed_results_that_goes_with_its_result(tmp_path, monkeypatch):
    """Results saved before it keep their rows and were changes of nothing; a row is found by the
    earlier ID (an old address) and by the result (its page), and goes when its result does."""
    path, conn = await database_before(tmp_path, monkeypatch, 17)
    with closing(conn):
        pid = add_user(conn, "pat@example.com", "patient")
        rid = conn.execute("INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band)"
                           " VALUES (?, 'phq9', '2026-01-01', '2026-01-01T00:00:00Z', 3, 'minimal') RETURNING id",
                           (pid,)).fetchone()[0]
        conn.commit()

        db = Database(path, readers=1)
        await db.open()
        await db.close()

        assert conn.execute("SELECT count(*) FROM scale_changes").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 1
        indexed = {tuple(row[2] for row in conn.execute(f"PRAGMA index_info({index[1]})"))
                   for index in conn.execute("PRAGMA index_list(scale_changes)")}
        assert indexed == {("earlier_id", "result_id"), ("result_id",)}
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("INSERT INTO scale_changes (earlier_id, result_id) VALUES (?, ?)", (rid + 1, rid))
        conn.execute("DELETE FROM scale_results WHERE id = ?", (rid,))
        assert conn.execute("SELECT count(*) FROM scale_changes").fetchone()[0] == 0
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == latest_version()


async def test_0018_indexes_failed_sign_ins_and_invitation_keys_by_time_and_keeps_them(tmp_path, monkeypatch):
    """Their pruning reads only the rows it deletes (db/throttles.py); the upgrade deletes none."""
    path, conn = await database_before(tmp_path, monkeypatch, 18)
    with closing(conn):
        conn.execute("INSERT INTO signin_failures (email, ip, at) VALUES ('pat@example.com', '10.0.0.9',"
                     " '2026-01-01T00:00:00Z')")
        conn.execute("INSERT INTO invitation_failures (ip, at) VALUES ('10.0.0.9', '2026-01-01T00:00:00Z')")
        conn.commit()

        db = Database(path, readers=1)
        await db.open()
        await db.close()

        for table in ("signin_failures", "invitation_failures"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1
            plan = conn.execute(f"EXPLAIN QUERY PLAN DELETE FROM {table} WHERE at <= ?", ("2026",)).fetchall()
            assert f"USING INDEX {table}_by_time" in plan[0][3], plan
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == latest_version()


async def test_0019_leaves_every_account_made_before_it_without_a_chosen_clock(tmp_path, monkeypatch):
    """NULL: the account's time zone decides how it reads times (dates.uses_twelve_hour) until
    it chooses on the account page; a choice is "12" or "24" and nothing else."""
    path, conn = await database_before(tmp_path, monkeypatch, 19)
    with closing(conn):
        pat = add_user(conn, "pat@example.com", "patient")
        conn.commit()

        db = Database(path, readers=1)
        await db.open()
        await db.close()

        assert conn.execute("SELECT clock FROM users WHERE id = ?", (pat,)).fetchone()[0] is None
        for chosen in ("12", "24"):
            conn.execute("UPDATE users SET clock = ? WHERE id = ?", (chosen, pat))
        for refused in ("", "13", "h12"):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute("UPDATE users SET clock = ? WHERE id = ?", (refused, pat))
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == latest_version()


async def test_0020_indexes_the_audit_log_by_subject_and_time_and_keeps_every_entry(tmp_path, monkeypatch):
    """"Who saw my journal" finds the log's first and last instants at the ends of the index
    (db/audit.log_days) and counts its days from the index alone, not from every entry's row."""
    path, conn = await database_before(tmp_path, monkeypatch, 20)
    with closing(conn):
        add_entry(conn, "subject-1", "2026-01-01T00:00:00Z", "caregiver", "mum@example.com", "")
        conn.commit()

        db = Database(path, readers=1)
        await db.open()
        await db.close()

        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
        for end in ("min", "max"):
            plan = conn.execute(f"EXPLAIN QUERY PLAN SELECT {end}(at) FROM audit_log WHERE subject = ?",
                                ("subject-1",)).fetchall()
            assert "COVERING INDEX audit_log_by_subject_at" in plan[0][3], plan
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == latest_version()
