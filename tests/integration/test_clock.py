"""The account's "Times" setting: chosen at sign-up from the browser, changed on the account
page, and without a choice the time zone's ("2:30 PM" in the Americas, else "14:30")."""

import re
from datetime import timedelta

import pytest

from lift.domain.dates import day_text
from tests.integration.sharing_helpers import invite, join, shared_with, user_id
from tests.integration.test_treatment import create_plan, plan_with_session_today


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


async def session_tomorrow_at(patient, at: str = "14:30") -> tuple[int, str]:
    """A plan whose one session is tomorrow at `at`; its id and its day as Lift writes it."""
    tomorrow = patient.today() + timedelta(days=1)
    assert (await create_plan(patient, tomorrow, template="none")).status_code == 303
    made = await patient.post("/treatment/sessions", {"session_date": tomorrow.isoformat(), "session_time": at})
    return int(made.headers["location"].rsplit("/", 1)[1]), f"Tomorrow, {day_text(tomorrow, patient.today())}"


@pytest.mark.parametrize(("clock", "shown", "not_shown"), [("12", "2:30 PM", "14:30"), ("24", "14:30", "2:30 PM")])
async def test_today_and_treatment_pages_write_times_on_the_patients_clock(patient, clock, shown, not_shown):
    session_id, day = await session_tomorrow_at(patient)
    assert (await patient.post("/account/clock", {"clock": clock})).status_code == 303
    pages = {path: (await patient.get(path)).text
             for path in ("/", "/treatment", f"/treatment/sessions/{session_id}")}
    assert f"{day} at {shown}" in pages["/"]
    assert f"{day} · {shown}" in pages["/treatment"]
    assert f"<dd>{shown}</dd>" in pages[f"/treatment/sessions/{session_id}"]
    assert all(not_shown not in page for page in pages.values())
    # The time input's value is HH:MM whatever the clock: the browser writes it its own way.
    move = (await patient.get(f"/treatment/sessions/{session_id}/move")).text
    assert 'value="14:30"' in move and f"Now: {day} at {shown}." in move


async def test_a_moved_session_says_its_new_time_on_the_patients_clock(patient):
    session_id, _ = await session_tomorrow_at(patient, "09:05")
    await patient.post("/account/clock", {"clock": "12"})
    later = (patient.today() + timedelta(days=2)).isoformat()
    moved = await patient.post(f"/treatment/sessions/{session_id}/move", {"session_date": later,
                                                                          "session_time": "21:15"})
    assert moved.status_code == 303
    page = (await patient.get("/treatment")).text
    assert "9:05 AM" in page and "Moved to " in page and ", 9:15 PM" in page and "21:15" not in page


async def test_a_clinician_and_a_caregiver_read_the_patients_times_on_their_own_clock(patient, people, database):
    await session_tomorrow_at(patient)  # the patient reads "14:30" (the fixture's 24-hour browser)
    clinician = await shared_with(patient, people("dr@example.com"), "clinician")
    caregiver = await shared_with(patient, people("mum@example.com"), "caregiver")
    await clinician.post("/account/clock", {"clock": "12"})
    await caregiver.post("/account/clock", {"clock": "12"})
    pid = user_id(database, "pat@example.com")
    timeline = (await clinician.get(f"/clinician/patients/{pid}")).text
    assert "at 2:30 PM." in timeline and "14:30" not in timeline
    summary = (await caregiver.get(f"/caregiver/patients/{pid}")).text
    assert "· 2:30 PM" in summary and "14:30" not in summary
    assert "14:30" in (await patient.get("/treatment")).text


@pytest.mark.parametrize(("clock", "said"), [
    ("12", "set for 11:30 PM, falls in your quiet hours (11:00 PM to 6:30 AM). By 6:30 AM"),
    ("24", "set for 23:30, falls in your quiet hours (23:00 to 06:30). By 06:30"),
])
async def test_the_reminders_page_writes_quiet_hours_on_the_patients_clock(patient, clock, said):
    await patient.post("/account/clock", {"clock": clock})
    await patient.post("/reminders/settings", {"checkin_enabled": "true", "checkin_time": "23:30", "eve_time": "18:30",
                                               "lead_minutes": "90", "scale_time": "10:00",
                                               "quiet_start": "23:00", "quiet_end": "06:30"})
    page = (await patient.get("/reminders")).text
    assert said in page
    assert 'value="23:30"' in page  # the time input's own value stays HH:MM


@pytest.mark.parametrize(("clock", "checkin", "session"), [("12", "8:00 PM", "9:30 AM"), ("24", "20:00", "09:30")])
async def test_a_refused_time_is_asked_for_on_the_patients_clock(patient, clock, checkin, session):
    # "Enter a time like 20:00" reached patients who read "8:00 PM" everywhere else in Lift.
    await patient.post("/account/clock", {"clock": clock})
    refused = await patient.post("/reminders/settings", {"checkin_enabled": "true", "checkin_time": "8:60pm",
                                                         "eve_time": "18:30", "lead_minutes": "90",
                                                         "scale_time": "10:00"})
    assert refused.status_code == 422 and f"Enter a time like {checkin}." in refused.text
    no_time = await create_plan(patient, session_time="")
    assert no_time.status_code == 422 and f"Enter the time of day, like {session}." in no_time.text
    session_id = await plan_with_session_today(patient)
    moved = await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "rescheduled",
                                                                        "new_date": patient.today().isoformat()})
    assert moved.status_code == 422 and f"Enter the new time, like {session}." in moved.text


# "10:02 AM" must not pass for a 24-hour time: between 10 AM and 1 PM the test used to fail.
TWELVE = re.compile(r"\b(1[0-2]|[1-9]):[0-5]\d [AP]M\b")
TWENTY_FOUR = re.compile(r"\b([01]\d|2[0-3]):[0-5]\d\b(?!\s?[AP]M)")


@pytest.mark.parametrize(("clock", "written", "not_written"), [("12", TWELVE, TWENTY_FOUR), ("24", TWENTY_FOUR, TWELVE)])
async def test_the_access_log_and_the_report_write_times_on_the_readers_clock(patient, people, database, clock,
                                                                              written, not_written):
    await patient.post("/account/clock", {"clock": clock})
    clinician = await shared_with(patient, people("dr@example.com"), "clinician")
    pid = user_id(database, "pat@example.com")
    for _ in range(2):
        await clinician.get(f"/clinician/patients/{pid}")
    log = (await patient.get("/sharing/audit")).text
    whens = re.findall(r'<span class="audit__when">([^<]*)</span>', log)
    assert whens and all(written.search(when) and not not_written.search(when) for when in whens)
    first_at = re.search(r"2 times, the first at ([^.]*)\.", log).group(1)
    assert written.fullmatch(first_at)
    report = (await patient.get("/report")).text
    made = re.search(r"· made ([^<]*)</p>", report).group(1)
    assert written.search(made) and not not_written.search(made)


@pytest.mark.parametrize(("clock", "ten"), [("12", "10:00 AM"), ("24", "10:00")])
async def test_the_time_zone_notice_gives_its_example_on_the_readers_clock(patient, clock, ten):
    await patient.post("/account/clock", {"clock": clock})
    page = (await patient.get("/account?notice=timezone-sessions-kept")).text
    assert f"a session at {ten} is still at {ten} in the new time zone" in page


@pytest.mark.parametrize(("clock", "nine"), [("12", "9:00 AM"), ("24", "09:00")])
async def test_the_reminders_pages_lock_screen_example_is_on_the_patients_clock(patient, clock, nine):
    await patient.post("/account/clock", {"clock": clock})
    page = (await patient.get("/reminders")).text
    assert f"for example “Lift: treatment session tomorrow at {nine}”" in page
