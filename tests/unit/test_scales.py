"""PHQ-9 and GAD-7 scoring, bands, baseline, response, remission and the weekly due rule."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lift.domain import scales
from lift.domain.crisis import crisis_prompt_for_phq9_item9, parse_resources
from lift.domain.forms import parse_form
from lift.domain.scales import GAD7, PHQ9, ScaleResult
from lift.domain.schedule import local_date_of


def answers_totalling(instrument: scales.Instrument, total: int) -> dict[str, int]:
    """Answers that add up to `total`, filled from the first item on."""
    answers = {}
    for item_id in instrument.item_ids:
        answers[item_id] = min(3, total)
        total -= answers[item_id]
    assert total == 0
    return answers


def result(total: int, day: date, id: int | None = None, instrument: str = "phq9",
           baseline: bool = False) -> ScaleResult:
    chosen = scales.INSTRUMENTS[instrument]
    return ScaleResult(id=id or day.toordinal(), instrument=instrument, local_date=day, total=total,
                       band=scales.band_for(chosen, total).key, is_baseline=baseline)


JAN = date(2026, 1, 5)


def weeks(n: int) -> date:
    return JAN + timedelta(weeks=n)


# --- Items as published ----------------------------------------------------------------------


def test_it_gives_every_item_a_stable_id():
    assert PHQ9.item_ids == tuple(f"phq9_{n}" for n in range(1, 10))
    assert GAD7.item_ids == tuple(f"gad7_{n}" for n in range(1, 8))


def test_it_uses_the_published_stem_answers_and_item_wording():
    assert PHQ9.stem == "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    assert GAD7.stem == "Over the last 2 weeks, how often have you been bothered by the following problems?"
    assert scales.ANSWER_LABELS == ("Not at all", "Several days", "More than half the days", "Nearly every day")
    # Every item, in the published order: a changed word would change what the patient answers.
    assert [item.text for item in PHQ9.items] == [
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
        "fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ]
    assert [item.text for item in GAD7.items] == [
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ]
    assert scales.DIFFICULTY_QUESTION == (
        "If you checked off any problems, how difficult have these problems made it for you to do your "
        "work, take care of things at home, or get along with other people?")
    assert scales.DIFFICULTY_LABELS == (
        "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult")


def test_it_carries_the_pfizer_attribution_line():
    assert scales.ATTRIBUTION == (
        "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
        "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or "
        "distribute."
    )


# --- Scoring and bands -----------------------------------------------------------------------


@pytest.mark.parametrize("total, band", [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately-severe"), (19, "moderately-severe"), (20, "severe"), (27, "severe"),
])
def test_it_bands_every_phq9_boundary(total, band):
    answers = answers_totalling(PHQ9, total)
    assert scales.total_score(PHQ9, answers) == total
    assert scales.band_for(PHQ9, total).key == band


@pytest.mark.parametrize("total, band", [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "severe"), (21, "severe"),
])
def test_it_bands_every_gad7_boundary(total, band):
    assert scales.total_score(GAD7, answers_totalling(GAD7, total)) == total
    assert scales.band_for(GAD7, total).key == band


@pytest.mark.parametrize("instrument, top", [(PHQ9, 27), (GAD7, 21)])
def test_it_scores_all_zero_and_all_max_answers(instrument, top):
    assert scales.total_score(instrument, dict.fromkeys(instrument.item_ids, 0)) == 0
    assert scales.total_score(instrument, dict.fromkeys(instrument.item_ids, 3)) == top
    assert instrument.max_total == top
    assert scales.band_for(instrument, 0).key == "minimal"
    assert scales.band_for(instrument, top).key == "severe"


def test_it_refuses_a_missing_extra_or_out_of_range_answer():
    full = dict.fromkeys(PHQ9.item_ids, 1)
    with pytest.raises(ValueError):
        scales.total_score(PHQ9, {k: v for k, v in full.items() if k != "phq9_9"})
    with pytest.raises(ValueError):
        scales.total_score(PHQ9, {**full, "gad7_1": 1})
    with pytest.raises(ValueError):
        scales.total_score(PHQ9, {**full, "phq9_3": 4})
    with pytest.raises(ValueError):
        scales.total_score(PHQ9, {**full, "phq9_3": -1})
    with pytest.raises(ValueError):
        scales.band_for(GAD7, 22)
    with pytest.raises(ValueError):
        scales.band_for(PHQ9, -1)


def test_it_bands_cover_every_total_exactly_once():
    for instrument in (PHQ9, GAD7):
        covered = [t for band in instrument.bands for t in range(band.low, band.high + 1)]
        assert covered == list(range(instrument.max_total + 1))


def test_each_band_is_named_and_ranged_as_published():
    # The result page reads "Mild range (5–9)"; the chart's legend "Mild 5–9".
    assert [(band.label, band.range_text) for band in PHQ9.bands] == [
        ("Minimal", "0–4"), ("Mild", "5–9"), ("Moderate", "10–14"), ("Moderately severe", "15–19"),
        ("Severe", "20–27")]
    assert [(band.label, band.range_text) for band in GAD7.bands] == [
        ("Minimal", "0–4"), ("Mild", "5–9"), ("Moderate", "10–14"), ("Severe", "15–21")]


def test_a_minimal_score_names_the_symptoms_its_questionnaire_asks_about():
    assert "few depression symptoms" in scales.band_meaning(PHQ9, PHQ9.bands[0])
    assert "few anxiety symptoms" in scales.band_meaning(GAD7, GAD7.bands[0])


def test_a_questionnaires_address_finds_it_and_any_other_finds_none():
    assert scales.instrument_for("phq9") is PHQ9 and scales.instrument_for("gad7") is GAD7
    assert scales.instrument_for("phq") is None and scales.instrument_for("") is None


def test_it_never_words_a_band_as_a_diagnosis():
    for instrument in (PHQ9, GAD7):
        for band in instrument.bands:
            meaning = scales.band_meaning(instrument, band)
            assert "not a diagnosis" in meaning
            assert "clinician" in meaning
            assert "you have" not in meaning.lower()
            assert f"from {band.low} to {band.high}" in meaning


def test_only_the_minimal_band_reads_as_few_symptoms_of_what_the_scale_measures():
    for instrument in (PHQ9, GAD7):
        for band in instrument.bands:
            meaning = scales.band_meaning(instrument, band)
            few = f"few {instrument.measures} symptoms" in meaning
            assert few == (band.key == "minimal"), meaning
            assert f"usually called {band.label.lower()}" in meaning


# --- The form ----------------------------------------------------------------------------------

BOTH_FORMS = pytest.mark.parametrize("instrument", [PHQ9, GAD7], ids=["phq9", "gad7"])


@BOTH_FORMS
def test_it_parses_a_complete_form_with_the_difficulty_question_outside_the_total(instrument):
    data = {item_id: "2" for item_id in instrument.item_ids} | {"difficulty": "3", "baseline": "true"}
    form, errors = parse_form(scales.FORM_TYPES[instrument.key], data, scales.form_messages(instrument))
    assert errors == {}
    answers = scales.answers_of(form, instrument)
    assert answers == dict.fromkeys(instrument.item_ids, 2)
    assert scales.total_score(instrument, answers) == 2 * len(instrument.items)
    assert form.difficulty == 3 and form.baseline is True


def test_it_names_every_missing_or_out_of_range_answer():
    data = {item_id: "1" for item_id in GAD7.item_ids} | {"gad7_2": "", "gad7_5": "4", "gad7_7": "x"}
    form, errors = parse_form(scales.FORM_TYPES["gad7"], data, scales.form_messages(GAD7))
    assert form is None
    assert errors == {
        "gad7_2": "Choose one answer for question 2.",
        "gad7_5": "Choose one answer for question 5.",
        "gad7_7": "Choose one answer for question 7.",
    }


@BOTH_FORMS
def test_it_leaves_the_difficulty_question_optional_but_checked(instrument):
    form_type, messages = scales.FORM_TYPES[instrument.key], scales.form_messages(instrument)
    data = {item_id: "0" for item_id in instrument.item_ids}
    form, errors = parse_form(form_type, data, messages)
    assert errors == {} and form.difficulty is None and form.baseline is False
    for wrong in ("5", "-1", "x"):
        _, errors = parse_form(form_type, data | {"difficulty": wrong}, messages)
        assert errors == {"difficulty": "Choose one of the four answers, or leave this question blank."}


@pytest.mark.parametrize("raw, expected", [
    ("0", 0), ("1", 1), (" 2 ", 2), ("3", 3), ("4", None), ("-1", None), ("", None), (None, None), ("two", None),
    ("3.0", 3), ("3e0", 3), ("2.5", None),
])
def test_it_reads_item_9_on_its_own(raw, expected):
    assert scales.item_answer(raw) == expected


NUMBERISH = st.text(alphabet="0123456789.+-eE_x ", max_size=6) | st.text(max_size=4)


@settings(max_examples=400, deadline=None)
@given(raw=NUMBERISH)
def test_any_item_9_answer_the_form_saves_is_one_the_crisis_rule_reads_the_same(raw):
    """The crisis rule reads item 9 on its own (other answers may be missing), so the two
    readings must never disagree: a saved 3 the rule missed would hide the panel."""
    data = {item_id: "0" for item_id in PHQ9.item_ids} | {scales.PHQ9_ITEM9: raw}
    form, errors = parse_form(scales.FORM_TYPES["phq9"], data, scales.form_messages(PHQ9))
    if form is not None:
        assert scales.item_answer(raw) == getattr(form, scales.PHQ9_ITEM9)


@pytest.mark.parametrize("answer", [1, 2, 3])
def test_it_asks_for_the_crisis_panel_for_item_9_above_zero(answer):
    US = parse_resources({"emergency_number": "911", "lines": [{"name": "988 Lifeline", "call": "988"}]})
    assert crisis_prompt_for_phq9_item9(answer, US) is not None
    assert crisis_prompt_for_phq9_item9(0, US) is None


# --- Baseline, response and remission ------------------------------------------------------


def test_it_has_no_baseline_or_milestones_without_a_phq9():
    progress = scales.progress([result(8, JAN, instrument="gad7")], PHQ9)
    assert progress.baseline is None and progress.latest is None and progress.change is None
    assert not progress.response_applies and not progress.remission_applies
    assert progress.response_first is None and progress.remission_first is None


def test_it_takes_the_first_phq9_as_baseline():
    results = [result(18, weeks(0)), result(14, weeks(1)), result(12, weeks(2))]
    progress = scales.progress(results, PHQ9)
    assert progress.baseline.total == 18
    assert progress.latest.total == 12
    assert progress.change == -6 and progress.change_percent == -33


def test_it_shows_no_change_when_only_the_baseline_exists():
    progress = scales.progress([result(18, weeks(0))], PHQ9)
    assert progress.baseline.total == 18 and progress.change is None
    assert not progress.latest_in_response and not progress.latest_in_remission


def test_it_counts_a_fall_of_exactly_half_as_a_response_and_dates_it():
    results = [result(18, weeks(0)), result(10, weeks(1)), result(9, weeks(2)), result(12, weeks(3))]
    progress = scales.progress(results, PHQ9)
    assert progress.response_target == 9
    assert progress.response_first.local_date == weeks(2)
    assert not progress.latest_in_response


def test_it_rounds_the_response_target_down_for_an_odd_baseline():
    results = [result(15, weeks(0)), result(8, weeks(1))]
    progress = scales.progress(results, PHQ9)
    assert progress.response_target == 7
    assert progress.response_first is None
    progress = scales.progress(results + [result(7, weeks(2))], PHQ9)
    assert progress.response_first.local_date == weeks(2) and progress.latest_in_response


def test_it_counts_remission_below_5_and_not_at_5():
    results = [result(16, weeks(0)), result(5, weeks(1)), result(4, weeks(2))]
    progress = scales.progress(results, PHQ9)
    assert not scales.progress(results[:2], PHQ9).latest_in_remission  # latest 5: not yet
    assert progress.remission_first.local_date == weeks(2)
    assert progress.latest_in_remission and progress.latest_in_response
    assert progress.response_first.local_date == weeks(1)


def test_it_does_not_measure_response_or_remission_from_a_baseline_of_zero():
    results = [result(0, weeks(0)), result(0, weeks(1)), result(3, weeks(2))]
    progress = scales.progress(results, PHQ9)
    assert progress.baseline.total == 0
    assert not progress.response_applies and progress.response_first is None
    assert not progress.remission_applies and progress.remission_first is None
    assert progress.change == 3 and progress.change_percent is None
    assert not progress.latest_in_response and not progress.latest_in_remission
    # The CSV export asks is_response itself: a total of 0 from a baseline of 0 has not fallen.
    assert not scales.is_response(0, 0)
    assert scales.is_response(1, 0) and not scales.is_response(1, 1)
    from_1 = scales.progress([result(1, weeks(0)), result(0, weeks(1))], PHQ9)
    assert from_1.response_applies and from_1.response_target == 0
    assert from_1.response_first.local_date == weeks(1) and from_1.latest_in_response


def test_it_does_not_count_remission_from_a_baseline_already_below_5():
    progress = scales.progress([result(4, weeks(0)), result(2, weeks(1))], PHQ9)
    assert not progress.remission_applies and progress.remission_first is None
    from_5 = scales.progress([result(5, weeks(0)), result(4, weeks(1))], PHQ9)
    assert from_5.remission_applies and from_5.remission_first.local_date == weeks(1)
    assert progress.response_applies and progress.response_first.local_date == weeks(1)


def test_it_prefers_the_baseline_the_patient_marked_and_ignores_results_before_it():
    results = [result(6, weeks(0)), result(2, weeks(1)), result(20, weeks(2), baseline=True),
               result(12, weeks(3)), result(9, weeks(4))]
    progress = scales.progress(results, PHQ9)
    assert progress.baseline.local_date == weeks(2)
    assert progress.change == -11
    # The 2 taken before the chosen baseline is not a remission of it, nor a response to it.
    assert progress.remission_first is None
    assert progress.response_target == 10
    assert progress.response_first.local_date == weeks(4)


def test_it_uses_the_latest_marked_baseline_when_several_are_marked():
    results = [result(20, weeks(0), baseline=True), result(14, weeks(1), baseline=True), result(7, weeks(2))]
    progress = scales.progress(results, PHQ9)
    assert progress.baseline.total == 14
    assert progress.response_first.total == 7


def test_it_orders_results_by_date_then_by_when_they_were_saved():
    results = [result(9, weeks(1), id=3), result(20, weeks(0), id=1), result(12, weeks(1), id=2)]
    progress = scales.progress(results, PHQ9)
    assert progress.baseline.total == 20
    assert progress.latest.total == 9
    assert progress.response_first.total == 9


def test_it_tracks_gad7_change_without_phq9_milestones():
    results = [result(15, weeks(0), instrument="gad7"), result(3, weeks(1), instrument="gad7")]
    progress = scales.progress(results, GAD7)
    assert progress.change == -12
    assert not progress.response_applies and not progress.remission_applies


@pytest.mark.parametrize("change, percent, text", [
    (-6, -33, "down 6 points (33%)"), (2, None, "up 2 points"), (-1, -50, "down 1 point (50%)"), (0, 0, "no change"),
])
def test_it_words_change_plainly(change, percent, text):
    assert scales.change_text(change, percent) == text


# --- Weekly due rule, in the patient's calendar ----------------------------------------------


def test_it_is_due_when_never_taken_and_again_a_week_later():
    today = date(2026, 4, 15)
    assert scales.is_due(None, today)
    assert not scales.is_due(today, today)
    assert not scales.is_due(today - timedelta(days=6), today)
    assert scales.is_due(today - timedelta(days=7), today)
    assert [i.key for i in scales.due_instruments({"phq9": today - timedelta(days=2)}, today)] == ["gad7"]


def test_it_counts_the_latest_date_each_questionnaire_was_taken_in_any_order():
    results = [result(9, weeks(2)), result(12, weeks(0)), result(5, weeks(1), instrument="gad7"),
               result(6, weeks(3), instrument="gad7"), result(7, weeks(1))]
    assert scales.last_taken(results) == {"phq9": weeks(2), "gad7": weeks(3)}
    assert scales.last_taken(results[::-1]) == {"phq9": weeks(2), "gad7": weeks(3)}


def test_it_names_the_local_date_the_next_one_is_due():
    assert scales.next_due(date(2026, 4, 15)) == date(2026, 4, 22)
    assert scales.next_due(date(2026, 3, 7)) == date(2026, 3, 14)  # across the spring-forward change


def test_it_is_due_on_the_seventh_local_day_in_a_week_that_springs_forward():
    zone = "America/New_York"
    taken = datetime(2026, 3, 7, 5, 30, tzinfo=UTC)  # 00:30 EST on Saturday 7 March
    assert local_date_of(taken, zone) == date(2026, 3, 7)
    # 00:15 EDT on Saturday 14 March: only 166h45m later, because clocks went forward.
    now = datetime(2026, 3, 14, 4, 15, tzinfo=UTC)
    assert now - taken < timedelta(days=7)
    assert local_date_of(now, zone) == date(2026, 3, 14)
    assert scales.is_due(local_date_of(taken, zone), local_date_of(now, zone))


def test_it_is_not_due_before_the_seventh_local_day_in_a_week_that_falls_back():
    zone = "America/New_York"
    taken = datetime(2026, 10, 31, 4, 30, tzinfo=UTC)  # 00:30 EDT on Saturday 31 October
    # 23:45 EST on Friday 6 November: over 168 hours later, because clocks went back.
    now = datetime(2026, 11, 7, 4, 45, tzinfo=UTC)
    assert now - taken > timedelta(days=7)
    assert local_date_of(now, zone) == date(2026, 11, 6)
    assert not scales.is_due(local_date_of(taken, zone), local_date_of(now, zone))


def test_it_files_a_late_evening_result_under_the_patients_own_date():
    late_evening = datetime(2026, 6, 2, 3, 30, tzinfo=UTC)  # 20:30 on 1 June in Los Angeles
    assert local_date_of(late_evening, "America/Los_Angeles") == date(2026, 6, 1)
    assert local_date_of(late_evening, "Europe/Berlin") == date(2026, 6, 2)


def test_item9_answer_is_the_phq9s_ninth_answer_and_0_otherwise():
    phq9 = scales.ScaleResult(id=1, instrument="phq9", local_date=date(2026, 1, 1), total=3, band="minimal",
                              answers={"phq9_1": 1, "phq9_9": 2})
    gad7 = scales.ScaleResult(id=2, instrument="gad7", local_date=date(2026, 1, 1), total=3, band="minimal",
                              answers={"gad7_1": 3})
    assert scales.item9_answer(phq9) == 2
    assert scales.item9_answer(gad7) == 0
    assert scales.item9_answer(msgspec.structs.replace(phq9, answers={"phq9_1": 1})) == 0


# --- Answers changed and saved again (`replaces`) ---------------------------------------------

KEY = "0b7c2a56-6f0e-4c5e-9a53-3d1f6f1e2a10"
OTHER_KEY = "5f1d9b0e-2c47-4e3a-8d6b-7a9c1e2f3b4d"


@BOTH_FORMS
def test_a_form_keeps_the_key_it_was_shown_with_and_refuses_an_unreadable_key_or_box(instrument):
    form_type, messages = scales.FORM_TYPES[instrument.key], scales.form_messages(instrument)
    data = {item_id: "0" for item_id in instrument.item_ids}
    form, errors = parse_form(form_type, data | {"client_uuid": KEY}, messages)
    assert errors == {} and form.client_uuid == KEY  # so a form sent twice is stored once
    _, errors = parse_form(form_type, data | {"client_uuid": "x"}, messages)
    assert list(errors) == ["client_uuid"] and "Reload the page" in errors["client_uuid"]
    _, errors = parse_form(form_type, data | {"baseline": "perhaps"}, messages)
    assert list(errors) == ["baseline"] and "Tick the box" in errors["baseline"]


@BOTH_FORMS
def test_every_message_a_questionnaire_form_shows_is_a_whole_sentence(instrument):
    for field, message in scales.form_messages(instrument).items():
        assert re.fullmatch(r"[A-Z][a-z].*\.", message, re.DOTALL), (field, message)


def test_the_note_beside_an_answer_to_question_9_is_a_plain_sentence_that_puts_it_before_the_total():
    note = scales.ITEM9_NOTE
    assert re.fullmatch(r"Your answer to question 9 matters more than the total\. .*\.", note)
    assert "today" in note and "clinician" in note


@pytest.mark.parametrize("raw, keys", [
    ("", ()), (KEY, (KEY,)), (f" {KEY} {OTHER_KEY} ", (KEY, OTHER_KEY)),
    (" ".join([KEY] * scales.MAX_REPLACED_KEYS), (KEY,) * scales.MAX_REPLACED_KEYS),
])
def test_a_form_names_the_keys_it_was_sent_with_before(raw, keys):
    data = {item_id: "0" for item_id in GAD7.item_ids} | {"replaces": raw}
    form, errors = parse_form(scales.FORM_TYPES["gad7"], data, scales.form_messages(GAD7))
    assert errors == {} and scales.replaced_keys(form) == keys


@pytest.mark.parametrize("raw", [
    "x", KEY.upper(), f"{KEY},{OTHER_KEY}", f"{KEY}  {OTHER_KEY}", KEY[:-1],
    " ".join([KEY] * (scales.MAX_REPLACED_KEYS + 1)),
])
def test_a_replaces_field_that_is_not_a_short_list_of_keys_is_refused(raw):
    data = {item_id: "0" for item_id in GAD7.item_ids} | {"replaces": raw}
    form, errors = parse_form(scales.FORM_TYPES["gad7"], data, scales.form_messages(GAD7))
    assert form is None and errors == {"replaces": scales.REPLACES_UNREADABLE}


def test_a_form_takes_as_many_earlier_keys_as_offline_js_names_and_no_more():
    # offline.js keeps the latest MAX_REPLACED_KEYS keys in `replaces`: were the server's limit
    # lower, a form sent again that often would be refused; higher, the tests above would not say.
    offline_js = (Path(__file__).parents[2] / "frontend/static/js/offline.js").read_text()
    sent = int(re.search(r"const MAX_REPLACED_KEYS = (\d+);", offline_js)[1])
    assert scales.MAX_REPLACED_KEYS == sent


def earlier_phq9(item9: int, day: date = JAN, instrument: str = "phq9") -> ScaleResult:
    answers = {item_id: 1 for item_id in scales.INSTRUMENTS[instrument].item_ids}
    if instrument == "phq9":
        answers[scales.PHQ9_ITEM9] = item9
    return ScaleResult(id=1, instrument=instrument, local_date=day, total=sum(answers.values()),
                       band="mild", answers=answers)


def phq9_answers(item9: int) -> dict[str, int]:
    return {item_id: 0 for item_id in PHQ9.item_ids} | {scales.PHQ9_ITEM9: item9}


@pytest.mark.parametrize("before, now", [(0, 0), (0, 3), (1, 1), (2, 3)])
def test_a_correction_replaces_its_forms_earlier_result_when_question_9_is_not_lowered(before, now):
    earlier = earlier_phq9(before)
    assert scales.supersedes(earlier, "phq9", JAN, phq9_answers(now))
    assert not scales.kept_for_question_9(earlier, "phq9", JAN, phq9_answers(now))


@pytest.mark.parametrize("before, now", [(1, 0), (3, 0), (3, 2), (2, 1)])
def test_a_correction_never_removes_a_higher_answer_to_question_9(before, now):
    earlier = earlier_phq9(before)
    assert not scales.supersedes(earlier, "phq9", JAN, phq9_answers(now))
    assert scales.kept_for_question_9(earlier, "phq9", JAN, phq9_answers(now))


def test_a_correction_replaces_only_the_same_questionnaire_on_the_same_day():
    gad7_answers = dict.fromkeys(GAD7.item_ids, 0)
    assert scales.supersedes(earlier_phq9(0, instrument="gad7"), "gad7", JAN, gad7_answers)
    for earlier, instrument, answers in [
        (earlier_phq9(0, day=JAN - timedelta(days=1)), "phq9", phq9_answers(0)),  # past midnight
        (earlier_phq9(0, instrument="gad7"), "phq9", phq9_answers(0)),
        (earlier_phq9(0), "gad7", gad7_answers),
    ]:
        assert not scales.supersedes(earlier, instrument, JAN, answers)
        assert not scales.kept_for_question_9(earlier, instrument, JAN, answers)


# --- Change answers -----------------------------------------------------------------------------


def keyed(item9: int = 0, day: date = JAN, key: str | None = KEY, **fields) -> ScaleResult:
    return msgspec.structs.replace(earlier_phq9(item9, day=day), client_uuid=key, **fields)


def test_only_a_result_taken_on_the_patients_today_can_have_its_answers_changed():
    assert scales.answers_can_change(keyed(), JAN)
    assert scales.answers_can_change(keyed(item9=3), JAN)  # a lower answer then keeps it beside the new one
    assert not scales.answers_can_change(keyed(day=JAN - timedelta(days=1)), JAN)
    assert not scales.answers_can_change(keyed(day=JAN + timedelta(days=1)), JAN)


def test_a_result_stored_without_a_key_cannot_have_its_answers_changed():
    """A correction names what it replaces by key: a result from before keys has none."""
    assert not scales.answers_can_change(keyed(key=None), JAN)


def test_changing_answers_fills_the_form_in_with_the_stored_ones_and_names_the_result_it_replaces():
    result = keyed(item9=2, difficulty=1, is_baseline=True)
    values = scales.form_values(result)
    assert values == {item_id: "1" for item_id in PHQ9.item_ids} | {
        "phq9_9": "2", "difficulty": "1", "baseline": "true", "replaces": KEY}
    form, errors = parse_form(scales.FORM_TYPES["phq9"], values, scales.form_messages(PHQ9))
    assert errors == {} and scales.answers_of(form, PHQ9) == result.answers
    assert scales.replaced_keys(form) == (KEY,) and form.baseline and form.difficulty == 1
    # Sent today as they stand, they replace the result they came from.
    assert scales.supersedes(result, "phq9", JAN, scales.answers_of(form, PHQ9))


def test_a_form_filled_in_from_a_result_without_difficulty_or_baseline_leaves_them_empty():
    values = scales.form_values(keyed())
    assert "difficulty" not in values and "baseline" not in values


def test_a_form_sent_back_with_errors_is_still_changing_the_result_its_replaces_names():
    """Sent back with a question unanswered, "Change answers" lost its "You're changing…" note:
    the form knows the result from its `replaces`, while that result is still today's."""
    other = "5d0f9a1e-2b3c-4d5e-8f90-1a2b3c4d5e6f"
    today = keyed(item9=2)
    assert scales.being_changed([today], "phq9", (KEY,), JAN) == today
    # Keys the phone added for earlier sends that stored nothing are passed over; the first found counts.
    assert scales.being_changed([today], "phq9", (other, KEY), JAN) == today
    second = keyed(key=other, id=2)
    assert scales.being_changed([today, second], "phq9", (other, KEY), JAN) == second
    # None for a new form, a result gone, another questionnaire's, or one no longer today's.
    assert scales.being_changed([], "phq9", (), JAN) is None
    assert scales.being_changed([], "phq9", (KEY,), JAN) is None
    assert scales.being_changed([today], "gad7", (KEY,), JAN) is None
    assert scales.being_changed([today], "phq9", (KEY,), JAN + timedelta(days=1)) is None


def test_a_results_page_names_the_earlier_results_of_its_day_kept_for_a_higher_question_9():
    """Reloaded, the page a change landed on no longer said the first answers were kept too."""
    first = msgspec.structs.replace(earlier_phq9(3), id=1)
    changed = msgspec.structs.replace(earlier_phq9(0), id=2)
    assert scales.kept_beside(changed, [first, changed]) == (first,)
    # Not the other way round, nor one with question 9 no higher, of another day or questionnaire.
    assert scales.kept_beside(first, [first, changed]) == ()
    assert scales.kept_beside(changed, [msgspec.structs.replace(earlier_phq9(0), id=1), changed]) == ()
    assert scales.kept_beside(changed, [msgspec.structs.replace(first, local_date=JAN - timedelta(days=1))]) == ()
    gad7 = msgspec.structs.replace(earlier_phq9(0, instrument="gad7"), id=3)
    assert scales.kept_beside(gad7, [first, changed, gad7]) == ()
