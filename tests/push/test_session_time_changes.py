"""A session's time changes after its reminders went: through the app's own routes (a new time
zone, which keeps the session's clock time; Move, which replaces the session), with the real
planner, scheduler and sender on a real SQLite file, against the local push service.

The routes run at the real time and the scheduler at a test clock a day or two ahead of it, so
the session is put two days from today."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from lift.app import create_app
from tests.integration.conftest import Person
from tests.integration.test_treatment import plan_form
from tests.push.test_subscribe_and_send import add_device

NY, LA = "America/New_York", "America/Los_Angeles"
# Treatment reminders only, with the session's time in them: 19:00 the evening before, and two
# hours before. No quiet hours, so every reminder comes at its own time.
TREATMENT_ONLY = {"eve_enabled": "true", "eve_time": "19:00", "lead_enabled": "true", "lead_minutes": "120",
                  "checkin_time": "20:00", "scale_time": "10:00", "quiet_start": "", "quiet_end": "",
                  "detailed_text": "true"}
AT = " at Riverside Clinic"  # the plan's clinic (tests/integration/test_treatment.plan_form)


@asynccontextmanager
async def patient_with_a_session(push_settings, push_service, hour_cycle: str = "h23",
                                 ) -> AsyncIterator[tuple[Person, object, int, date]]:
    """A New York patient with a phone and one session at 10:00 two days from today: the
    patient, the phone, the session's id and its day."""
    app = create_app(push_settings)  # no scheduler of its own: the test runs one on its clock
    async with AsyncTestClient(app=app):
        patient = Person(app, "moving@example.com")
        try:
            assert (await patient.sign_up(NY, hour_cycle)).status_code == 303
            phone = push_service.subscribe()
            await add_device(patient, phone)
            assert (await patient.post("/reminders/settings", TREATMENT_ONLY)).status_code == 303
            response = await patient.post("/treatment/plan", plan_form(None, template="none"))
            assert response.status_code == 303
            day = patient.today(NY) + timedelta(days=2)
            response = await patient.post("/treatment/sessions", {"session_date": day.isoformat(),
                                                                  "session_time": "10:00"})
            assert response.status_code == 303
            yield patient, phone, int(response.headers["location"].rsplit("/", 1)[1]), day
        finally:
            await patient.close()


def received(phone) -> list[tuple[str, str, str]]:
    """Each message's kind and session (its tag up to the start instant), title and link."""
    return [(r.message["tag"].split("@")[0], r.message["title"], r.message["url"]) for r in phone.delivered]


async def test_a_new_time_zone_after_the_reminders_went_brings_one_reminder_at_the_new_time(
        push_settings, push_service, db, make_scheduler, clock):
    async with patient_with_a_session(push_settings, push_service) as (patient, phone, session, day):
        scheduler = make_scheduler(db)
        title, url = f"Lift: treatment session today at 10:00{AT}", f"/treatment/sessions/{session}"
        clock.at_local(day - timedelta(days=1), 19, 0, NY)
        await scheduler.run_once()
        clock.at_local(day, 8, 0, NY)
        await scheduler.run_once()
        assert received(phone) == [
            (f"treatment_eve-{session}", f"Lift: treatment session tomorrow at 10:00{AT}", url),
            (f"treatment_lead-{session}", title, url)]

        # The patient sets Los Angeles: the session stays at 10:00, now 10:00 there, three
        # hours later. The reminder before it was five hours early; one comes at 08:00 there.
        response = await patient.post("/account/timezone", {"timezone": LA})
        assert response.headers["location"] == "/account?notice=timezone-sessions-kept"
        for hour, minute in ((5, 10), (7, 59)):  # 08:10 and 10:59 in New York: not yet
            clock.at_local(day, hour, minute, LA)
            await scheduler.run_once()
        assert len(phone.delivered) == 2
        for hour, minute in ((8, 0), (8, 1), (9, 0)):
            clock.at_local(day, hour, minute, LA)
            await scheduler.run_once()

    assert received(phone)[2:] == [(f"treatment_lead-{session}", title, url)]  # once
    # A tag of its own: under the first one's, it would silently replace that one if still shown.
    first, again = (r.message["tag"] for r in phone.delivered[1:])
    assert first != again
    assert push_service.problems == []


async def test_a_session_moved_the_evening_its_reminder_went_gets_no_second_one_and_one_before_its_new_time(
        push_settings, push_service, db, make_scheduler, clock):
    async with patient_with_a_session(push_settings, push_service) as (patient, phone, session, day):
        scheduler = make_scheduler(db)
        clock.at_local(day - timedelta(days=1), 19, 0, NY)
        await scheduler.run_once()
        assert [tag for tag, _, _ in received(phone)] == [f"treatment_eve-{session}"]

        # That evening the patient moves it to 11:00 the same day, then to 11:30: each time a
        # new session replaces the last.
        moved = session
        for hour, new_time in ((20, "11:00"), (21, "11:30")):
            response = await patient.post(f"/treatment/sessions/{moved}/move",
                                          {"session_date": day.isoformat(), "session_time": new_time})
            moved = int(response.headers["location"].split("?")[0].rsplit("/", 1)[1])
            for minute in (0, 30):
                clock.at_local(day - timedelta(days=1), hour, minute, NY)
                await scheduler.run_once()
        assert len(phone.delivered) == 1  # no second "tomorrow" the same evening
        for hour, minute in ((8, 0), (9, 0), (9, 30), (9, 31), (10, 0)):  # nothing at the old times
            clock.at_local(day, hour, minute, NY)
            await scheduler.run_once()

    assert received(phone)[1:] == [(f"treatment_lead-{moved}", f"Lift: treatment session today at 11:30{AT}",
                                    f"/treatment/sessions/{moved}")]
    assert push_service.problems == []


async def test_a_reminder_writes_the_sessions_time_on_the_patients_clock_as_it_is_when_sent(
        push_settings, push_service, db, make_scheduler, clock):
    async with patient_with_a_session(push_settings, push_service, hour_cycle="h12") as (patient, phone, session, day):
        scheduler = make_scheduler(db)
        clock.at_local(day - timedelta(days=1), 19, 0, NY)
        await scheduler.run_once()
        assert (await patient.post("/account/clock", {"clock": "24"})).status_code == 303
        clock.at_local(day, 8, 0, NY)
        await scheduler.run_once()

    assert [title for _, title, _ in received(phone)] == [f"Lift: treatment session tomorrow at 10:00 AM{AT}",
                                                         f"Lift: treatment session today at 10:00{AT}"]
