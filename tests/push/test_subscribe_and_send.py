"""From the Reminders page to the phone: a patient subscribes a device over HTTP, asks for a test
notification, and the app's own scheduler (its lifespan task) delivers it to the push service."""

from __future__ import annotations

import asyncio

import msgspec
from litestar.testing import AsyncTestClient

from lift.app import create_app
from tests.integration.conftest import Person


async def test_a_device_subscribed_on_the_reminders_page_gets_the_test_notification(push_settings, push_service):
    settings = msgspec.structs.replace(push_settings, run_scheduler=True)
    app = create_app(settings)
    async with AsyncTestClient(app=app):
        patient = Person(app, "subscriber@example.com")
        try:
            assert (await patient.sign_up()).status_code == 303
            phone = push_service.subscribe()
            response = await patient.http.post(
                "/reminders/subscriptions", json=phone.subscription_json(),
                headers={"x-csrftoken": await patient.csrf_token(),
                         "user-agent": "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36"})
            assert response.status_code == 201, response.text
            page = await patient.get("/reminders")
            assert "Chrome on Android" in page.text

            device_id = response.json()["id"]
            response = await patient.post(f"/reminders/devices/{device_id}/test")
            assert response.status_code == 303

            for _ in range(250):  # the scheduler was woken: well under the 2 s poll
                if phone.received:
                    break
                await asyncio.sleep(0.02)
        finally:
            await patient.close()

    [received] = phone.received
    assert received.message["title"] == "Lift: test notification"
    assert received.answered == 201
    assert push_service.problems == []
