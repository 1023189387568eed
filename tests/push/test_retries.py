"""A reminder's message that a push service refused (429 with Retry-After, or a 5xx) waits to be
sent again. Meanwhile the patient's facts can change: each retry is looked at again with the
facts as they are when it is sent, by the same rules that decided to send it."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from lift.db import checkins, scales, treatment
from lift.db import reminders as store
from lift.domain.checkins import CheckinForm
from lift.domain.reminders import Preferences
from lift.domain.schedule import SessionSlot, plan_sessions
from lift.domain.treatment import PlanForm
from lift.push.sender import classify
from tests.push.pushservice import Answer

NY = "America/New_York"
DAY = date(2026, 6, 10)
TOMORROW = DAY + timedelta(days=1)
TOO_MANY = Answer(429, retry_after="600")  # "come back in ten minutes"


def planned(day: date, at: time):
    return plan_sessions([SessionSlot(local_date=day, phase="Weekly")], at, NY)[0]


async def add_session(db, patient: int, day: date, at: time) -> int:
    await treatment.create_plan(db, patient, PlanForm(medication="esketamine", clinic_name="Eastside"),
                                [planned(day, at)])
    return (await treatment.sessions_for(db, patient))[0].id


async def take_questionnaires(db, patient: int, day: date) -> None:
    for instrument in ("phq9", "gad7"):
        await scales.save_result(db, patient, instrument, day, f"{day.isoformat()}T14:00:00Z", {}, 0,
                                 "minimal", None, baseline=False)


# Each reminder kind: the patient's facts, and the local time its reminder comes due on DAY.

async def checkin_reminder(db, patient, clock) -> tuple[int | None, time]:
    return None, time(20, 0)


async def evening_before_reminder(db, patient, clock) -> tuple[int | None, time]:
    await store.save_preferences(db, patient, Preferences(checkin_enabled=False), clock())
    return await add_session(db, patient, TOMORROW, time(9, 30)), time(19, 0)


async def questionnaire_reminder(db, patient, clock) -> tuple[int | None, time]:
    await store.save_preferences(db, patient, Preferences(checkin_enabled=False), clock())
    await take_questionnaires(db, patient, DAY - timedelta(days=7))
    return None, time(10, 0)


# What changes while the message waits.

async def check_in(db, patient, session_id, clock) -> None:
    await checkins.save_checkin(db, patient, CheckinForm(local_date=DAY, mood=5, anxiety=4, sleep_hours=7,
                                                         thoughts=0))


async def turn_checkin_reminders_off(db, patient, session_id, clock) -> None:
    await store.save_preferences(db, patient, Preferences(checkin_enabled=False), clock())


async def cancel_session(db, patient, session_id, clock) -> None:
    assert await treatment.set_session_status(db, patient, session_id, "cancelled", "planned")


async def move_session(db, patient, session_id, clock) -> None:
    later = planned(DAY + timedelta(days=3), time(9, 30))
    assert await treatment.move_session(db, patient, session_id, later)


async def answer_questionnaires(db, patient, session_id, clock) -> None:
    await take_questionnaires(db, patient, DAY)


@pytest.mark.parametrize(("reminder", "change", "refusal"), [
    (checkin_reminder, check_in, Answer(500)),
    (checkin_reminder, turn_checkin_reminders_off, TOO_MANY),
    (evening_before_reminder, cancel_session, TOO_MANY),
    (evening_before_reminder, move_session, Answer(503)),
    (questionnaire_reminder, answer_questionnaires, TOO_MANY),
], ids=["checked-in", "kind-turned-off", "session-cancelled", "session-moved", "questionnaires-taken"])
async def test_a_retry_is_withdrawn_when_its_reminder_is_no_longer_wanted(
        db, push_service, make_scheduler, make_patient, subscribe, clock, rows, reminder, change, refusal):
    patient = await make_patient(NY)
    session_id, due = await reminder(db, patient, clock)
    phone = push_service.subscribe(refusal, Answer(201))
    await subscribe(patient, phone)
    clock.at_local(DAY, due.hour, due.minute, NY)
    scheduler = make_scheduler(db)
    await scheduler.run_once()
    assert [r.answered for r in phone.received] == [refusal.status]

    await change(db, patient, session_id, clock)
    clock.advance(minutes=11)  # past the retry's time, well inside the reminder's window
    await scheduler.run_once()

    assert [r.answered for r in phone.received] == [refusal.status]
    assert [tuple(r) for r in rows("SELECT status, claimed_by FROM push_deliveries")] == [("withdrawn", None)]
    assert push_service.problems == []


async def test_a_retry_waits_for_the_later_time_the_patient_chose_meanwhile(
        db, push_service, make_scheduler, make_patient, subscribe, clock, rows):
    patient = await make_patient(NY)
    phone = push_service.subscribe(TOO_MANY, Answer(201))
    await subscribe(patient, phone)
    clock.at_local(DAY, 20, 0, NY)
    scheduler = make_scheduler(db)
    await scheduler.run_once()
    await store.save_preferences(db, patient, Preferences(checkin_time=time(21, 0)), clock())

    clock.at_local(DAY, 20, 11, NY)
    await scheduler.run_once()
    assert [r.answered for r in phone.received] == [429]  # not at 20:11: the patient asked for 21:00

    clock.at_local(DAY, 21, 0, NY)
    await scheduler.run_once()
    assert [r.answered for r in phone.received] == [429, 201]
    [delivery] = rows("SELECT status, attempts FROM push_deliveries")
    assert tuple(delivery) == ("sent", 2)  # waiting for the new time used up no attempt
    assert push_service.problems == []


async def test_a_retry_shows_no_detail_once_the_patient_turned_detail_off(
        db, push_service, make_scheduler, make_patient, subscribe, clock):
    patient = await make_patient(NY)
    await store.save_preferences(db, patient, Preferences(detailed_text=True), clock())
    phone = push_service.subscribe(TOO_MANY, Answer(201))
    await subscribe(patient, phone)
    clock.at_local(DAY, 20, 0, NY)
    scheduler = make_scheduler(db)
    await scheduler.run_once()

    await store.save_preferences(db, patient, Preferences(detailed_text=False), clock())
    clock.advance(minutes=11)
    await scheduler.run_once()

    [shown] = phone.delivered
    assert (shown.message["title"], shown.message["body"]) == ("Lift: time for your check-in",
                                                               "Open Lift to see it.")
    assert push_service.problems == []


async def test_before_an_after_midnight_session_the_day_is_named_as_of_each_send(
        db, push_service, make_scheduler, make_patient, subscribe, clock):
    patient = await make_patient(NY)
    await store.save_preferences(db, patient, Preferences(
        checkin_enabled=False, eve_enabled=False, lead_minutes=120, quiet_start=None, quiet_end=None,
        detailed_text=True), clock())
    await add_session(db, patient, TOMORROW, time(1, 0))  # 01:00, so two hours before is 23:00 today
    phone = push_service.subscribe()
    tablet = push_service.subscribe(Answer(429, retry_after="3600"), Answer(201))
    await subscribe(patient, phone)
    await subscribe(patient, tablet)
    scheduler = make_scheduler(db)

    clock.at_local(DAY, 23, 0, NY)
    await scheduler.run_once()
    clock.at_local(TOMORROW, 0, 0, NY)  # the tablet's push service said to come back in an hour
    await scheduler.run_once()

    [evening] = messages_to(phone)
    [after_midnight] = messages_to(tablet)
    # Held for an offline phone until 01:00, the first could be shown after midnight, when
    # "tomorrow" would be wrong: the weekday is right either way.
    # A New York account that never chose its clock reads "1:00 AM" (dates.uses_twelve_hour).
    assert evening["title"] == "Lift: treatment session on Thursday at 1:00 AM at Eastside"
    assert after_midnight["title"] == "Lift: treatment session today at 1:00 AM at Eastside"
    assert push_service.problems == []


def messages_to(subscriber) -> list[dict]:
    return [r.message for r in subscriber.delivered]


@pytest.mark.parametrize(("retry_after", "seconds"), [("120", 120.0), (" 120 ", 120.0), ("²", None), ("٣٠", None),
                                                      ("soon", None), (None, None)])
def test_a_retry_after_in_digits_other_than_0_to_9_is_read_as_none_not_an_error(retry_after, seconds):
    # Headers are read as Latin-1, so a push service's byte 0xB2 arrives as "²": str.isdigit()
    # took it and float() then raised, so the send ended in an error instead of a retry.
    result = classify(429, retry_after)
    assert (result.status, result.http_status, result.retry_after) == ("retry", 429, seconds)
