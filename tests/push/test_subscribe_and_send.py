"""From the Reminders page to the phone: a patient subscribes a device over HTTP, asks for a test
notification, and the app's own scheduler (its lifespan task) delivers it to the push service."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import msgspec
from litestar.testing import AsyncTestClient

from lift.app import create_app
from tests.integration.conftest import Person
from tests.push.pushservice import Answer

ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36"


async def add_device(patient: Person, subscriber) -> int:
    response = await patient.http.post(
        "/reminders/subscriptions", json=subscriber.subscription_json(),
        headers={"x-csrftoken": await patient.csrf_token(), "user-agent": ANDROID_CHROME})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def wait_for(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):  # the scheduler was woken: well under the 2 s poll
        if condition():
            return
        await asyncio.sleep(0.02)


@asynccontextmanager
async def signed_up_patient(push_settings, email: str):
    """A new patient of an app whose own scheduler (its lifespan task) is running."""
    app = create_app(msgspec.structs.replace(push_settings, run_scheduler=True))
    async with AsyncTestClient(app=app):
        patient = Person(app, email)
        try:
            assert (await patient.sign_up()).status_code == 303
            yield patient
        finally:
            await patient.close()


def device_tests_received(phone) -> list:
    return [r for r in phone.received if r.message["title"] == "Lift: test notification"]


async def test_a_device_subscribed_on_the_reminders_page_gets_the_test_notification(push_settings, push_service):
    async with signed_up_patient(push_settings, "subscriber@example.com") as patient:
        phone = push_service.subscribe()
        device_id = await add_device(patient, phone)
        page = await patient.get("/reminders")
        assert "Chrome on Android" in page.text

        response = await patient.post(f"/reminders/devices/{device_id}/test")
        assert response.status_code == 303
        await wait_for(lambda: device_tests_received(phone))

    # Only the test notification: from 20:00 in the patient's zone, the day's check-in reminder
    # may come too.
    [received] = device_tests_received(phone)
    assert received.message["title"] == "Lift: test notification"
    assert received.answered == 201
    assert push_service.problems == []


async def test_the_reminders_page_says_which_device_its_push_service_ended(push_settings, push_service):
    # A device whose push service answers 410 is deleted; without a word, the patient would only
    # notice when a treatment-day reminder failed to come.
    async with signed_up_patient(push_settings, "gone@example.com") as patient:
        phone = push_service.subscribe(Answer(410))
        device_id = await add_device(patient, phone)
        assert (await patient.post(f"/reminders/devices/{device_id}/test")).status_code == 303
        for _ in range(250):  # the outcome is written just after the push service's answer
            page = (await patient.get("/reminders")).text
            if "No device gets reminders yet." in page:
                break
            await asyncio.sleep(0.02)

        assert phone.received[0].answered == 410
        assert "No device gets reminders yet." in page
        assert "Chrome on Android stopped taking reminders" in page

        await add_device(patient, push_service.subscribe())  # turned on again there
        page = (await patient.get("/reminders")).text
        assert "stopped taking reminders" not in page
