"""Treatment plans, sessions, the treatment-day checklist and the session log, over HTTP."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from lift.domain.dates import day_text
from tests.integration.sharing_helpers import shared_with, user_id

CLINIC = {"clinic_name": "Riverside Clinic", "clinic_phone": "+1 (555) 010-0123"}


def plan_form(start: date | None, **changes) -> dict:
    form = {"medication": "esketamine", **CLINIC, "template": "esketamine",
            "start_date": start.isoformat() if start else "", "session_time": "10:00",
            "maintenance": "none", "induction_weeks": "3"}
    form.update(changes)
    return form


async def create_plan(person, start: date | None = None, **changes):
    start = start or person.today() + timedelta(days=1)
    return await person.post("/treatment/plan", plan_form(start, **changes))


async def plan_with_session_today(person, session_time: str = "12:00", **plan_changes) -> int:
    """A plan with no template and one session today; returns the session's id."""
    response = await create_plan(person, template="none", **plan_changes)
    assert response.headers["location"] == "/treatment/sessions/new"
    response = await person.post("/treatment/sessions", {"session_date": person.today().isoformat(),
                                                         "session_time": session_time})
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


def session_rows(database, where: str = "1", params=()) -> list:
    return database.execute(f"SELECT * FROM treatment_sessions WHERE {where} ORDER BY starts_at, id",
                            params).fetchall()


def count(database, table: str) -> int:
    return database.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def clock(monkeypatch):
    """Sets the time of day, today in New York, for the pages that show today's session."""
    def set_to(hour: int, minute: int = 0) -> None:
        zone = ZoneInfo("America/New_York")
        now = datetime.combine(datetime.now(zone).date(), time(hour, minute), zone).astimezone(ZoneInfo("UTC"))
        for module in ("lift.web.rendering", "lift.web.treatment"):
            monkeypatch.setattr(f"{module}.utc_now", lambda: now)
    return set_to


@pytest.fixture
def spring_forward(monkeypatch) -> date:
    """14 March 2027, when New York's clocks go forward, with the pages' today two months before
    it. The next such Sunday after the real today was over a year ahead from 1 to about 13 March,
    past the furthest day a plan or session may start, and the tests using it failed then."""
    now = datetime(2027, 1, 14, 17, 0, tzinfo=ZoneInfo("UTC"))
    for module in ("lift.web.rendering", "lift.web.treatment"):
        monkeypatch.setattr(f"{module}.utc_now", lambda: now)
    return date(2027, 3, 14)


# Plan CRUD ---------------------------------------------------------------------------------


async def test_a_patient_without_a_plan_is_offered_to_set_one_up(patient):
    response = await patient.get("/treatment")
    assert response.status_code == 200
    assert 'href="/treatment/plan/new"' in response.text
    form = await patient.get("/treatment/plan/new")
    assert form.status_code == 200 and 'name="template"' in form.text


async def test_it_creates_an_esketamine_plan_with_its_twelve_sessions(patient, database):
    start = patient.today() + timedelta(days=1)
    response = await create_plan(patient, start)
    assert response.status_code == 303
    assert response.headers["location"] == "/treatment?notice=created"
    plan = database.execute("SELECT * FROM treatment_plans").fetchone()
    assert (plan["medication"], plan["clinic_name"], plan["clinic_phone"]) == (
        "esketamine", "Riverside Clinic", "+1 (555) 010-0123")
    rows = session_rows(database)
    assert len(rows) == 12
    assert [r["requested_date"] for r in rows[:3]] == [
        start.isoformat(), (start + timedelta(days=3)).isoformat(), (start + timedelta(days=7)).isoformat()]
    assert {r["status"] for r in rows} == {"planned"}
    page = (await patient.get(response.headers["location"])).text
    assert "Your treatment plan is saved" in page
    assert page.count('class="sessions__item sessions__item--planned"') == 12
    assert "10:00" in page and 'href="tel:+15550100123"' in page


async def test_it_creates_an_iv_plan_with_a_last_day(patient, database):
    start = patient.today() + timedelta(days=1)
    response = await create_plan(patient, start, medication="iv_ketamine", template="iv_ketamine",
                                 induction_weeks="2", end_date=(start + timedelta(days=13)).isoformat())
    assert response.status_code == 303
    assert [r["phase"] for r in session_rows(database)] == ["Twice a week"] * 4


@pytest.mark.parametrize("changes, field, message", [
    ({"start_date": "PAST"}, "start_date", "That day has passed"),
    ({"end_date": "BEFORE"}, "end_date", "can&#39;t be before the first session"),
    ({"template": "ketamine_daily"}, "template", "Choose a schedule from the list"),
    ({"session_time": "25:00"}, "session_time", "Enter the time of day"),
    ({"medication": "iv_ketamine"}, "template", "The schedule you had chosen is for esketamine"),
    ({"medication": "other", "medication_name": "Ketamine lozenge"}, "template",
     "is for esketamine, so it is no longer chosen. For another treatment, add your sessions one by one."),
    ({"clinic_phone": "call me maybe"}, "clinic_phone", "Enter a phone number"),
    ({"medication": "other"}, "medication_name", "Enter the name of the treatment"),
])
async def test_a_bad_plan_is_refused_with_a_message_and_nothing_is_written(patient, database, changes, field, message):
    start = patient.today() + timedelta(days=2)
    values = dict(changes)
    if values.get("start_date") == "PAST":
        values["start_date"] = (patient.today() - timedelta(days=1)).isoformat()
    if values.get("end_date") == "BEFORE":
        values["end_date"] = (start - timedelta(days=1)).isoformat()
    response = await patient.post("/treatment/plan", plan_form(start, **values))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert 'value="Riverside Clinic"' in response.text  # what the patient typed is kept
    assert count(database, "treatment_plans") == 0 and count(database, "treatment_sessions") == 0


async def test_a_schedule_that_does_not_fit_comes_back_unchosen_beside_any_other_problem(patient, database):
    # The phone number fails to parse, and the schedule is still said not to fit at once; the form
    # comes back with no schedule chosen (the form would hide the chosen one) and the rest as sent.
    response = await create_plan(patient, medication="iv_ketamine", clinic_phone="call me maybe",
                                 maintenance="weekly")
    assert response.status_code == 422
    page = response.text
    assert 'id="clinic_phone-error"' in page
    assert "The schedule you had chosen is for esketamine, so it is no longer chosen." in page
    assert not re.search(r'name="template" value="[a-z_]+" checked', page)
    assert re.search(r'name="medication" value="iv_ketamine" checked', page)
    assert 'value="call me maybe"' in page and 'value="weekly" selected' in page
    assert count(database, "treatment_plans") == 0


async def test_answers_hidden_for_the_chosen_treatment_are_ignored_and_not_stored(patient, database):
    # An IV ketamine answer (a number of weeks the form would refuse) and a name for "Something
    # else", sent with esketamine: neither blocks the save nor is kept against esketamine.
    response = await create_plan(patient, induction_weeks="9", medication_name="Ketamine lozenge")
    assert response.status_code == 303
    plan = database.execute("SELECT medication, medication_name FROM treatment_plans").fetchone()
    assert tuple(plan) == ("esketamine", "")
    assert len(session_rows(database)) == 12
    changed = await patient.post("/treatment/plan/edit", {"medication": "iv_ketamine", "medication_name": "Old name"})
    assert changed.status_code == 303
    assert database.execute("SELECT medication_name FROM treatment_plans").fetchone()[0] == ""


async def test_sessions_one_by_one_ignore_the_hidden_first_day_and_time(patient, database):
    response = await create_plan(patient, template="none", session_time="25:00", maintenance="monthly",
                                 end_date="someday")
    assert response.status_code == 303 and response.headers["location"] == "/treatment/sessions/new"
    assert count(database, "treatment_plans") == 1 and count(database, "treatment_sessions") == 0


async def test_a_plan_is_all_or_nothing_when_saving_its_sessions_fails(patient, database):
    database.execute("CREATE TRIGGER refuse AFTER INSERT ON treatment_sessions WHEN NEW.phase = 'Weekly'"
                     " BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")
    database.commit()
    response = await create_plan(patient)
    assert response.status_code == 503
    assert "Nothing was saved" in response.text
    assert count(database, "treatment_plans") == 0 and count(database, "treatment_sessions") == 0


async def test_a_gap_time_is_moved_to_the_first_valid_time_and_the_patient_is_told(patient, database, spring_forward):
    gap_day = spring_forward
    response = await create_plan(patient, gap_day, session_time="02:30")
    assert response.status_code == 303
    first = session_rows(database)[0]
    assert (first["requested_date"], first["requested_time"]) == (gap_day.isoformat(), "02:30")
    assert first["starts_at"] == f"{gap_day.isoformat()}T07:00:00Z"  # 03:00 EDT
    page = (await patient.get("/treatment")).text
    assert "02:30 doesn&#39;t exist on" in page and "set this session for 03:00" in page
    assert session_rows(database)[1]["starts_at"].endswith("T06:30:00Z")  # 02:30 EDT three days later


async def test_a_gap_time_session_is_not_moved_to_the_time_that_does_not_exist(patient, database, spring_forward):
    """A session asked for at 02:30 on the night the clocks go forward is at 03:00. Moving it to
    02:30 (the time it was asked for) placed a new session at 03:00 again, "Moved to" its own
    time: that is no move."""
    gap_day = spring_forward
    assert (await create_plan(patient, gap_day, template="none")).status_code == 303
    added = await patient.post("/treatment/sessions", {"session_date": gap_day.isoformat(), "session_time": "02:30"})
    session_id = int(added.headers["location"].rsplit("/", 1)[1])
    assert session_rows(database)[0]["starts_at"] == f"{gap_day.isoformat()}T07:00:00Z"  # 03:00 EDT
    moved = await patient.post(f"/treatment/sessions/{session_id}/move",
                               {"session_date": gap_day.isoformat(), "session_time": "02:30"})
    assert moved.status_code == 422 and "That&#39;s when this session already is." in moved.text
    assert [(row["status"], row["moved_to"]) for row in session_rows(database)] == [("planned", None)]
    # 03:30 exists: that is a move.
    later = await patient.post(f"/treatment/sessions/{session_id}/move",
                               {"session_date": gap_day.isoformat(), "session_time": "03:30"})
    assert later.status_code == 303


async def test_a_second_plan_is_not_created(patient, database):
    await create_plan(patient)
    response = await create_plan(patient)
    assert response.status_code == 303 and response.headers["location"] == "/treatment"
    assert count(database, "treatment_plans") == 1 and count(database, "treatment_sessions") == 12


async def test_it_changes_the_plan_details(patient, database):
    await create_plan(patient)
    form = await patient.get("/treatment/plan/edit")
    assert 'value="Riverside Clinic"' in form.text and 'name="template"' not in form.text
    response = await patient.post("/treatment/plan/edit", {"medication": "esketamine", "clinic_name": "Hillside",
                                                           "clinic_phone": "555 0199",
                                                           "food_advice": "Nothing to eat 2 hours before"})
    assert response.status_code == 303
    plan = database.execute("SELECT * FROM treatment_plans").fetchone()
    assert (plan["clinic_name"], plan["food_advice"]) == ("Hillside", "Nothing to eat 2 hours before")
    bad = await patient.post("/treatment/plan/edit", {"medication": "esketamine", "clinic_phone": "x"})
    assert bad.status_code == 422
    assert database.execute("SELECT clinic_phone FROM treatment_plans").fetchone()[0] == "555 0199"


async def test_it_deletes_the_plan_with_its_sessions_and_logs(patient, database):
    session_id = await plan_with_session_today(patient)
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "effect_dizziness": "mild"})
    confirm = await patient.get("/treatment/plan/delete")
    assert "can't be undone" in confirm.text
    response = await patient.post("/treatment/plan/delete")
    assert response.headers["location"] == "/treatment?notice=deleted"
    for table in ("treatment_plans", "treatment_sessions", "treatment_session_logs", "treatment_side_effects"):
        assert count(database, table) == 0, table


# Sessions ------------------------------------------------------------------------------------


async def test_sessions_can_be_added_moved_and_cancelled(patient, database):
    await create_plan(patient, template="none")
    day = patient.today() + timedelta(days=5)
    added = await patient.post("/treatment/sessions", {"session_date": day.isoformat(), "session_time": "14:30"})
    session_id = int(added.headers["location"].rsplit("/", 1)[1])
    page = (await patient.get(f"/treatment/sessions/{session_id}")).text
    assert "14:30" in page and "Planned" in page

    new_day = day + timedelta(days=1)
    moved = await patient.post(f"/treatment/sessions/{session_id}/move",
                               {"session_date": new_day.isoformat(), "session_time": "09:00"})
    new_id = int(re.search(r"/treatment/sessions/(\d+)", moved.headers["location"]).group(1))
    old, new = (database.execute("SELECT * FROM treatment_sessions WHERE id = ?", (i,)).fetchone()
                for i in (session_id, new_id))
    assert (old["status"], old["moved_to"]) == ("rescheduled", new_id)
    assert (new["status"], new["requested_date"], new["requested_time"]) == ("planned", new_day.isoformat(), "09:00")

    again = await patient.post(f"/treatment/sessions/{session_id}/move",
                               {"session_date": new_day.isoformat(), "session_time": "11:00"})
    assert again.status_code == 409 and "was moved to another time" in again.text

    # The move form as it opens, sent unchanged: it made a session "Moved to" its own day and time.
    unchanged = await patient.post(f"/treatment/sessions/{new_id}/move",
                                   {"session_date": new_day.isoformat(), "session_time": "09:00"})
    assert unchanged.status_code == 422 and 'id="session_date-error"' in unchanged.text
    assert "That&#39;s when this session already is." in unchanged.text
    assert database.execute("SELECT status FROM treatment_sessions WHERE id = ?", (new_id,)).fetchone()[0] == "planned"
    assert count(database, "treatment_sessions") == 2

    await patient.post(f"/treatment/sessions/{new_id}/cancel")
    assert database.execute("SELECT status FROM treatment_sessions WHERE id = ?", (new_id,)).fetchone()[0] == "cancelled"
    overview = (await patient.get("/treatment")).text
    assert "No sessions planned" in overview and "Cancelled" in overview and "Moved" in overview


async def test_a_moved_session_says_when_it_was_moved_to_wherever_it_is_listed(patient, people, database):
    """It said "Moved" and "Open the session it was moved to", never the new day and time: the
    patient's overview and session page (where the day and time link to it), the clinician's
    timeline and the report now do."""
    session_id = await plan_with_session_today(patient)
    today = patient.today()
    new_day = today + timedelta(days=2)
    response = await patient.post(f"/treatment/sessions/{session_id}/move",
                                  {"session_date": new_day.isoformat(), "session_time": "09:00"})
    new_id = int(re.search(r"/treatment/sessions/(\d+)", response.headers["location"]).group(1))
    when = f"{new_day:%a} {new_day.day} {new_day:%b}"
    if new_day.year != today.year:
        when += f" {new_day.year}"
    when += ", 09:00"
    moved = f"Moved to {when}"
    overview = (await patient.get("/treatment")).text
    assert f"<strong>{moved}</strong>" in overview.split('id="earlier-title"')[1]
    # On the session's page the day and time are the way there: one link, named for the session
    # it leads to, where a second link below ("Open the session it was moved to") said it again.
    page = (await patient.get(f"/treatment/sessions/{session_id}")).text
    assert (f'<dt>Status</dt><dd>Moved to <a href="/treatment/sessions/{new_id}">'
            f'<span class="visually-hidden">the session on </span>{when}</a></dd>') in page
    assert page.count(f'href="/treatment/sessions/{new_id}"') == 1 and "Open the session" not in page
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    timeline = (await doctor.get(f"/clinician/patients/{user_id(database, 'pat@example.com')}")).text
    assert f"<td>{moved}</td>" in timeline
    on_paper = f"Moved to {new_day:%a} {new_day.day} {new_day:%b} {new_day.year}, 09:00"
    assert f"<td>{on_paper}</td>" in (await patient.get("/report")).text


async def test_a_logged_session_is_listed_as_done_said_once(patient, database, clock):
    """Treatment listed it "Done · logged": a session is done only by its log, so that said one
    thing twice."""
    clock(15)
    session_id = await plan_with_session_today(patient)
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "mood_before": "4"})
    item = (await patient.get("/treatment")).text.split(f'href="/treatment/sessions/{session_id}"', 1)[1]
    meta = item.split('<span class="sessions__meta">', 1)[1].split("</span>", 1)[0]
    assert meta == "Added by you · <strong>Done</strong>"


async def test_a_session_time_typed_on_the_12_hour_clock_is_saved(patient, database):
    # A browser showing a text box sent "8:30 pm", the time as the form's message words it, and
    # it was refused.
    response = await create_plan(patient, session_time="8:30 pm")
    assert response.status_code == 303
    assert {row["requested_time"] for row in session_rows(database)} == {"20:30"}
    day = (patient.today() + timedelta(days=2)).isoformat()
    added = await patient.post("/treatment/sessions", {"session_date": day, "session_time": " 8:30 PM "})
    session_id = int(added.headers["location"].rsplit("/", 1)[1])
    row = database.execute("SELECT requested_time FROM treatment_sessions WHERE id = ?", (session_id,)).fetchone()
    assert row["requested_time"] == "20:30"
    # The same day and time on the other clock is no move.
    same = await patient.post(f"/treatment/sessions/{session_id}/move", {"session_date": day, "session_time": "20:30"})
    assert same.status_code == 422 and "That&#39;s when this session already is." in same.text


async def test_a_refused_session_time_keeps_what_was_typed(patient, database):
    await create_plan(patient, template="none")
    day = (patient.today() + timedelta(days=2)).isoformat()
    response = await patient.post("/treatment/sessions", {"session_date": day, "session_time": "13:00 PM"})
    assert response.status_code == 422
    assert 'id="session_time-error"' in response.text and 'value="13:00 PM"' in response.text
    assert count(database, "treatment_sessions") == 0


async def test_a_session_cannot_be_added_or_moved_into_the_past(patient, database):
    await create_plan(patient, template="none")
    yesterday = (patient.today() - timedelta(days=1)).isoformat()
    response = await patient.post("/treatment/sessions", {"session_date": yesterday, "session_time": "10:00"})
    assert response.status_code == 422 and "That day has passed" in response.text
    assert count(database, "treatment_sessions") == 0


async def test_a_session_sent_after_the_plan_was_deleted_says_so_and_keeps_what_was_typed(patient, database):
    # The form was open in one tab while the plan was deleted in another.
    await create_plan(patient, template="none")
    day = (patient.today() + timedelta(days=3)).isoformat()
    await patient.post("/treatment/plan/delete")
    response = await patient.post("/treatment/sessions", {"session_date": day, "session_time": "10:30"})
    assert response.status_code == 409
    assert "Your treatment plan was deleted, so this session wasn&#39;t added." in response.text
    assert f"add the session ({day} at 10:30)." in response.text
    assert database.execute("SELECT count(*) FROM treatment_sessions").fetchone()[0] == 0


async def test_adding_a_session_before_there_is_a_plan_leads_to_making_one(patient, database):
    response = await patient.get("/treatment/sessions/new")
    assert response.status_code == 303
    assert response.headers["location"] == "/treatment/plan/new?notice=plan-first"
    form = await patient.get(response.headers["location"])
    assert form.status_code == 200 and "Set up my treatment" in form.text
    assert "Sessions are kept in your treatment plan, so set that up first." in form.text
    # Adding sessions one by one is what the patient came for, so it is the schedule chosen.
    assert re.search(r'id="template-none" name="template" value="none" checked', form.text)
    saved = await create_plan(patient, template="none")
    assert saved.headers["location"] == "/treatment/sessions/new"
    assert (await patient.get("/treatment/sessions/new")).status_code == 200
    # An ordinary visit to the form has no such notice, and offers esketamine's schedule first.
    await patient.post("/treatment/plan/delete")
    plain = await patient.get("/treatment/plan/new")
    assert "so set that up first" not in plain.text
    assert re.search(r'id="template-esketamine" name="template" value="esketamine" checked', plain.text)


# A new time zone --------------------------------------------------------------------------

REMINDERS_ON = {"checkin_enabled": "true", "checkin_time": "20:00", "eve_enabled": "true",
                "eve_time": "19:00", "lead_enabled": "true", "lead_minutes": "120", "scale_enabled": "true",
                "scale_time": "10:00", "quiet_start": "", "quiet_end": ""}


SHOWN_TIME = re.compile(r'href="/treatment/sessions/(\d+)">\s*<span class="sessions__day">[^<]* · (\d\d:\d\d)<')


def shown_times(page: str) -> dict[int, str]:
    """Each session on the treatment page, by id, with the clock time it shows."""
    return {int(session_id): at for session_id, at in SHOWN_TIME.findall(page)}


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_reminders_follow_a_session_added_moved_or_cancelled_at_once(patient, database):
    """Not at the scheduler's next pass: nothing here runs the scheduler."""
    await create_plan(patient, template="none")
    await patient.post("/reminders/settings", REMINDERS_ON)
    tomorrow = (patient.today() + timedelta(days=1)).isoformat()
    added = await patient.post("/treatment/sessions", {"session_date": tomorrow, "session_time": "10:00"})
    first = int(added.headers["location"].rsplit("/", 1)[1])

    def lead_reminders(session_id: int) -> int:
        # The lead reminder is still to come (the evening one may already be due, and due rows
        # are the dispatcher's to drop, not the planner's to withdraw).
        return database.execute("SELECT count(*) FROM reminders WHERE session_id = ? AND status = 'pending'"
                                " AND kind = 'treatment_lead'", (session_id,)).fetchone()[0]

    assert lead_reminders(first) == 1
    moved = await patient.post(f"/treatment/sessions/{first}/move", {"session_date": tomorrow, "session_time": "11:00"})
    second = int(moved.headers["location"].split("?")[0].rsplit("/", 1)[1])
    assert (lead_reminders(first), lead_reminders(second)) == (0, 1)
    await patient.post(f"/treatment/sessions/{second}/cancel")
    assert lead_reminders(second) == 0


async def test_a_new_time_zone_keeps_planned_sessions_at_their_clock_times(patient, database):
    today, london = patient.today(), ZoneInfo("Europe/London")
    june = date(today.year + (today >= date(today.year, 6, 1)), 6, 1)  # both zones on summer time
    await create_plan(patient, template="none")
    ids = {}
    for name, day, at in (("tomorrow", today + timedelta(days=1), "10:00"), ("june", june, "10:00"),
                          ("cancelled", june + timedelta(days=3), "10:00"),
                          ("past", today, "00:00"), ("done", today, "00:00")):
        added = await patient.post("/treatment/sessions", {"session_date": day.isoformat(),
                                                           "session_time": at})
        ids[name] = int(added.headers["location"].rsplit("/", 1)[1])
    await patient.post(f"/treatment/sessions/{ids['cancelled']}/cancel")
    await patient.post(f"/treatment/sessions/{ids['done']}/log", {"outcome": "done"})
    statuses = {row["id"]: row["status"] for row in session_rows(database)}
    assert [statuses[ids[name]] for name in ("past", "done", "cancelled")] == ["planned", "done", "cancelled"]
    await patient.post("/reminders/settings", REMINDERS_ON)  # plans the reminders in New York
    before = {row["id"]: instant(row["starts_at"]) for row in session_rows(database)}
    # The one still to come: a session at a new instant has a new reminder, the old one withdrawn.
    lead = ("SELECT due_at FROM reminders WHERE kind = 'treatment_lead' AND session_id = ?"
            " AND status = 'pending'")
    assert instant(database.execute(lead, (ids["tomorrow"],)).fetchone()[0]) == (
        before[ids["tomorrow"]] - timedelta(hours=2))

    response = await patient.post("/account/timezone", {"timezone": "Europe/London"})
    assert response.headers["location"] == "/account?notice=timezone-sessions-kept"
    assert "a session at 10:00 is still at 10:00" in (await patient.get(response.headers["location"])).text

    after = {row["id"]: instant(row["starts_at"]) for row in session_rows(database)}
    assert after[ids["tomorrow"]].astimezone(london).replace(tzinfo=None) == datetime.combine(
        today + timedelta(days=1), time(10, 0))
    assert after[ids["june"]] == before[ids["june"]] - timedelta(hours=5)  # 10:00 BST, not 15:00
    for name in ("cancelled", "past", "done"):  # settled or already past: a record, kept as it was
        assert after[ids[name]] == before[ids[name]], name
    shown = shown_times((await patient.get("/treatment")).text)
    assert (shown[ids["tomorrow"]], shown[ids["june"]]) == ("10:00", "10:00")
    assert shown[ids["cancelled"]] == "15:00"  # its instant, 10:00 in New York, read in London
    # The lead reminder follows the session at once, not at the scheduler's next pass.
    assert instant(database.execute(lead, (ids["tomorrow"],)).fetchone()[0]) == (
        after[ids["tomorrow"]] - timedelta(hours=2))


# The treatment day -----------------------------------------------------------------------


async def test_home_shows_the_next_session(patient):
    start = patient.today() + timedelta(days=1)
    await create_plan(patient, start)
    html = (await patient.get("/")).text
    assert 'id="next-session-title">Next session<' in html
    assert f"Tomorrow, {start:%a} {start.day} {start:%b} at 10:00" in html
    assert "Treatment day" not in html


async def test_home_shows_the_checklist_on_a_treatment_day(patient, clock):
    clock(12, 30)
    session_id = await plan_with_session_today(patient, food_advice="No food for 2 hours before")
    html = (await patient.get("/")).text
    assert f'id="checklist-{session_id}"' in html
    assert "Treatment day: 12:00" in html
    assert "A ride home" in html and "Not arranged yet" in html
    assert "No driving until tomorrow" in html
    assert "No food for 2 hours before" in html
    assert 'href="tel:+15550100123"' in html
    assert f'href="/treatment/sessions/{session_id}/log"' in html
    assert 'href="/learn/treatment-day"' in html
    assert "Next session after today" in html and "No more sessions planned" in html


async def test_log_how_it_went_is_offered_from_the_sessions_start(patient, clock):
    clock(10)
    session_id = await plan_with_session_today(patient, session_time="21:30")
    log_link = f'href="/treatment/sessions/{session_id}/log"'
    for page in ("/", f"/treatment/sessions/{session_id}"):
        html = (await patient.get(page)).text
        assert f'id="checklist-{session_id}"' in html and "A ride home" in html
        assert log_link not in html and "once it starts." in html
    # Logging early by its address still works: the day is what the server checks.
    assert (await patient.get(f"/treatment/sessions/{session_id}/log")).status_code == 200
    clock(21, 30)
    for page in ("/", f"/treatment/sessions/{session_id}"):
        html = (await patient.get(page)).text
        assert log_link in html and "once it starts" not in html


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


async def test_the_time_and_clinic_are_said_once_on_today_and_on_the_session_page(patient, clock):
    clock(10)  # before the session, so the checklist also says when logging opens
    session_id = await plan_with_session_today(patient, session_time="21:30")
    home = main_of((await patient.get("/")).text)
    assert "Treatment day: 21:30" in home and "Esketamine nasal spray (Spravato) at Riverside Clinic" in home
    page = main_of((await patient.get(f"/treatment/sessions/{session_id}")).text)
    assert "<dd>21:30</dd>" in page and "<dd>Riverside Clinic</dd>" in page and "Today's checklist" in page
    for html in (home, page):
        assert html.count("21:30") == 1 and html.count("Riverside Clinic") == 1
    # The checklist a ride-home tap swaps into the session page leaves them to its summary too.
    token = await patient.csrf_token()
    fragment = (await patient.http.post(f"/treatment/sessions/{session_id}/ride",
                                        data={"ride_home": "arranged", "back": f"/treatment/sessions/{session_id}"},
                                        headers={"HX-Request": "true", "x-csrftoken": token})).text
    assert "✓ Arranged" in fragment and "Today's checklist" in fragment
    assert "21:30" not in fragment and "Riverside Clinic" not in fragment


async def test_home_shows_a_second_session_later_today_as_the_next_one(patient):
    first = await plan_with_session_today(patient)
    await patient.post(f"/treatment/sessions/{first}/log", {"outcome": "done", "mood_before": "3", "mood_after": "6"})
    today = patient.today()
    added = await patient.post("/treatment/sessions", {"session_date": today.isoformat(), "session_time": "23:30"})
    later = int(added.headers["location"].rsplit("/", 1)[1])
    html = (await patient.get("/")).text
    assert f'href="/treatment/sessions/{later}">Today, {today:%a} {today.day} {today:%b} at 23:30<' in html
    assert 'id="next-session-title">Next session<' in html


def move_into_the_past(database, session_id: int, days: int, timezone: str = "America/New_York") -> date:
    """Put a session `days` local days back at 22:30, as time passing would, and return its day."""
    day = datetime.now(ZoneInfo(timezone)).date() - timedelta(days=days)
    starts_at = datetime.combine(day, time(22, 30), ZoneInfo(timezone)).astimezone(ZoneInfo("UTC"))
    database.execute("UPDATE treatment_sessions SET starts_at = ? WHERE id = ?",
                     (starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"), session_id))
    database.commit()
    return day


async def test_home_asks_how_a_recent_unlogged_session_went(patient, database):
    session_id = await plan_with_session_today(patient)
    day = move_into_the_past(database, session_id, 2)
    html = (await patient.get("/")).text
    assert f"How did {day:%A}&#39;s session go?" in html
    assert f'href="/treatment/sessions/{session_id}/log">Log it<' in html
    assert "Treatment day" not in html and "No more sessions planned" in html
    overview = (await patient.get("/treatment")).text
    assert "Not logged yet" in overview.split('id="earlier-title"')[1]
    assert "Not logged yet" in (await patient.get(f"/treatment/sessions/{session_id}")).text
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "missed"})
    assert "session go?" not in (await patient.get("/")).text


async def test_home_keeps_asking_about_the_last_unlogged_session_until_a_newer_one_is_logged(patient, database):
    """Last week's session never logged dropped off Today after 6 days, just as the next one
    came: it was then only "Not logged yet" on Treatment. Today keeps asking, by its date, until
    it is logged or a newer session is (or two weeks have passed, below)."""
    session_id = await plan_with_session_today(patient)
    day = move_into_the_past(database, session_id, 7)
    added = await patient.post("/treatment/sessions", {"session_date": patient.today().isoformat(),
                                                      "session_time": "23:30"})
    next_id = int(added.headers["location"].rsplit("/", 1)[1])
    html = (await patient.get("/")).text
    assert f"How did your session on {day_text(day, patient.today())} go?" in html
    assert f'href="/treatment/sessions/{session_id}/log">Log it<' in html
    assert html.count('id="session-to-log-title"') == 1  # one line, not a list
    move_into_the_past(database, next_id, 2)
    html = (await patient.get("/")).text
    assert f'href="/treatment/sessions/{next_id}/log">Log it<' in html  # the latest one only
    assert f'href="/treatment/sessions/{session_id}/log"' not in html
    await patient.post(f"/treatment/sessions/{next_id}/log", {"outcome": "missed"})
    html = (await patient.get("/")).text
    assert "Log it<" not in html
    overview = (await patient.get("/treatment")).text
    assert "Not logged yet" in overview  # the older one stays on Treatment, without a nudge


async def test_home_stops_asking_about_a_session_two_weeks_after_it_and_treatment_keeps_it(patient, database):
    """A patient who stopped treatment was asked about their last session on Today for ever."""
    session_id = await plan_with_session_today(patient)
    day = move_into_the_past(database, session_id, 14)
    html = (await patient.get("/")).text
    assert f"How did your session on {day_text(day, patient.today())} go?" in html
    move_into_the_past(database, session_id, 15)
    html = (await patient.get("/")).text
    assert "session go?" not in html and f"/treatment/sessions/{session_id}/log" not in html
    overview = (await patient.get("/treatment")).text
    assert "Not logged yet" in overview.split('id="earlier-title"')[1]
    assert "Not logged yet" in (await patient.get(f"/treatment/sessions/{session_id}")).text


async def test_the_ride_home_can_be_ticked_or_dismissed(patient, database, clock):
    clock(12, 30)  # the session at 12:00 is under way, so its checklist still asks about the ride
    session_id = await plan_with_session_today(patient)
    response = await patient.post(f"/treatment/sessions/{session_id}/ride", {"ride_home": "arranged", "back": "/"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "✓ Arranged" in (await patient.get("/")).text

    token = await patient.csrf_token()
    fragment = await patient.http.post(f"/treatment/sessions/{session_id}/ride",
                                       data={"ride_home": "dismissed", "back": "/"},
                                       headers={"HX-Request": "true", "x-csrftoken": token})
    assert fragment.status_code == 200
    assert f'id="checklist-{session_id}"' in fragment.text and "<html" not in fragment.text
    assert "Reminder dismissed" in fragment.text
    assert database.execute("SELECT ride_home FROM treatment_sessions").fetchone()[0] == "dismissed"


async def test_the_ride_home_is_not_asked_about_once_the_session_is_logged(patient, database, clock):
    clock(12, 30)
    session_id = await plan_with_session_today(patient, food_advice="No food for 2 hours before")
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "mood_before": "3"})
    for page in ("/", f"/treatment/sessions/{session_id}"):
        html = (await patient.get(page)).text
        assert f'id="checklist-{session_id}"' in html and "No driving until tomorrow" in html, page
        assert "A ride home" not in html and "Not arranged yet" not in html and 'name="ride_home"' not in html, page
        assert "No food for 2 hours before" not in html and "checklist--open" not in html, page
    # A tap from a tab opened before the log changes nothing.
    await patient.post(f"/treatment/sessions/{session_id}/ride", {"ride_home": "arranged", "back": "/"})
    assert database.execute("SELECT ride_home FROM treatment_sessions").fetchone()[0] == ""


async def test_today_asks_how_a_session_went_once_its_time_has_passed(patient, clock):
    # Twelve hours after a 10:00 session nobody logged, Today still listed "A ride home: Not
    # arranged yet" and the clinic's food advice for before it.
    session_id = await plan_with_session_today(patient, session_time="10:00", food_advice="No food for 2 hours before")
    log_link = f'href="/treatment/sessions/{session_id}/log">Log how it went<'
    clock(11, 59)  # esketamine's two hours of monitoring are not over yet
    home = main_of((await patient.get("/")).text)
    assert "Treatment day: 10:00" in home and "Not arranged yet" in home and "No food for 2 hours before" in home
    assert "session go?" not in home

    clock(22)
    home = main_of((await patient.get("/")).text)
    assert "How did today's session go?" in home and "It isn't logged yet." in home
    assert "Esketamine nasal spray (Spravato) at Riverside Clinic, 10:00." in home and log_link in home
    assert "No driving until tomorrow" in home and 'href="tel:+15550100123"' in home
    for gone in ("Treatment day", "A ride home", "Not arranged yet", 'name="ride_home"', "No food for 2 hours before",
                 "checklist--open"):
        assert gone not in home, gone
    page = main_of((await patient.get(f"/treatment/sessions/{session_id}")).text)
    assert "Today's checklist" in page and log_link in page and "A ride home" not in page

    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "mood_before": "3"})
    home = main_of((await patient.get("/")).text)
    assert "session go?" not in home and "Treatment day: 10:00" in home and "<strong>done</strong>" in home


async def test_a_checklist_tick_never_redirects_off_site(patient):
    session_id = await plan_with_session_today(patient)
    response = await patient.post(f"/treatment/sessions/{session_id}/ride",
                                  {"ride_home": "arranged", "back": "https://evil.example/"})
    assert response.headers["location"] == "/treatment"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_a_checklist_tick_never_puts_a_newline_in_its_redirect(patient, htmx):
    """`$` also matches before a trailing newline; the redirect header must never carry one."""
    session_id = await plan_with_session_today(patient)
    headers = {"HX-Request": "true", "HX-Boosted": "true"} if htmx else {}
    response = await patient.post(f"/treatment/sessions/{session_id}/ride",
                                  {"ride_home": "arranged", "back": f"/treatment/sessions/{session_id}\n"},
                                  headers=headers)
    assert response.status_code == (204 if htmx else 303)
    assert response.headers["hx-redirect" if htmx else "location"] == "/treatment"


# The session log -------------------------------------------------------------------------


async def test_it_logs_a_session_with_moods_and_side_effects_and_shows_the_side_effects_card(patient, database):
    session_id = await plan_with_session_today(patient)
    form = await patient.get(f"/treatment/sessions/{session_id}/log")
    assert form.status_code == 200 and 'name="effect_dissociation"' in form.text
    response = await patient.post(f"/treatment/sessions/{session_id}/log", {
        "outcome": "done", "mood_before": "3", "mood_after": "7", "effect_dissociation": "moderate",
        "effect_nausea": "mild", "effect_dizziness": "none", "bp_before": "128 / 82", "bp_after": "141/90",
        "back_to_normal": "1_2h", "note": "Felt far away for an hour."})
    assert response.status_code == 200
    html = response.text
    assert "Session logged" in html
    assert "up 4" in html and "Mood before: <strong>3</strong>" in html
    assert "Dissociation" in html and "moderate" in html
    assert "Side effects and what to report" in html
    assert "Source: A patient-education article on ketamine and esketamine for treatment-resistant depression" in html
    assert "Contact your clinic" not in html
    log = database.execute("SELECT * FROM treatment_session_logs").fetchone()
    assert (log["mood_before"], log["mood_after"], log["bp_before_systolic"], log["bp_after_diastolic"],
            log["back_to_normal"]) == (3, 7, 128, 90, "1_2h")
    effects = dict(database.execute("SELECT effect, severity FROM treatment_side_effects").fetchall())
    assert effects == {"dissociation": "moderate", "nausea": "mild"}
    assert database.execute("SELECT status FROM treatment_sessions").fetchone()[0] == "done"


async def test_a_log_without_side_effects_shows_no_side_effects_card(patient):
    session_id = await plan_with_session_today(patient)
    html = (await patient.post(f"/treatment/sessions/{session_id}/log",
                               {"outcome": "done", "mood_before": "4", "mood_after": "4"})).text
    assert "Session logged" in html and "no change" in html
    assert "Side effects and what to report" not in html


@pytest.mark.parametrize("effects", [{"effect_dizziness": "severe"}, {"effect_bladder": "mild"}])
async def test_a_severe_side_effect_or_any_bladder_pain_shows_contact_your_clinic(patient, effects):
    session_id = await plan_with_session_today(patient)
    html = (await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", **effects})).text
    assert 'id="clinic-title"' in html and "Contact your clinic" in html
    assert html.index('id="clinic-title"') < html.index('id="logged-title"')
    assert 'href="tel:+15550100123"' in html


async def test_a_log_can_be_corrected_and_side_effects_replaced(patient, database):
    session_id = await plan_with_session_today(patient)
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "effect_nausea": "severe"})
    form = (await patient.get(f"/treatment/sessions/{session_id}/log")).text
    assert re.search(r'<option value="severe" selected>', form)
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "effect_anxiety": "mild"})
    assert dict(database.execute("SELECT effect, severity FROM treatment_side_effects").fetchall()) == {"anxiety": "mild"}
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "missed"})
    assert database.execute("SELECT status FROM treatment_sessions").fetchone()[0] == "missed"
    assert count(database, "treatment_side_effects") == 0


async def test_a_session_cannot_be_logged_before_its_day(patient, database):
    await create_plan(patient)
    session_id = session_rows(database)[0]["id"]
    form = await patient.get(f"/treatment/sessions/{session_id}/log")
    assert form.status_code == 409 and "hasn&#39;t happened yet" in form.text
    response = await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "mood_after": "6"})
    assert response.status_code == 409 and "hasn&#39;t happened yet" in response.text
    assert count(database, "treatment_session_logs") == 0
    assert session_rows(database)[0]["status"] == "planned"


async def test_a_cancelled_session_cannot_be_logged(patient, database):
    session_id = await plan_with_session_today(patient)
    await patient.post(f"/treatment/sessions/{session_id}/cancel")
    response = await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done"})
    assert response.status_code == 409 and "was cancelled" in response.text
    assert count(database, "treatment_session_logs") == 0


async def test_logging_a_session_as_moved_plans_the_new_one(patient, database):
    session_id = await plan_with_session_today(patient)
    new_day = patient.today() + timedelta(days=2)
    missing = await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "rescheduled"})
    assert missing.status_code == 422 and 'id="new_date-error"' in missing.text
    # Moved to its own day and time (today at 12:00) is no move.
    same = await patient.post(f"/treatment/sessions/{session_id}/log", {
        "outcome": "rescheduled", "new_date": patient.today().isoformat(), "new_time": "12:00"})
    assert same.status_code == 422 and "That&#39;s when this session already is." in same.text
    assert len(session_rows(database)) == 1
    response = await patient.post(f"/treatment/sessions/{session_id}/log",
                                  {"outcome": "rescheduled", "new_date": new_day.isoformat(), "new_time": "08:15"})
    assert response.status_code == 303
    rows = session_rows(database)
    assert [(r["status"], r["requested_time"]) for r in rows] == [("rescheduled", "12:00"), ("planned", "08:15")]


async def test_bad_log_answers_are_refused_with_what_was_typed_kept(patient, database):
    session_id = await plan_with_session_today(patient)
    response = await patient.post(f"/treatment/sessions/{session_id}/log", {
        "outcome": "done", "mood_before": "11", "effect_dizziness": "extreme", "bp_before": "80/120",
        "note": "kept text"})
    assert response.status_code == 422
    for field in ("mood_before", "effect_dizziness", "bp_before"):
        assert f'id="{field}-error"' in response.text, field
    assert "kept text" in response.text and 'value="80/120"' in response.text
    assert count(database, "treatment_session_logs") == 0


# Authorization -------------------------------------------------------------------------


async def test_another_patient_cannot_see_or_change_anything_of_a_patients_treatment(patient, other_patient, database):
    session_id = await plan_with_session_today(patient)
    for path in (f"/treatment/sessions/{session_id}", f"/treatment/sessions/{session_id}/log",
                 f"/treatment/sessions/{session_id}/move", "/treatment/plan/edit", "/treatment/plan/delete"):
        assert (await other_patient.get(path)).status_code == 404, path
    for path, data in ((f"/treatment/sessions/{session_id}/log", {"outcome": "done", "effect_bladder": "severe"}),
                       (f"/treatment/sessions/{session_id}/move", {"session_date": patient.today().isoformat(),
                                                                   "session_time": "10:00"}),
                       (f"/treatment/sessions/{session_id}/cancel", {}),
                       (f"/treatment/sessions/{session_id}/ride", {"ride_home": "arranged"}),
                       ("/treatment/plan/delete", {}),
                       ("/treatment/plan/edit", {"medication": "other", "medication_name": "x"})):
        assert (await other_patient.post(path, data)).status_code == 404, path
    other_home = (await other_patient.get("/")).text
    assert "Riverside" not in other_home and 'id="checklist-' not in other_home
    assert "Riverside Clinic" not in (await other_patient.get("/treatment")).text
    row = session_rows(database)[0]
    assert (row["status"], row["ride_home"]) == ("planned", "")
    assert count(database, "treatment_session_logs") == 0 and count(database, "treatment_plans") == 1


async def test_a_stranger_is_sent_to_sign_in(stranger):
    for path in ("/treatment", "/treatment/plan/new", "/treatment/sessions/1", "/treatment/sessions/1/log"):
        response = await stranger.get(path)
        assert response.status_code in (302, 303), path
        assert response.headers["location"].startswith("/signin")


async def test_every_problem_in_a_plan_form_shows_at_once(patient, database):
    yesterday = patient.today() - timedelta(days=1)
    response = await patient.post("/treatment/plan", plan_form(yesterday, clinic_phone="not a phone"))
    assert response.status_code == 422
    assert 'id="clinic_phone-error"' in response.text and 'id="start_date-error"' in response.text
    assert count(database, "treatment_plans") == 0


async def test_fields_sent_as_files_are_refused_as_empty_not_a_server_error(patient, database):
    """No form of Lift's takes a file; a multipart field with a filename reads as empty text."""
    session_id = await plan_with_session_today(patient)
    files = {"outcome": ("a.txt", b"done"), "effect_nausea": ("b.txt", b"mild"), "bp_after": ("c.txt", b"1/1"),
             "back": ("d.txt", b"/treatment"), "ride_home": ("e.txt", b"arranged")}
    token = await patient.csrf_token()
    for path in (f"/treatment/sessions/{session_id}/log", f"/treatment/sessions/{session_id}/ride"):
        response = await patient.http.post(path, files=files, data={"_csrf_token": token})
        assert response.status_code < 500, (path, response.status_code)
    assert database.execute("SELECT count(*) FROM treatment_session_logs").fetchone()[0] == 0
    assert database.execute("SELECT ride_home FROM treatment_sessions").fetchone()[0] in (None, "")


async def test_a_very_high_blood_pressure_after_the_session_says_contact_your_clinic(patient):
    session_id = await plan_with_session_today(patient)
    html = (await patient.post(f"/treatment/sessions/{session_id}/log",
                               {"outcome": "done", "bp_before": "135/85", "bp_after": "210/125"})).text
    assert "Contact your clinic" in html
    assert "210/125: a top number over 180" in html and "call 911 now" in html



async def test_the_advice_to_contact_the_clinic_stays_on_the_sessions_page(patient):
    session_id = await plan_with_session_today(patient)
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "effect_nausea": "severe"})
    html = (await patient.get(f"/treatment/sessions/{session_id}")).text
    assert "Contact your clinic about this session" in html and "Nausea" in html and "was severe" in html
    await patient.post(f"/treatment/sessions/{session_id}/log", {"outcome": "done", "effect_nausea": "mild"})
    assert "Contact your clinic" not in (await patient.get(f"/treatment/sessions/{session_id}")).text
