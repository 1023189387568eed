"""The clinician's panel and a patient's timeline over HTTP: latest scores with bands and change
from baseline, adherence, the 14-day thoughts flag, sorting (page and htmx partial), the
timeline with notes and session logs, the printable report, and no way to change anything."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from lift.db import clock
from lift.domain.dates import dated, day_label, day_month, day_text, period_text
from tests.integration.sharing_helpers import (
    chart_of, days_back, invite, joined_days_ago, joined_then_checked_in, row_of, seed_checkins, seed_scale,
    seed_session, shared_with, user_id, without_breaks,
)

PANEL = {"HX-Request": "true", "HX-Target": "clinician-panel"}


def panel_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/clinician/patients/\d+">([^<]+)</a>', without_breaks(html))


@pytest.fixture
async def panel(patient, other_patient, people, database):
    """A clinician linked to two patients: pat improving with recent passing thoughts, other
    with one PHQ-9 and thoughts only 20 days ago (outside the flag's 14 days)."""
    doctor = people("doctor@example.com")
    await shared_with(patient, doctor, "clinician")
    path, _ = await invite(other_patient, "clinician")
    assert (await doctor.post(f"{path}/accept")).status_code == 303
    today = patient.today()
    # With Lift for longer than what is seeded: the panel counts check-ins from a patient's first day.
    for email in ("pat@example.com", "other@example.com"):
        joined_days_ago(database, email, 60)
    seed_checkins(database, "pat@example.com",
                  [(days_back(today, n), 5, 1 if n == 13 else 0, "slept badly" if n == 0 else "") for n in range(20)])
    seed_checkins(database, "other@example.com", [(days_back(today, 20), 4, 3, ""), (days_back(today, 2), 6, 0, "")])
    seed_scale(database, "pat@example.com", days_back(today, 40), 20)
    seed_scale(database, "pat@example.com", days_back(today, 10), 12)
    seed_scale(database, "pat@example.com", days_back(today, 3), 8)
    seed_scale(database, "other@example.com", days_back(today, 5), 14)
    seed_scale(database, "pat@example.com", days_back(today, 4), 11, "gad7")
    return doctor


async def test_a_last_check_in_from_another_year_is_shown_with_its_year(patient, people, database):
    """It read "Sat 29 Nov" on the panel a year later, as if it were a few days old."""
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    today = patient.today()
    joined_days_ago(database, "pat@example.com", 500)
    seed_checkins(database, "pat@example.com", [(days_back(today, 400), 5, 0, "")])
    row = row_of((await doctor.get("/clinician")).text, "pat@example.com")
    assert f"{dated(days_back(today, 400))}<br>" in row and "400 days ago" in row


async def test_the_panel_lists_each_linked_patient_with_scores_adherence_and_flag(panel, patient):
    html = (await panel.get("/clinician")).text
    pat_row = row_of(html, "pat@example.com")
    assert f"{day_text(patient.today(), patient.today())}<br>" in pat_row  # last check-in today
    assert "<strong>8</strong>" in pat_row and "Mild" in pat_row and "down 12 points (60%) from baseline" in pat_row
    assert "<strong>11</strong>" in pat_row  # GAD-7
    assert "20 of 30 days" in pat_row and "Thoughts reported" in pat_row
    other_row = row_of(html, "other@example.com")
    assert "<strong>14</strong>" in other_row and "Moderate" in other_row and "from baseline" not in other_row
    assert "2 of 30 days" in other_row and "Thoughts reported" not in other_row


async def test_a_new_patients_check_ins_count_from_their_first_day_and_sort_by_how_often(panel, people,
                                                                                          database):
    """A patient who joined 4 days ago and checked in twice read "2 of 30 days", as if they had
    missed 28; one who joined today was flagged "No check-ins yet" though their day isn't over.
    Sorted by check-ins, 2 of a patient's first 2 days ranks as the best record, not beside
    other's 2 of 30."""
    for email, joined, checked_in in (("four@example.com", 4, (2, 0)), ("keen@example.com", 1, (1, 0)),
                                      ("new@example.com", 0, ())):
        person = people(email)
        await person.sign_up()
        path, _ = await invite(person, "clinician")
        assert (await panel.post(f"{path}/accept")).status_code == 303
        joined_days_ago(database, email, joined)
        seed_checkins(database, email, [(days_back(person.today(), n), 5, 0, "") for n in checked_in])
    html = (await panel.get("/clinician")).text
    assert "2 of their first 5 days" in row_of(html, "four@example.com")
    assert "2 of their first 2 days" in row_of(html, "keen@example.com")
    new = row_of(html, "new@example.com")
    assert "Joined today, none yet" in new and "Nothing stands out" in new and "No check-ins yet" not in new
    assert "20 of 30 days" in row_of(html, "pat@example.com") and "2 of 30 days" in row_of(html, "other@example.com")
    # Least often first; a patient with no day over yet has missed nothing, so sorts with those
    # who missed no day (it came last both ways, below 2 of 30 with "most often first").
    order = ["other@example.com", "four@example.com", "pat@example.com", "new@example.com", "keen@example.com"]
    assert panel_order((await panel.get("/clinician?sort=adherence&dir=asc")).text) == order
    assert panel_order((await panel.get("/clinician?sort=adherence&dir=desc")).text) == order[::-1]
    assert "Sorted by Check-ins, least often first" in (await panel.get("/clinician?sort=adherence")).text


async def test_flagged_patients_come_first_by_default(panel):
    assert panel_order((await panel.get("/clinician")).text) == ["pat@example.com", "other@example.com"]


async def test_quiet_and_worsening_patients_rise_above_those_doing_well(panel, people, database):
    """pat (thoughts) stays first; a patient silent for 9 days and one whose PHQ-9 rose 9 points
    come next, above `other`, whose higher PHQ-9 alone does not call for a look."""
    for email in ("quiet@example.com", "worse@example.com"):
        person = people(email)
        await person.sign_up()
        path, _ = await invite(person, "clinician")
        assert (await panel.post(f"{path}/accept")).status_code == 303
    today = people("x@example.com").today()
    seed_checkins(database, "quiet@example.com", [(days_back(today, n), 5, 0, "") for n in range(9, 20)])
    seed_checkins(database, "worse@example.com", [(days_back(today, n), 5, 0, "") for n in range(5)])
    seed_scale(database, "worse@example.com", days_back(today, 30), 4)
    seed_scale(database, "worse@example.com", days_back(today, 2), 13)
    html = (await panel.get("/clinician")).text
    assert panel_order(html) == ["pat@example.com", "worse@example.com", "quiet@example.com", "other@example.com"]
    assert "No check-in for 9 days" in row_of(html, "quiet@example.com")
    assert "9 days ago" in row_of(html, "quiet@example.com")
    assert "PHQ-9 up 9 points (225%) from baseline" in row_of(html, "worse@example.com")
    assert "Nothing stands out" in row_of(html, "other@example.com")


async def test_a_rise_after_improving_shows_even_while_below_baseline(panel, people, database):
    """A relapse after response: 20 at baseline, down to 5, back up to 12. Still 'down 8 points
    from baseline', so only the rise from its lowest says why to look (the panel reads the
    lowest result along with the first, the latest and the baseline)."""
    person = people("relapse@example.com")
    await person.sign_up()
    path, _ = await invite(person, "clinician")
    assert (await panel.post(f"{path}/accept")).status_code == 303
    today = person.today()
    seed_checkins(database, "relapse@example.com", [(days_back(today, n), 5, 0, "") for n in range(3)])
    for weeks_ago, total in ((6, 20), (4, 9), (3, 5), (2, 7), (0, 12)):
        seed_scale(database, "relapse@example.com", days_back(today, 7 * weeks_ago), total)
    row = row_of((await panel.get("/clinician")).text, "relapse@example.com")
    assert "down 8 points (40%) from baseline" in row
    assert f"PHQ-9 up 7 points from its lowest, 5 on {day_text(days_back(today, 21), today)}" in row


async def row_after_checking_in_on_kiritimatis_date(panel, person, database) -> str:
    """The person's panel row once they are linked to the panel's clinician and checked in on
    Kiritimati's date (UTC+14, often the clinician's tomorrow)."""
    path, _ = await invite(person, "clinician")
    assert (await panel.post(f"{path}/accept")).status_code == 303
    seed_checkins(database, person.email, [(person.today("Pacific/Kiritimati"), 5, 0, "")])
    return row_of((await panel.get("/clinician")).text, person.email)


async def test_days_since_the_last_check_in_count_in_the_patients_own_time_zone(panel, people, database):
    """Kiritimati is 14 hours ahead of UTC: its "today" is often the clinician's tomorrow."""
    far = people("far@example.com")
    await far.post("/signup", {"email": far.email, "password": "correct horse battery",
                               "timezone": "Pacific/Kiritimati"})
    far_row = await row_after_checking_in_on_kiritimatis_date(panel, far, database)
    assert "today" in far_row and "No check-in" not in far_row


async def test_a_check_in_dated_ahead_of_the_patients_new_time_zone_reads_as_today(panel, people, database):
    """Checked in on Kiritimati's date (UTC+14), then moved to Pago Pago (UTC-11), a day or two
    behind: the panel says the last check-in was today, not "-1 days ago"."""
    west = people("west@example.com")
    await west.sign_up("Pacific/Pago_Pago")
    row = await row_after_checking_in_on_kiritimatis_date(panel, west, database)
    assert "today" in row and "days ago" not in row


async def test_a_missed_session_or_one_to_call_the_clinic_about_shows_on_the_panel(panel, patient, database):
    today = patient.today()
    seed_session(database, "other@example.com", f"{days_back(today, 2).isoformat()}T15:00:00Z", "done",
                 effects={"bladder": "moderate", "nausea": "mild"})
    seed_session(database, "other@example.com", f"{days_back(today, 5).isoformat()}T15:00:00Z", "missed")
    seed_session(database, "other@example.com", f"{days_back(today, 20).isoformat()}T15:00:00Z", "missed")
    seed_session(database, "pat@example.com", f"{days_back(today, 1).isoformat()}T15:00:00Z", "done",
                 effects={"nausea": "moderate"})
    html = (await panel.get("/clinician")).text
    other = row_of(html, "other@example.com")
    assert f"Session {days_back(today, 2).strftime('%a')}" in other and "bladder pain (moderate)" in other
    assert other.count("Missed session") == 1
    assert "Session" not in row_of(html, "pat@example.com").split("</th>", 1)[1]


async def test_a_session_whose_day_passed_with_no_log_shows_on_the_panel_timeline_and_report(
        panel, patient, other_patient, database):
    """Said as the patient's own Treatment page says it: what the journal lacks, not a charge."""
    today = patient.today()
    for day in (days_back(today, 3), today, days_back(today, -2)):
        seed_session(database, "other@example.com", f"{day.isoformat()}T15:00:00Z", "planned")
    row = row_of((await panel.get("/clinician")).text, "other@example.com")
    assert f"Session {day_text(days_back(today, 3), today)} not logged yet" in row
    assert row.count("not logged yet") == 1 and "Nothing stands out" not in row
    pid = user_id(database, "other@example.com")
    timeline = (await panel.get(f"/clinician/patients/{pid}")).text
    assert timeline.split('id="sessions-title"')[1].count("Not logged yet") == 1
    # The charts agree: today's planned session is a treatment day, the unlogged one is not marked.
    charts = "Dashed lines on every chart mark 1 treatment day. 1 session is not logged yet, so its day is not marked."
    assert timeline.count(charts) == 1 and charts not in chart_of(timeline, "mood")
    for person, url in ((other_patient, "/report"), (panel, f"/clinician/patients/{pid}/report")):
        html = (await person.get(url)).text
        assert "Sessions not logged yet</dt><dd>1" in html and html.count("Not logged yet") == 1
        assert html.count(charts) == 1 and chart_of(html, "mood").count('class="chart__marker"') == 1


@pytest.mark.parametrize("sort, direction, expected", [
    ("phq9", "desc", ["other@example.com", "pat@example.com"]),
    ("phq9", "asc", ["pat@example.com", "other@example.com"]),
    ("adherence", "asc", ["other@example.com", "pat@example.com"]),
    ("patient", "asc", ["other@example.com", "pat@example.com"]),
    ("patient", "desc", ["pat@example.com", "other@example.com"]),
])
async def test_the_panel_sorts_by_a_column(panel, sort, direction, expected):
    html = (await panel.get(f"/clinician?sort={sort}&dir={direction}")).text
    assert panel_order(html) == expected
    assert re.search(r'<th scope="col" aria-sort="(ascending|descending)">', html)


async def test_sorting_with_htmx_returns_only_the_table(panel):
    html = (await panel.get("/clinician?sort=phq9&dir=asc", headers=PANEL)).text.strip()
    assert html.startswith('<div id="clinician-panel"') and "<h1" not in html
    assert panel_order(html) == ["pat@example.com", "other@example.com"]
    assert 'hx-get="/clinician?sort=phq9&amp;dir=desc"' in html


async def test_an_unlinked_clinician_sees_an_empty_panel_and_no_patient(panel, patient, people, database):
    outsider = await shared_with(patient, people("outsider@example.com"), "clinician")
    grant = database.execute("SELECT g.id FROM share_grants g JOIN users u ON u.id = g.grantee_id"
                             " WHERE u.email = 'outsider@example.com'").fetchone()[0]
    await patient.post(f"/sharing/grants/{grant}/revoke")
    html = (await outsider.get("/clinician")).text
    assert "No patients have linked to you yet" in html and "pat@example.com" not in html
    pid = user_id(database, "pat@example.com")
    assert (await outsider.get(f"/clinician/patients/{pid}")).status_code == 404


async def test_the_timeline_shows_charts_scales_sessions_and_full_checkins(panel, patient, database):
    today = patient.today()
    seed_session(database, "pat@example.com", f"{days_back(today, 6).isoformat()}T15:00:00Z", "done",
                 note="dizzy in the car", effects={"dizziness": "moderate"}, mood=(3, 6))
    pid = user_id(database, "pat@example.com")
    html = (await panel.get(f"/clinician/patients/{pid}?range=90d")).text
    for chart in ("mood", "anxiety", "sleep", "phq9", "gad7"):
        assert f"chart--{chart}" in html
    assert "slept badly" in html and "Passing thoughts of death" in html
    assert "Dizziness" in html and "dizzy in the car" in html and "<span>3 →</span> 6" in html
    assert "Baseline 20" in html and "down 12 points (60%) from baseline" in html
    assert "Your latest" not in html and "your baseline" not in html


async def test_the_timeline_range_switch_returns_the_ranges_charts_sessions_and_check_ins(panel, patient, database):
    """Not the charts alone: the sessions and check-ins below them are the range's too, and kept
    the range before ('Check-ins, the last 3 months' under 2 weeks of charts)."""
    pid = user_id(database, "pat@example.com")
    html = (await panel.get(f"/clinician/patients/{pid}?range=14d",
                            headers={"HX-Request": "true", "HX-Target": "timeline-range"})).text.strip()
    assert html.startswith('<div id="timeline-range"') and "<h1" not in html and "Download" not in html
    assert "Sessions, the last 2 weeks" in html and "Check-ins, the last 2 weeks" in html
    today = patient.today()
    assert day_text(days_back(today, 13), today) in html and day_text(days_back(today, 14), today) not in html
    assert 'hx-target="#timeline-range"' in html and "slept badly" in html


async def test_the_report_covers_a_date_range_with_adherence_and_side_effects(panel, patient, database):
    today = patient.today()
    seed_session(database, "pat@example.com", f"{days_back(today, 6).isoformat()}T15:00:00Z", "done",
                 effects={"bladder": "mild"})
    seed_session(database, "pat@example.com", f"{days_back(today, 9).isoformat()}T15:00:00Z", "missed")
    start, end = days_back(today, 13).isoformat(), today.isoformat()
    for person, url in ((patient, "/report"), (panel, f"/clinician/patients/{user_id(database, 'pat@example.com')}/report")):
        html = (await person.get(f"{url}?start={start}&end={end}")).text
        assert "Days checked in</dt><dd>14 of 14" in html
        assert "Sessions done</dt><dd>1" in html and "Sessions missed</dt><dd>1" in html
        assert "Bladder pain" in html and "at least 50% lower than the baseline" in html
        assert 'class="report__head"' in html and 'class="report__range no-print"' in html


async def test_a_clinicians_report_is_titled_with_the_patient_so_a_saved_pdf_is_named_for_them(
        panel, patient, database):
    """Print's "Save as PDF" names the file after the page's title, which was "Report 2026-05-07 to
    2026-06-05" for every patient: a clinician saving several could not tell the files apart."""
    pid = user_id(database, "pat@example.com")
    today = patient.today()
    start, end = days_back(today, 13).isoformat(), today.isoformat()
    url = f"/clinician/patients/{pid}/report?start={start}&end={end}"
    assert f"<title>pat@example.com, report {start} to {end} · Lift</title>" in (await panel.get(url)).text
    await panel.post(f"/clinician/patients/{pid}/name", {"name": "Zoe Adams (MRN 0042)"})
    assert f"<title>Zoe Adams (MRN 0042), report {start} to {end} · Lift</title>" in (await panel.get(url)).text
    own = (await patient.get(f"/report?start={start}&end={end}")).text
    assert f"<title>Report {start} to {end} · Lift</title>" in own


async def test_a_session_the_patient_added_reads_as_theirs_to_a_caregiver_and_a_clinician(patient, people, database):
    """A session added one by one is "Added by you" on the patient's pages; the caregiver's summary,
    the clinician's timeline, report and CSV said so too, as if the reader had added it."""
    carer = await shared_with(patient, people("carer@example.com"))
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    await patient.post("/treatment/plan", {"medication": "esketamine", "template": "none"})
    # One early today (the timeline's sessions end today), one ahead (a caregiver sees those).
    day, ahead = patient.today().isoformat(), (patient.today() + timedelta(days=2)).isoformat()
    for session_date, session_time in ((day, "00:30"), (ahead, "10:00")):
        response = await patient.post("/treatment/sessions", {"session_date": session_date, "session_time": session_time})
        assert response.status_code == 303
    pid = user_id(database, "pat@example.com")
    start, end = days_back(patient.today(), 13).isoformat(), day
    for person, url in ((carer, f"/caregiver/patients/{pid}"), (doctor, f"/clinician/patients/{pid}"),
                        (doctor, f"/clinician/patients/{pid}/report?start={start}&end={end}"),
                        (doctor, f"/clinician/patients/{pid}/export?kind=sessions")):
        text = (await person.get(url)).text
        assert "Added by the patient" in text and "Added by you" not in text, url
    assert "Added by you" in (await patient.get(f"/report?start={start}&end={end}")).text
    assert "Added by you" in (await patient.get("/export?kind=sessions")).text


async def test_the_report_dates_its_sessions_since_it_is_read_days_later(panel, patient, database):
    today = patient.today()
    seed_session(database, "pat@example.com", f"{days_back(today, 1).isoformat()}T15:00:00Z", "done",
                 effects={"nausea": "mild"})
    sessions = (await patient.get("/report")).text.split('id="sessions-title"')[1]
    assert "Yesterday" not in sessions
    assert f"{days_back(today, 1).day} {days_back(today, 1).strftime('%b')} {days_back(today, 1).year}" in sessions


async def test_the_clinicians_report_leads_back_to_the_patients_timeline(panel, patient, database):
    pid = user_id(database, "pat@example.com")
    html = (await panel.get(f"/clinician/patients/{pid}/report")).text
    assert f'<a class="back-link" href="/clinician/patients/{pid}">pat@<wbr>example.com</a>' in html
    assert 'class="back-link"' not in (await patient.get("/report")).text


def last_30_days(person) -> str:
    """The report's heading for the last 30 days."""
    today = person.today()
    return f"<h1>Lift report: {dated(days_back(today, 29))} to {dated(today)}</h1>"


@pytest.mark.parametrize(("query", "marked", "said"), [
    ("start=2026-05-10&end=2026-05-01", {"end": ("2026-05-01", "Enter a To date on or after the From date")},
     {"start": "2026-05-10"}),
    ("start=0001-01-01&end=0001-01-07", {"start": ("0001-01-01", "Enter a From date in the years 1900 to 2100."),
                                         "end": ("0001-01-07", "Enter a To date in the years 1900 to 2100.")}, {}),
    ("end=0001-01-01", {"end": ("0001-01-01", "Enter a To date in the years 1900 to 2100.")}, {"start": ""}),
])
async def test_a_refused_report_range_marks_each_wrong_date_and_keeps_what_was_typed(panel, patient, database, query,
                                                                                   marked, said):
    """As the CSV form does (export.parse_range): each wrong date is marked and described by
    what to fix, the dates stay as typed, the summary takes focus, 422; the report below shows
    the last 30 days. The patient's report and the clinician's alike."""
    pid = user_id(database, "pat@example.com")
    for person, url in ((patient, "/report"), (panel, f"/clinician/patients/{pid}/report")):
        response = await person.get(f"{url}?{query}")
        assert response.status_code == 422, url
        html = response.text
        assert ('role="alert" tabindex="-1" autofocus><p>Those dates didn\'t work, so the report shows the last '
                '30 days. Check the dates below.') in html, url
        for name, (value, fix) in marked.items():
            assert (f'<input id="{name}" name="{name}" type="date" value="{value}" aria-invalid="true" '
                    f'aria-describedby="{name}-error">') in html, (url, name)
            assert f'<p class="field-error" id="{name}-error">{fix}' in html, (url, name)
        for name, value in said.items():
            assert f'<input id="{name}" name="{name}" type="date" value="{value}" >' in html, (url, name)
        assert html.count('class="field-error"') == len(marked), url
        assert last_30_days(patient) in html, url


async def test_a_good_report_range_marks_nothing(patient):
    today = patient.today()
    response = await patient.get(f"/report?start={days_back(today, 6)}&end={today}")
    assert response.status_code == 200
    assert 'aria-invalid' not in response.text and 'class="field-error"' not in response.text
    assert f'value="{days_back(today, 6)}" >' in response.text


async def test_a_clinician_cannot_change_a_patients_data(panel, patient, database):
    await patient.check_in(note="mine")
    checkin = database.execute("SELECT id FROM checkins WHERE note = 'mine'").fetchone()[0]
    for url, form in (("/checkin", {"mood": "1"}), (f"/checkins/{checkin}/delete", {}),
                      ("/safety-plan", {"coping": "x"}), ("/treatment/plan", {"medication": "other"}),
                      ("/sharing/invitations", {"role": "caregiver"})):
        assert (await panel.post(url, form)).status_code == 404, url
    assert database.execute("SELECT note FROM checkins WHERE id = ?", (checkin,)).fetchone()[0] == "mine"


async def test_the_timeline_names_the_next_planned_sessions(patient, people, database):
    """The session table covers days up to today; the clinician also sees what comes next."""
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    pid = user_id(database, patient.email)
    assert "No sessions planned." in (await doctor.get(f"/clinician/patients/{pid}")).text
    soon, later = (patient.today() + timedelta(days=n) for n in (3, 10))
    seed_session(database, patient.email, f"{soon}T15:00:00Z", status="planned")
    seed_session(database, patient.email, f"{later}T15:00:00Z", status="cancelled")
    html = (await doctor.get(f"/clinician/patients/{pid}")).text
    starts = datetime.fromisoformat(f"{soon}T15:00:00+00:00").astimezone(ZoneInfo("America/New_York"))
    assert f"Next planned: {day_label(soon, patient.today())} at {starts:%H:%M}." in html
    assert day_text(later, patient.today()) not in html


def upcoming_days(html: str, heading: str) -> list[str]:
    """The "day · time" lines of a page's upcoming sessions, from its heading to the section's end."""
    section = html.split(heading, 1)[1].split("</section>", 1)[0]
    return re.findall(r'<span class="sessions__day">([^<]+)</span>', section)


async def test_todays_session_stays_upcoming_for_all_who_see_it_until_it_is_logged(patient, people, database,
                                                                                  monkeypatch):
    """At 21:00 the carer and the doctor no longer saw the 09:00 session not yet logged, which the
    patient's own Treatment page still lists as upcoming (it may be late, or moved within the day)."""
    carer = await shared_with(patient, people("carer@example.com"))
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    pid = user_id(database, patient.email)
    zone = ZoneInfo("America/New_York")
    today = patient.today()
    evening = datetime.combine(today, time(21, 0), zone).astimezone(UTC)
    real = clock.utc_now
    for module in list(sys.modules.values()):  # each imports utc_now by name: set the clock in all
        if getattr(module, "utc_now", None) is real:
            monkeypatch.setattr(module, "utc_now", lambda: evening)

    def at(day, hour: int) -> str:
        return f"{datetime.combine(day, time(hour, 0), zone).astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"

    tomorrow = today + timedelta(days=1)
    seed_session(database, patient.email, at(today, 7), note="logged")  # done: no longer ahead
    seed_session(database, patient.email, at(today, 9), status="planned")
    seed_session(database, patient.email, at(tomorrow, 10), status="planned")
    ahead = [f"{day_label(today, today)} · 09:00", f"{day_label(tomorrow, today)} · 10:00"]

    assert upcoming_days((await patient.get("/treatment")).text, "Upcoming sessions") == ahead
    assert upcoming_days((await carer.get(f"/caregiver/patients/{pid}")).text,
                         "Upcoming treatment sessions") == ahead
    timeline = (await doctor.get(f"/clinician/patients/{pid}")).text
    assert (f"Next planned: {day_label(today, today)} at 09:00; {day_label(tomorrow, today)} at 10:00."
            in timeline)


async def test_a_new_patients_timeline_and_report_chart_from_the_day_they_joined(mid_june, patient, people, database):
    """Joined 3 days ago with 2 check-ins: 10 of the 2 weeks asked for were before the account."""
    today = await joined_then_checked_in(patient, database, 3, {2: 4, 0: 6})
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    pid = user_id(database, patient.email)
    joined = days_back(today, 3)
    shading = f"The charts start on {day_text(joined, today)}, the day they joined Lift."
    timeline = (await doctor.get(f"/clinician/patients/{pid}?range=14d")).text
    partial = (await doctor.get(f"/clinician/patients/{pid}?range=14d",
                                headers={"HX-Request": "true", "HX-Target": "timeline-range"})).text
    report = (await doctor.get(f"/clinician/patients/{pid}/report?start={days_back(today, 13)}&end={today}")).text
    own_report = (await patient.get(f"/report?start={days_back(today, 13)}&end={today}")).text
    on_paper = f"in the 7 days to {dated(today)}"  # read later: not "this week", and every day with its year
    paper_shading = f"The charts start on {dated(joined)}, the day they joined Lift."
    for html, week, shade, axis in (
            (timeline, "this week", shading, f"<li>{joined.day} {joined:%b}</li><li>Today</li>"),
            (partial, "this week", shading, f"<li>{joined.day} {joined:%b}</li><li>Today</li>"),
            (report, on_paper, paper_shading, f"<li>{joined.day} {joined:%b %Y}</li><li>{today.day} {today:%b %Y}</li>"),
            (own_report, on_paper, paper_shading,
             f"<li>{joined.day} {joined:%b %Y}</li><li>{today.day} {today:%b %Y}</li>")):
        for key in ("mood", "anxiety", "sleep", "phq9", "gad7"):
            figure = chart_of(html, key)
            assert axis in figure, key
            assert "joined" not in figure, key
        assert html.count(shade) == 1  # once, above the charts
        mood = chart_of(html, "mood")
        assert f'id="chart-mood-summary">Mood averaged 5.0 {week}, their first week with Lift.' in mood
        assert mood.count('<th scope="row">') == 4 and mood.count('">No check-in</td>') == 2
        assert "total</li>" not in chart_of(html, "phq9")  # no result yet: no dot, so the legend names none
        assert "the week before" not in html and "Across " not in html
        assert "you joined" not in html.lower() and "your first week" not in html and "Your total" not in html
        assert "Each questionnaire they take adds a point." in chart_of(html, "gad7")
    # A report on a period that ended before they joined has nothing to chart, and says why.
    before = (await doctor.get(f"/clinician/patients/{pid}/report?start={days_back(today, 40)}"
                               f"&end={days_back(today, 11)}")).text
    assert f"This period ended before {dated(joined)}, the day they joined Lift." in before
    assert "No mood check-ins in this period." in before


async def test_a_report_on_a_past_period_says_an_empty_chart_had_none_and_invites_nothing(panel, patient, database):
    """Nothing can be added to a period that has ended: its empty charts said "Each check-in adds
    a point." as if the patient still could. Now only that there were none then; a report
    ending today still says what adds a point."""
    pid = user_id(database, "pat@example.com")
    today = patient.today()
    past = f"start={days_back(today, 35)}&end={days_back(today, 30)}"  # no check-in or result in it
    for person, url in ((patient, "/report"), (panel, f"/clinician/patients/{pid}/report")):
        html = (await person.get(f"{url}?{past}")).text
        assert "No mood check-ins in this period.</p>" in chart_of(html, "mood"), url
        assert "No GAD-7 results in this period.</p>" in chart_of(html, "gad7"), url
        assert "adds a point" not in html, url
        current = (await person.get(f"{url}?start={days_back(today, 2)}&end={today}")).text
        assert "Each questionnaire they take adds a point." in chart_of(current, "gad7"), url  # none in it


async def test_a_new_patients_report_is_titled_from_the_day_they_joined(patient, people, database):
    """Joined 3 days ago, a report on the last 30 days was titled from 29 days ago while its charts
    start on the day they joined: the patient's report and the clinician's are titled from that
    day, and say why; the PDF a browser saves is named the same way."""
    today = await joined_then_checked_in(patient, database, 3, {2: 4, 0: 6})
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    pid = user_id(database, patient.email)
    joined, asked = days_back(today, 3), days_back(today, 29)
    for person, url in ((patient, "/report"), (doctor, f"/clinician/patients/{pid}/report")):
        html = (await person.get(url)).text
        assert f"<h1>Lift report: {dated(joined)} to {dated(today)}</h1>" in html, url
        assert (f"<p>It starts on the day they joined Lift; the period asked for began on {dated(asked)}.</p>"
                in html), url
        assert f"eport {joined.isoformat()} to {today.isoformat()} · Lift</title>" in html, url  # Report, or ..., report
        assert f'name="start" type="date" value="{asked.isoformat()}"' in html, url  # the form keeps what was asked



async def test_a_day_filled_in_from_before_joining_starts_the_charts_on_the_timeline_and_the_report(
        patient, people, database):
    """Joined 3 days ago, then filled in 5 days ago: every chart starts on that day."""
    today = await joined_then_checked_in(patient, database, 3, {5: 4, 0: 6})
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    pid = user_id(database, patient.email)
    filled = days_back(today, 5)
    period = f"start={days_back(today, 13)}&end={today}"
    for person, url, when in ((doctor, f"/clinician/patients/{pid}?range=14d", day_text(filled, today)),
                              (doctor, f"/clinician/patients/{pid}/report?{period}", dated(filled)),
                              (patient, f"/report?{period}", dated(filled))):
        shading = f"The charts start on {when}, the day of their first entry."
        html = (await person.get(url)).text
        assert html.count(shading) == 1
        for key in ("mood", "anxiety", "sleep", "phq9", "gad7"):
            assert f"<li>{filled.day} {filled:%b}" in chart_of(html, key), key
        assert chart_of(html, "mood").count('<th scope="row">') == 6
        assert "they joined on" not in html and "your first entry" not in html


async def test_a_timeline_from_after_the_patient_joined_charts_the_whole_range(panel, database):
    pid = user_id(database, "pat@example.com")
    database.execute("UPDATE users SET created_at = '2020-01-01T00:00:00Z' WHERE email = 'pat@example.com'")
    database.commit()
    for range_key in ("14d", "90d", "all"):
        html = (await panel.get(f"/clinician/patients/{pid}?range={range_key}")).text
        assert "The charts start" not in html and "joined" not in html.lower(), range_key
        assert "all your entries" not in html


async def test_a_new_patients_report_counts_days_checked_in_from_their_first_day(patient, people, database):
    """Joined 3 days ago with 2 check-ins: "2 of 30" would read as 28 missed days."""
    joined_days_ago(database, patient.email, 3)
    today = patient.today()
    for n in (2, 0):
        await patient.check_in(local_date=days_back(today, n).isoformat())
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    since = f"since their first day with Lift, {dated(days_back(today, 3))}"
    pid = user_id(database, patient.email)
    for person, url in ((patient, "/report"), (doctor, f"/clinician/patients/{pid}/report")):
        html = (await person.get(url)).text
        assert f'Days checked in</dt><dd>2 of 4 <span class="hint">{since}</span></dd>' in html, url
        before = (await person.get(f"{url}?start={days_back(today, 40)}&end={days_back(today, 10)}")).text
        assert 'Days checked in</dt><dd>None <span class="hint">their first day with Lift' in before, url


async def test_a_young_journals_timeline_opens_on_the_shortest_range_that_shows_it_all(patient, people, database):
    """Under two weeks: 2 weeks. Under three months: All time, its own days, not three months
    mostly grey 'before they joined' with the data squeezed to the right. Older: 3 months.
    A chosen range is always kept."""
    joined_days_ago(database, patient.email, 3)
    await patient.check_in()
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    timeline = f"/clinician/patients/{user_id(database, patient.email)}"
    today = patient.today()
    assert re.search(r'id="range-14d"[^>]*aria-current="true"', (await doctor.get(timeline)).text)
    assert re.search(r'id="range-90d"[^>]*aria-current="true"', (await doctor.get(f"{timeline}?range=90d")).text)
    seed_checkins(database, patient.email, [(days_back(today, 40), 5, 0, "")])
    html = (await doctor.get(timeline)).text
    assert re.search(r'id="range-all"[^>]*aria-current="true"', html)
    assert f"Mood, all entries ({period_text(days_back(today, 40), today)}), newest first" in html
    assert re.search(r'id="range-90d"[^>]*aria-current="true"', (await doctor.get(f"{timeline}?range=90d")).text)
    assert re.search(r'id="range-14d"[^>]*aria-current="true"', (await doctor.get(f"{timeline}?range=14d")).text)
    seed_checkins(database, patient.email, [(days_back(today, 120), 5, 0, "")])
    assert re.search(r'id="range-90d"[^>]*aria-current="true"', (await doctor.get(timeline)).text)


async def test_a_report_on_a_past_period_does_not_say_it_has_no_check_ins(patient, people, database):
    """A report ending two weeks ago: its charts speak of its own days, not of this week's, which
    it does not show (it said 'No mood check-ins in the last two weeks yet' beside 3 of them)."""
    joined_days_ago(database, patient.email, 40)
    today = patient.today()
    seed_checkins(database, patient.email, [(days_back(today, n), mood, 0, "") for n, mood in
                                            ((20, 3), (18, 4), (15, 8))])
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    url = f"/clinician/patients/{user_id(database, patient.email)}/report"
    html = (await doctor.get(f"{url}?start={days_back(today, 27)}&end={days_back(today, 14)}")).text
    assert 'id="chart-mood-summary">Across this period it averaged 5.0 over 3 check-in days.' in html
    assert "in the last two weeks yet" not in html and "this week" not in html


async def test_a_report_ending_today_names_its_days_not_today_or_this_week(panel, patient, database):
    """Paper is read later: its charts said "Today" under their last day and "Mood averaged 5.0
    this week". Trends, on screen, keeps both."""
    today = patient.today()
    week = f"in the 7 days to {dated(today)}"
    pid = user_id(database, "pat@example.com")
    for person, url in ((patient, "/report"), (panel, f"/clinician/patients/{pid}/report")):
        html = (await person.get(url)).text
        mood = chart_of(html, "mood")
        first = days_back(today, 29)
        assert f"<li>{day_month(first)} {first.year}</li><li>{day_month(today)} {today.year}</li>" in mood, url
        assert "<li>Today</li>" not in html and "this week" not in html and "week before" not in html, url
        assert f'id="chart-mood-summary">Mood averaged 5.0 {week}, the same as the 7 days before.' in html, url
    trends_page = (await patient.get("/trends")).text
    assert "<li>Today</li>" in chart_of(trends_page, "mood") and "Mood averaged 5.0 this week" in trends_page


async def test_a_reports_chart_sentences_give_a_day_of_its_own_year_its_year(panel, patient, database):
    """On paper every day carries its year, but the PHQ-9 chart said "The latest PHQ-9 was 8 (mild
    range) on Thu 26 Nov" beside "Thu 26 Nov 2026" in its own table. The timeline keeps it short."""
    today = patient.today()
    latest, baseline = days_back(today, 3), days_back(today, 40)
    pid = user_id(database, "pat@example.com")
    for person, url in ((patient, "/report"), (panel, f"/clinician/patients/{pid}/report")):
        html = (await person.get(url)).text
        assert (f'id="chart-phq9-summary">The latest PHQ-9 was 8 (mild range) on {dated(latest)}: down 12 points'
                f" (60%) from the baseline of 20 on {dated(baseline)}.") in chart_of(html, "phq9"), url
        assert f"The latest GAD-7 was 11 (moderate range) on {dated(days_back(today, 4))}." in chart_of(html, "gad7")
        assert "Their total</li>" in chart_of(html, "phq9") and "Your total" not in html, url
    timeline = chart_of((await panel.get(f"/clinician/patients/{pid}")).text, "phq9")
    assert f"The latest PHQ-9 was 8 (mild range) on {day_text(latest, today)}:" in timeline


async def test_a_sessions_blood_pressure_reads_before_then_after_as_its_mood_does(panel, patient, database):
    """'128/82 / –' under 'Blood pressure' read as three numbers, or as one reading over another."""
    today = patient.today()
    seed_session(database, "pat@example.com", f"{days_back(today, 6).isoformat()}T15:00:00Z", "done",
                 note="fine", mood=(3, 6))
    pid = user_id(database, "pat@example.com")
    for url in (f"/clinician/patients/{pid}", f"/clinician/patients/{pid}/report"):
        html = (await panel.get(url)).text
        assert '<th scope="col">Blood pressure before → after</th>' in html, url
        assert '<td data-label="BP" class="before-after"><span>128/82 →</span> –</td>' in html, url
        assert "128/82 / " not in html, url


async def test_the_timeline_and_report_name_the_patients_time_zone_in_words_and_the_csv_keeps_its_name(
        panel, patient, database):
    pid = user_id(database, "pat@example.com")
    timeline = (await panel.get(f"/clinician/patients/{pid}")).text
    assert "Days and times are the patient's own (New York — America)." in timeline
    report = (await panel.get(f"/clinician/patients/{pid}/report")).text
    assert "days and times in New York — America · made" in report
    for html in (timeline, report):
        assert "America/New_York" not in html.split("<main", 1)[1]
    # A file for machines keeps the IANA name.
    assert ",America/New_York," in (await panel.get(f"/clinician/patients/{pid}/export?kind=checkins")).text


def seed_logged_sessions(database, email: str, today, days: range) -> None:
    """A logged session on each of these days back, two side effects each, the form's order not
    the alphabet's; one more that day unlogged, and a missed one logged without any effect."""
    for n in days:
        seed_session(database, email, f"{days_back(today, n).isoformat()}T15:00:00Z", "done", note=f"day {n}",
                     effects={"nausea": "mild", "dissociation": "severe"}, mood=(n % 10, 7))
        seed_session(database, email, f"{days_back(today, n).isoformat()}T20:00:00Z", "planned")
    seed_session(database, email, f"{days_back(today, days.stop).isoformat()}T15:00:00Z", "missed", note="")


def sessions_section(html: str) -> str:
    return html.split('id="sessions-title"')[1].split("<h2")[0]


async def test_the_timeline_and_report_show_each_sessions_log_as_reading_them_one_by_one_did(
        app, panel, patient, database, monkeypatch):
    """The logs are read in one query now; the pages read each session's on its own before. The
    pages must not tell the difference: every log on its own session's row, its side effects in
    the form's order, and none for a session without a log."""
    from lift.db import treatment as treatment_store

    today = patient.today()
    seed_logged_sessions(database, "pat@example.com", today, range(1, 4))
    seed_logged_sessions(database, "other@example.com", today, range(1, 3))  # in range, not pat's
    pid = user_id(database, "pat@example.com")
    pages = ((panel, f"/clinician/patients/{pid}"), (panel, f"/clinician/patients/{pid}/report"),
             (patient, "/report"))
    shown = [sessions_section((await person.get(url)).text) for person, url in pages]

    async def one_by_one(db, user_id, first, last):
        sessions = await treatment_store.sessions_between(db, user_id, first, last)
        return {s.id: await treatment_store.session_log(db, user_id, s.id) for s in sessions if s.has_log}

    # Each patient's own logs only, the same as one by one, and only in the range asked for.
    db, utc = app.state.db, ZoneInfo("UTC")
    ever = (datetime(2000, 1, 1, tzinfo=utc), datetime(2100, 1, 1, tzinfo=utc))
    for email, logged in (("pat@example.com", 4), ("other@example.com", 3)):
        uid = user_id(database, email)
        logs = await treatment_store.session_logs_between(db, uid, *ever)
        assert logs == await one_by_one(db, uid, *ever) and len(logs) == logged
    since_yesterday = datetime.combine(days_back(today, 1), datetime.min.time(), utc)
    recent = await treatment_store.session_logs_between(db, pid, since_yesterday, ever[1])
    assert [log.note for log in recent.values()] == ["day 1"]

    monkeypatch.setattr(treatment_store, "session_logs_between", one_by_one)
    assert shown == [sessions_section((await person.get(url)).text) for person, url in pages]
    for section in shown:
        assert all(f"day {n}" in section for n in (1, 2, 3)) and section.count("Not logged yet") == 3
        assert section.count("Dissociation") == 3 and section.index("Nausea") < section.index("Dissociation")


async def test_the_timeline_and_report_read_the_session_logs_in_one_query_however_many(
        panel, patient, database, monkeypatch):
    """They read each session's log and side effects in queries of their own: 2 more a session."""
    import lift.db.connection as connection

    queries = []
    real_run_reads = connection._run_reads

    def counting_run_reads(conn, batch):
        queries.extend(sql for _, sql, _ in batch)
        return real_run_reads(conn, batch)

    monkeypatch.setattr(connection, "_run_reads", counting_run_reads)
    today = patient.today()
    pid = user_id(database, "pat@example.com")
    urls = (f"/clinician/patients/{pid}", f"/clinician/patients/{pid}/report")
    counts = []
    for days in (range(1, 2), range(2, 7)):  # 1 logged session, then 6
        seed_logged_sessions(database, "pat@example.com", today, days)
        for url in urls:
            queries.clear()
            assert "day 1" in (await panel.get(url)).text
            counts.append(len(queries))
            assert sum("treatment_side_effects" in sql for sql in queries) == 1, url
    assert counts[:2] == counts[2:]
