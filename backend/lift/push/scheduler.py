"""The reminder scheduler: plans reminder rows, turns due ones into push messages, sends them.

Three steps, each safe to run in any number of workers against one database:
1. plan: for every patient with a device, write the reminders the rules want over the next
   day and a half (idempotent upserts keyed by kind and what the reminder is about), and
   withdraw future ones no longer wanted.
2. dispatch: claim due reminders, look at the patient's facts as they are *now* (the check-in
   may be done, the session moved, the time zone changed), and either queue one message per
   device, move the reminder, or drop it.
3. deliver: claim queued messages and send them on a bounded thread pool, a few at a time as
   threads free up, so one push service that hangs holds one thread and nothing else. Each
   reminder's message is decided again, by the same rules, with the facts read as it was
   claimed: a retry may go out an hour after the first try, and by then the session may be
   cancelled or the patient may have turned detailed text off.

A worker that stops (app shutdown, SIGTERM) finishes the sends it started and records them,
and hands back what it claimed but had not started: a restart sends nothing twice and loses
nothing. A worker that dies outright leaves claims that another takes over after
`claim_timeout`; only the few messages that were on the wire at that moment (or answered in
the last fraction of a second, before their outcome was written) can then go out twice, and
each carries a notification tag, so the phone shows it once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from litestar import Litestar

from lift.db import reminders as store
from lift.db.clock import utc_now
from lift.db.connection import Database
from lift.domain import reminders as rules
from lift.domain.reminders import Delivery, DeliveryOutcome, RetryPolicy
from lift.push.sender import PushMessage, Sender
from lift.push.vapid import VapidKeys, ensure_vapid_keys
from lift.settings import Settings

log = logging.getLogger("lift.push")

HISTORY_DAYS = 30
FLUSH_SECONDS = 0.2  # outcomes are written at least this often while sends are in flight
RECHECK_SECONDS = 1.0  # how often a busy delivery pass looks for newly queued messages


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


async def plan_reminders(db: Database, now: datetime, user_ids: Iterable[int] | None = None) -> int:
    """Write the reminders each patient with a device should have (all of them, or these);
    returns how many rows were written or withdrawn."""
    ids = list(user_ids) if user_ids is not None else await store.subscribed_patients(db)
    if not ids:
        return 0
    contexts = await store.patient_contexts(db, ids, now)
    existing = await store.reminders_since(db, contexts, now - timedelta(days=2))
    writes, withdrawals = [], []
    for user_id, ctx in contexts.items():
        changed, dropped = rules.plan_changes(existing.get(user_id, []), rules.plannable(ctx, now), now)
        writes += [(user_id, occ) for occ in changed]
        withdrawals += dropped
    await store.write_plan(db, writes, withdrawals, now)
    return len(writes) + len(withdrawals)


class Scheduler:
    def __init__(self, db: Database, sender: Sender, *, worker: str | None = None,
                 clock: Callable[[], datetime] = utc_now, retry: RetryPolicy = RetryPolicy(),
                 poll_seconds: float = 10.0, delivery_poll_seconds: float = 2.0,
                 plan_every_seconds: float = 60.0, claim_timeout: timedelta | None = None,
                 batch: int = 500, jitter: Callable[[], float] = random.random) -> None:
        self.db, self.sender, self.clock, self.retry, self.jitter = db, sender, clock, retry, jitter
        self.worker = worker or worker_name()
        self.poll_seconds, self.delivery_poll_seconds = poll_seconds, delivery_poll_seconds
        self.plan_every_seconds, self.batch = plan_every_seconds, batch
        # Longer than any send can take, so a live worker's claim is never taken over.
        self.claim_timeout = claim_timeout or timedelta(seconds=max(120.0, 10 * sender.timeout))
        self.concurrency = sender.concurrency
        self._stopping = False
        self._dispatch_wake = asyncio.Event()
        self._delivery_wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_settings(cls, db: Database, settings: Settings, vapid: VapidKeys, **options) -> Scheduler:
        sender = Sender(vapid, settings.vapid_subject, timeout=settings.push_timeout_seconds,
                        concurrency=settings.push_concurrency, ca_file=settings.push_ca_file,
                        allow_private=settings.push_allow_private_endpoints)
        return cls(db, sender, **options)

    # Planning --------------------------------------------------------------------------------

    async def plan(self, user_ids: Iterable[int] | None = None) -> int:
        return await plan_reminders(self.db, self.clock(), user_ids)

    # Dispatch --------------------------------------------------------------------------------

    async def dispatch_due(self) -> int:
        """Settle every due reminder; returns how many messages were queued."""
        queued = 0
        while not self._stopping:
            now = self.clock()
            claimed = await store.claim_due_reminders(self.db, self.worker, now, now - self.claim_timeout,
                                                      self.batch)
            if not claimed:
                break
            contexts = await store.patient_contexts(self.db, {row.user_id for row in claimed}, now)
            wanted: dict[int, dict[tuple[str, str], rules.Occurrence]] = {
                user_id: {occ.identity: occ for occ in rules.occurrences(ctx, now)}
                for user_id, ctx in contexts.items()
            }
            settlements = [rules.settle(row, contexts.get(row.user_id),
                                        wanted.get(row.user_id, {}).get((row.kind, row.key)), now)
                           for row in claimed]
            queued += await store.settle_reminders(self.db, self.worker, settlements, now)
            if len(claimed) < self.batch:
                break
        return queued

    # Delivery --------------------------------------------------------------------------------

    async def deliver(self) -> int:
        """Send queued messages until none is due and none is in flight; returns how many were
        attempted. Sends run `concurrency` at a time and a new one starts as soon as any ends."""
        loop = asyncio.get_running_loop()
        queue: deque[Delivery] = deque()
        in_flight: dict[asyncio.Future, Delivery] = {}
        outcomes: list[DeliveryOutcome] = []
        attempted, more = 0, True
        last_flush = last_claim = loop.time()
        try:
            while True:
                if more and not self._stopping and len(queue) < self.concurrency:
                    now = self.clock()
                    wanted = 2 * self.concurrency - len(queue)
                    claimed = await store.claim_deliveries(self.db, self.worker, now, now - self.claim_timeout,
                                                           wanted)
                    queue.extend(claimed)
                    more, last_claim = len(claimed) == wanted, loop.time()
                while queue and len(in_flight) < self.concurrency and not self._stopping:
                    delivery = queue.popleft()
                    in_flight[asyncio.ensure_future(self._send(delivery))] = delivery
                    attempted += 1
                if not in_flight:
                    break
                done, _ = await asyncio.wait(in_flight, timeout=FLUSH_SECONDS,
                                             return_when=asyncio.FIRST_COMPLETED)
                for future in done:
                    in_flight.pop(future)
                    outcomes.append(future.result())
                if outcomes and (len(outcomes) >= self.concurrency or loop.time() - last_flush >= FLUSH_SECONDS):
                    await store.record_outcomes(self.db, self.worker, outcomes, self.clock())
                    outcomes, last_flush = [], loop.time()
                if not more and loop.time() - last_claim >= RECHECK_SECONDS:
                    more = True  # messages queued since the last claim, while others were in flight
        finally:
            if in_flight:  # only on cancellation: let the sends on the wire land and record them
                for future in asyncio.as_completed(list(in_flight)):
                    outcomes.append(await future)
            if outcomes:
                await store.record_outcomes(self.db, self.worker, outcomes, self.clock())
            if queue:
                await store.release_deliveries(self.db, self.worker, [d.id for d in queue])
        return attempted

    async def _send(self, delivery: Delivery) -> DeliveryOutcome:
        if delivery.reminder is not None:
            # Still wanted, and worded as of now? A retry may have waited up to an hour.
            checked = rules.recheck(delivery, self.clock())
            if isinstance(checked, DeliveryOutcome):
                return checked
            delivery = checked
        ttl = rules.ttl_seconds(delivery.expires_at, self.clock())
        if ttl is None:  # its window is over, or too nearly over for the shortest TTL
            return DeliveryOutcome(delivery_id=delivery.id, subscription_id=delivery.subscription_id,
                                   status="expired", error="too late to be useful")
        message = PushMessage(endpoint=delivery.endpoint, p256dh=delivery.p256dh, auth=delivery.auth,
                              payload=delivery.payload, ttl=ttl, urgency=delivery.urgency,
                              topic=delivery.topic)
        try:
            result = await self.sender.send(message)
        except Exception as exc:  # never let one message take the loop down
            log.exception("push send crashed")
            result_status, http_status, retry_after, error = "retry", None, None, type(exc).__name__
        else:
            result_status, http_status = result.status, result.http_status
            retry_after, error = result.retry_after, result.error
        common = {"delivery_id": delivery.id, "subscription_id": delivery.subscription_id,
                  "http_status": http_status, "error": error}
        if result_status != "retry":
            return DeliveryOutcome(status=result_status, **common)
        status, when = rules.after_failure(delivery, self.clock(), self.retry, self.jitter(), retry_after)
        return DeliveryOutcome(status=status, next_attempt_at=when, **common)

    # Running ---------------------------------------------------------------------------------

    async def run_once(self) -> None:
        """Plan, dispatch and deliver everything due now, then return (tests, benchmarks)."""
        await self.plan()
        await self.dispatch_due()
        await self.deliver()

    def wake(self) -> None:
        """Look for work now rather than at the next poll (a new device, a test message).
        Safe to call from any thread or event loop, not only the scheduler's own."""
        loop = self._loop
        if loop is None or loop.is_closed():
            self._set_wake()
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._set_wake()
        else:
            loop.call_soon_threadsafe(self._set_wake)

    def _set_wake(self) -> None:
        self._dispatch_wake.set()
        self._delivery_wake.set()

    def request_stop(self) -> None:
        self._stopping = True
        self.wake()

    async def _sleep(self, event: asyncio.Event, seconds: float) -> None:
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            pass
        event.clear()

    async def _dispatch_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_plan = next_prune = loop.time()
        while not self._stopping:
            try:
                if loop.time() >= next_plan:
                    await self.plan()
                    next_plan = loop.time() + self.plan_every_seconds
                if loop.time() >= next_prune:
                    await store.prune_history(self.db, self.clock() - timedelta(days=HISTORY_DAYS))
                    next_prune = loop.time() + 3600
                if await self.dispatch_due():
                    self._delivery_wake.set()
            except Exception:
                log.exception("reminder dispatch failed; trying again at the next poll")
            await self._sleep(self._dispatch_wake, self.poll_seconds)

    async def _delivery_loop(self) -> None:
        while not self._stopping:
            try:
                await self.deliver()
            except Exception:
                log.exception("push delivery failed; trying again at the next poll")
            await self._sleep(self._delivery_wake, self.delivery_poll_seconds)

    async def run(self) -> None:
        """Run until request_stop(); then finish what is in flight and return."""
        self._loop = asyncio.get_running_loop()
        await asyncio.gather(self._dispatch_loop(), self._delivery_loop())

    def close(self) -> None:
        self.sender.close()


async def replan(app_state, user_id: int) -> None:
    """Re-plan one patient's reminders now that their settings or devices changed, and have
    this process's scheduler (if it runs one) look at them straight away."""
    await plan_reminders(app_state.db, utc_now(), [user_id])
    scheduler: Scheduler | None = getattr(app_state, "scheduler", None)
    if scheduler is not None:
        scheduler.wake()


def reminder_lifespan(settings: Settings):
    """The app's lifespan part that runs the scheduler. The VAPID keys are loaded (or made)
    here, when the app is created, so a bad key stops start-up with a one-line message."""
    vapid, _ = ensure_vapid_keys(settings)

    @asynccontextmanager
    async def reminders(app: Litestar) -> AsyncIterator[None]:
        app.state.vapid = vapid
        app.state.scheduler = None
        if not settings.run_scheduler:
            yield
            return
        # The scheduler has its own connections, exactly as a separate worker process would:
        # a batch never waits in line behind page requests for the app's writer, nor they
        # behind it, and SQLite's busy timeout orders the two writers.
        db = Database(settings.database_path, readers=1)
        await db.open()
        scheduler = Scheduler.from_settings(db, settings, vapid)
        app.state.scheduler = scheduler
        task = asyncio.create_task(scheduler.run())
        try:
            yield
        finally:
            scheduler.request_stop()
            try:
                await task
            finally:
                scheduler.close()
                await db.close()

    return reminders
