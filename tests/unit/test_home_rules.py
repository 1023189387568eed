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


NEW_YORK = "America/New_York"


def checkin(day: date, thoughts: int, saved: str = "2026-11-29T15:00:00Z") -> Checkin:
    """A check-in for `day`, last saved at `saved` (by default 10:00 on TODAY in New York)."""
    return Checkin(id=1, local_date=day, mood=4, anxiety=6, sleep_hours=6.0, thoughts=thoughts, note="",
                   updated_at=saved)


def note_for(*checkins: Checkin, resources=US):
    return home.thoughts_note(checkins, TODAY, NEW_YORK, resources)


@pytest.mark.parametrize("thoughts", [1, 2, 3])
def test_today_keeps_the_way_to_help_in_sight_after_a_check_in_that_reported_thoughts(thoughts):
    note = note_for(checkin(TODAY, thoughts))
    assert note is not None and note.level == thoughts


def test_today_has_no_such_line_after_a_check_in_with_no_thoughts_or_none_at_all():
    assert note_for(checkin(TODAY, 0)) is None
    assert note_for() is None


def test_the_line_is_for_that_local_day_only():
    # The next day, yesterday's answer (saved yesterday) is no longer today's.
    assert note_for(checkin(TODAY - timedelta(days=1), 3, saved="2026-11-28T15:00:00Z")) is None


def test_the_line_is_worded_for_the_answer_as_stored():
    assert note_for(checkin(TODAY, 1)).text == (
        "Your check-in today noted passing thoughts of death or of not wanting to be here. If they come "
        "back or grow stronger, you can call or text 988 at any hour.")
    assert note_for(checkin(TODAY, 2)).text == (
        "Your check-in today noted thoughts of ending your life. Please reach out to someone: you can "
        "call or text 988 at any hour.")
    assert note_for(checkin(TODAY, 3)).text == (
        "Your check-in today noted thoughts with a plan or intent to act. If you might act on them, call "
        "911 or 988 now.")


@pytest.mark.parametrize("thoughts", [1, 2, 3])
def test_the_line_names_only_the_deployments_own_numbers(thoughts):
    text = note_for(checkin(TODAY, thoughts), resources=UK).text
    assert "988" not in text and "911" not in text
    assert "116 123" in text


YESTERDAY = TODAY - timedelta(days=1)


@pytest.mark.parametrize("thoughts", [1, 2, 3])
def test_a_missed_day_filled_in_today_with_thoughts_keeps_the_line_for_the_rest_of_today(thoughts):
    note = note_for(checkin(YESTERDAY, thoughts))
    assert note is not None and note.level == thoughts


def test_the_line_names_the_day_it_was_filled_in_for():
    assert note_for(checkin(YESTERDAY, 2)).text == (
        "Your check-in for yesterday noted thoughts of ending your life. Please reach out to someone: you "
        "can call or text 988 at any hour.")
    # Older days by their date, in dates.py's words (TODAY is Sunday 29 November 2026).
    assert note_for(checkin(TODAY - timedelta(days=3), 1)).text.startswith(
        "Your check-in for Thu 26 Nov noted passing thoughts")
    # With its year when it is another year's.
    new_year = home.thoughts_note([checkin(date(2026, 12, 31), 3, saved="2027-01-03T15:00:00Z")],
                                  date(2027, 1, 3), NEW_YORK, US)
    assert new_year.text.startswith("Your check-in for Thu 31 Dec 2026 noted thoughts with a plan")


def test_todays_check_in_alone_decides_when_there_is_one():
    assert note_for(checkin(TODAY, 0), checkin(YESTERDAY, 3)) is None
    assert note_for(checkin(YESTERDAY, 3), checkin(TODAY, 1)).text.startswith("Your check-in today noted passing")


def test_an_earlier_day_saved_today_with_no_thoughts_shows_nothing():
    assert note_for(checkin(YESTERDAY, 0)) is None


def test_saved_today_means_the_patients_local_day():
    # 03:00 UTC on the 29th is still the evening of the 28th in New York; 04:59 UTC on the 30th
    # is the last minute before midnight of the 29th there.
    assert note_for(checkin(YESTERDAY, 2, saved="2026-11-29T03:00:00Z")) is None
    assert note_for(checkin(YESTERDAY, 2, saved="2026-11-30T04:59:00Z")) is not None
    assert home.thoughts_note([checkin(YESTERDAY, 2, saved="2026-11-29T03:00:00Z")], TODAY, "UTC", US) is not None


def test_of_several_days_filled_in_today_the_strongest_answer_is_named_then_the_last_saved():
    two_days_ago = TODAY - timedelta(days=2)
    note = note_for(checkin(YESTERDAY, 3, saved="2026-11-29T15:00:00Z"),
                    checkin(two_days_ago, 1, saved="2026-11-29T16:00:00Z"))
    assert note.level == 3 and "for yesterday" in note.text
    note = note_for(checkin(YESTERDAY, 2, saved="2026-11-29T15:00:00Z"),
                    checkin(two_days_ago, 2, saved="2026-11-29T16:00:00Z"))
    assert "for Fri 27 Nov" in note.text
    # Another day filled in later with "none" speaks for that day only.
    assert note_for(checkin(YESTERDAY, 1, saved="2026-11-29T15:00:00Z"),
                    checkin(two_days_ago, 0, saved="2026-11-29T16:00:00Z")).level == 1
