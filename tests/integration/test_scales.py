"""Weekly PHQ-9 and GAD-7 over HTTP: scoring, storage by item ID, the item-9 crisis path,
baseline, response and remission, the home card, and who may see a result."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from lift.domain.scales import ATTRIBUTION, DIFFICULTY_LABELS, DIFFICULTY_QUESTION, GAD7, PHQ9
from lift.domain.dates import day_text
from tests.integration.sharing_helpers import row_of, shared_with, user_id
from tests.integration.test_crisis_path import shown
from tests.integration.test_export import read

CRISIS_MARK = 'aria-labelledby="crisis-title"'


@pytest.mark.parametrize(("path", "name"), [
    ("/scales", "<h1>Weekly questionnaires</h1>"),
    ("/account", '<a href="/scales">Weekly questionnaires (PHQ-9 and GAD-7)</a>'),
    ("/reminders", "<legend>Weekly questionnaires (PHQ-9 and GAD-7)</legend>"),
])
async def test_the_weekly_questionnaires_have_one_name_wherever_a_patient_meets_them(patient, path, name):
    html = (await patient.get(path)).text
    assert name in html
    assert "weekly questions" not in html.lower() and "Scales: weekly" not in html


def answers(instrument, value: int = 1, **overrides) -> dict[str, str]:
    form = {item_id: str(value) for item_id in instrument.item_ids}
    form.update({k: str(v) for k, v in overrides.items()})
    return form


async def send(patient, instrument, form: dict):
    """A questionnaire sent from its page, landing where the patient lands."""
    return await patient.post(f"/scales/{instrument.key}", form, follow_redirects=True)


def has_crisis_region(html: str) -> bool:
    html = shown(html)
    return CRISIS_MARK in html and '<h1 id="crisis-title"' in html and "Get help now" in html


def first_in_main(html: str) -> str:
    """The first element inside <main>: what a patient and a screen reader meet first."""
    return html.split('<main id="main" tabindex="-1">', 1)[1].lstrip()[:60]


def result_id(database, email: str = "pat@example.com") -> int:
    return database.execute(
        "SELECT r.id FROM scale_results r JOIN users u ON u.id = r.user_id WHERE u.email = ?"
        " ORDER BY r.id DESC LIMIT 1", (email,),
    ).fetchone()[0]


def insert_result(database, email: str, instrument: str, day, total: int, band: str, baseline: bool = False) -> int:
    user_id = database.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]
    cursor = database.execute(
        "INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band, is_baseline)"
        " VALUES (?, ?, ?, '2026-01-01T00:00:00Z', ?, ?, ?)",
        (user_id, instrument, day.isoformat(), total, band, int(baseline)),
    )
    database.commit()
    return cursor.lastrowid


# --- Taking each questionnaire ---------------------------------------------------------------


async def test_it_shows_the_phq9_item_by_item_with_the_published_answers_and_attribution(patient):
    html = (await patient.get("/scales/phq9")).text
    assert "Over the last 2 weeks, how often have you been bothered by any of the following problems?" in html
    for item in PHQ9.items:
        assert f'name="{item.id}"' in html
    for label in ("Not at all", "Several days", "More than half the days", "Nearly every day"):
        assert html.count(f">{label}</label>") == 9
    assert "how difficult have these problems made it for you" in html
    assert ATTRIBUTION in html


async def test_it_ends_the_gad7_with_the_published_optional_difficulty_question(patient):
    html = (await patient.get("/scales/gad7")).text
    assert "Over the last 2 weeks, how often have you been bothered by the following problems?" in html
    for label in ("Not at all", "Several days", "More than half the days", "Nearly every day"):
        assert html.count(f">{label}</label>") == 7
    assert f"<legend>{DIFFICULTY_QUESTION} <span class=\"hint\">optional</span></legend>" in html
    for value, label in enumerate(DIFFICULTY_LABELS):
        assert f'id="difficulty-{value}" name="difficulty" value="{value}"' in html
        assert f">{label}</label>" in html
    assert ATTRIBUTION in html


async def test_it_scores_and_stores_a_phq9_by_item_id(patient, database):
    response = await patient.post("/scales/phq9", answers(PHQ9, 1, phq9_1=3, phq9_2=3, difficulty=2))
    assert response.status_code == 200
    assert "PHQ-9 saved" in response.text
    assert '<strong class="score__total">13</strong> out of 27' in response.text
    assert "Moderate range (10–14)" in response.text
    assert "not a diagnosis" in response.text and "clinician" in response.text
    row = database.execute("SELECT id, instrument, total, band, difficulty FROM scale_results").fetchone()
    assert tuple(row)[1:] == ("phq9", 13, "moderate", 2)
    stored = dict(database.execute(
        "SELECT item_id, answer FROM scale_answers WHERE result_id = ?", (row["id"],)).fetchall())
    assert stored == {**{f"phq9_{n}": 1 for n in range(3, 10)}, "phq9_1": 3, "phq9_2": 3}


async def test_it_scores_and_stores_a_gad7(patient, database):
    response = await send(patient, GAD7, answers(GAD7, 3))
    assert response.status_code == 200
    assert '<strong class="score__total">21</strong> out of 21' in response.text
    assert "Severe range (15–21)" in response.text
    row = database.execute("SELECT instrument, total, band, difficulty FROM scale_results").fetchone()
    assert tuple(row) == ("gad7", 21, "severe", None)
    assert database.execute("SELECT count(*) FROM scale_answers WHERE item_id LIKE 'gad7_%'").fetchone()[0] == 7


async def test_it_stores_a_gad7_difficulty_answer_outside_the_total_and_shows_it_with_the_answers(
        patient, database):
    response = await send(patient, GAD7, answers(GAD7, 1, gad7_1=3, difficulty=3))
    assert '<strong class="score__total">9</strong> out of 21' in response.text
    assert "Mild range (5–9)" in response.text
    row = database.execute("SELECT instrument, total, band, difficulty FROM scale_results").fetchone()
    assert tuple(row) == ("gad7", 9, "mild", 3)
    html = (await patient.get(f"/scales/results/{result_id(database)}")).text
    assert f'<span class="hint">{DIFFICULTY_QUESTION}</span><br><strong>Extremely difficult</strong>' in html


async def test_it_files_the_result_under_the_patients_local_date(people, database):
    person = people("tokyo@example.com")
    await person.sign_up(timezone="Asia/Tokyo")
    await person.post("/scales/gad7", answers(GAD7, 0))
    stored = database.execute("SELECT local_date FROM scale_results").fetchone()[0]
    assert stored == person.today("Asia/Tokyo").isoformat()


async def test_it_keeps_answers_and_names_each_missing_one(patient, database):
    form = answers(PHQ9, 2)
    del form["phq9_4"]
    form["phq9_6"] = "7"
    response = await patient.post("/scales/phq9", form)
    assert response.status_code == 422
    assert "Choose one answer for question 4." in response.text
    assert "Choose one answer for question 6." in response.text
    # The summary says which, and takes the patient there: the form is several screens long on a
    # phone, and it said only "the 2 highlighted questions".
    assert ('Please answer <a href="#phq9_4-question">question 4</a> and '
            '<a href="#phq9_6-question">question 6</a>.') in response.text
    assert '<fieldset class="field choices scale-item" id="phq9_4-question"' in response.text
    assert 'id="phq9_1-2" name="phq9_1" value="2" checked' in response.text
    assert 'id="phq9_4-2" name="phq9_4" value="2" checked' not in response.text
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 0


@pytest.mark.parametrize("instrument", [PHQ9, GAD7], ids=["phq9", "gad7"])
async def test_it_refuses_an_out_of_range_difficulty_and_saves_nothing(patient, database, instrument):
    response = await patient.post(f"/scales/{instrument.key}", answers(instrument, 2, difficulty=9))
    assert response.status_code == 422
    assert "Choose one of the four answers, or leave this question blank." in response.text
    assert 'aria-invalid="true" aria-describedby="difficulty-error"' in response.text
    first = instrument.item_ids[0]
    assert f'id="{first}-2" name="{first}" value="2" checked' in response.text
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 0


async def test_it_answers_404_for_an_unknown_questionnaire(patient):
    assert (await patient.get("/scales/phq10")).status_code == 404
    assert (await patient.post("/scales/beck", {"q1": "1"})).status_code == 404


async def test_it_asks_a_signed_out_visitor_to_sign_in(stranger, database):
    response = await stranger.get("/scales/phq9")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    # A signed-out answer may have reported thoughts of self-harm: the page shows help.
    response = await stranger.post("/scales/phq9", answers(PHQ9, 1, phq9_9=2))
    assert response.status_code == 401
    assert 'href="tel:988"' in response.text
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 0


# --- PHQ-9 item 9: Get help now, first, whatever the total -----------------------------------


@pytest.mark.parametrize("item9", [1, 2, 3])
async def test_it_shows_get_help_now_first_for_item_9_above_zero(patient, item9):
    response = await patient.post("/scales/phq9", answers(PHQ9, 0, phq9_9=item9))
    assert response.status_code == 200
    assert has_crisis_region(response.text)
    assert first_in_main(response.text).startswith('<section class="crisis')
    assert response.text.index(CRISIS_MARK) < response.text.index('id="result-title"')
    # A total of 1 to 3 is minimal, and the panel still shows; the result says item 9 counts
    # more than the total, before the words about the range.
    assert "Minimal range" in response.text
    assert response.text.index("question 9 matters more than the total") < response.text.index("few depression")
    assert 'href="tel:988"' in response.text and "not monitored in real time" in response.text


async def test_the_phq9_page_holds_get_help_now_for_each_item_9_answer_with_the_patients_plan(patient):
    """For when the answer never comes back: offline.js shows one of these at once."""
    await patient.post("/safety-plan", {"coping": "Walk the dog", "care_team_phone": "312 555 0142"})
    html = (await patient.get("/scales/phq9")).text
    assert not has_crisis_region(html)
    assert 'data-crisis-field="phq9_9"' in html
    templates = re.findall(r'<template data-offline-crisis="(\d)">(.*?)</template>', html, flags=re.S)
    assert [level for level, _ in templates] == ["1", "2", "3"]
    for _, panel in templates:
        assert "better off dead, or of hurting yourself" in panel and 'href="tel:988"' in panel
        assert "Walk the dog" in panel and 'href="tel:3125550142"' in panel
    assert 'data-crisis-field' not in (await patient.get("/scales/gad7")).text


@pytest.mark.parametrize("raw", ["3.0", "2e0", " 1 "])
async def test_it_shows_get_help_now_for_every_spelling_of_item_9_the_form_saves(patient, database, raw):
    response = await patient.post("/scales/phq9", answers(PHQ9, 0) | {"phq9_9": raw})
    assert response.status_code == 200
    assert has_crisis_region(response.text)
    stored = database.execute("SELECT answer FROM scale_answers WHERE item_id = 'phq9_9'").fetchone()[0]
    assert stored == int(float(raw))


async def test_it_shows_no_crisis_region_for_item_9_at_zero_even_with_a_severe_total(patient):
    response = await send(patient, PHQ9, answers(PHQ9, 3, phq9_9=0))
    assert response.status_code == 200
    assert "Severe range" in response.text
    assert not has_crisis_region(response.text) and "question 9 matters" not in response.text


@pytest.mark.parametrize("item9", [1, 2, 3])
async def test_it_shows_get_help_now_even_when_every_other_answer_is_missing(patient, database, item9):
    response = await patient.post("/scales/phq9", {"phq9_9": str(item9)})
    assert response.status_code == 422
    assert has_crisis_region(response.text)
    assert first_in_main(response.text).startswith('<section class="crisis')
    assert ('<a href="#phq9_7-question">question 7</a> and <a href="#phq9_8-question">question 8</a>.'
            in response.text)
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 0


async def test_it_shows_no_crisis_region_when_item_9_is_zero_and_others_are_missing(patient):
    response = await patient.post("/scales/phq9", {"phq9_9": "0"})
    assert response.status_code == 422
    assert not has_crisis_region(response.text)


@pytest.mark.parametrize("item9", [1, 2, 3])
async def test_it_shows_get_help_now_first_in_the_htmx_fragment(patient, item9):
    token = await patient.csrf_token()
    response = await patient.http.post(
        "/scales/phq9", data=answers(PHQ9, 2, phq9_9=item9),
        headers={"HX-Request": "true", "x-csrftoken": token},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.split("</title>", 1)[1].lstrip().startswith('<section class="crisis')


async def test_it_words_item_9_at_more_than_half_the_days_urgently(patient):
    html = (await patient.post("/scales/phq9", answers(PHQ9, 0, phq9_9=2))).text
    assert "Please reach out to someone now" in html
    assert "You don&#39;t have to carry these thoughts alone" in (
        await patient.post("/scales/phq9", answers(PHQ9, 0, phq9_9=1))).text


async def test_it_shows_get_help_now_even_when_the_save_fails(patient, database):
    database.execute("CREATE TRIGGER refuse BEFORE INSERT ON scale_results BEGIN SELECT RAISE(ABORT, 'x'); END")
    database.commit()
    response = await patient.post("/scales/phq9", answers(PHQ9, 1, phq9_9=3))
    assert response.status_code == 503
    assert has_crisis_region(response.text)
    assert "were not saved" in response.text


async def test_it_never_raises_the_crisis_region_from_a_gad7(patient):
    response = await send(patient, GAD7, answers(GAD7, 3) | {"phq9_9": "3"})
    assert response.status_code == 200 and "GAD-7 saved" in response.text
    assert not has_crisis_region(response.text)


# --- Baseline, response and remission ----------------------------------------------------------


async def test_it_treats_the_first_phq9_as_baseline_and_shows_the_change(patient):
    first = await patient.post("/scales/phq9", answers(PHQ9, 2))
    assert "Your next PHQ-9 will show the change from your baseline." in first.text
    second = await patient.post("/scales/phq9", answers(PHQ9, 1))
    assert "Baseline: <strong>18</strong>" in second.text
    assert "down 9 points (50%) from your baseline" in second.text
    assert "Response</dt>" in second.text and "First reached on" in second.text
    assert "Your latest score is still half your baseline or less." in second.text


async def test_the_list_of_results_marks_a_phq9_whose_question_9_was_above_0_as_history_marks_thoughts(
        patient, database):
    await send(patient, PHQ9, answers(PHQ9, 1, phq9_9=0))
    await send(patient, PHQ9, answers(PHQ9, 1, phq9_9=1))
    await send(patient, GAD7, answers(GAD7, 3))
    items = re.findall(r'<a class="history__item" href="/scales/results/(\d+)">(.*?)</a>',
                       (await patient.get("/scales")).text, flags=re.S)
    marked = [values for _, values in items if "<strong>thoughts reported</strong>" in values]
    assert len(items) == 3 and len(marked) == 1 and "PHQ-9 9 of 27" in marked[0]


async def test_a_year_of_results_is_listed_a_page_at_a_time_newest_first(patient, database):
    # A year of weekly PHQ-9s and GAD-7s: 104 results, 20 to a page.
    start = patient.today() - timedelta(weeks=51)
    ids = [insert_result(database, "pat@example.com", key, start + timedelta(weeks=week), week % 20, "minimal")
           for week in range(52) for key in ("phq9", "gad7")]
    newest_first = ids[::-1]  # inserted oldest first; on one day the later result first

    def listed(page_html: str) -> list[int]:
        return [int(i) for i in re.findall(r'<a class="history__item" href="/scales/results/(\d+)">', page_html)]

    pages = [(await patient.get(f"/scales?page={n}")).text for n in range(1, 7)]
    assert [listed(html) for html in pages] == [newest_first[i:i + 20] for i in range(0, 104, 20)]
    assert "Page 1 of 6" in pages[0] and 'href="/scales?page=2#results-title" rel="next">Older</a>' in pages[0]
    assert 'href="/scales?page=2#results-title" rel="prev">Newer</a>' in pages[2]
    assert 'rel="next"' not in pages[5] and '<nav class="pager" aria-label="Result pages">' in pages[5]
    # The rest of the page is the same on every page: progress reads every result, not the page's.
    baseline = f"Baseline: <strong>0</strong> on {day_text(start, patient.today())}, your first PHQ-9."
    assert all("Take the PHQ-9" in html and baseline in html for html in pages)
    beyond = await patient.get("/scales?page=99")
    assert beyond.status_code == 303 and beyond.headers["location"] == "/scales?page=6"
    beyond = await patient.get("/scales?page=99&done=phq9", follow_redirects=True)
    assert str(beyond.url).endswith("/scales?page=6&done=phq9") and listed(beyond.text) == newest_first[100:]
    assert (await patient.get("/scales?page=0")).headers["location"] == "/scales?page=1"
    # A page that is no number was a 400: it is the first page, at its own address.
    for asked in ("abc", "", "1.5", "2x"):
        response = await patient.get(f"/scales?page={asked}&done=phq9")
        assert response.status_code == 303 and response.headers["location"] == "/scales?page=1&done=phq9"


async def test_a_few_results_have_no_pager(patient, database):
    insert_result(database, "pat@example.com", "phq9", patient.today(), 3, "minimal")
    html = (await patient.get("/scales")).text
    assert html.count('class="history__item"') == 1 and 'class="pager"' not in html


async def test_it_labels_response_and_remission_with_the_dates_first_reached(patient, database):
    today = patient.today()
    dates = [today - timedelta(days=d) for d in (28, 21, 14, 7)]
    for day, total, band in zip(dates, (20, 12, 9, 4), ("severe", "moderate", "mild", "minimal")):
        insert_result(database, "pat@example.com", "phq9", day, total, band)
    html = (await patient.get("/scales")).text
    response_on, remission_on = dates[2], dates[3]
    assert f"First reached on {day_text(response_on, today)}, with a score of 9." in html
    assert f"First reached on {day_text(remission_on, today)}, with a score of 4." in html
    assert "Response means a PHQ-9 score at least 50% lower than your baseline" in html
    assert "remission means a PHQ-9 score below 5" in html
    assert "They are not a diagnosis" in html


async def test_it_explains_that_a_baseline_of_zero_cannot_show_a_response(patient, database):
    insert_result(database, "pat@example.com", "phq9", patient.today() - timedelta(days=7), 0, "minimal")
    insert_result(database, "pat@example.com", "phq9", patient.today(), 0, "minimal")
    html = (await patient.get("/scales")).text
    assert "Not measured: your baseline was 0" in html
    assert "Not measured: your baseline of 0 was already below 5." in html


async def test_it_lets_the_patient_mark_a_later_phq9_as_baseline(patient, database):
    today = patient.today()
    insert_result(database, "pat@example.com", "phq9", today - timedelta(days=14), 6, "mild")
    chosen = insert_result(database, "pat@example.com", "phq9", today - timedelta(days=7), 22, "severe")
    insert_result(database, "pat@example.com", "phq9", today, 11, "moderate")
    response = await patient.post(f"/scales/results/{chosen}/baseline")
    assert response.status_code == 303 and response.headers["location"] == "/scales?done=baseline"
    html = (await patient.get("/scales?done=baseline")).text
    assert "Your baseline is changed" in html
    assert "Baseline: <strong>22</strong>" in html and "chosen by you" in html
    assert "down 11 points (50%) from your baseline" in html
    baselines = database.execute("SELECT id FROM scale_results WHERE is_baseline = 1").fetchall()
    assert [row[0] for row in baselines] == [chosen]


async def test_it_keeps_one_baseline_when_a_new_result_is_marked_at_once(patient, database):
    await patient.post("/scales/phq9", answers(PHQ9, 2) | {"baseline": "true"})
    await patient.post("/scales/phq9", answers(PHQ9, 1) | {"baseline": "true"})
    marked = database.execute("SELECT total FROM scale_results WHERE is_baseline = 1").fetchall()
    assert [row[0] for row in marked] == [9]


# --- One result, and who may see it ------------------------------------------------------------


async def test_it_shows_a_result_with_each_answer(patient, database):
    await patient.post("/scales/gad7", answers(GAD7, 2, gad7_3=0))
    html = (await patient.get(f"/scales/results/{result_id(database)}")).text
    assert "Worrying too much about different things" in html
    assert "Not at all (0)" in html and html.count("More than half the days (2)") == 6
    assert ATTRIBUTION in html


async def test_a_past_phq9_with_question_9_above_0_says_so_and_points_to_help(patient, database):
    await patient.post("/scales/phq9", answers(PHQ9, 0, phq9_9=1))
    html = (await patient.get(f"/scales/results/{result_id(database)}")).text
    note = html.split('<div class="alert" role="note">', 1)[1].split("</div>", 1)[0]
    assert "question 9" in note and "<strong>“Several days”</strong>" in note
    assert "That matters more than the total." in note and '<a href="/help">Get help now</a>' in note


async def test_a_result_without_question_9_above_0_has_no_note(patient, database):
    await patient.post("/scales/phq9", answers(PHQ9, 2, phq9_9=0))
    await patient.post("/scales/gad7", answers(GAD7, 3))
    for row in database.execute("SELECT id FROM scale_results").fetchall():
        html = (await patient.get(f"/scales/results/{row[0]}")).text
        assert "Your answers" in html and 'role="note"' not in html and "question 9" not in html


async def test_it_answers_404_to_another_patient_for_every_result_route(patient, other_patient, database):
    await patient.post("/scales/phq9", answers(PHQ9, 2) | {"client_uuid": str(uuid.uuid4())})
    mine = result_id(database)
    assert (await other_patient.get(f"/scales/results/{mine}")).status_code == 404
    assert (await other_patient.get(f"/scales/results/{mine}?saved=1")).status_code == 404
    assert (await other_patient.get(f"/scales/results/{mine}/change")).status_code == 404
    assert (await other_patient.post(f"/scales/results/{mine}/baseline")).status_code == 404
    assert (await other_patient.post(f"/scales/results/{mine}/delete")).status_code == 404
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 1
    other_html = (await other_patient.get("/scales")).text
    assert f"/scales/results/{mine}" not in other_html
    assert (await patient.get(f"/scales/results/{mine}")).status_code == 200
    assert (await patient.get(f"/scales/results/{mine}/change")).status_code == 200


async def test_it_deletes_a_result_and_its_answers(patient, database):
    await patient.post("/scales/phq9", answers(PHQ9, 1))
    response = await patient.post(f"/scales/results/{result_id(database)}/delete")
    assert response.status_code == 303 and response.headers["location"] == "/scales?done=deleted"
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM scale_answers").fetchone()[0] == 0


async def test_it_refuses_a_result_post_without_the_csrf_token(patient, database):
    await patient.post("/scales/phq9", answers(PHQ9, 1))
    response = await patient.post(f"/scales/results/{result_id(database)}/delete", csrf=False)
    assert response.status_code == 403
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 1


# --- The weekly prompt -------------------------------------------------------------------------


async def test_it_shows_the_weekly_card_on_home_until_both_are_taken(patient):
    # Named for the questionnaires: "check-in" is the daily one, which may already be done.
    home = (await patient.get("/")).text
    assert "Your weekly questionnaires are due" in home and "weekly check-in" not in home
    assert 'href="/scales/phq9"' in home and 'href="/scales/gad7"' in home
    await patient.post("/scales/phq9", answers(PHQ9, 1))
    home = (await patient.get("/")).text
    assert "Your weekly GAD-7 is due" in home
    assert 'href="/scales/phq9"' not in home and 'href="/scales/gad7"' in home
    await patient.post("/scales/gad7", answers(GAD7, 1))
    assert 'id="scales-due-title"' not in (await patient.get("/")).text


async def test_it_prompts_again_a_week_after_the_last_one(patient, database):
    week_ago = patient.today() - timedelta(days=7)
    insert_result(database, "pat@example.com", "phq9", week_ago, 5, "mild")
    insert_result(database, "pat@example.com", "gad7", week_ago + timedelta(days=1), 5, "mild")
    home = (await patient.get("/")).text
    assert 'href="/scales/phq9"' in home and 'href="/scales/gad7"' not in home


def scale_card(html: str, name: str) -> str:
    """The questionnaire's card at the top of /scales."""
    return html.split(f"<h2>{name}", 1)[1].split("</li>", 1)[0]


async def test_it_says_when_a_questionnaire_that_is_not_due_will_be_due(patient, database):
    taken = patient.today() - timedelta(days=2)
    insert_result(database, "pat@example.com", "phq9", taken, 5, "mild")
    html = (await patient.get("/scales")).text
    assert (f"Last taken: {day_text(taken, patient.today())}. "
            f"Next one due: {day_text(taken + timedelta(days=7), patient.today())}.") in scale_card(html, "PHQ-9")
    assert "Due now: you haven't taken one yet." in scale_card(html, "GAD-7")


async def test_it_names_recent_days_as_the_other_pages_do(patient, database):
    # It said "Last taken on Sun 29 Nov" on that very day, where check-ins and sessions say
    # "Today, Sun 29 Nov".
    today = patient.today()
    insert_result(database, "pat@example.com", "phq9", today - timedelta(days=1), 5, "mild")
    insert_result(database, "pat@example.com", "phq9", today, 5, "mild")
    insert_result(database, "pat@example.com", "gad7", today - timedelta(days=6), 5, "mild")
    html = (await patient.get("/scales")).text
    assert (f"Last taken: Today, {day_text(today, today)}. "
            f"Next one due: {day_text(today + timedelta(days=7), today)}.") in scale_card(html, "PHQ-9")
    assert (f"Last taken: {day_text(today - timedelta(days=6), today)}. "
            f"Next one due: Tomorrow, {day_text(today + timedelta(days=1), today)}.") in scale_card(html, "GAD-7")
    results = html.split('id="results-title"', 1)[1]
    assert f'<span class="history__day">Today, {day_text(today, today)}</span>' in results
    assert f'<span class="history__day">Yesterday, {day_text(today - timedelta(days=1), today)}</span>' in results


async def test_it_says_when_a_questionnaire_that_is_due_was_last_taken(patient, database):
    taken = patient.today() - timedelta(days=9)
    insert_result(database, "pat@example.com", "gad7", taken, 5, "mild")
    html = (await patient.get("/scales")).text
    assert f"Due now: last taken on {day_text(taken, patient.today())}, a week or more ago." in scale_card(html, "GAD-7")


async def test_it_links_scales_from_the_journal_list(patient):
    html = (await patient.get("/account")).text
    journal = html.split('id="journal-title"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/scales">Weekly questionnaires (PHQ-9 and GAD-7)</a>' in journal


# --- A form sent twice is stored once --------------------------------------------------------


def form_key(html: str) -> str:
    return re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', html).group(1)


async def test_a_questionnaire_sent_again_after_its_answer_was_lost_is_stored_once(patient, database):
    key = form_key((await patient.get("/scales/phq9")).text)
    form = answers(PHQ9, 1, phq9_9=2) | {"client_uuid": key, "baseline": "true"}
    first = await patient.post("/scales/phq9", form)
    again = await patient.post("/scales/phq9", form)
    assert first.status_code == again.status_code == 200
    assert "PHQ-9 saved" in again.text and has_crisis_region(again.text)
    rows = database.execute("SELECT id, total, is_baseline FROM scale_results").fetchall()
    assert [tuple(r) for r in rows] == [(rows[0]["id"], 10, 1)]
    assert database.execute("SELECT count(*) FROM scale_answers").fetchone()[0] == 9


async def test_each_form_shown_gets_its_own_key_and_a_form_sent_back_keeps_it(patient, database):
    first, second = [form_key((await patient.get("/scales/gad7")).text) for _ in range(2)]
    assert first != second
    refused = await patient.post("/scales/gad7", {"gad7_1": "2", "client_uuid": first})
    assert refused.status_code == 422 and form_key(refused.text) == first
    for key in (first, second):
        assert (await send(patient, GAD7, answers(GAD7, 1) | {"client_uuid": key})).status_code == 200
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 2


async def test_a_key_lift_cannot_read_is_refused_and_nothing_is_stored(patient, database):
    response = await patient.post("/scales/gad7", answers(GAD7, 1) | {"client_uuid": "not-a-key"})
    assert response.status_code == 422 and "key Lift can&#39;t read" in response.text
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 0
    # The form comes back with a key that works, and the answers.
    resent = answers(GAD7, 1) | {"client_uuid": form_key(response.text)}
    assert 'id="gad7_1-1" name="gad7_1" value="1" checked' in response.text
    assert (await send(patient, GAD7, resent)).status_code == 200


# --- Answers changed and saved again replace the first result -----------------------------------


def stored(database) -> list[tuple]:
    return [tuple(r) for r in database.execute(
        "SELECT r.instrument, r.local_date, r.total, r.client_uuid, (SELECT a.answer FROM scale_answers a"
        " WHERE a.result_id = r.id AND a.item_id = 'phq9_9') FROM scale_results r ORDER BY r.id").fetchall()]


async def test_answers_changed_and_saved_again_leave_one_result_the_corrected_one(patient, people, database):
    """The first send reached Lift before the patient changed an answer and saved again (with
    JavaScript: a new key, naming the first one in `replaces`). The list, the CSVs and the
    clinician's panel hold the corrected result alone."""
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    await send(patient, PHQ9, answers(PHQ9, 1, phq9_9=0) | {"client_uuid": first})
    response = await send(patient, PHQ9, answers(PHQ9, 2, phq9_9=0) | {"client_uuid": second, "replaces": first})
    assert response.status_code == 200 and "PHQ-9 saved" in response.text
    assert stored(database) == [("phq9", patient.today().isoformat(), 16, second, 0)]
    assert database.execute("SELECT count(*) FROM scale_answers").fetchone()[0] == 9

    listed = (await patient.get("/scales")).text
    assert "PHQ-9 16 of 27" in listed and "PHQ-9 8 of 27" not in listed
    assert [r["total"] for r in read(await patient.get("/export?kind=scales"))] == ["16"]
    pid = user_id(database, patient.email)
    assert [r["total"] for r in read(await doctor.get(f"/clinician/patients/{pid}/export?kind=scales"))] == ["16"]


async def test_a_correction_replaces_every_earlier_send_of_its_form_even_one_lift_never_received(patient, database):
    """Saved three times with changes: the second send was cut off before it reached Lift, so
    the third names both earlier keys."""
    first, lost, third = (str(uuid.uuid4()) for _ in range(3))
    await send(patient, GAD7, answers(GAD7, 1) | {"client_uuid": first})
    await send(patient, GAD7, answers(GAD7, 3) | {"client_uuid": third, "replaces": f"{first} {lost}"})
    assert [row[2:4] for row in stored(database)] == [(21, third)]


async def test_a_correction_sent_twice_is_stored_once_and_deletes_nothing_more(patient, database):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    await send(patient, GAD7, answers(GAD7, 1) | {"client_uuid": first})
    correction = answers(GAD7, 2) | {"client_uuid": second, "replaces": first}
    for _ in range(2):
        assert (await send(patient, GAD7, correction)).status_code == 200
    assert [row[2:4] for row in stored(database)] == [(14, second)]


async def test_a_correction_replaces_only_this_patients_result_of_the_same_questionnaire_and_day(
        patient, other_patient, database):
    """`replaces` is checked in the write: another patient's key, a GAD-7's key on a PHQ-9, and a
    result from yesterday (a form left open past midnight) are all kept."""
    theirs, gad7, yesterday, mine = (str(uuid.uuid4()) for _ in range(4))
    await send(other_patient, PHQ9, answers(PHQ9, 1) | {"client_uuid": theirs})
    await send(patient, GAD7, answers(GAD7, 1) | {"client_uuid": gad7})
    await send(patient, PHQ9, answers(PHQ9, 1) | {"client_uuid": yesterday})
    database.execute("UPDATE scale_results SET local_date = ? WHERE client_uuid = ?",
                     ((patient.today() - timedelta(days=1)).isoformat(), yesterday))
    database.commit()
    response = await send(patient, PHQ9, answers(PHQ9, 2) | {"client_uuid": mine,
                                                           "replaces": f"{theirs} {gad7} {yesterday}"})
    assert response.status_code == 200
    assert sorted(row[3] for row in stored(database)) == sorted([theirs, gad7, yesterday, mine])


async def test_a_correction_raising_question_9_replaces_the_first_and_shows_help_for_the_new_answer(patient, database):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    calm = await send(patient, PHQ9, answers(PHQ9, 0, phq9_9=0) | {"client_uuid": first})
    assert not has_crisis_region(calm.text)
    response = await send(patient, PHQ9, answers(PHQ9, 0, phq9_9=2) | {"client_uuid": second, "replaces": first})
    assert has_crisis_region(response.text) and "Please reach out to someone now" in response.text
    assert [row[3:] for row in stored(database)] == [(second, 2)]
    assert "Your first answers are kept" not in response.text


async def test_a_correction_lowering_question_9_never_removes_the_higher_answer(patient, people, database):
    """The first answer to question 9 was met with Get help now and is what the clinician reads:
    changed answers keep it beside the correction, say so, and link to it. The new answers word
    the panel: none for a 0."""
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    await send(patient, PHQ9, answers(PHQ9, 0, phq9_9=3) | {"client_uuid": first})
    response = await send(patient, PHQ9, answers(PHQ9, 0, phq9_9=0) | {"client_uuid": second, "replaces": first})
    assert response.status_code == 200 and "PHQ-9 saved" in response.text
    assert not has_crisis_region(response.text)
    assert [row[3:] for row in stored(database)] == [(first, 3), (second, 0)]
    note = response.text.split("Your first answers are kept too", 1)[1].split("</div>", 1)[0]
    kept_id = database.execute("SELECT id FROM scale_results WHERE client_uuid = ?", (first,)).fetchone()[0]
    assert f'href="/scales/results/{kept_id}"' in note and "score of 3" in note
    assert "Thoughts reported" in row_of((await doctor.get("/clinician")).text, patient.email)


async def test_a_correction_keeping_question_9_as_high_replaces_the_first(patient, database):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    await send(patient, PHQ9, answers(PHQ9, 0, phq9_9=2) | {"client_uuid": first})
    response = await send(patient, PHQ9, answers(PHQ9, 1, phq9_9=2) | {"client_uuid": second, "replaces": first})
    assert has_crisis_region(response.text)
    assert [row[2:] for row in stored(database)] == [(10, second, 2)]


@pytest.mark.parametrize("replaces", [
    "not-a-key",
    "{k} ",  # trimmed, as every field is: still one key, so this one is taken
    "{k},{k}",
    " ".join(["{k}"] * 11),  # more keys than a form ever names
])
async def test_a_replaces_field_lift_cannot_read_is_refused_with_the_answers_kept(patient, database, replaces):
    first = str(uuid.uuid4())
    await send(patient, GAD7, answers(GAD7, 1) | {"client_uuid": first})
    form = answers(GAD7, 2) | {"client_uuid": str(uuid.uuid4()), "replaces": replaces.format(k=first)}
    response = await send(patient, GAD7, form)
    if replaces == "{k} ":
        assert response.status_code == 200 and [row[2] for row in stored(database)] == [14]
        return
    assert response.status_code == 422
    assert "couldn&#39;t tell which earlier answers these replace" in response.text
    assert 'id="gad7_1-2" name="gad7_1" value="2" checked' in response.text
    assert 'name="replaces" value=""' in response.text
    assert [row[2] for row in stored(database)] == [7]  # the first result, untouched


# --- Without JavaScript, a save goes to its result's own address (Post/Redirect/Get) ---------------


async def test_without_javascript_a_save_lands_on_its_result_so_back_and_reload_send_nothing_again(
        patient, database):
    response = await patient.post("/scales/phq9", answers(PHQ9, 2, phq9_9=0))
    assert response.status_code == 303
    assert response.headers["location"] == f"/scales/results/{result_id(database)}?saved=1"
    for _ in range(2):  # the page reloaded: nothing is sent, nothing stored
        page = await patient.get(response.headers["location"])
        assert page.status_code == 200 and "PHQ-9 saved" in page.text
        assert '<strong class="score__total">16</strong> out of 27' in page.text
        assert "Moderately severe range" in page.text and "PHQ-9 since your baseline" in page.text
        assert not has_crisis_region(page.text) and "question 9 matters" not in page.text
    assert database.execute("SELECT count(*) FROM scale_results").fetchone()[0] == 1


async def test_with_htmx_a_save_is_answered_with_its_result_at_once_under_the_results_address(patient, database):
    """The address bar and the history get the result's own address, so Back from the next page
    loads the result (htmx keeps no copy of a page), not an empty questionnaire."""
    token = await patient.csrf_token()
    response = await patient.http.post("/scales/gad7", data=answers(GAD7, 1),
                                       headers={"HX-Request": "true", "x-csrftoken": token})
    assert response.status_code == 200 and "GAD-7 saved" in response.text and "<html" not in response.text
    assert response.headers["HX-Push-Url"] == f"/scales/results/{result_id(database)}?saved=1"
    refused = await patient.http.post("/scales/gad7", data={"gad7_1": "1"},
                                      headers={"HX-Request": "true", "x-csrftoken": token})
    assert refused.status_code == 422 and refused.headers["HX-Push-Url"] == "false"  # no page of its own


async def test_the_result_a_save_lands_on_shows_get_help_now_first_when_its_stored_question_9_calls_for_it(
        patient, database):
    """Get help now for the answers sent comes in the answer to the form (no redirect). Where a
    save lands, the stored question 9 words it: here the form was sent again with its key and
    another answer, and Lift kept the first send's 3."""
    key = str(uuid.uuid4())
    first = await patient.post("/scales/phq9", answers(PHQ9, 0, phq9_9=3) | {"client_uuid": key})
    assert first.status_code == 200 and has_crisis_region(first.text)
    again = await patient.post("/scales/phq9", answers(PHQ9, 0, phq9_9=0) | {"client_uuid": key})
    assert again.status_code == 303
    page = (await patient.get(again.headers["location"])).text
    assert has_crisis_region(page) and first_in_main(page).startswith('<section class="crisis')
    assert "Please reach out to someone now" in page and "question 9 matters more than the total" in page


# --- Change answers: today's result, filled in again, replaced as a correction is -------------


CHANGE_LINK = "Change answers</a>"


def form_fields(html: str) -> dict[str, str]:
    """What the page's questionnaire form sends as it stands: its hidden fields (but the CSRF
    token, which `Person.post` adds) and its ticked choices."""
    form = html.split('<form class="scale-form"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields |= dict(re.findall(r'<input type="(?:radio|checkbox)" id="[^"]+" name="(\w+)" value="(\w+)" checked', form))
    fields.pop("_csrf_token")
    return fields


async def saved_today(patient, database, instrument, form: dict) -> tuple[int, str]:
    """A questionnaire saved from its page, with the key the page gives it: the result's ID
    and that key."""
    assert (await send(patient, instrument, {"client_uuid": str(uuid.uuid4())} | form)).status_code == 200
    row = database.execute("SELECT id, client_uuid FROM scale_results ORDER BY id DESC LIMIT 1").fetchone()
    return row["id"], row["client_uuid"]


async def change_form(patient, rid: int) -> dict[str, str]:
    page = await patient.get(f"/scales/results/{rid}/change")
    assert page.status_code == 200
    return form_fields(page.text)


async def test_a_result_taken_today_offers_change_answers_with_its_answers_filled_in(patient, database):
    form = answers(PHQ9, 1, phq9_3=3, phq9_9=0, difficulty=2, baseline="true")
    rid, key = await saved_today(patient, database, PHQ9, form)
    for page in (f"/scales/results/{rid}", f"/scales/results/{rid}?saved=1"):
        assert f'<a class="button" href="/scales/results/{rid}/change">Change answers</a>' in (
            await patient.get(page)).text
    page = (await patient.get(f"/scales/results/{rid}/change")).text
    assert '<form class="scale-form" method="post" action="/scales/phq9"' in page
    assert "You're changing the answers you saved today (a score of 10)" in page
    fields = await change_form(patient, rid)
    # The stored answers, difficulty and baseline; the result's key in `replaces`; a new key of its own.
    assert fields == {k: v for k, v in form.items()} | {"client_uuid": fields["client_uuid"], "replaces": key}
    assert fields["client_uuid"] != key


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-form", "htmx"])
async def test_changed_answers_replace_the_result_they_were_filled_in_from(patient, people, database, htmx):
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    rid, key = await saved_today(patient, database, GAD7, answers(GAD7, 1))
    fields = await change_form(patient, rid) | {"gad7_1": "3", "gad7_2": "3"}
    if htmx:
        token = await patient.csrf_token()
        response = await patient.http.post("/scales/gad7", data=fields,
                                           headers={"HX-Request": "true", "x-csrftoken": token})
        assert response.status_code == 200 and "<html" not in response.text
    else:
        response = await patient.post("/scales/gad7", fields)
        assert response.status_code == 303  # Post/Redirect/Get, as for a new save
        response = await patient.get(response.headers["location"])
    assert "GAD-7 saved" in response.text and '<strong class="score__total">11</strong> out of 21' in response.text
    assert [row[2:4] for row in stored(database)] == [(11, fields["client_uuid"])]
    listed = (await patient.get("/scales")).text
    assert "GAD-7 11 of 21" in listed and "GAD-7 7 of 21" not in listed
    pid = user_id(database, patient.email)
    assert [r["total"] for r in read(await doctor.get(f"/clinician/patients/{pid}/export?kind=scales"))] == ["11"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-form", "htmx"])
async def test_changing_answers_to_raise_question_9_shows_get_help_now_first_as_a_new_save_does(
        patient, database, htmx):
    rid, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 0, phq9_9=0))
    fields = await change_form(patient, rid) | {"phq9_9": "2"}
    headers = {"HX-Request": "true", "x-csrftoken": await patient.csrf_token()} if htmx else {}
    response = await patient.post("/scales/phq9", fields, headers=headers)
    assert response.status_code == 200  # no redirect: the panel comes in the answer to the form
    assert has_crisis_region(response.text) and "Please reach out to someone now" in response.text
    assert "question 9 matters more than the total" in response.text
    assert [row[3:] for row in stored(database)] == [(fields["client_uuid"], 2)]


async def test_changing_answers_to_lower_question_9_keeps_the_first_answers_too(patient, people, database):
    """Changing answers never removes a higher answer to question 9: the first result stays,
    the page says so and links to it, and the new answer of 0 brings no panel, as a new save's."""
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    rid, key = await saved_today(patient, database, PHQ9, answers(PHQ9, 0, phq9_9=2))
    page = (await patient.get(f"/scales/results/{rid}/change")).text
    assert "If you now give a lower answer to question 9, your first answers are kept too" in page
    fields = form_fields(page) | {"phq9_9": "0"}
    response = await patient.post("/scales/phq9", fields)
    assert response.status_code == 200 and "PHQ-9 saved" in response.text
    assert not has_crisis_region(response.text)
    note = response.text.split("Your first answers are kept too", 1)[1].split("</div>", 1)[0]
    assert f'href="/scales/results/{rid}"' in note
    assert [row[3:] for row in stored(database)] == [(key, 2), (fields["client_uuid"], 0)]
    assert "Thoughts reported" in row_of((await doctor.get("/clinician")).text, patient.email)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-form", "htmx"])
async def test_a_change_sent_back_with_a_question_unanswered_still_says_what_it_changes(patient, database, htmx):
    """The 422 kept `replaces` but lost the "You're changing…" note: it reads as a new questionnaire
    whose save would add a result, and the question 9 warning was gone. The result is found by key."""
    rid, key = await saved_today(patient, database, PHQ9, answers(PHQ9, 1, phq9_9=2))
    fields = await change_form(patient, rid)
    del fields["phq9_3"]
    headers = {"HX-Request": "true", "x-csrftoken": await patient.csrf_token()} if htmx else {}
    response = await patient.post("/scales/phq9", fields | {"phq9_9": "1"}, headers=headers)
    assert response.status_code == 422 and "Please answer" in response.text
    assert f'name="replaces" value="{key}"' in response.text
    assert "You're changing the answers you saved today (a score of 10)" in response.text
    assert "If you now give a lower answer to question 9, your first answers are kept too" in response.text
    assert f'<a href="/scales/results/{rid}">Keep my answers as they are</a>' in response.text
    # A new questionnaire sent back has no such note; nor a change of a result since deleted.
    fresh = await patient.post("/scales/phq9", answers(PHQ9, 1, phq9_3=""))
    assert fresh.status_code == 422 and "You're changing" not in fresh.text
    assert (await patient.post(f"/scales/results/{rid}/delete", {})).status_code in (302, 303)
    gone = await patient.post("/scales/phq9", fields)
    assert gone.status_code == 422 and "You're changing" not in gone.text


@pytest.mark.parametrize("htmx", [False, True], ids=["plain-form", "htmx"])
async def test_a_change_whose_save_fails_comes_back_still_saying_what_it_changes(patient, database, htmx):
    """A 503 (the database refusing the write) sent the change back as a new questionnaire: its
    answers and `replaces` were there, but not the "You're changing…" note nor its question 9 warning."""
    rid, key = await saved_today(patient, database, PHQ9, answers(PHQ9, 1, phq9_9=2))
    fields = await change_form(patient, rid) | {"phq9_1": "3", "phq9_9": "1"}
    database.execute("CREATE TRIGGER refuse BEFORE INSERT ON scale_results BEGIN SELECT RAISE(ABORT, 'x'); END")
    database.commit()
    headers = {"HX-Request": "true", "x-csrftoken": await patient.csrf_token()} if htmx else {}
    response = await patient.post("/scales/phq9", fields, headers=headers)
    assert response.status_code == 503 and "were not saved" in response.text
    assert has_crisis_region(response.text)  # question 9 at 1, as sent
    assert "You're changing the answers you saved today (a score of 10)" in response.text
    assert "If you now give a lower answer to question 9, your first answers are kept too" in response.text
    assert f'<a href="/scales/results/{rid}">Keep my answers as they are</a>' in response.text
    assert form_fields(response.text) == fields  # the answers, the form's own key and `replaces`
    assert [row[3:] for row in stored(database)] == [(key, 2)]


async def test_the_page_a_change_lowering_question_9_lands_on_still_says_the_first_is_kept_when_reloaded(
        patient, database):
    """With htmx the save's answer said the first answers were kept too, and took the address
    `?saved=1`; loaded again (reload, Back), that page no longer said so."""
    rid, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 0, phq9_9=2))
    fields = await change_form(patient, rid) | {"phq9_9": "0"}
    saved = await patient.post("/scales/phq9", fields, headers={"HX-Request": "true",
                                                                  "x-csrftoken": await patient.csrf_token()})
    assert "Your first answers are kept too" in saved.text
    url = saved.headers["HX-Push-Url"]
    page = (await patient.get(url)).text
    assert "PHQ-9 saved" in page and "Your first answers are kept too" in page
    note = page.split("Your first answers are kept too", 1)[1].split("</div>", 1)[0]
    assert f'<a href="/scales/results/{rid}">PHQ-9 with a score of 2</a>' in note
    # The first result's own page has nothing kept beside it; once deleted, nothing is said.
    assert "Your first answers are kept" not in (await patient.get(f"/scales/results/{rid}?saved=1")).text
    assert (await patient.post(f"/scales/results/{rid}/delete", {})).status_code in (302, 303)
    assert "Your first answers are kept" not in (await patient.get(url)).text


async def test_a_second_phq9_of_the_day_filled_in_anew_says_nothing_of_the_firsts_answers(patient, database):
    """Two questionnaires on one day, the second not a change of the first: its result page (where
    a save without JavaScript lands, and the address a save with htmx takes) said "Your first
    answers are kept too" because the first one's question 9 was higher."""
    first, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 1, phq9_9=2))
    headers = {"HX-Request": "true", "x-csrftoken": await patient.csrf_token()}
    for sent in ({}, headers):
        response = await patient.post("/scales/phq9", answers(PHQ9, 0) | {"client_uuid": str(uuid.uuid4())},
                                      headers=sent, follow_redirects=True)
        assert response.status_code == 200 and "PHQ-9 saved" in response.text
        assert "Your first answers are kept" not in response.text
        page = (await patient.get(f"/scales/results/{result_id(database)}?saved=1")).text
        assert "PHQ-9 saved" in page and "Your first answers are kept" not in page
    assert len(stored(database)) == 3 and stored(database)[0][4] == 2


async def test_a_change_of_a_change_still_says_the_first_answers_are_kept(patient, database):
    """Question 9 lowered, then the new answers changed again: the first result is still kept
    beside the newest, which says so at once and where it lands."""
    rid, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 0, phq9_9=3))
    await patient.post("/scales/phq9", await change_form(patient, rid) | {"phq9_9": "0"})
    second = result_id(database)
    fields = await change_form(patient, second) | {"phq9_1": "2"}
    response = await patient.post("/scales/phq9", fields)
    assert response.status_code == 200 and "Your first answers are kept too" in response.text
    third = result_id(database)
    page = (await patient.get(f"/scales/results/{third}?saved=1")).text
    note = page.split("Your first answers are kept too", 1)[1].split("</div>", 1)[0]
    assert f'<a href="/scales/results/{rid}">PHQ-9 with a score of 3</a>' in note
    assert [row[3] for row in stored(database)] == [stored(database)[0][3], fields["client_uuid"]]


async def test_back_onto_a_replaced_results_addresses_leads_to_the_result_that_replaced_it(
        patient, other_patient, database):
    """Changed answers delete the result they replace, so Back from the change's result onto
    /scales/results/{id}/change (or that result's own page) met a 404. A GAD-7 saved in between
    keeps SQLite from giving the change the freed ID."""
    rid, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 1, phq9_9=0))
    await saved_today(patient, database, GAD7, answers(GAD7, 1))
    await patient.post("/scales/phq9", await change_form(patient, rid) | {"phq9_1": "3", "phq9_9": "2"})
    newer = result_id(database)
    assert newer != rid and rid not in [row[0] for row in database.execute("SELECT id FROM scale_results")]
    for page, lands in [("/change", "/change"), ("", ""), ("?saved=1", "?saved=1")]:
        response = await patient.get(f"/scales/results/{rid}{page}")
        assert response.status_code == 303 and response.headers["location"] == f"/scales/results/{newer}{lands}"
    back = await patient.get(f"/scales/results/{rid}/change", follow_redirects=True)
    assert "You're changing the answers you saved today (a score of 12)" in back.text
    assert form_fields(back.text)["replaces"] == stored(database)[-1][3]
    # Where it lands after a save, the stored question 9 of the newer one words Get help now.
    assert has_crisis_region((await patient.get(f"/scales/results/{rid}?saved=1", follow_redirects=True)).text)
    # With htmx (a boosted link), the same, as a full navigation.
    token = await patient.csrf_token()
    boosted = await patient.http.get(f"/scales/results/{rid}/change", headers={"HX-Request": "true",
                                                                             "HX-Boosted": "true", "x-csrftoken": token})
    assert boosted.status_code == 204 and boosted.headers["HX-Redirect"] == f"/scales/results/{newer}/change"
    # Never anyone else's: for another patient both are missing.
    for gone in (rid, newer):
        assert (await other_patient.get(f"/scales/results/{gone}/change")).status_code == 404
        assert (await other_patient.get(f"/scales/results/{gone}?saved=1")).status_code == 404

    # Changed again: the first address leads to the newest.
    await patient.post("/scales/phq9", await change_form(patient, newer) | {"phq9_2": "0"})
    newest = result_id(database)
    assert (await patient.get(f"/scales/results/{rid}/change")).headers["location"] == f"/scales/results/{newest}/change"
    # No longer today's: its answers cannot change, so its result page.
    database.execute("UPDATE scale_results SET local_date = ? WHERE id = ?",
                     ((patient.today() - timedelta(days=1)).isoformat(), newest))
    database.commit()
    assert (await patient.get(f"/scales/results/{rid}/change")).headers["location"] == f"/scales/results/{newest}"
    # Deleted by the patient: nothing replaced it any more.
    assert (await patient.post(f"/scales/results/{newest}/delete", {})).status_code in (302, 303)
    for page in ("/change", "", "?saved=1"):
        assert (await patient.get(f"/scales/results/{rid}{page}")).status_code == 404


async def test_a_kept_result_deleted_by_the_patient_leads_nowhere_not_to_the_change_beside_it(patient, database):
    """The first answers kept beside a change for their higher question 9, deleted from their page
    as the change's page invites, were still recorded as changed by it: Back onto their addresses
    led to the change's answers, as if these had replaced them, instead of a 404."""
    rid, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 0, phq9_9=2))
    await patient.post("/scales/phq9", await change_form(patient, rid) | {"phq9_9": "0"})
    assert len(stored(database)) == 2  # kept beside the change
    assert (await patient.post(f"/scales/results/{rid}/delete", {})).status_code in (302, 303)
    for page in ("", "/change", "?saved=1"):
        assert (await patient.get(f"/scales/results/{rid}{page}")).status_code == 404


async def test_a_gad7_change_form_says_nothing_of_question_9(patient, database):
    rid, _ = await saved_today(patient, database, GAD7, answers(GAD7, 2))
    page = (await patient.get(f"/scales/results/{rid}/change")).text
    assert "You're changing the answers" in page and "question 9" not in page


async def test_a_result_from_an_earlier_day_cannot_be_changed(patient, database):
    """A correction replaces only a result of the same local day: an older one has no link,
    no form, and its key forged into today's change form deletes nothing."""
    old, old_key = await saved_today(patient, database, PHQ9, answers(PHQ9, 1))
    database.execute("UPDATE scale_results SET local_date = ? WHERE id = ?",
                     ((patient.today() - timedelta(days=1)).isoformat(), old))
    database.commit()
    assert CHANGE_LINK not in (await patient.get(f"/scales/results/{old}")).text
    assert CHANGE_LINK not in (await patient.get(f"/scales/results/{old}?saved=1")).text
    assert (await patient.get(f"/scales/results/{old}/change")).status_code == 404

    today, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 0))
    fields = await change_form(patient, today) | {"replaces": old_key, "phq9_1": "3"}
    assert (await patient.post("/scales/phq9", fields)).status_code == 303
    kept = [row[3] for row in stored(database)]
    assert old_key in kept and len(kept) == 3  # yesterday's, today's first and the forged change


async def test_a_change_naming_another_patients_result_deletes_nothing_of_theirs(patient, other_patient, database):
    theirs, their_key = await saved_today(other_patient, database, PHQ9, answers(PHQ9, 1))
    assert (await patient.get(f"/scales/results/{theirs}/change")).status_code == 404
    mine, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 0))
    fields = await change_form(patient, mine) | {"replaces": their_key}
    assert (await patient.post("/scales/phq9", fields)).status_code == 303
    assert their_key in [row[3] for row in stored(database)]
    assert (await other_patient.get(f"/scales/results/{theirs}")).status_code == 200


async def test_a_result_stored_without_a_key_offers_no_change(patient, database):
    """Results from before forms had keys: a correction could not name them, so no link."""
    rid = insert_result(database, patient.email, "phq9", patient.today(), 5, "mild")
    assert CHANGE_LINK not in (await patient.get(f"/scales/results/{rid}")).text
    assert (await patient.get(f"/scales/results/{rid}/change")).status_code == 404


async def test_caregivers_and_clinicians_never_see_change_answers(patient, people, database):
    carer = await shared_with(patient, people("carer@example.com"), "caregiver", thoughts=True)
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    rid, _ = await saved_today(patient, database, PHQ9, answers(PHQ9, 1, phq9_9=1))
    pid = user_id(database, patient.email)
    for person, page in [(carer, f"/caregiver/patients/{pid}"), (doctor, f"/clinician/patients/{pid}"),
                         (doctor, f"/clinician/patients/{pid}/report")]:
        html = (await person.get(page)).text
        assert "PHQ-9" in html and "Change answers" not in html and "/change" not in html, page
        assert (await person.get(f"/scales/results/{rid}/change")).status_code == 404
