"""The local push service itself: closing it must close every connection it accepted.

A connection still open when a test's event loop ends is closed later by the garbage
collector, which warns "unclosed transport": an error in this suite (pyproject's
filterwarnings), raised in whichever later test the collector happens to run in, never in the
test that left it (test_schedulers and test_worker_command failed that way beside other runs).
"""

from __future__ import annotations

import asyncio
import gc
import warnings

from lift.push.sender import Sender
from lift.push.vapid import ensure_vapid_keys
from tests.push.pushservice import LocalPushService
from tests.push.test_sender_addresses import message_to


def test_closing_the_push_service_closes_a_connection_a_device_still_holds(settings, tmp_path):
    vapid = ensure_vapid_keys(settings)[0]
    senders: list[Sender] = []

    async def send_then_close_the_service() -> None:
        service = await LocalPushService(vapid.public_key, tmp_path).start()
        phone = service.subscribe()
        sender = Sender(vapid, settings.vapid_subject, timeout=5, concurrency=1,
                        ca_file=str(service.cert_path), allow_private=True)
        senders.append(sender)
        assert (await sender.send(message_to(phone.endpoint, phone))).status == "sent"
        await service.close()  # the sender's keep-alive connection is still open

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            asyncio.run(send_then_close_the_service())  # its own loop, ended here as a test's is
            gc.collect()
    finally:
        for sender in senders:
            sender.close()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
