"""Two apps on one database, as two server processes (LIFT_WORKERS=2) are: a session ended,
an account deleted or a zone changed through one is seen by the other on its next request.
Nothing about a session may be kept in one process's memory."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from lift.app import create_app
from tests.integration.conftest import PASSWORD, Person


@pytest.fixture
async def second_app(settings) -> AsyncIterator:
    application = create_app(settings)
    async with AsyncTestClient(app=application):
        yield application


@pytest.fixture
async def same_browser_elsewhere(patient, second_app) -> AsyncIterator[Person]:
    """The patient's own cookies, sent to the other process."""
    other = Person(second_app, patient.email)
    other.http.cookies = patient.http.cookies
    assert (await other.get("/checkin")).status_code == 200  # signed in over there too
    yield other
    await other.close()


def keep_session(person: Person) -> str:
    return person.http.cookies["lift_session"]


async def test_signing_out_here_ends_the_session_there_at_once(patient, same_browser_elsewhere):
    token = keep_session(patient)
    await patient.post("/signout")
    same_browser_elsewhere.http.cookies.set("lift_session", token)
    assert (await same_browser_elsewhere.get("/checkin")).status_code == 303


async def test_signing_out_everywhere_reaches_the_other_process(patient, people, second_app):
    phone = Person(second_app, patient.email)
    await phone.sign_in()
    assert (await phone.get("/checkin")).status_code == 200
    await patient.post("/account/signout-everywhere")
    assert (await phone.get("/checkin")).status_code == 303
    await phone.close()


async def test_a_new_password_signs_out_devices_served_by_the_other_process(patient, second_app):
    phone = Person(second_app, patient.email)
    await phone.sign_in()
    assert (await phone.get("/account")).status_code == 200
    changed = await patient.post("/account/password", {"current_password": PASSWORD,
                                                        "new_password": "a brand new passphrase"})
    assert changed.status_code in (200, 303)
    assert (await phone.get("/account")).status_code == 303
    await phone.close()


async def test_a_deleted_account_is_signed_out_in_the_other_process(patient, same_browser_elsewhere):
    token = keep_session(patient)
    deleted = await patient.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    assert deleted.status_code in (200, 303), deleted.text[:300]
    same_browser_elsewhere.http.cookies.set("lift_session", token)
    assert (await same_browser_elsewhere.get("/checkin")).status_code == 303


async def test_a_new_time_zone_is_used_by_the_other_process_at_once(patient, same_browser_elsewhere):
    await patient.post("/account/timezone", {"timezone": "Asia/Tokyo"})
    page = await same_browser_elsewhere.get("/account")
    assert '<option value="Asia/Tokyo" selected>' in page.text
