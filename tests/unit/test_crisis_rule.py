import pytest

from lift.domain.crisis import (
    Thoughts,
    crisis_prompt_for_phq9_item9,
    crisis_prompt_for_thoughts,
    parse_resources,
)

LINE = {"name": "988 Suicide & Crisis Lifeline", "call": "988", "text": "988"}
US = parse_resources({"emergency_number": "911", "lines": [LINE]})


def test_it_shows_no_crisis_prompt_when_there_are_no_thoughts():
    assert crisis_prompt_for_thoughts(Thoughts.NONE, US) is None


@pytest.mark.parametrize("level", [Thoughts.PASSING, Thoughts.ENDING_LIFE, Thoughts.PLAN_OR_INTENT])
def test_it_shows_a_crisis_prompt_for_every_level_above_none(level):
    assert crisis_prompt_for_thoughts(level, US) is not None


def test_it_tells_someone_with_a_plan_to_call_now():
    prompt = crisis_prompt_for_thoughts(Thoughts.PLAN_OR_INTENT, US)
    assert prompt.headline == "If you might act on these thoughts, call 911 or 988 now"
    assert prompt.level == "immediate"


def test_it_uses_the_configured_emergency_number():
    resources = parse_resources({"emergency_number": "112", "lines": [LINE]})
    prompt = crisis_prompt_for_thoughts(Thoughts.PLAN_OR_INTENT, resources)
    assert "call 112 or 988 now" in prompt.headline


@pytest.mark.parametrize("score, level", [(0, None), (1, "support"), (2, "urgent"), (3, "urgent")])
def test_it_treats_phq9_item9_above_zero_as_a_crisis(score, level):
    prompt = crisis_prompt_for_phq9_item9(score, US)
    assert (prompt.level if prompt else None) == level
