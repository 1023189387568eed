"""PHQ-9 question 9 (better off dead, or hurting oneself) reaches the people the patient shares
thoughts answers with, as the sharing page promises: the clinician's flag, timeline and report,
and a caregiver's summary when the patient switched thoughts on, and nobody else."""

from __future__ import annotations

import re

import pytest

from lift.domain.scales import PHQ9
from tests.integration.sharing_helpers import days_back, row_of, seed_scale, shared_with, user_id
from tests.integration.test_scales import answers


async def take_phq9(patient, item9: int) -> None:
    """Through the form, as the patient does; every other answer 0, so the total is item 9."""
    response = await patient.post("/scales/phq9", answers(PHQ9, 0, phq9_9=item9), follow_redirects=True)
    assert response.status_code == 200


async def test_question_9_alone_raises_the_clinicians_thoughts_flag(patient, people, database):
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    await patient.check_in(thoughts=0)
    html = (await doctor.get("/clinician")).text
    assert "Thoughts reported" not in row_of(html, patient.email)

    await take_phq9(patient, item9=2)
    html = (await doctor.get("/clinician")).text
    assert "Thoughts reported" in row_of(html, patient.email)
    assert "PHQ-9 question 9" in html  # the flag's definition says so


async def test_question_9_at_0_or_older_than_14_days_raises_no_flag(patient, people, database):
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    await take_phq9(patient, item9=0)
    old = seed_scale(database, patient.email, days_back(patient.today(), 15), 3)
    database.execute("INSERT INTO scale_answers (result_id, item_id, answer) VALUES (?, 'phq9_9', 3)", (old,))
    database.commit()
    assert "Thoughts reported" not in row_of((await doctor.get("/clinician")).text, patient.email)


async def test_the_timeline_and_the_report_show_each_phq9s_question_9(patient, people, database):
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    await take_phq9(patient, item9=3)
    await patient.post("/scales/gad7", answers(PHQ9, 0) | {f"gad7_{n}": "1" for n in range(1, 8)})
    pid = user_id(database, patient.email)
    for page in (f"/clinician/patients/{pid}", f"/clinician/patients/{pid}/report", "/report"):
        viewer = patient if page == "/report" else doctor
        html = (await viewer.get(page)).text
        assert "Question 9" in html, page
        assert '<strong class="flag">Nearly every day</strong>' in html, page
        assert "not asked" in html, page  # the GAD-7 row has no question 9
        # On a phone the stacked GAD-7 row leaves that cell out (app.css hides .stack-omit when
        # stacked), not "Question 9: not asked" on every row; the PHQ-9's stays.
        cells = re.findall(r'<td data-label="Question 9"([^>]*)>(.*?)</td>', html)
        assert (' class="stack-omit"', '<span class="hint">not asked</span>') in cells, page
        assert all(attrs == "" for attrs, text in cells if "flag" in text), page


@pytest.mark.parametrize("thoughts", [True, False])
async def test_a_caregiver_sees_question_9_only_when_thoughts_are_shared(patient, people, database, thoughts):
    carer = await shared_with(patient, people("carer@example.com"), thoughts=thoughts)
    await take_phq9(patient, item9=1)
    html = (await carer.get(f"/caregiver/patients/{user_id(database, patient.email)}")).text
    assert ("They reported thoughts of death, suicide or self-harm" in html) is thoughts
    assert ("PHQ-9, question 9" in html) is thoughts
    assert ("Several days" in html) is thoughts


async def test_the_timeline_and_the_report_show_each_results_difficulty_answer(patient, people, database):
    """Both questionnaires end with how hard the problems made daily life: the clinician reads it
    beside the total, as the patient answered it or as left blank."""
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    await patient.post("/scales/phq9", answers(PHQ9, 1, difficulty=2))
    await patient.post("/scales/gad7", {f"gad7_{n}": "1" for n in range(1, 8)})
    pid = user_id(database, patient.email)
    for page in (f"/clinician/patients/{pid}", f"/clinician/patients/{pid}/report", "/report"):
        html = (await (patient if page == "/report" else doctor).get(page)).text
        assert '<th scope="col">Difficulty</th>' in html, page
        assert '<td data-label="Difficulty">Very difficult</td>' in html, page
        assert '<span class="hint">not answered</span>' in html, page  # the GAD-7 left it blank


async def test_the_report_lists_the_days_a_daily_check_in_reported_thoughts(patient, people, database):
    """On paper a patient with passing thoughts on some days read as having none: the report
    showed only PHQ-9 question 9."""
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    today = patient.today()
    for back, thoughts in ((3, 1), (2, 0), (1, 3)):
        await patient.check_in(local_date=days_back(today, back).isoformat(), thoughts=thoughts)
    await patient.check_in(thoughts=0)
    pid = user_id(database, patient.email)
    for viewer, page in ((patient, "/report"), (doctor, f"/clinician/patients/{pid}/report")):
        html = (await viewer.get(page)).text
        section = html[html.index('id="thoughts-title"'):html.index('id="charts-title"')]
        assert "2 of the 4 daily check-ins in this period reported thoughts of death or suicide." in section, page
        rows = re.findall(r'<tr class="panel__row--flag"><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', section)
        assert [answer for _, answer in rows] == ["Thoughts with a plan or intent to act",
                                                  "Passing thoughts of death or of not wanting to be here"], page
        # Dated with the year, as everything on paper is: it is read days later.
        assert all(str(today.year) in day or str(today.year - 1) in day for day, _ in rows), page


async def test_a_report_with_no_thoughts_answers_says_so(patient):
    await patient.check_in(thoughts=0)
    html = (await patient.get("/report")).text
    assert "The one daily check-in in this period reported no thoughts of death or suicide." in html
    assert "Daily check-ins that reported thoughts" not in html
