"""Several schedulers on one database, and schedulers that stop or die mid-batch: every due
reminder reaches each device once."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from lift.db import checkins
from lift.db import reminders as store
from lift.db.connection import Database
from lift.domain.checkins import CheckinForm
from tests.push.pushservice import Answer

NY = "America/New_York"
DAY = date(2026, 6, 10)


async def wait_for(condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


async def patients_with_devices(count, push_service, make_patient, subscribe, *answers):
    devices = []
    for _ in range(count):
        device = push_service.subscribe(*answers)
        await subscribe(await make_patient(NY), device)
        devices.append(device)
    return devices


async def test_two_scheduler_instances_send_each_due_reminder_exactly_once(
        push_settings, db, push_service, make_scheduler, make_patient, subscribe, clock, rows):
    devices = await patients_with_devices(60, push_service, make_patient, subscribe)
    other_db = Database(push_settings.database_path, readers=2)  # its own connections, like another process
    await other_db.open()
    try:
        clock.at_local(DAY, 20, 0, NY)
        first = make_scheduler(db, concurrency=4, batch=7, poll_seconds=0.05, delivery_poll_seconds=0.05)
        second = make_scheduler(other_db, concurrency=4, batch=7, poll_seconds=0.05, delivery_poll_seconds=0.05)
        attempted = {first.worker: 0, second.worker: 0}

        def counting(scheduler):
            original = scheduler._send

            async def send(delivery):
                attempted[scheduler.worker] += 1
                return await original(delivery)
            scheduler._send = send

        counting(first)
        counting(second)
        runs = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
        await wait_for(lambda: push_service.accepted >= len(devices))
        await asyncio.sleep(0.3)  # long enough for a duplicate, if there were one, to arrive
        first.request_stop()
        second.request_stop()
        await asyncio.gather(*runs)
    finally:
        await other_db.close()

    assert push_service.problems == []
    assert [len(device.received) for device in devices] == [1] * len(devices)
    assert all(count > 0 for count in attempted.values()), attempted  # both really shared the work
    deliveries = rows("SELECT status, last_error FROM push_deliveries")
    assert {r["status"] for r in deliveries} == {"sent"}, [tuple(r) for r in deliveries if r["status"] != "sent"]
    assert rows("SELECT count(*) AS n FROM reminders WHERE claimed_by IS NOT NULL")[0]["n"] == 0


async def test_two_scheduler_instances_retry_each_message_once_and_withdraw_the_unwanted_once(
        push_settings, db, push_service, make_scheduler, make_patient, subscribe, clock, rows):
    devices = []
    for _ in range(24):
        patient, device = await make_patient(NY), push_service.subscribe(Answer(500), Answer(201))
        await subscribe(patient, device)
        devices.append((patient, device))
    other_db = Database(push_settings.database_path, readers=2)  # its own connections, like another process
    await other_db.open()
    try:
        clock.at_local(DAY, 20, 0, NY)
        schedulers = [make_scheduler(database, concurrency=4, batch=5, poll_seconds=0.05,
                                     delivery_poll_seconds=0.05) for database in (db, other_db)]
        runs = [asyncio.create_task(scheduler.run()) for scheduler in schedulers]
        await wait_for(lambda: len(push_service.received) >= len(devices))
        # While every message waits to be retried, half the patients check in.
        checked_in = devices[::2]
        for patient, _ in checked_in:
            await checkins.save_checkin(db, patient, CheckinForm(local_date=DAY, mood=5, anxiety=4,
                                                                 sleep_hours=7, thoughts=0))
        clock.advance(minutes=5)  # every retry is due
        await wait_for(lambda: push_service.accepted >= len(devices) - len(checked_in))
        await asyncio.sleep(0.3)  # long enough for a duplicate, if there were one, to arrive
        for scheduler in schedulers:
            scheduler.request_stop()
        await asyncio.gather(*runs)
    finally:
        await other_db.close()

    assert push_service.problems == []
    answers = [[r.answered for r in device.received] for _, device in devices]
    assert answers == [[500] if pair in checked_in else [500, 201] for pair in devices]
    statuses = sorted(r["status"] for r in rows("SELECT status FROM push_deliveries"))
    assert statuses == ["sent"] * 12 + ["withdrawn"] * 12
    assert rows("SELECT count(*) AS n FROM push_deliveries WHERE claimed_by IS NOT NULL")[0]["n"] == 0


async def test_a_scheduler_stopped_mid_batch_finishes_what_it_started_and_hands_back_the_rest(
        db, push_service, make_scheduler, make_patient, subscribe, clock, rows):
    devices = await patients_with_devices(20, push_service, make_patient, subscribe, Answer(201, delay=0.2))
    clock.at_local(DAY, 20, 0, NY)
    stopping = make_scheduler(db, concurrency=3, poll_seconds=0.05, delivery_poll_seconds=0.05)
    run = asyncio.create_task(stopping.run())
    await wait_for(lambda: len(push_service.received) >= 3)
    stopping.request_stop()  # what the app's shutdown does
    await run

    started = len(push_service.received)
    assert 3 <= started < len(devices)
    # Everything it started was answered and recorded; nothing is left claimed.
    assert rows("SELECT count(*) AS n FROM push_deliveries WHERE status = 'sent'")[0]["n"] == started
    assert rows("SELECT count(*) AS n FROM push_deliveries WHERE claimed_by IS NOT NULL")[0]["n"] == 0

    await make_scheduler(db, concurrency=3).run_once()  # the restarted app

    assert [len(device.received) for device in devices] == [1] * len(devices)
    assert push_service.problems == []


async def test_reminders_claimed_by_a_worker_that_died_are_sent_once_after_its_claim_times_out(
        db, push_service, make_scheduler, make_patient, subscribe, clock, rows):
    devices = await patients_with_devices(5, push_service, make_patient, subscribe)
    clock.at_local(DAY, 12, 0, NY)
    survivor = make_scheduler(db, claim_timeout=timedelta(minutes=2))
    await survivor.plan()
    clock.at_local(DAY, 20, 0, NY)
    claimed = await store.claim_due_reminders(db, "dead-worker", clock(), clock() - timedelta(minutes=2), 100)
    assert len(claimed) == 5  # then the worker that claimed them died

    await survivor.run_once()
    assert push_service.received == []  # a live claim is respected

    clock.advance(minutes=2, seconds=1)
    await survivor.run_once()
    clock.advance(minutes=5)
    await survivor.run_once()
    assert [len(device.received) for device in devices] == [1] * 5
    assert push_service.problems == []


async def test_messages_recorded_as_sent_before_a_worker_died_are_not_sent_again(
        db, push_service, make_scheduler, make_patient, subscribe, clock, rows):
    devices = await patients_with_devices(6, push_service, make_patient, subscribe)
    clock.at_local(DAY, 20, 0, NY)
    survivor = make_scheduler(db, claim_timeout=timedelta(minutes=2))
    await survivor.plan()
    await survivor.dispatch_due()
    # A worker claims all six messages, sends and records three, and dies with three claimed.
    dying = make_scheduler(db, worker="dying-worker")
    claimed = await store.claim_deliveries(db, "dying-worker", clock(), clock() - timedelta(minutes=2), 6)
    outcomes = [await dying._send(delivery) for delivery in claimed[:3]]
    await store.record_outcomes(db, "dying-worker", outcomes, clock())
    sent_before = {r.subscriber for r in push_service.received}
    assert len(sent_before) == 3

    clock.advance(minutes=2, seconds=1)
    await survivor.run_once()

    assert [len(device.received) for device in devices] == [1] * 6
    assert push_service.problems == []
