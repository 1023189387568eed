"""One serialised writer connection and a small pool of readers over one SQLite file.

SQLite allows one writer at a time, so every write goes through a single long-lived
connection guarded by an asyncio lock and starts with BEGIN IMMEDIATE; reads use their
own connections and never wait for a writer thanks to WAL.

Each aiosqlite call is a round trip to the connection's thread and back through the event
loop, and under load every round trip waits behind other requests. The hot paths therefore
run whole units of work on the connection's thread in one trip: `fetch_one`/`fetch_all`
for reads, and `transact` for writes, which also commits concurrent writes together.

Several processes may share the file (app workers, `python -m lift worker`). They take
turns to write through an flock on a side file (WriteTurn) before BEGIN IMMEDIATE.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

try:
    import fcntl
except ImportError:  # not on Windows: SQLite's own busy handler orders the writers there
    fcntl = None

T = TypeVar("T")
READ_BATCH = 32  # queries per trip; a long batch would hold up its first caller
Work = Callable[..., Any]

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    # Deleted rows are overwritten with zeros rather than left in free space: a patient who
    # deletes a note or their account expects it gone from the file too. Many builds of SQLite
    # default to this, but not all.
    "PRAGMA secure_delete=ON",
)

DatabaseError = sqlite3.Error


async def _connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    return conn


class WriteTurn:
    """An exclusive flock on `<database>-writer.lock`, taken on the writer's thread around
    each write transaction so writers in different processes queue instead of colliding.

    SQLite alone answers a busy writer with growing sleeps (up to 100 ms each) until the
    other process commits; here a waiter looks again within 2 ms. Like SQLite's busy
    timeout, it gives up after 5 s ("database is locked"), so a stuck process cannot hang
    every other writer. SQLite's own locking still guarantees correctness: this only
    shortens the queue.
    """

    TIMEOUT_SECONDS = 5.0
    LONGEST_NAP_SECONDS = 0.002

    def __init__(self, database_path: Path) -> None:
        lock_path = database_path.with_name(database_path.name + "-writer.lock")
        self._fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600) if fcntl else None

    def acquire(self) -> None:
        if self._fd is None:
            return
        deadline, nap = time.monotonic() + self.TIMEOUT_SECONDS, 0.0001
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(nap)
                nap = min(nap * 2, self.LONGEST_NAP_SECONDS)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def make_owner_only(directory: Path) -> None:
    """Health data: only the account running Lift may read the data directory. One made before
    Lift (an image's /data, a volume from an older release) is tightened too, if it is ours."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = directory.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        directory.chmod(0o700)


class Database:
    def __init__(self, path: Path, readers: int = 4) -> None:
        self.path = path
        self._reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []
        self._queued_work: list[tuple[Work, tuple, asyncio.Future]] = []
        self._queued_reads: list[tuple[Callable, str, tuple, asyncio.Future]] = []
        self._read_runners = 0
        self._read_tasks: set[asyncio.Task] = set()
        self._committer: asyncio.Task | None = None
        self._turn: WriteTurn | None = None
        self.batches_committed = 0

    async def open(self) -> None:
        make_owner_only(self.path.parent)
        self._writer = await _connect(self.path)
        self._all.append(self._writer)
        self._turn = WriteTurn(self.path)
        await apply_migrations(self._writer)
        for _ in range(self._reader_count):
            reader = await _connect(self.path)
            self._all.append(reader)
            self._readers.put_nowait(reader)

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()
        self._all.clear()
        self._writer = None
        if self._turn is not None:
            self._turn.close()
            self._turn = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A transaction on the writer; it commits on exit or rolls back on error."""
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            await _on_thread(self._writer, _begin, self._turn)
            try:
                yield self._writer
            except BaseException:
                await _on_thread(self._writer, _finish, self._turn, "ROLLBACK")
                raise
            await _on_thread(self._writer, _finish, self._turn, "COMMIT")

    async def empty_wal(self) -> bool:
        """Copy every committed page into the database file and truncate the WAL to nothing,
        so earlier versions of pages (rows since deleted) no longer sit in it. False when a
        reader in some process still needed an old snapshot, or another process kept its write
        turn past the timeout, and the WAL could not be emptied now."""
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            return await _on_thread(self._writer, _truncate_wal, self._turn)

    async def transact(self, work: Callable[..., T], *args: Any) -> T:
        """Run work(sqlite3_connection, *args) in a write transaction on the writer's thread.

        Calls that arrive while a commit is under way are committed together with one fsync
        (group commit), each inside its own savepoint: one call's error undoes only its own
        changes and is raised to that caller alone. The result comes back only after COMMIT,
        so a caller that got an answer knows its write is on disk.
        """
        assert self._writer is not None, "database is not open"
        future = asyncio.get_running_loop().create_future()
        self._queued_work.append((work, args, future))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_queued_work())
        return await future

    async def _commit_queued_work(self) -> None:
        while self._queued_work:
            batch, self._queued_work = self._queued_work, []
            units = [(work, args) for work, args, _ in batch]
            async with self._write_lock:
                try:
                    outcomes = await _on_thread(self._writer, _run_batch, self._turn, units)
                except Exception as error:  # the transaction itself failed: nothing in the batch is saved
                    outcomes = [(False, error)] * len(batch)
                else:
                    self.batches_committed += 1
            _settle(batch, outcomes)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        reader = await self._readers.get()
        try:
            yield reader
        finally:
            await _release_statements(reader)
            self._readers.put_nowait(reader)

    async def fetch_one(self, sql: str, params: tuple = ()) -> aiosqlite.Row | None:
        return await self._fetch(sql, params, _fetch_one)

    async def fetch_all(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        return await self._fetch(sql, params, _fetch_all)

    async def _fetch(self, sql: str, params: tuple, fetch: Callable[..., T]) -> T:
        """Queue the query; queries queued together run in one trip to one reader.

        Under load, each trip waits for the busy event loop (and its GIL) twice, so sharing
        trips keeps the waits per request low. Each query is still its own statement with
        its own snapshot, and its error goes to its own caller.
        """
        future = asyncio.get_running_loop().create_future()
        self._queued_reads.append((fetch, sql, params, future))
        if self._read_runners < self._reader_count:
            self._read_runners += 1
            runner = asyncio.create_task(self._run_queued_reads())
            self._read_tasks.add(runner)  # the loop keeps only a weak reference to a task
            runner.add_done_callback(self._read_tasks.discard)
        return await future

    async def _run_queued_reads(self) -> None:
        try:
            while self._queued_reads:
                reader = await self._readers.get()
                # Taken once a reader is free, so the batch holds everything queued meanwhile.
                batch = self._queued_reads[:READ_BATCH]
                del self._queued_reads[:READ_BATCH]
                if not batch:  # another runner took them while this one waited
                    self._readers.put_nowait(reader)
                    break
                try:
                    queries = [(fetch, sql, params) for fetch, sql, params, _ in batch]
                    outcomes = await _on_thread(reader, _run_reads, queries)
                except Exception as error:  # the connection itself failed
                    outcomes = [(False, error)] * len(batch)
                finally:
                    self._readers.put_nowait(reader)
                _settle(batch, outcomes)
        finally:
            self._read_runners -= 1


async def _on_thread(conn: aiosqlite.Connection, work: Callable[..., T], *args: Any) -> T:
    """Run work(sqlite3_connection, *args) on the aiosqlite connection's own thread, in one trip.

    aiosqlite has no public call for this; `_execute` is how its own methods queue work on
    that thread. The version is pinned in the lock file and tests/unit/test_database.py
    covers this path, so an upgrade that changes it fails the tests, not production.
    """
    return await conn._execute(work, conn._conn, *args)


def _settle(batch: list[tuple], outcomes: list[tuple[bool, Any]]) -> None:
    """Hand each queued call its own result or error (the future is the last item)."""
    for queued, (succeeded, value) in zip(batch, outcomes):
        future = queued[-1]
        if future.done():
            continue
        if succeeded:
            future.set_result(value)
        else:
            future.set_exception(value)


def _run_reads(conn: sqlite3.Connection, batch: list[tuple[Callable, str, tuple]]) -> list[tuple[bool, Any]]:
    outcomes: list[tuple[bool, Any]] = []
    for fetch, sql, params in batch:
        try:
            outcomes.append((True, fetch(conn, sql, params)))
        except Exception as error:
            outcomes.append((False, error))
    return outcomes


def _fetch_one(conn: sqlite3.Connection, sql: str, params: tuple) -> sqlite3.Row | None:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def _fetch_all(conn: sqlite3.Connection, sql: str, params: tuple) -> list[sqlite3.Row]:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _begin(conn: sqlite3.Connection, turn: WriteTurn) -> None:
    turn.acquire()
    try:
        conn.execute("BEGIN IMMEDIATE")
    except BaseException:
        turn.release()
        raise


def _finish(conn: sqlite3.Connection, turn: WriteTurn, statement: str) -> None:
    """COMMIT or ROLLBACK, then let the next writer in; a failed COMMIT is rolled back."""
    try:
        conn.execute(statement)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        turn.release()


def _truncate_wal(conn: sqlite3.Connection, turn: WriteTurn) -> bool:
    try:
        turn.acquire()
    except sqlite3.OperationalError:
        # Another process kept its write turn past the timeout. The write that asked for this
        # is already committed: a later checkpoint empties the WAL, so this is not its failure.
        return False
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()[0]
    finally:
        turn.release()
    return not busy


def _run_batch(
    conn: sqlite3.Connection, turn: WriteTurn, batch: list[tuple[Work, tuple]]
) -> list[tuple[bool, Any]]:
    """One transaction for the whole batch, a savepoint per unit of work (on the writer's thread)."""
    outcomes: list[tuple[bool, Any]] = []
    _begin(conn, turn)
    try:
        for work, args in batch:
            conn.execute("SAVEPOINT unit")
            try:
                outcomes.append((True, work(conn, *args)))
            except Exception as error:
                conn.execute("ROLLBACK TO unit")
                outcomes.append((False, error))
            conn.execute("RELEASE unit")
    except BaseException:
        _finish(conn, turn, "ROLLBACK")
        raise
    _finish(conn, turn, "COMMIT")
    return outcomes


async def _release_statements(conn: aiosqlite.Connection) -> None:
    """End any read snapshot a half-read cursor still holds.

    A SELECT whose cursor was not read to the end keeps its statement open, and with it a
    WAL read snapshot: the next request on this reader would not see newer commits.
    aiosqlite's worker also keeps the last call's result alive until its next call finishes,
    so one table-less statement, read to completion, lets the old one go.
    """
    async with conn.execute("SELECT 1") as cursor:
        await cursor.fetchall()


def _migration_files() -> list[tuple[int, str, str]]:
    folder = resources.files("lift.db") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            found.append((version, entry.name, entry.read_text()))
    return sorted(found)


async def apply_migrations(conn: aiosqlite.Connection) -> list[str]:
    """Apply each numbered migration not yet recorded, each in its own transaction."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    cursor = await conn.execute("SELECT version FROM schema_migrations")
    applied = {row[0] for row in await cursor.fetchall()}
    done = []
    for version, name, sql in _migration_files():
        if version in applied:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                (version, name),
            )
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        done.append(name)
    return done


def _statements(sql: str) -> list[str]:
    """Split a migration into statements; sqlite3.complete_statement keeps triggers whole."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
