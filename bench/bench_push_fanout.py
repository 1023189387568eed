"""How fast does Lift fan out 5,000 due reminders, against the raw rate of posting to the same
push service without any Web Push work?

A standalone script, not part of `make test`:

    PYTHONPATH=backend:. .venv/bin/python bench/bench_push_fanout.py [--reminders 5000] [--concurrency 16]

It starts the local push service (tests/push/pushservice.py) in its own process, over TLS, with
full checking on: every message's VAPID signature is verified and its payload decrypted. It
makes one patient per reminder, each with one device subscribed to that service, and lets the
real planner write their check-in reminders. Then, in the same run:

- raw: the same number of plain POSTs of the same JSON (no encryption, no VAPID) to the
  service, from the same number of threads, each with a keep-alive session;
- fan-out: the real scheduler claims the due reminders, settles them into messages, and sends
  them with pywebpush (an ECDH key and an AES-GCM record per message, an ES256 JWT per
  message), recording every outcome in SQLite;
- raw again, so machine noise during the run shows as a difference between the two raw rates;
- and, as a diagnostic, pywebpush alone on the same threads without the scheduler, which splits
  the gap into what encryption and VAPID cost and what the scheduler's bookkeeping costs.

It prints sends per second for each, and fan-out as a fraction of the mean raw rate, and writes
them to bench/results/push_fanout.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time as wall, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from lift.db.connection import Database
from lift.domain import reminders as rules
from lift.push.scheduler import Scheduler, plan_reminders
from lift.push.sender import PushMessage, PushSession, Sender
from lift.push.vapid import ensure_vapid_keys
from lift.settings import Settings
from results_file import write_results

REPO_ROOT = Path(__file__).resolve().parents[1]
ZONE = "America/New_York"
DAY = date(2026, 6, 10)


def start_push_service(public_key: str, folder: Path) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.push.pushservice", "--public-key", public_key, "--folder", str(folder)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
    )
    return process, json.loads(process.stdout.readline())


def control(url: str, method: str = "GET"):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def seed(database: Path, subscriptions: list[dict]) -> None:
    conn = sqlite3.connect(database)
    stamp = "2026-06-01T00:00:00.000Z"
    conn.executemany(
        "INSERT INTO users (email, password_hash, role, timezone, created_at) VALUES (?, 'x', 'patient', ?, ?)",
        [(f"p{n}@example.com", ZONE, stamp) for n in range(len(subscriptions))],
    )
    ids = [row[0] for row in conn.execute("SELECT id FROM users ORDER BY id")]
    conn.executemany(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, label, created_at)"
        " VALUES (?, ?, ?, ?, 'Bench browser', ?)",
        [(user_id, s["endpoint"], s["keys"]["p256dh"], s["keys"]["auth"], stamp)
         for user_id, s in zip(ids, subscriptions)],
    )
    conn.commit()
    conn.close()


def raw_rate(origin: str, cert: str, count: int, concurrency: int, body: bytes) -> float:
    local = threading.local()
    sessions: list[requests.Session] = []

    def post(_: int) -> int:
        if not hasattr(local, "session"):
            local.session = PushSession(cert, public_only=False)
            sessions.append(local.session)
        return local.session.post(f"{origin}/raw", data=body, timeout=10,
                                  headers={"content-type": "application/json"}).status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(post, range(count)))
    elapsed = time.perf_counter() - started
    for session in sessions:
        session.close()
    assert statuses.count(201) == count, "the push service refused raw posts"
    return count / elapsed


def sender_rate(vapid, settings: Settings, subscriptions: list[dict], concurrency: int, body: bytes) -> float:
    """pywebpush alone, on the same threads: the part of fan-out that is encryption and VAPID,
    without the scheduler's claims and bookkeeping in SQLite."""
    sender = Sender(vapid, settings.vapid_subject, timeout=10, concurrency=concurrency, ca_file=settings.push_ca_file,
                    allow_private=True)
    messages = [PushMessage(endpoint=s["endpoint"], p256dh=s["keys"]["p256dh"], auth=s["keys"]["auth"],
                            payload=body.decode(), ttl=3600, urgency="normal", topic="checkin") for s in subscriptions]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(sender.send_blocking, messages))
    elapsed = time.perf_counter() - started
    sender.close()
    assert all(r.status == "sent" for r in results), "the push service refused a message"
    return len(messages) / elapsed


async def fan_out(settings: Settings, vapid, count: int, concurrency: int, now: datetime) -> tuple[float, float, float]:
    db = Database(settings.database_path, readers=2)
    await db.open()
    sender = Sender(vapid, settings.vapid_subject, timeout=10, concurrency=concurrency, ca_file=settings.push_ca_file,
                    allow_private=True)
    scheduler = Scheduler(db, sender, clock=lambda: now)
    try:
        await plan_reminders(db, now - timedelta(minutes=5))  # untimed: rows exist before they are due
        started = time.perf_counter()
        queued = await scheduler.dispatch_due()
        dispatched = time.perf_counter()
        attempted = await scheduler.deliver()
        finished = time.perf_counter()
    finally:
        scheduler.close()
        await db.close()
    assert queued == attempted == count, (queued, attempted)
    return count / (finished - started), dispatched - started, finished - dispatched


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        settings = Settings(data_dir=str(folder / "data"), secret_key="bench-" * 8,
                            vapid_subject="mailto:bench@example.org")
        vapid, _ = ensure_vapid_keys(settings)
        process, service = start_push_service(vapid.public_key, folder)
        try:
            settings = Settings(**{**{f: getattr(settings, f) for f in settings.__struct_fields__},
                                   "push_ca_file": service["cert"]})
            subscriptions = control(f"{service['control']}/subscribers?count={args.reminders}", "POST")
            asyncio.run(_migrate(settings))
            seed(settings.database_path, subscriptions)
            now = datetime.combine(DAY, wall(20, 0, 30), tzinfo=ZoneInfo(ZONE)).astimezone(UTC)
            sample = rules.payload(rules.notification_for(
                rules.Occurrence(kind="checkin", key=DAY.isoformat(), local_date=DAY, due_at=now, expires_at=now),
                rules.PatientContext(user_id=0, timezone=ZONE))).encode()

            raw_before = raw_rate(service["origin"], service["cert"], args.reminders, args.concurrency, sample)
            rate, dispatch_s, deliver_s = asyncio.run(fan_out(settings, vapid, args.reminders, args.concurrency, now))
            bare = sender_rate(vapid, settings, subscriptions, args.concurrency, sample)
            raw_after = raw_rate(service["origin"], service["cert"], args.reminders, args.concurrency, sample)
            stats = control(f"{service['control']}/stats")
        finally:
            process.terminate()
            process.wait(timeout=10)

    raw = (raw_before + raw_after) / 2
    print(f"push fan-out: {args.reminders} due reminders, {args.concurrency} sending threads, "
          "push service in its own process over TLS, verifying VAPID and decrypting every message")
    print(f"  raw POST (no encryption, no VAPID): {raw_before:7.0f} /s before, {raw_after:7.0f} /s after")
    print(f"  fan-out through the scheduler:      {rate:7.0f} sends/s "
          f"(settle {dispatch_s:.2f} s, send {deliver_s:.2f} s)")
    print(f"  ratio fan-out / raw:                {rate / raw:7.2f}")
    print(f"  (pywebpush alone, no scheduler:     {bare:7.0f} /s, {bare / raw:.2f} of raw)")
    print(f"  push service: {stats['accepted']} accepted (fan-out, then pywebpush alone), "
          f"{stats['problem_count']} failed its checks, at most {stats['max_per_subscriber']} messages per device")
    # The diagnostic pywebpush-alone pass sends each device a second message.
    ok = stats["accepted"] == 2 * args.reminders and stats["problem_count"] == 0 and stats["max_per_subscriber"] == 2
    write_results("push_fanout.json", {
        "reminders": args.reminders, "sending_threads": args.concurrency,
        "raw_posts_per_second": {"before": raw_before, "after": raw_after}, "fan_out_per_second": rate,
        "settle_seconds": dispatch_s, "send_seconds": deliver_s, "pywebpush_alone_per_second": bare,
        "ratio_fan_out_to_raw": rate / raw, "ratio_pywebpush_alone_to_raw": bare / raw,
        "push_service": {k: stats[k] for k in ("accepted", "problem_count", "max_per_subscriber")}, "ok": ok})
    if not ok:
        print(f"  PROBLEM: {stats['problems']}")
    return 0 if ok else 1


async def _migrate(settings: Settings) -> None:
    db = Database(settings.database_path, readers=0)
    await db.open()
    await db.close()


if __name__ == "__main__":
    sys.exit(main())
