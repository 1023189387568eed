"""The account's "Times" setting: chosen at sign-up from the browser, changed on the account
page, and without a choice the time zone's ("2:30 PM" in the Americas, else "14:30")."""

import re

import pytest

from tests.integration.sharing_helpers import invite, join


def clock_of(database, email: str) -> str | None:
    return database.execute("SELECT clock FROM users WHERE email = ?", (email,)).fetchone()[0]


def checked_clock(page: str) -> list[str]:
    return re.findall(r'<input type="radio" id="clock-(\d+)" name="clock" value="\d+" checked>', page)


@pytest.mark.parametrize(("cycle", "stored"), [("h12", "12"), ("h11", "12"), ("h23", "24"), ("h24", "24")])
async def test_sign_up_stores_the_browsers_clock(people, database, cycle, stored):
    assert (await people("new@example.com").sign_up(hour_cycle=cycle)).status_code == 303
    assert clock_of(database, "new@example.com") == stored


@pytest.mark.parametrize(("zone", "shown"), [("America/Chicago", "12"), ("Europe/Berlin", "24")])
async def test_without_javascript_the_account_reads_its_time_zones_clock(people, database, zone, shown):
    person = people("new@example.com")
    assert (await person.sign_up(zone, hour_cycle="")).status_code == 303
    assert clock_of(database, "new@example.com") is None
    assert checked_clock((await person.get("/account")).text) == [shown]


async def test_invitation_sign_up_stores_the_browsers_clock(patient, people, database):
    path, _ = await invite(patient)
    assert (await join(people("mum@example.com"), path, hour_cycle="h12")).status_code == 303
    assert clock_of(database, "mum@example.com") == "12"


async def test_the_account_page_saves_the_choice(patient, database):
    page = (await patient.get("/account")).text
    assert checked_clock(page) == ["24"]
    assert "<legend>How Lift writes a time of day</legend>" in page
    saved = await patient.post("/account/clock", {"clock": "12"})
    assert saved.status_code == 303 and saved.headers["location"] == "/account?notice=clock-changed"
    assert clock_of(database, "pat@example.com") == "12"
    page = (await patient.get("/account?notice=clock-changed")).text
    assert checked_clock(page) == ["12"] and "how times are written is saved" in page


@pytest.mark.parametrize("sent", [{}, {"clock": ""}, {"clock": "13"}, {"clock": "2:30 PM"}])
async def test_a_choice_that_is_neither_is_refused_and_said_so(patient, database, sent):
    refused = await patient.post("/account/clock", sent)
    assert refused.status_code == 422
    assert "Choose how times are written: 2:30 PM or 14:30." in refused.text
    assert 'id="clock-error"' in refused.text and clock_of(database, "pat@example.com") == "24"


async def test_the_choice_needs_the_csrf_token(patient, database):
    refused = await patient.post("/account/clock", {"clock": "12"}, csrf=False)
    assert refused.status_code == 403 and clock_of(database, "pat@example.com") == "24"
