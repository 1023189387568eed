"""`python -m lift worker` and `python -m lift vapid`, run as a deployment runs them."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import subprocess
from datetime import timedelta
from pathlib import Path

from lift.db import reminders as store
from lift.db.clock import utc_now
from lift.domain import reminders as rules
from tests.push.pushservice import Answer

REPO_ROOT = Path(__file__).resolve().parents[2]
PYTHON = REPO_ROOT / ".venv" / "bin" / "python"
NO_REMINDERS = rules.Preferences(checkin_enabled=False, eve_enabled=False, lead_enabled=False, scale_enabled=False)


def lift_env(settings, **extra) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIFT_")}
    env.update(PYTHONPATH=str(REPO_ROOT / "backend"), LIFT_DATA_DIR=settings.data_dir,
               LIFT_PUSH_CA_FILE=settings.push_ca_file, LIFT_VAPID_SUBJECT=settings.vapid_subject,
               LIFT_PUSH_CONCURRENCY="2", LIFT_PUSH_TIMEOUT_SECONDS="5",
               LIFT_PUSH_ALLOW_PRIVATE_ENDPOINTS="true", **extra)  # the local push service is on 127.0.0.1
    return env


async def start_worker(settings) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(PYTHON), "-m", "lift", "worker", cwd=REPO_ROOT, env=lift_env(settings),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


async def queue_tests(db, make_patient, subscribe, push_service, count: int, *answers):
    """A test notification to each of `count` devices, due now (real time), and nothing else: the
    patients' own reminders are off, so none comes due during the run, whatever the hour (from
    20:00 in their zone the worker would also send the day's check-in reminder)."""
    devices, now = [], utc_now()
    for _ in range(count):
        device, patient = push_service.subscribe(*answers), await make_patient()
        await store.save_preferences(db, patient, NO_REMINDERS, now)
        device_id = await subscribe(patient, device)
        await store.queue_message(db, patient, device_id,
                                  rules.payload(rules.device_test_notification()), "high", "test",
                                  now + timedelta(minutes=10), now)
        devices.append(device)
    return devices


async def wait_for(condition, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


async def test_the_worker_command_stops_on_sigterm_after_finishing_its_sends_and_loses_nothing(
        push_settings, db, push_service, make_patient, subscribe, make_scheduler, clock):
    devices = await queue_tests(db, make_patient, subscribe, push_service, 8, Answer(201, delay=0.4))
    worker = await start_worker(push_settings)
    try:
        await wait_for(lambda: len(push_service.received) >= 2)
        worker.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(worker.communicate(), 15)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    assert worker.returncode == 0, output.decode()
    assert b"reminder worker stopped" in output
    sent_by_worker = len(push_service.received)
    assert sent_by_worker < len(devices)

    clock.now = utc_now()
    await make_scheduler(db).run_once()

    assert [len(device.received) for device in devices] == [1] * len(devices)
    assert push_service.problems == []


async def test_a_killed_worker_loses_nothing_and_repeats_only_what_was_on_the_wire(
        push_settings, db, push_service, make_patient, subscribe, make_scheduler, clock):
    devices = await queue_tests(db, make_patient, subscribe, push_service, 6, Answer(201, delay=1.0))
    worker = await start_worker(push_settings)
    try:
        await wait_for(lambda: len(push_service.received) >= 2)
    finally:
        worker.kill()  # SIGKILL: no chance to record anything
        await worker.communicate()
    on_the_wire = {r.subscriber for r in push_service.received}

    # Another worker, once the dead one's claims have timed out (120 s for a 5 s send timeout).
    clock.now = utc_now() + timedelta(seconds=121)
    await make_scheduler(db, concurrency=6).run_once()

    counts = {device.id: len(device.received) for device in devices}
    assert all(count >= 1 for count in counts.values()), counts
    assert {device_id for device_id, count in counts.items() if count > 1} <= on_the_wire
    assert len(on_the_wire) <= 2  # at most the dead worker's concurrency
    assert push_service.problems == []


def test_the_vapid_command_makes_a_key_pair_once_and_keeps_it(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIFT_")}
    env.update(PYTHONPATH=str(REPO_ROOT / "backend"), LIFT_DATA_DIR=str(tmp_path / "data"))

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([str(PYTHON), "-m", "lift", "vapid"], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=30)

    first, second = run(), run()
    assert first.returncode == 0 and "made a new VAPID key pair" in first.stdout
    assert "existing VAPID key pair" in second.stdout
    public = [line for line in first.stdout.splitlines() if line.startswith("LIFT_VAPID_PUBLIC_KEY=")]
    assert public and public[0] in second.stdout
    key_file = tmp_path / "data" / "vapid_private_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_bad_vapid_key_stops_the_command_with_one_line(tmp_path):
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIFT_")}
    env.update(PYTHONPATH=str(REPO_ROOT / "backend"), LIFT_DATA_DIR=str(tmp_path),
               LIFT_VAPID_PRIVATE_KEY="not-a-key")
    result = subprocess.run([str(PYTHON), "-m", "lift", "worker"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "lift: LIFT_VAPID_PRIVATE_KEY: not a VAPID private key (base64url P-256 key, raw or DER)"]

