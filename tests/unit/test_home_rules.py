from datetime import date, timedelta

import pytest

from lift.domain import home
from lift.domain.checkins import Checkin
from lift.domain.crisis import parse_resources
from lift.domain.safety_plan import SafetyPlan

TODAY = date(2026, 11, 29)


def test_it_offers_the_first_steps_for_an_empty_or_young_journal():
    assert home.in_first_weeks(None, TODAY)
    assert home.in_first_weeks(TODAY - timedelta(days=13), TODAY)


def test_it_stops_offering_them_after_two_weeks():
    assert not home.in_first_weeks(TODAY - timedelta(days=14), TODAY)


def test_it_offers_only_the_steps_not_taken():
    assert [s.key for s in home.open_steps(has_treatment_plan=False, has_device=False, shares=False)] == [
        "treatment", "reminders", "sharing"]
    assert [s.key for s in home.open_steps(has_treatment_plan=True, has_device=False, shares=True)] == [
        "reminders"]
    assert home.open_steps(has_treatment_plan=True, has_device=True, shares=True) == []


def test_the_plan_card_says_ready_only_for_a_plan_with_a_step_written():
    ready = home.plan_card(SafetyPlan(coping="Walk the dog", care_team_phone="555 0100"))
    assert "Your plan is ready" in ready.text and ready.action == "Open my safety plan"
    assert "ready" in home.plan_card(SafetyPlan(environment="Meds with Sam")).text


def test_a_care_teams_number_alone_is_said_to_be_saved_not_a_plan_that_is_ready():
    card = home.plan_card(SafetyPlan(care_team_name="Dr Lee's clinic", care_team_phone="555 0100"))
    assert "ready" not in card.text
    assert card.text.startswith("Your care team's number is saved") and "Add the steps of your plan" in card.text
    assert card.action == "Add the steps of my plan"


def test_a_care_teams_name_alone_asks_for_their_number_and_the_steps():
    card = home.plan_card(SafetyPlan(care_team_name="Dr Lee's clinic"))
    assert "ready" not in card.text and "number is saved" not in card.text
    assert "Add their number, and the steps" in card.text


@pytest.mark.parametrize("plan", [None, SafetyPlan(), SafetyPlan(coping="   ", care_team_phone=" ")])
def test_with_nothing_saved_the_card_invites_writing_a_plan(plan):
    assert home.plan_card(plan).action == "Write my safety plan"


US = parse_resources({"emergency_number": "911", "lines": [{"name": "988 Lifeline", "call": "988", "text": "988"}]})
UK = parse_resources({"emergency_number": "999", "lines": [{"name": "Samaritans", "call": "116 123"}]})


def checkin(day: date, thoughts: int) -> Checkin:
    return Checkin(id=1, local_date=day, mood=4, anxiety=6, sleep_hours=6.0, thoughts=thoughts, note="",
                   updated_at="2026-11-29T15:00:00Z")


@pytest.mark.parametrize("thoughts", [1, 2, 3])
def test_today_keeps_the_way_to_help_in_sight_after_a_check_in_that_reported_thoughts(thoughts):
    note = home.thoughts_note(checkin(TODAY, thoughts), TODAY, US)
    assert note is not None and note.level == thoughts


def test_today_has_no_such_line_after_a_check_in_with_no_thoughts_or_none_at_all():
    assert home.thoughts_note(checkin(TODAY, 0), TODAY, US) is None
    assert home.thoughts_note(None, TODAY, US) is None


def test_the_line_is_for_that_local_day_only():
    # The next day, yesterday's answer is no longer today's (and Today reads today's check-in only).
    assert home.thoughts_note(checkin(TODAY - timedelta(days=1), 3), TODAY, US) is None


def test_the_line_is_worded_for_the_answer_as_stored():
    assert home.thoughts_note(checkin(TODAY, 1), TODAY, US).text == (
        "Your check-in today noted passing thoughts of death or of not wanting to be here. If they come "
        "back or grow stronger, you can call or text 988 at any hour.")
    assert home.thoughts_note(checkin(TODAY, 2), TODAY, US).text == (
        "Your check-in today noted thoughts of ending your life. Please reach out to someone: you can "
        "call or text 988 at any hour.")
    assert home.thoughts_note(checkin(TODAY, 3), TODAY, US).text == (
        "Your check-in today noted thoughts with a plan or intent to act. If you might act on them, call "
        "911 or 988 now.")


@pytest.mark.parametrize("thoughts", [1, 2, 3])
def test_the_line_names_only_the_deployments_own_numbers(thoughts):
    text = home.thoughts_note(checkin(TODAY, thoughts), TODAY, UK).text
    assert "988" not in text and "911" not in text
    assert "116 123" in text
