"""One serialised writer connection and a small pool of readers over one SQLite file.

SQLite allows one writer at a time, so every write goes through a single long-lived
connection guarded by an asyncio lock and starts with BEGIN IMMEDIATE; reads use their
own connections and never wait for a writer thanks to WAL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)

DatabaseError = sqlite3.Error


async def _connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    return conn


class Database:
    def __init__(self, path: Path, readers: int = 4) -> None:
        self.path = path
        self._reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []

    async def open(self) -> None:
        # Health data: only the account running Lift may read the data directory.
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._writer = await _connect(self.path)
        self._all.append(self._writer)
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

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A transaction on the writer; it commits on exit or rolls back on error."""
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        reader = await self._readers.get()
        try:
            yield reader
        finally:
            await _release_statements(reader)
            self._readers.put_nowait(reader)

    async def fetch_one(self, sql: str, params: tuple = ()) -> aiosqlite.Row | None:
        async with self.read() as conn, conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_all(self, sql: str, params: tuple = ()) -> list[aiosqlite.Row]:
        async with self.read() as conn, conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())


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
