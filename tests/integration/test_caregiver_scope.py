"""A caregiver sees only what the patient granted: never the text of a note or a thoughts
answer unless it was switched on, not in the page, not in any htmx partial, not in an export."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape

from lift.domain.crisis import THOUGHTS_LABELS
from lift.domain.education import SOURCES
from lift.domain.sharing import CAREGIVER_GUIDANCE
from lift.domain.dates import dated, day_text
from tests.integration.sharing_helpers import (
    chart_of, days_back, joined_days_ago, joined_then_checked_in, seed_checkins, seed_scale, seed_session,
    shared_with, user_id,
)

NOTE = "Argued with my sister about the lease"
SESSION_NOTE = "Felt floaty for an hour after"
THOUGHTS_TEXT = [THOUGHTS_LABELS[level] for level in (1, 2, 3)]
# Each summary route a caregiver can reach, as a full page and as every htmx partial it serves.
PARTIAL = {"HX-Request": "true", "HX-Target": "caregiver-trends"}


@pytest.fixture
async def journal(patient, database):
    """Two weeks of check-ins with notes and every level of thoughts answer, a PHQ-9, a logged
    session with a note: everything a caregiver must not see unless it is shared."""
    today = patient.today()
    seed_checkins(database, "pat@example.com",
                  [(days_back(today, n), 3 + n % 4, n % 4, f"{NOTE} ({n})") for n in range(14)])
    seed_scale(database, "pat@example.com", days_back(today, 3), 17)
    seed_session(database, "pat@example.com", f"{days_back(today, 2).isoformat()}T15:00:00Z", "done",
                 note=SESSION_NOTE, effects={"nausea": "severe"})
    seed_session(database, "pat@example.com", f"{(today + timedelta(days=3)).isoformat()}T15:00:00Z", "planned")
    return today


def pages(pid: int) -> list[tuple[str, dict]]:
    return [(f"/caregiver/patients/{pid}", {}),
            *[(f"/caregiver/patients/{pid}?range={key}", PARTIAL) for key in ("14d", "90d", "nonsense")],
            ("/caregiver", {})]


def leaked(html: str) -> list[str]:
    return [text for text in [NOTE, SESSION_NOTE, *THOUGHTS_TEXT] if text in html]


async def test_a_summary_caregiver_sees_no_note_and_no_thoughts_answer_anywhere(patient, people, journal, database):
    carer = await shared_with(patient, people("carer@example.com"))
    pid = user_id(database, "pat@example.com")
    for url, headers in pages(pid):
        response = await carer.get(url, headers=headers)
        assert response.status_code == 200, url
        assert leaked(response.text) == [], url
    assert (await carer.get(f"/caregiver/patients/{pid}/notes")).status_code == 404


async def test_a_summary_shows_bands_not_scores_and_no_sleep(patient, people, journal, database):
    carer = await shared_with(patient, people("carer@example.com"))
    html = (await carer.get(f"/caregiver/patients/{user_id(database, 'pat@example.com')}")).text
    assert "Moderately severe" in html and ">17<" not in html and "17 (" not in html
    assert "chart--mood" in html and "chart--anxiety" in html
    assert "chart--sleep" not in html and "chart--phq9" not in html
    assert "Upcoming treatment sessions" in html and "induction" in html
    assert "Nausea" not in html and SESSION_NOTE not in html


async def test_a_questionnaire_from_another_year_is_dated_with_its_year(patient, people, database):
    """A caregiver read a GAD-7 range "Sat 25 Oct" as recent when it was from the year before."""
    carer = await shared_with(patient, people("carer@example.com"))
    today = patient.today()
    seed_scale(database, "pat@example.com", days_back(today, 3), 17)
    seed_scale(database, "pat@example.com", days_back(today, 400), 9, "gad7")
    html = (await carer.get(f"/caregiver/patients/{user_id(database, 'pat@example.com')}")).text
    assert f'<span class="hint">{dated(days_back(today, 400))}</span>' in html
    assert f'<span class="hint">{day_text(days_back(today, 3), today)}</span>' in html


async def test_the_partial_is_only_the_charts(patient, people, journal, database):
    carer = await shared_with(patient, people("carer@example.com"))
    html = (await carer.get(f"/caregiver/patients/{user_id(database, 'pat@example.com')}?range=90d",
                            headers=PARTIAL)).text.strip()
    assert html.startswith('<div id="caregiver-trends" class="trends">') and "<h1" not in html
    assert "Weekly questionnaires" not in html


async def test_notes_appear_only_when_the_patient_switched_them_on(patient, people, journal, database):
    carer = await shared_with(patient, people("carer@example.com"), notes=True)
    pid = user_id(database, "pat@example.com")
    notes = await carer.get(f"/caregiver/patients/{pid}/notes")
    assert notes.status_code == 200 and f"{NOTE} (0)" in notes.text
    for url, headers in pages(pid):
        html = (await carer.get(url, headers=headers)).text
        assert not any(text in html for text in THOUGHTS_TEXT), url
    assert NOTE not in (await carer.get(f"/caregiver/patients/{pid}")).text  # the summary links to them


async def test_thoughts_answers_appear_only_when_the_patient_switched_them_on(patient, people, journal, database):
    carer = await shared_with(patient, people("carer@example.com"), thoughts=True)
    pid = user_id(database, "pat@example.com")
    html = (await carer.get(f"/caregiver/patients/{pid}")).text
    assert all(text in html for text in THOUGHTS_TEXT)
    assert "They reported thoughts of death, suicide or self-harm" in html
    assert NOTE not in html
    assert (await carer.get(f"/caregiver/patients/{pid}/notes")).status_code == 404


async def test_switching_notes_off_again_hides_them_on_the_next_request(patient, people, journal, database):
    carer = await shared_with(patient, people("carer@example.com"), notes=True)
    pid = user_id(database, "pat@example.com")
    assert (await carer.get(f"/caregiver/patients/{pid}/notes")).status_code == 200
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    await patient.post(f"/sharing/grants/{grant_id}/scope", {})
    response = await carer.get(f"/caregiver/patients/{pid}/notes")
    assert response.status_code == 404 and NOTE not in response.text


async def test_a_caregiver_has_no_export_report_or_timeline(patient, people, journal, database):
    carer = await shared_with(patient, people("carer@example.com"), notes=True, thoughts=True)
    pid = user_id(database, "pat@example.com")
    for url in (f"/clinician/patients/{pid}", f"/clinician/patients/{pid}/export?kind=checkins",
                f"/clinician/patients/{pid}/report", "/clinician/export?kind=checkins", "/export?kind=checkins",
                "/report", "/trends", "/checkins", "/account/data/archive.json?x=1"):
        response = await carer.get(url)
        if url.startswith("/account/data"):
            # Their own archive holds their account and the grants they hold: no journal at all.
            assert response.status_code == 200 and NOTE not in response.text
            continue
        assert response.status_code == 404, url
        assert NOTE not in response.text


async def test_a_caregiver_who_edits_the_url_to_another_patient_gets_404(patient, other_patient, people, journal,
                                                                       database):
    carer = await shared_with(patient, people("carer@example.com"), notes=True, thoughts=True)
    other = user_id(database, "other@example.com")
    for url in (f"/caregiver/patients/{other}", f"/caregiver/patients/{other}/notes",
                f"/caregiver/patients/{other}?range=14d", "/caregiver/patients/99999"):
        response = await carer.get(url)
        assert response.status_code == 404 and "other@example.com" not in response.text, url


async def test_the_caregivers_get_help_panel_says_nobody_is_alerted_and_speaks_to_them(patient, people, database):
    caregiver = await shared_with(patient, people("carer@example.com"))
    html = (await caregiver.get(f"/caregiver/patients/{user_id(database, 'pat@example.com')}")).text
    panel = html[html.index('id="crisis"'):]
    assert "nobody, not even their clinic, is alerted by what they enter" in panel
    assert "your answers" not in panel


async def test_the_caregivers_get_help_panel_comes_before_the_way_to_stop_seeing_the_journal(
        patient, people, database):
    """It came last, after "Your access" and its red "Stop seeing this journal" button: a worried
    reader scrolling down met the way out before what to do."""
    caregiver = await shared_with(patient, people("carer@example.com"))
    html = (await caregiver.get(f"/caregiver/patients/{user_id(database, 'pat@example.com')}")).text
    assert html.index('id="crisis"') < html.index('id="end-access-title"')


async def test_supporting_them_names_each_source_once_and_keeps_every_piece(patient, people, database):
    """The same article's title followed three pieces in turn, long on a phone."""
    caregiver = await shared_with(patient, people("carer@example.com"))
    html = (await caregiver.get(f"/caregiver/patients/{user_id(database, 'pat@example.com')}")).text
    section = html.split('id="guidance-title"', 1)[1].split("</section>", 1)[0]
    for title in SOURCES.values():
        assert section.count(str(escape(title))) == 1, title
    assert section.count("Source") == 2
    for item in CAREGIVER_GUIDANCE:
        assert f"<h3>{item.heading}</h3>" in section


async def test_the_summary_says_what_the_patient_keeps_back_from_the_caregiver(patient, people, database):
    """Only the invitation said what a caregiver would not see. On the summary, a caregiver who is
    not shown thoughts answers saw no flag and nothing saying none could come."""
    pid = user_id(database, "pat@example.com")
    carer = await shared_with(patient, people("carer@example.com"))
    html = (await carer.get(f"/caregiver/patients/{pid}")).text
    assert ("Not shared with you: sleep, scores, session logs and side effects, their safety plan; their check-in"
            " notes; their answers about thoughts of death or suicide.") in html
    told = await shared_with(patient, people("told@example.com"), notes=True, thoughts=True)
    html = (await told.get(f"/caregiver/patients/{pid}")).text
    assert "Not shared with you: sleep, scores, session logs and side effects, their safety plan.</p>" in html


async def test_a_new_patients_check_ins_are_counted_over_their_days_so_far(patient, people, journal, database):
    """Two weeks in, "14 of the last 30 days" would read as 16 missed days."""
    carer = await shared_with(patient, people("carer@example.com"))
    summary = f"/caregiver/patients/{user_id(database, patient.email)}"
    assert "Checked in on 14 of their first 14 days." in (await carer.get(summary)).text
    database.execute("UPDATE users SET created_at = '2020-01-01T00:00:00Z' WHERE email = ?", (patient.email,))
    database.commit()
    assert "Checked in on 14 of the last 30 days." in (await carer.get(summary)).text


async def new_patient_with_2_check_ins(patient, database):
    """Joined 3 days ago, checked in 2 days ago and today: a caregiver's 2 weeks start 10 days
    before the account."""
    return await joined_then_checked_in(patient, database, 3, {2: 4, 0: 6}) - timedelta(days=3)


async def test_a_new_patients_summary_charts_from_the_day_they_joined_not_days_before_as_missed(mid_june, patient,
                                                                                                 people, database):
    joined = await new_patient_with_2_check_ins(patient, database)
    carer = await shared_with(patient, people("carer@example.com"))
    pid = user_id(database, patient.email)
    start = f"The charts start on {joined:%a} {joined.day} {joined:%b}, the day they joined Lift."
    for url, headers in ((f"/caregiver/patients/{pid}", {}), (f"/caregiver/patients/{pid}?range=14d", PARTIAL)):
        html = (await carer.get(url, headers=headers)).text
        assert html.count(start) == 1  # once, above the charts
        mood = chart_of(html, "mood")
        assert f"<li>{joined.day} {joined:%b}</li><li>Today</li>" in mood
        assert 'id="chart-mood-summary">Mood averaged 5.0 this week, their first week with Lift.</p>' in mood
        # The day they joined and the day after had no check-in: those stay "No check-in".
        assert mood.count('<th scope="row">') == 4 and mood.count('">No check-in</td>') == 2
        assert f"<li>{joined.day} {joined:%b}</li><li>Today</li>" in chart_of(html, "anxiety")
        assert "the week before" not in html and "Across the last 2 weeks" not in html
        assert "you joined" not in html.lower() and "your first week" not in html
    html = (await carer.get(f"/caregiver/patients/{pid}")).text
    # The week strip: the 3 days before joining are blank, the day after it without a check-in is missed.
    assert html.count("was before they joined</span>") == 3 and html.count(">no check-in on ") == 2
    assert "Blank days are from before they joined Lift: nothing is missing there." in html
    assert "Checked in on 2 of their first 4 days." in html


async def test_a_day_filled_in_from_before_joining_starts_the_caregivers_charts(mid_june, patient, people, database):
    today = await joined_then_checked_in(patient, database, 3, {5: 4, 0: 6})
    carer = await shared_with(patient, people("carer@example.com"))
    pid = user_id(database, patient.email)
    filled = days_back(today, 5)
    start = f"The charts start on {filled:%a} {filled.day} {filled:%b}, the day of their first entry."
    for url, headers in ((f"/caregiver/patients/{pid}", {}), (f"/caregiver/patients/{pid}?range=14d", PARTIAL)):
        html = (await carer.get(url, headers=headers)).text
        assert html.count(start) == 1
        for key in ("mood", "anxiety"):
            assert f"<li>{filled.day} {filled:%b}</li><li>Today</li>" in chart_of(html, key), key
        assert chart_of(html, "mood").count('<th scope="row">') == 6
        assert "they joined on" not in html and "you" not in chart_of(html, "mood").lower()
    # The week strip agrees with the charts: only the day before the filled-in one is blank; the
    # day between it and the join date is missed, as the charts show it.
    html = (await carer.get(f"/caregiver/patients/{pid}")).text
    assert html.count("was before they joined</span>") == 1 and html.count(">no check-in on ") == 4


async def test_a_caregiver_learns_no_join_date_when_the_patient_joined_before_what_they_see(patient, people,
                                                                                           database):
    """The join date is shown only where it explains an empty stretch of the days shown."""
    joined_days_ago(database, patient.email, 200)
    await patient.check_in()
    carer = await shared_with(patient, people("carer@example.com"))
    pid = user_id(database, patient.email)
    for url, headers in pages(pid):
        html = (await carer.get(url, headers=headers)).text
        assert "joined" not in html.lower() and "The charts start" not in html and "week__value--before" not in html, url
