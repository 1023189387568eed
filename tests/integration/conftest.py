"""The real app over HTTP (ASGI) on a real SQLite file, new for every test, with fixed personas."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncio

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from lift.app import create_app
from lift.push.vapid import KEY_FILE
from lift.settings import Settings

PASSWORD = "correct horse battery"
BASE_URL = "http://testserver.local"


def helpers_now() -> datetime:
    """Now for the helpers here and in sharing_helpers (Person.today, joined_days_ago): the real
    clock, unless a test set the pages' clock with `mid_june`, which sets this one too."""
    return datetime.now(UTC)


MID_JUNE = datetime(2027, 6, 16, 17, 0, tzinfo=UTC)  # a Wednesday, 13:00 in New York


@pytest.fixture
def mid_june(monkeypatch) -> datetime:
    """Today, for the pages and the helpers, is 16 June 2027: the days a test seeds just before it
    are in the same year. Pages name a day of another year with it ("Tue 29 Dec 2026"), and tests
    that joined a patient a few days back failed from 1 to 5 January, expecting "Tue 29 Dec"."""
    for module in ("lift.web.rendering", "lift.web.clinician", "lift.web.report"):
        monkeypatch.setattr(f"{module}.utc_now", lambda: MID_JUNE)
    monkeypatch.setattr(f"{__name__}.helpers_now", lambda: MID_JUNE)
    return MID_JUNE


@pytest.fixture(scope="session")
def shared_data_dir(tmp_path_factory) -> Path:
    """The data directory of this test process's apps, emptied for every test (`data_dir`)."""
    return tmp_path_factory.mktemp("lift-data")


@pytest.fixture
def data_dir(shared_data_dir) -> Path:
    """An empty data directory, but for the VAPID key pair: the built app keeps it (`app`)."""
    for entry in shared_data_dir.iterdir():
        if entry.name == KEY_FILE:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return shared_data_dir


@pytest.fixture
def settings(data_dir) -> Settings:
    return Settings(data_dir=str(data_dir), cookie_secure=False, secret_key="test-secret-" * 4)


# Built apps, by their settings, with their state as create_app left it. Building one (Litestar
# registering every route) took as long as all else in a typical test here, and most tests build
# the same one; each test still starts it afresh on an empty data directory.
_BUILT: dict[Settings, tuple[Litestar, dict]] = {}


def built_app(settings: Settings, shared_data_dir: Path) -> Litestar:
    """The app create_app(settings) makes, built once per test process for the shared data
    directory, with its state set back to what create_app made (the lifespan adds the rest)."""
    if Path(settings.data_dir) != shared_data_dir:
        return create_app(settings)
    if settings not in _BUILT:
        application = create_app(settings)
        _BUILT[settings] = application, application.state.dict()
    application, state = _BUILT[settings]
    application.state.clear()
    application.state.update(state)
    return application


@pytest.fixture
async def app(settings, shared_data_dir) -> AsyncIterator[Litestar]:
    """The app with its lifespan running (database open) for the whole test: a new database,
    readiness probe and reminder scheduler for each test, on an empty data directory."""
    application = built_app(settings, shared_data_dir)
    async with AsyncTestClient(app=application):
        yield application


class Person:
    """One browser's worth of cookies talking to the app."""

    def __init__(self, app: Litestar, email: str, address: str = "127.0.0.1") -> None:
        self.email = email
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 123)),
                                      base_url=BASE_URL)

    async def csrf_token(self) -> str:
        if "csrftoken" not in self.http.cookies:
            await self.http.get("/help")
        return self.http.cookies["csrftoken"]

    async def get(self, path: str, **kwargs) -> httpx.Response:
        return await self.http.get(path, **kwargs)

    async def post(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs) -> httpx.Response:
        """A form post carrying the CSRF token the way the page's hidden field does."""
        data = dict(data or {})
        if csrf:
            data["_csrf_token"] = await self.csrf_token()
        return await self.http.post(path, data=data, **kwargs)

    async def sign_up(self, timezone: str = "America/New_York", hour_cycle: str = "h23") -> httpx.Response:
        """As from a browser whose locale writes "14:30" (app.js sends its hour cycle), unless
        `hour_cycle` says otherwise ("" as without JavaScript)."""
        return await self.post("/signup", {"email": self.email, "password": PASSWORD, "timezone": timezone,
                                           "hour_cycle": hour_cycle})

    async def sign_in(self, password: str = PASSWORD) -> httpx.Response:
        return await self.post("/signin", {"email": self.email, "password": password})

    async def check_in(self, **fields) -> httpx.Response:
        """The check-in form sent without JavaScript, landing where the patient lands."""
        form = {"local_date": self.today().isoformat(), "mood": "5", "anxiety": "4",
                "sleep_hours": "7.5", "thoughts": "0", "note": ""}
        form.update({k: str(v) for k, v in fields.items()})
        return await self.post("/checkin", form, follow_redirects=True)

    def today(self, timezone: str = "America/New_York"):
        return helpers_now().astimezone(ZoneInfo(timezone)).date()

    async def close(self) -> None:
        await self.http.aclose()


@pytest.fixture
async def people(app) -> AsyncIterator[callable]:
    made: list[Person] = []

    def make(email: str, address: str = "127.0.0.1") -> Person:
        """A browser at `email`, connecting from the client `address`."""
        made.append(Person(app, email, address))
        return made[-1]

    yield make
    for person in made:
        await person.close()


@pytest.fixture
async def patient(people) -> Person:
    person = people("pat@example.com")
    assert (await person.sign_up()).status_code == 303
    return person


@pytest.fixture
async def other_patient(people) -> Person:
    person = people("other@example.com")
    assert (await person.sign_up()).status_code == 303
    return person


@pytest.fixture
def stranger(people) -> Person:
    return people("stranger@example.com")


@pytest.fixture
def database(settings):
    """A direct connection to the app's SQLite file, to check what was really stored."""
    conn = sqlite3.connect(settings.database_path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def insert_checkin(database, day) -> None:
    """A plain check-in for the only user on a given day, written behind the app's back (a day
    too old for the form, as time passing makes it)."""
    user_id = database.execute("SELECT id FROM users").fetchone()[0]
    database.execute("INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, created_at,"
                     " updated_at) VALUES (?, ?, 5, 5, 7, 0, 'x', 'x')", (user_id, day.isoformat()))
    database.commit()


def joined_days_ago(database, days: int) -> None:
    """Make the only user's account `days` days old, as a patient who has used Lift that long."""
    joined = helpers_now() - timedelta(days=days)
    database.execute("UPDATE users SET created_at = ?", (joined.strftime("%Y-%m-%dT%H:%M:%SZ"),))
    database.commit()


SIGNUP_LIMIT = 3


@pytest.fixture
def signup_limit(app) -> int:
    """The app allows SIGNUP_LIMIT sign-ups per address (LIFT_SIGNUP_IP_LIMIT) for this test."""
    app.state.settings = msgspec.structs.replace(app.state.settings, signup_ip_limit=SIGNUP_LIMIT)
    return SIGNUP_LIMIT


def slowed_password_hashes(monkeypatch, module) -> list[str]:
    """Every password hash in the web `module` takes a moment, as argon2id does on a busy server,
    while the rest of a burst arrives. Returns the list of the passwords hashed."""
    hashed: list[str] = []
    hash_password = module.hash_password

    async def slow_hash(password: str) -> str:
        hashed.append(password)
        await asyncio.sleep(0.2)
        return await hash_password(password)

    monkeypatch.setattr(module, "hash_password", slow_hash)
    return hashed
