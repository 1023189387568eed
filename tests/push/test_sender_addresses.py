"""Where the sender is willing to connect. A subscription's endpoint host is checked when the
device subscribes; these tests check what happens at send time, when DNS may since point the
name somewhere else (rebinding) or the push service answers with a redirect."""

from __future__ import annotations

import asyncio

import pytest

from lift.push.sender import PushMessage, Sender
from tests.push.pushservice import Answer, b64url


def message_to(endpoint: str, subscriber) -> PushMessage:
    return PushMessage(endpoint=endpoint, p256dh=subscriber.p256dh,
                       auth=b64url(subscriber.auth),
                       payload='{"title": "Lift"}', ttl=3600, urgency="normal", topic="checkin")


def sender_for(vapid, push_settings, *, allow_private: bool) -> Sender:
    return Sender(vapid, push_settings.vapid_subject, timeout=2, concurrency=1,
                  ca_file=push_settings.push_ca_file, allow_private=allow_private)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_production_sender_refuses_an_endpoint_that_resolves_to_a_private_address(
        vapid, push_settings, push_service, host):
    phone = push_service.subscribe()
    endpoint = phone.endpoint.replace("127.0.0.1", host)
    sender = sender_for(vapid, push_settings, allow_private=False)
    try:
        result = await sender.send(message_to(endpoint, phone))
    finally:
        sender.close()
    assert result.status == "failed"
    assert "private address" in result.error
    await asyncio.sleep(0.1)
    assert phone.received == [] and push_service.raw_posts == 0


async def test_the_same_message_goes_through_when_private_endpoints_are_allowed(vapid, push_settings, push_service):
    phone = push_service.subscribe()
    sender = sender_for(vapid, push_settings, allow_private=True)
    try:
        result = await sender.send(message_to(phone.endpoint, phone))
    finally:
        sender.close()
    assert result.status == "sent"
    assert len(phone.delivered) == 1 and push_service.problems == []


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_from_a_push_service_is_not_followed(vapid, push_settings, push_service, status):
    elsewhere = push_service.subscribe()
    phone = push_service.subscribe(Answer(status, location=elsewhere.endpoint))
    sender = sender_for(vapid, push_settings, allow_private=True)
    try:
        result = await sender.send(message_to(phone.endpoint, phone))
    finally:
        sender.close()
    # Retrying cannot help and the message went nowhere else.
    assert (result.status, result.http_status) == ("failed", status)
    assert [r.answered for r in phone.received] == [status]
    assert elsewhere.received == []
