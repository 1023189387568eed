"""Today in a patient's first weeks: what else Lift does is named there, not only under More."""

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
    assert mood.count("<td>No check-in</td>") == 4 and mood.count('<th scope="row">') == 5  # the chart starts there


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
