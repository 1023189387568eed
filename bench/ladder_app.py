"""The least a signed-in check-in can cost on Lift's stack, one step at a time (bench_ladder.py).

Each route adds one thing a check-in cannot do without, in the plainest way, and nothing else:
  POST /form              parse the url-encoded form into a msgspec struct, read the cookie;
  POST /form-read         ... and look the session up in SQLite through aiosqlite;
  POST /form-read-inline  ... the same lookup with sqlite3 on the event loop's own thread, to
                          show what a hop to a database thread costs;
  POST /form-write        ... the aiosqlite lookup, then insert and commit the check-in through
                          aiosqlite (WAL, synchronous=FULL, as Lift);
  POST /form-write-lean   the cheapest way found to do both: the lookup inline; the insert
                          group-committed, as Lift's writer does: saves waiting together go to
                          the writer thread in one hop and share one commit, under an flock so
                          two processes queue for the write instead of sleeping in SQLite's
                          busy handler.
No CSRF, middleware, guards, logging, headers or page: only what no version of the feature can
skip. Each answers 303 as Lift's plain check-in does. LADDER_DB names the SQLite file.
"""

import asyncio
import fcntl
import hashlib
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

import aiosqlite
import msgspec
from litestar import Litestar, Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

DB_PATH = os.environ.get("LADDER_DB", "ladder.db")
SESSION_TOKEN = "ladder-session-token"
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000")
INSERT = ("INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")
SELECT_SESSION = "SELECT user_id FROM sessions WHERE token_hash = ?"


class CheckinForm(msgspec.Struct):
    local_date: str
    mood: int
    anxiety: int
    sleep_hours: float
    thoughts: int
    note: str = ""


Form = Annotated[CheckinForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


class Database:
    """Per process: two aiosqlite connections, an inline reader, and a one-thread writer."""

    async def open(self) -> None:
        self.inline = sqlite3.connect(DB_PATH, check_same_thread=False)
        self.lean_writer = sqlite3.connect(DB_PATH, check_same_thread=False, isolation_level=None)
        self.write_thread = ThreadPoolExecutor(max_workers=1)
        self.write_lock = open(f"{DB_PATH}.write-lock", "w")  # noqa: SIM115 - held for the process
        self.waiting: list[tuple[tuple, asyncio.Future]] = []
        self.reader, self.writer = await aiosqlite.connect(DB_PATH), await aiosqlite.connect(DB_PATH)
        for conn in (self.reader, self.writer):
            for pragma in PRAGMAS:
                await conn.execute(pragma)
        for pragma in PRAGMAS:
            self.lean_writer.execute(pragma)
        await self.writer.execute("CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, user_id INTEGER)")
        await self.writer.execute("CREATE TABLE IF NOT EXISTS checkins (id INTEGER PRIMARY KEY, user_id INTEGER, "
                                  "local_date TEXT, mood INTEGER, anxiety INTEGER, sleep_hours REAL, "
                                  "thoughts INTEGER, note TEXT)")
        await self.writer.execute("INSERT OR IGNORE INTO sessions VALUES (?, 1)", (token_hash(SESSION_TOKEN),))
        await self.writer.commit()

    async def close(self) -> None:
        for conn in (self.reader, self.writer):
            await conn.close()
        self.write_thread.shutdown()

    async def write_lean(self, row: tuple) -> None:
        """Queue the row; the first save to wait starts a batch that takes every row queued by then."""
        saved = asyncio.get_running_loop().create_future()
        self.waiting.append((row, saved))
        if len(self.waiting) == 1:
            asyncio.get_running_loop().call_soon(asyncio.ensure_future, self._commit_waiting())
        await saved

    async def _commit_waiting(self) -> None:
        batch, self.waiting = self.waiting, []
        try:
            await asyncio.get_running_loop().run_in_executor(self.write_thread, self._insert_all,
                                                             [row for row, _ in batch])
        except Exception as error:  # every save in the batch learns it failed
            for _, saved in batch:
                saved.set_exception(error)
        else:
            for _, saved in batch:
                saved.set_result(None)

    def _insert_all(self, rows: list[tuple]) -> None:
        fcntl.flock(self.write_lock, fcntl.LOCK_EX)
        try:
            self.lean_writer.execute("BEGIN IMMEDIATE")
            self.lean_writer.executemany(INSERT, rows)
            self.lean_writer.execute("COMMIT")
        finally:
            fcntl.flock(self.write_lock, fcntl.LOCK_UN)


db = Database()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_key(request: Request) -> tuple[str]:
    return (token_hash(request.cookies.get("lift_session", "")),)


def row_of(user_id: int, data: CheckinForm) -> tuple:
    return user_id, data.local_date, data.mood, data.anxiety, data.sleep_hours, data.thoughts, data.note


async def session_user(request: Request) -> int:
    cursor = await db.reader.execute(SELECT_SESSION, session_key(request))
    (user_id,) = await cursor.fetchone()
    return user_id


def inline_session_user(request: Request) -> int:
    (user_id,) = db.inline.execute(SELECT_SESSION, session_key(request)).fetchone()
    return user_id


def done() -> Redirect:
    return Redirect("/done", status_code=303)


@post("/form", status_code=303)
async def form_only(request: Request, data: Form) -> Redirect:
    assert request.cookies.get("lift_session") == SESSION_TOKEN
    return done()


@post("/form-read", status_code=303)
async def form_and_read(request: Request, data: Form) -> Redirect:
    assert await session_user(request) == 1
    return done()


@post("/form-read-inline", status_code=303)
async def form_and_inline_read(request: Request, data: Form) -> Redirect:
    assert inline_session_user(request) == 1
    return done()


@post("/form-write", status_code=303)
async def form_read_and_write(request: Request, data: Form) -> Redirect:
    await db.writer.execute(INSERT, row_of(await session_user(request), data))
    await db.writer.commit()
    return done()


@post("/form-write-lean", status_code=303)
async def form_read_and_write_lean(request: Request, data: Form) -> Redirect:
    await db.write_lean(row_of(inline_session_user(request), data))
    return done()


app = Litestar(route_handlers=[form_only, form_and_read, form_and_inline_read, form_read_and_write,
                               form_read_and_write_lean],
               openapi_config=None, on_startup=[db.open], on_shutdown=[db.close])
