"""The database layer on a real SQLite file: one-trip reads, and group-committed writes."""

from __future__ import annotations

import asyncio
import sqlite3
import stat

import pytest

from lift.db.connection import Database


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "lift.db", readers=2)
    await database.open()
    async with database.write() as conn:
        await conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
    yield database
    await database.close()


def add_note(conn: sqlite3.Connection, body: str) -> int:
    return conn.execute("INSERT INTO notes (body) VALUES (?) RETURNING id", (body,)).fetchone()[0]


def add_two_then_fail(conn: sqlite3.Connection, body: str) -> None:
    add_note(conn, body)
    add_note(conn, body)  # UNIQUE: fails after the first insert went in


def stored(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT body FROM notes ORDER BY body")]


async def test_transact_returns_the_result_after_it_is_committed(db):
    note_id = await db.transact(add_note, "first")
    assert note_id == 1
    assert stored(db.path) == ["first"]  # a separate connection sees it: committed, not pending


async def test_concurrent_writes_share_commits_and_all_land(db):
    ids = await asyncio.gather(*(db.transact(add_note, f"note {n:02}") for n in range(40)))
    assert sorted(ids) == list(range(1, 41))
    assert stored(db.path) == [f"note {n:02}" for n in range(40)]
    assert db.batches_committed < 40  # writes that arrived together were committed together


async def test_a_failing_unit_undoes_only_its_own_changes_and_only_its_caller_sees_the_error(db):
    results = await asyncio.gather(
        db.transact(add_note, "before"),
        db.transact(add_two_then_fail, "twice"),
        db.transact(add_note, "after"),
        return_exceptions=True,
    )
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert results[0] == 1 and isinstance(results[2], int)
    assert stored(db.path) == ["after", "before"]  # not even the first half of "twice"


async def test_a_failed_commit_fails_every_caller_in_the_batch(db, monkeypatch):
    import lift.db.connection as connection

    def refuse_commit(conn, turn, batch):
        conn.execute("BEGIN IMMEDIATE")
        for work, args in batch:
            work(conn, *args)
        conn.execute("ROLLBACK")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(connection, "_run_batch", refuse_commit)
    results = await asyncio.gather(*(db.transact(add_note, f"n{n}") for n in range(3)), return_exceptions=True)
    assert all(isinstance(result, sqlite3.OperationalError) for result in results)
    assert stored(db.path) == []


async def test_transact_and_write_blocks_do_not_interleave(db):
    async def slow_block():
        async with db.write() as conn:
            await conn.execute("INSERT INTO notes (body) VALUES ('block 1')")
            await asyncio.sleep(0.05)
            await conn.execute("INSERT INTO notes (body) VALUES ('block 2')")

    await asyncio.gather(slow_block(), db.transact(add_note, "unit"))
    assert sorted(stored(db.path)) == ["block 1", "block 2", "unit"]


async def test_fetches_see_commits_made_since_the_previous_fetch(db):
    for n in range(4):  # more fetches than readers, so each reader is reused
        await db.transact(add_note, f"n{n}")
        rows = await db.fetch_all("SELECT body FROM notes")
        assert len(rows) == n + 1
        assert (await db.fetch_one("SELECT count(*) AS c FROM notes"))["c"] == n + 1


async def test_fetch_one_of_many_rows_leaves_no_snapshot_behind(db):
    for n in range(3):
        await db.transact(add_note, f"n{n}")
    for _ in range(2):
        await db.fetch_one("SELECT body FROM notes")  # stops after the first of three rows
    await db.transact(add_note, "later")
    for _ in range(2):
        assert (await db.fetch_one("SELECT count(*) AS c FROM notes"))["c"] == 4


async def test_a_bad_query_returns_its_reader_to_the_pool(db):
    for _ in range(3):
        with pytest.raises(sqlite3.OperationalError):
            await db.fetch_one("SELECT nope FROM notes")
    assert await db.fetch_all("SELECT * FROM notes") == []


async def test_two_databases_on_one_file_take_turns_and_every_write_lands(db):
    """Like two server processes: separate connections, group commits and turn files."""
    other = Database(db.path, readers=1)
    await other.open()
    try:
        async def block_write(database, body):
            async with database.write() as conn:
                await conn.execute("INSERT INTO notes (body) VALUES (?)", (body,))

        await asyncio.gather(
            *(db.transact(add_note, f"a{n:02}") for n in range(30)),
            *(other.transact(add_note, f"b{n:02}") for n in range(30)),
            *(block_write(db, f"c{n}") for n in range(5)),
            *(block_write(other, f"d{n}") for n in range(5)),
        )
    finally:
        await other.close()
    assert len(stored(db.path)) == 70


async def test_a_writer_that_never_gets_its_turn_gives_up_like_sqlite_does(db, monkeypatch):
    from lift.db.connection import WriteTurn

    monkeypatch.setattr(WriteTurn, "TIMEOUT_SECONDS", 0.2)
    holder = WriteTurn(db.path)  # another process, stuck while holding its turn
    holder.acquire()
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            await db.transact(add_note, "waits")
    finally:
        holder.release()
        holder.close()
    assert await db.transact(add_note, "after") == 1  # nothing of the refused write remains
    assert stored(db.path) == ["after"]


async def test_emptying_the_wal_while_another_process_keeps_its_turn_says_not_yet_and_loses_nothing(
        db, monkeypatch):
    """An account deletion is committed before the WAL is emptied: a turn held elsewhere must not
    turn that committed deletion into an error (a "try again" page, a traceback in the command)."""
    from lift.db.connection import WriteTurn

    monkeypatch.setattr(WriteTurn, "TIMEOUT_SECONDS", 0.2)
    assert await db.transact(add_note, "kept") == 1
    holder = WriteTurn(db.path)
    holder.acquire()
    try:
        assert await db.empty_wal() is False
    finally:
        holder.release()
        holder.close()
    assert await db.empty_wal() is True
    assert stored(db.path) == ["kept"]


async def test_queries_queued_together_share_trips_and_keep_their_own_results_and_errors(db, monkeypatch):
    import lift.db.connection as connection

    for n in range(5):
        await db.transact(add_note, f"n{n}")
    trips = []
    real_run_reads = connection._run_reads

    def counting_run_reads(conn, batch):
        trips.append(len(batch))
        return real_run_reads(conn, batch)

    monkeypatch.setattr(connection, "_run_reads", counting_run_reads)
    results = await asyncio.gather(
        *(db.fetch_one("SELECT body FROM notes WHERE id = ?", (n,)) for n in range(1, 6)),
        db.fetch_one("SELECT nope FROM notes"),
        *(db.fetch_all("SELECT id FROM notes WHERE id <= ?", (n,)) for n in range(1, 41)),
        return_exceptions=True,
    )
    assert [row["body"] for row in results[:5]] == ["n0", "n1", "n2", "n3", "n4"]
    assert isinstance(results[5], sqlite3.OperationalError)
    assert [len(rows) for rows in results[6:]] == [min(n, 5) for n in range(1, 41)]
    assert sum(trips) == 46 and len(trips) < 46  # every query ran once, many per trip
    assert max(trips) <= connection.READ_BATCH


async def test_opening_makes_a_data_directory_made_by_someone_else_owner_only(tmp_path):
    # An image's /data, or a volume an older release made, can be 0755: opening tightens it.
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    database = Database(data_dir / "lift.db", readers=0)
    await database.open()
    await database.close()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
