"""Lift's reminder scheduler and sender against the local push service, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from lift.db import reminders as store
from lift.db import users
from lift.db.connection import Database
from lift.domain.push import SubscriptionIn
from lift.domain.reminders import RetryPolicy
from lift.push.scheduler import Scheduler
from lift.push.sender import Sender
from lift.push.vapid import ensure_vapid_keys
from lift.settings import Settings
from tests.push.pushservice import LocalPushService

# Long enough that no answer from the local push service times out on a loaded machine: at
# 0.5 s, answers accepted by the service were recorded as timed out (and left pending, to be
# sent again) beside other test runs. The one test of a hang sets its own (send_timeout).
SEND_TIMEOUT = 5.0
FAST_RETRIES = RetryPolicy(base_seconds=10, cap_seconds=80, max_attempts=4)


class Clock:
    """The scheduler's idea of now, which a test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at_local(self, day: date, hour: int, minute: int, zone: str, second: int = 0) -> datetime:
        self.now = datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def send_timeout() -> float:
    """The push send timeout; a test that times other sends against a hang overrides it."""
    return SEND_TIMEOUT


@pytest.fixture
def settings(tmp_path, send_timeout) -> Settings:
    return Settings(data_dir=str(tmp_path / "data"), cookie_secure=False, secret_key="push-tests-" * 4,
                    push_allow_private_endpoints=True, push_timeout_seconds=send_timeout,
                    run_scheduler=False, vapid_subject="mailto:care-team@example.org")


@pytest.fixture
def vapid(settings):
    return ensure_vapid_keys(settings)[0]


@pytest.fixture
async def push_service(vapid, tmp_path) -> AsyncIterator[LocalPushService]:
    service = await LocalPushService(vapid.public_key, tmp_path).start()
    yield service
    await service.close()


@pytest.fixture
def push_settings(settings, push_service) -> Settings:
    """Settings that trust the local push service's certificate."""
    return msgspec.structs.replace(settings, push_ca_file=str(push_service.cert_path))


@pytest.fixture
async def db(push_settings) -> AsyncIterator[Database]:
    database = Database(push_settings.database_path, readers=2)
    await database.open()
    yield database
    await database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 10, 12, 0, tzinfo=UTC))


@pytest.fixture
async def make_scheduler(push_settings, vapid, clock) -> AsyncIterator[Callable[..., Scheduler]]:
    made: list[Scheduler] = []

    def make(database: Database, concurrency: int = 4, **options) -> Scheduler:
        sender = Sender(vapid, push_settings.vapid_subject, timeout=push_settings.push_timeout_seconds,
                        concurrency=concurrency, ca_file=push_settings.push_ca_file, allow_private=True)
        options.setdefault("clock", clock)
        options.setdefault("retry", FAST_RETRIES)
        made.append(Scheduler(database, sender, **options))
        return made[-1]

    yield make
    for scheduler in made:
        scheduler.close()


@pytest.fixture
def make_patient(db) -> Callable:
    count = 0

    async def make(timezone: str = "America/New_York") -> int:
        nonlocal count
        count += 1
        user = await users.create_user(db, f"patient{count}@example.com", "not-a-real-hash", "patient", timezone)
        return user.id

    return make


@pytest.fixture
def subscribe(db, clock) -> Callable:
    """Store a local-push-service subscription as a patient's device, as the web route does."""

    async def add(user_id: int, subscriber, label: str = "Test browser") -> int:
        return await store.save_subscription(db, user_id, msgspec.convert(subscriber.subscription_json(), SubscriptionIn),
                                             label, clock())

    return add


@pytest.fixture
def rows(push_settings):
    """Read what the scheduler stored, straight from the SQLite file."""

    def query(sql: str, *params) -> list[sqlite3.Row]:
        conn = sqlite3.connect(push_settings.database_path)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    return query
