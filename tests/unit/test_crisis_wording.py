import re
import tomllib
from pathlib import Path

import msgspec
import pytest

from lift.domain.crisis import (
    NOT_KNOWN,
    THOUGHTS_LABELS,
    CrisisResources,
    Saved,
    Thoughts,
    crisis_prompt_for_phq9_item9,
    crisis_prompt_for_thoughts,
    crisis_reading,
    parse_resources,
    saved_in,
    sms_link,
)
from lift.domain.safety_plan import SafetyPlan
from lift.domain.treatment import MEDICATIONS

RESOURCES_FILE = Path(__file__).resolve().parents[2] / "frontend" / "content" / "crisis_resources.toml"
US = parse_resources(tomllib.loads(RESOURCES_FILE.read_text()))
UK = parse_resources({"emergency_number": "999", "lines": [
    {"name": "Samaritans", "call": "116 123"}, {"name": "Shout", "text": "85258", "text_body": "SHOUT"}]})


# A patient who wrote steps of a safety plan and saved their care team's number.
BOTH = Saved(plan=True, care_team=True)


def with_emergency(number: str) -> CrisisResources:
    return msgspec.structs.replace(US, emergency_number=number)


@pytest.fixture(scope="module")
def resources():
    return US


def test_it_offers_support_for_passing_thoughts():
    prompt = crisis_prompt_for_thoughts(Thoughts.PASSING, US, BOTH)
    assert prompt.level == "support"
    assert prompt.headline == "You don't have to carry these thoughts alone"
    assert prompt.message == (
        "Thoughts of death or of not wanting to be here are worth talking about with someone "
        "today. You can call or text 988 at any hour, or turn to your safety plan."
    )


def test_it_urges_reaching_out_now_for_thoughts_of_ending_life():
    prompt = crisis_prompt_for_thoughts(Thoughts.ENDING_LIFE, with_emergency("112"), BOTH)
    assert prompt.level == "urgent"
    assert prompt.headline == "Please reach out to someone now"
    assert prompt.message == (
        "Thoughts of ending your life are serious and you deserve support right now. Call or "
        "text 988, text HOME to 741741, or contact your care team. If you are in danger, "
        "call 112."
    )


def test_it_puts_safety_first_for_a_plan_or_intent():
    prompt = crisis_prompt_for_thoughts(Thoughts.PLAN_OR_INTENT, with_emergency("999"))
    assert prompt.level == "immediate"
    assert prompt.headline == "If you might act on these thoughts, call 999 or 988 now"
    assert prompt.message == (
        "Your safety comes first. Call now, or ask someone near you to call with you. "
        "If you can, move away from anything you could use to hurt yourself."
    )


@pytest.mark.parametrize("level", [Thoughts.PASSING, Thoughts.ENDING_LIFE, Thoughts.PLAN_OR_INTENT])
def test_it_mentions_988_at_every_level_above_none(level):
    prompt = crisis_prompt_for_thoughts(level, US)
    assert "988" in prompt.headline + prompt.message


def test_it_grows_more_direct_as_the_answer_grows_more_serious():
    levels = [crisis_prompt_for_thoughts(t, US).level for t in (1, 2, 3)]
    assert levels == ["support", "urgent", "immediate"]


def test_it_accepts_a_plain_int_thoughts_answer():
    assert crisis_prompt_for_thoughts(2, US) == crisis_prompt_for_thoughts(Thoughts.ENDING_LIFE, US)


@pytest.mark.parametrize("thoughts", [-1, 4])
def test_it_refuses_a_thoughts_answer_outside_0_to_3(thoughts):
    with pytest.raises(ValueError):
        crisis_prompt_for_thoughts(thoughts, US)


def test_it_has_a_label_for_every_thoughts_level():
    assert set(THOUGHTS_LABELS) == set(Thoughts)
    assert THOUGHTS_LABELS[Thoughts.NONE] == "None"
    assert THOUGHTS_LABELS[Thoughts.PLAN_OR_INTENT] == "Thoughts with a plan or intent to act"


@pytest.mark.parametrize("score", [-1, 4])
def test_it_refuses_a_phq9_item9_score_outside_0_to_3(score):
    with pytest.raises(ValueError, match="PHQ-9 item 9 is scored 0-3"):
        crisis_prompt_for_phq9_item9(score, US)


def test_it_words_phq9_item9_at_the_level_of_the_matching_thoughts_answer():
    for score, thoughts in [(1, Thoughts.PASSING), (2, Thoughts.ENDING_LIFE), (3, Thoughts.ENDING_LIFE)]:
        prompt, matching = crisis_prompt_for_phq9_item9(score, UK), crisis_prompt_for_thoughts(thoughts, UK)
        assert (prompt.level, prompt.headline) == (matching.level, matching.headline)


def test_it_names_self_harm_as_well_as_death_for_phq9_item9():
    """Item 9 asks about being better off dead or hurting yourself, not only about suicide."""
    assert crisis_prompt_for_phq9_item9(1, US, BOTH).message == (
        "Thoughts that you would be better off dead, or of hurting yourself, are worth talking about "
        "with someone today. You can call or text 988 at any hour, or turn to your safety plan."
    )
    assert crisis_prompt_for_phq9_item9(2, with_emergency("112"), BOTH).message == (
        "Thoughts that you would be better off dead, or of hurting yourself, are serious and you "
        "deserve support right now. Call or text 988, text HOME to 741741, or contact your "
        "care team. If you are in danger, call 112."
    )


def test_it_never_points_a_patient_with_no_plan_to_their_safety_plan():
    for prompt in (crisis_prompt_for_thoughts(Thoughts.PASSING, US, Saved(plan=False, care_team=True)),
                   crisis_prompt_for_phq9_item9(1, US, Saved(plan=False, care_team=True))):
        assert prompt.message.endswith("You can call or text 988 at any hour.")
        assert "safety plan" not in prompt.message


def test_it_never_names_a_care_team_the_patient_has_not_saved():
    no_care_team = Saved(plan=True, care_team=False)
    for prompt in (crisis_prompt_for_thoughts(Thoughts.ENDING_LIFE, US, no_care_team),
                   crisis_prompt_for_phq9_item9(2, US, no_care_team)):
        assert "Call or text 988, or text HOME to 741741. If you are in danger, call 911." in prompt.message
        assert "care team" not in prompt.message
    abroad = crisis_prompt_for_thoughts(Thoughts.ENDING_LIFE, UK, no_care_team).message
    assert "Call 116 123, or text SHOUT to 85258. If you are in danger, call 999." in abroad
    one_line = parse_resources({"emergency_number": "112", "lines": [{"name": "Line", "call": "116 123"}]})
    assert "Call 116 123. If you are in danger" in crisis_prompt_for_thoughts(2, one_line, no_care_team).message


def test_where_lift_does_not_know_what_was_saved_the_wording_holds_either_way():
    # A page made for nobody, a form refused before the plan was read, a plan that could not be read.
    assert crisis_prompt_for_thoughts(1, US) == crisis_prompt_for_thoughts(1, US, NOT_KNOWN)
    assert crisis_prompt_for_thoughts(1, US).message.endswith("or turn to your safety plan if you have one.")
    assert "or contact your care team." in crisis_prompt_for_thoughts(2, US).message


@pytest.mark.parametrize(("plan", "saved"), [
    (None, Saved(plan=False, care_team=False)),
    (SafetyPlan(), Saved(plan=False, care_team=False)),
    (SafetyPlan(care_team_name="Dr Lee", care_team_phone=" "), Saved(plan=False, care_team=False)),
    (SafetyPlan(care_team_phone="555 0100"), Saved(plan=False, care_team=True)),
    (SafetyPlan(environment="Keep the pills at Sam's"), Saved(plan=True, care_team=False)),
    (SafetyPlan(warning_signs="  "), Saved(plan=False, care_team=False)),
])
def test_it_counts_as_a_plan_only_written_steps_and_as_a_care_team_only_a_number(plan, saved):
    assert saved_in(plan) == saved


@pytest.mark.parametrize("level", [Thoughts.PASSING, Thoughts.ENDING_LIFE, Thoughts.PLAN_OR_INTENT])
def test_it_names_only_the_deployments_own_numbers_abroad(level):
    prompt = crisis_prompt_for_thoughts(level, UK)
    assert "988" not in prompt.headline + prompt.message
    assert "Crisis Text Line" not in prompt.message


def test_it_points_abroad_to_each_line_as_its_buttons_do():
    assert crisis_prompt_for_thoughts(Thoughts.PASSING, UK, BOTH).message.endswith(
        "You can call 116 123 at any hour, or turn to your safety plan.")
    assert "Call 116 123, text SHOUT to 85258, or contact your care team. If you are in danger, call 999." in (
        crisis_prompt_for_thoughts(Thoughts.ENDING_LIFE, UK, BOTH).message)
    assert crisis_prompt_for_thoughts(Thoughts.PLAN_OR_INTENT, UK).headline == (
        "If you might act on these thoughts, call 999 or 116 123 now")


def test_it_lists_three_lines_or_more_as_choices_with_commas():
    three = parse_resources({"emergency_number": "999", "lines": [
        {"name": "Samaritans", "call": "116 123"}, {"name": "Shout", "text": "85258", "text_body": "SHOUT"},
        {"name": "Papyrus", "call": "0800 068 4141"}]})
    assert crisis_prompt_for_thoughts(Thoughts.ENDING_LIFE, three, Saved(plan=True, care_team=False)).message.startswith(
        "Thoughts of ending your life are serious and you deserve support right now. Call 116 123, text SHOUT to "
        "85258, or call 0800 068 4141. If you are in danger, call 999.")


def test_it_names_the_emergency_number_alone_when_no_line_takes_calls():
    texting_only = parse_resources({"emergency_number": "112", "lines": [{"name": "Chat", "text": "1234"}]})
    assert texting_only.call_now == "112"
    assert crisis_prompt_for_thoughts(Thoughts.PASSING, texting_only, BOTH).message.endswith(
        "You can text 1234 at any hour, or turn to your safety plan.")


def test_a_line_given_only_a_number_to_call_has_no_text_button_and_no_note():
    """The panel shows a Text button for a line with a number to text, and a note for one with a
    description: a line the file gives neither must get neither (no "Text" to nowhere)."""
    samaritans = UK.lines[0]
    assert not samaritans.text and not samaritans.text_body and not samaritans.description


def test_a_line_whose_texts_need_a_keyword_is_never_offered_to_text_without_it():
    """A line that takes calls and texts on one number, but texts only with a keyword: "call or
    text 85258" would send a text the line does not answer."""
    shout = parse_resources({"emergency_number": "999", "lines": [
        {"name": "Shout", "call": "85258", "text": "85258", "text_body": "SHOUT"}]})
    assert "text 85258" not in shout.every_line + shout.helpline


def test_it_refuses_resources_without_a_crisis_line():
    with pytest.raises(msgspec.ValidationError):
        parse_resources({"emergency_number": "112", "lines": []})


def test_it_builds_an_sms_link_with_a_prefilled_body():
    assert sms_link("741741", "HOME") == "sms:741741?&body=HOME"


def test_it_builds_an_sms_link_without_a_body():
    assert sms_link("988") == "sms:988"


def test_it_percent_encodes_the_sms_body():
    assert sms_link("85258", "SHOUT & TALK") == "sms:85258?&body=SHOUT%20%26%20TALK"


def test_it_sends_a_text_to_the_number_without_its_spaces():
    assert sms_link("85 258", "SHOUT") == "sms:85258?&body=SHOUT"
    assert sms_link("+44 (0)7700 900123") == "sms:+447700900123"


@pytest.mark.parametrize("line", [{"call": "1-800-273-TALK"}, {"text": "HOME"}, {"call": "116 123 ext 2"},
                                  {"call": " "}, {"text": "()", "text_body": "HOME"}])
def test_it_refuses_a_line_number_its_links_could_not_dial(line):
    with pytest.raises(msgspec.ValidationError):
        parse_resources({"emergency_number": "112", "lines": [{"name": "A line", **line}]})


@pytest.mark.parametrize("line", [{}, {"description": "Web chat, 24 hours a day"}, {"text_body": "HOME"}])
def test_it_refuses_a_line_with_no_number_to_call_or_text(line):
    """Every prompt sends the patient to a line by its number: "You can text  at any hour"."""
    with pytest.raises(msgspec.ValidationError):
        parse_resources({"emergency_number": "112", "lines": [{"name": "Chat", **line}]})


@pytest.mark.parametrize("number", ["", "police", " "])
def test_it_refuses_an_emergency_number_with_no_digit_to_dial(number):
    with pytest.raises(msgspec.ValidationError):
        parse_resources({"emergency_number": number, "lines": [{"name": "A line", "call": "116 123"}]})


def test_it_reads_the_emergency_number_911_from_the_real_resources(resources):
    assert resources.emergency_number == "911"
    assert resources.emergency_label == "Emergency services"


def test_it_offers_988_to_call_and_to_text(resources):
    assert any(line.call == "988" and line.text == "988" for line in resources.lines)


def test_it_offers_the_crisis_text_line_with_body_home(resources):
    line = next(line for line in resources.lines if line.text == "741741")
    assert line.text_body == "HOME"
    assert sms_link(line.text, line.text_body) == "sms:741741?&body=HOME"


def test_a_file_that_does_not_name_the_emergency_service_gets_a_plain_label_for_its_button():
    assert UK.emergency_label == "Emergency services"


def test_it_refuses_resources_without_an_emergency_number():
    with pytest.raises(msgspec.ValidationError):
        parse_resources({"lines": [{"name": "988 Lifeline", "call": "988"}]})


def test_it_refuses_a_crisis_line_without_a_name():
    with pytest.raises(msgspec.ValidationError):
        parse_resources({"emergency_number": "911", "lines": [{"call": "988"}]})


def test_it_offers_the_esketamine_card_to_a_patient_on_esketamine():
    assert crisis_reading("esketamine").href == "/learn/suicidal-thoughts"
    assert "esketamine" in crisis_reading("esketamine").label


@pytest.mark.parametrize("treatment", ["iv_ketamine", "other"])
def test_it_offers_no_card_about_a_medicine_the_patient_is_not_having(treatment):
    assert crisis_reading(treatment) is None


def test_it_offers_the_card_named_for_esketamine_where_the_treatment_is_not_known():
    # No plan, a page made for nobody, a caregiver or clinician: its title says whom it is about.
    assert crisis_reading(None) == crisis_reading("esketamine")
    # The link says what it opens: "Read: " and a title naming the medicine and the thoughts.
    assert re.fullmatch(r"Read: [^:]*esketamine[^:]*suicidal thoughts", crisis_reading(None).label)


def test_every_card_it_offers_is_one_lift_serves():
    from lift.web.education import load_cards

    cards = load_cards()
    for treatment in (None, *MEDICATIONS):
        if reading := crisis_reading(treatment):
            assert reading.href.removeprefix("/learn/") in cards


def test_each_crisis_button_is_named_with_its_number_said_once():
    """Read as drawn, "Call 988" over its line's name was "Call 988 988 Suicide & Crisis Lifeline"."""
    lifeline, text_line = US.lines
    assert lifeline.call_caption == lifeline.text_caption == "Suicide & Crisis Lifeline"  # shown under the number
    assert text_line.text_caption == "Crisis Text Line" and US.emergency_caption == "Emergency services"
    assert lifeline.call_name == "Call 988, Suicide & Crisis Lifeline"
    assert lifeline.text_name == "Text 988, Suicide & Crisis Lifeline"
    assert text_line.text_name == "Text HOME to 741741, Crisis Text Line"
    assert US.emergency_name == "Call 911, Emergency services"
    samaritans, shout = UK.lines
    assert samaritans.call_name == "Call 116 123, Samaritans"
    assert shout.text_name == "Text SHOUT to 85258, Shout"
    # A name that only is the number adds nothing; one that merely starts with its digits is a name.
    bare = parse_resources({"emergency_number": "112", "emergency_label": "112", "lines": [
        {"name": "1234", "text": "1234"}, {"name": "988ers Line", "call": "988"}]})
    assert bare.lines[0].text_name == "Text 1234" and bare.emergency_name == "Call 112"
    assert bare.lines[0].text_caption == bare.emergency_caption == ""
    assert bare.lines[1].call_name == "Call 988, 988ers Line"
