"""Today in a patient's first weeks: what else Lift does is named there, not only under More."""

import re
from html import unescape
from datetime import timedelta

from tests.integration.conftest import insert_checkin, joined_days_ago
from tests.integration.sharing_helpers import chart_of
from tests.integration.test_treatment import plan_form

STEPS = ('href="/treatment"', 'href="/reminders"', 'href="/sharing"')


async def test_a_new_patients_today_names_treatment_reminders_and_sharing(patient):
    html = (await patient.get("/")).text
    assert "When you're ready" in html
    assert all(link in html for link in STEPS)


async def test_it_drops_a_step_once_taken(patient):
    assert (await patient.post("/treatment/plan", plan_form(patient.today()))).status_code == 303
    html = (await patient.get("/")).text
    section = html.split('id="first-steps-title"', 1)[1].split("</section>", 1)[0]
    assert 'href="/treatment"' not in section and 'href="/reminders"' in section


async def test_it_leaves_them_under_more_once_the_journal_is_two_weeks_old(patient, database):
    insert_checkin(database, patient.today() - timedelta(days=20))
    assert "When you're ready" not in (await patient.get("/")).text


def days_offered_to_fill(html: str) -> int:
    return html.count("week__value--missing")


async def test_a_new_patients_week_shows_the_days_before_they_joined_blank_not_missed(patient):
    html = (await patient.get("/")).text
    assert days_offered_to_fill(html) == 1  # today only
    assert html.count("Before you joined") == 6
    assert "Blank days are from before you joined: nothing is missing there." in html
    assert "Missed a day?" not in html  # no earlier day has a + to tap


async def test_the_days_since_joining_can_be_filled_in_from_the_week(patient, database):
    joined_days_ago(database, 2)
    html = (await patient.get("/")).text
    assert days_offered_to_fill(html) == 3 and "Missed a day? Tap +" in html
    for n in (1, 2):
        assert f'href="/checkin?day={(patient.today() - timedelta(days=n)).isoformat()}"' in html
    joined_days_ago(database, 10)
    html = (await patient.get("/")).text
    assert days_offered_to_fill(html) == 7 and "Before you joined" not in html


async def test_a_day_filled_in_before_joining_starts_the_week_as_it_starts_the_charts(patient, database):
    # Joined yesterday, with the day four days ago filled in: Trends counts from that day, so the
    # days between are days to fill here too, and only the two before it are blank.
    joined_days_ago(database, 1)
    insert_checkin(database, patient.today() - timedelta(days=4))
    html = (await patient.get("/")).text
    assert html.count("Before you joined") == 2
    assert days_offered_to_fill(html) == 4  # today, and 1 to 3 days ago
    for n in (1, 2, 3):
        assert f'href="/checkin?day={(patient.today() - timedelta(days=n)).isoformat()}"' in html
    mood = chart_of((await patient.get("/trends")).text, "mood")
    assert mood.count('">No check-in</td>') == 4 and mood.count('<th scope="row">') == 5  # the chart starts there


async def test_a_new_patient_who_filled_in_a_day_from_before_joining_is_not_welcomed_back(patient, database):
    # Joined yesterday; the one check-in is from five days ago, filled in on joining.
    joined_days_ago(database, 1)
    insert_checkin(database, patient.today() - timedelta(days=5))
    assert "Welcome back" not in (await patient.get("/")).text
    joined_days_ago(database, 10)  # had Lift all along and was away: welcomed back
    assert "Welcome back" in (await patient.get("/")).text


async def test_the_day_a_week_ago_is_offered_though_the_strip_stops_short_of_it(patient, database):
    joined_days_ago(database, 10)
    week_ago = patient.today() - timedelta(days=7)
    html = (await patient.get("/")).text
    assert days_offered_to_fill(html) == 7  # today and 6 back
    assert f'href="/checkin?day={week_ago.isoformat()}">' in html and "until the end of today" in html
    await patient.check_in(local_date=week_ago.isoformat())
    html = (await patient.get("/")).text
    assert f"day={week_ago.isoformat()}" not in html and "Missed a day? Tap +" in html


def thoughts_line(html: str) -> str | None:
    """Today's line after a check-in that reported thoughts, or None."""
    found = re.search(r'<div class="alert" role="note" id="thoughts-today">(.*?)</div>', html, flags=re.S)
    return found.group(1) if found else None


async def test_after_a_check_in_that_reported_thoughts_today_keeps_the_way_to_help_in_sight(patient):
    assert (await patient.check_in(thoughts=2)).status_code == 200
    html = (await patient.get("/")).text
    line = thoughts_line(html)
    assert line and "noted thoughts of ending your life" in line
    assert '<a href="/help">Get help now</a>' in line
    assert 'href="/safety-plan"' not in line  # no plan written yet: nothing to open
    # Near the top: first on the page, before today's check-in card.
    assert html.index('id="thoughts-today"') < html.index('id="today-title"')
    await patient.post("/safety-plan", {"coping": "Walk the dog with Sam"})
    assert '<a href="/safety-plan">My safety plan</a>' in thoughts_line((await patient.get("/")).text)


async def test_it_is_worded_for_the_answer_as_it_now_stands(patient):
    await patient.check_in(thoughts=3)
    assert "If you might act on them, call 911 or 988 now." in thoughts_line((await patient.get("/")).text)
    await patient.check_in(thoughts=1)  # changed today's check-in
    assert "passing thoughts" in thoughts_line((await patient.get("/")).text)


async def test_there_is_no_such_line_after_a_check_in_with_no_thoughts(patient):
    await patient.check_in(thoughts=0)
    html = (await patient.get("/")).text
    assert "Today's check-in is done" in html and thoughts_line(html) is None


async def test_the_line_is_gone_the_next_day(patient, database):
    await patient.check_in(thoughts=2)
    assert thoughts_line((await patient.get("/")).text)
    a_day_passes(database)  # the check-in is yesterday's, saved yesterday
    html = (await patient.get("/")).text
    assert "You haven't checked in today" in html and thoughts_line(html) is None


def a_day_passes(database) -> None:
    """Every check-in a day older: its day, and the instant it was saved."""
    database.execute("UPDATE checkins SET local_date = date(local_date, '-1 day'),"
                     " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', updated_at, '-1 day')")
    database.commit()


async def test_a_missed_day_filled_in_today_with_thoughts_keeps_the_way_to_help_in_sight_today(patient):
    yesterday = (patient.today() - timedelta(days=1)).isoformat()
    saved = await patient.check_in(local_date=yesterday, thoughts=2)
    assert saved.status_code == 200 and "Get help now" in saved.text
    html = (await patient.get("/")).text
    line = thoughts_line(html)
    assert line and "Your check-in for yesterday noted thoughts of ending your life" in unescape(line)
    assert '<a href="/help">Get help now</a>' in line
    assert html.index('id="thoughts-today"') < html.index('id="today-title"')
    # Today's own check-in, with no thoughts, speaks for today.
    await patient.check_in(thoughts=0)
    html = (await patient.get("/")).text
    assert "Today's check-in is done" in html and thoughts_line(html) is None


async def test_a_missed_day_filled_in_with_thoughts_is_not_named_the_next_day(patient, database):
    await patient.check_in(local_date=(patient.today() - timedelta(days=1)).isoformat(), thoughts=3)
    assert "call 911 or 988 now" in thoughts_line((await patient.get("/")).text)
    a_day_passes(database)
    html = (await patient.get("/")).text
    assert "You haven't checked in today" in html and thoughts_line(html) is None


def plan_card(html: str) -> str:
    return unescape(html.split('id="plan-title"', 1)[1].split("</section>", 1)[0])


async def test_todays_plan_card_says_ready_only_once_a_step_is_written(patient):
    assert "Write my safety plan" in plan_card((await patient.get("/")).text)
    # Only a care team's number: Get help now has a call button, not a plan to turn to.
    assert (await patient.post("/safety-plan", {"care_team_phone": "555 0100"})).status_code == 303
    card = plan_card((await patient.get("/")).text)
    assert "ready" not in card
    assert "Your care team's number is saved" in card
    assert '<a class="button" href="/safety-plan">Add the steps of my plan</a>' in card
    await patient.post("/safety-plan", {"care_team_phone": "555 0100", "coping": "Walk the dog with Sam"})
    card = plan_card((await patient.get("/")).text)
    assert "Your plan is ready" in card and ">Open my safety plan</a>" in card
