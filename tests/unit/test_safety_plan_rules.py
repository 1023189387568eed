import pytest

from lift.domain import safety_plan as plans
from lift.domain.forms import parse_form


def plan_errors(**data):
    return parse_form(plans.SafetyPlan, data, plans.SAFETY_PLAN_MESSAGES)[1]


@pytest.mark.parametrize("phone, link", [
    ("+1 (555) 123-4567", "tel:+15551234567"),
    ("(555) 123.4567", "tel:5551234567"),
    ("  +44 20 7946 0000", "tel:+442079460000"),
    ("988", "tel:988"),
    ("+44 (0)20 7946 0000", "tel:+442079460000"),
    ("(020) 7946 0000", "tel:02079460000"),
])
def test_it_keeps_only_digits_and_a_leading_plus_in_tel_links(phone, link):
    assert plans.tel_link(phone) == link


def test_it_drops_a_plus_sign_that_is_not_leading():
    assert plans.tel_link("555+0100") == "tel:5550100"


def test_it_cannot_be_turned_into_another_kind_of_link():
    assert plans.tel_link("javascript:alert(1)") == "tel:1"


def test_it_has_no_content_without_a_plan():
    assert not plans.has_content(None)


def test_it_has_no_content_when_every_field_is_empty_or_blank():
    assert not plans.has_content(plans.SafetyPlan())
    assert not plans.has_content(plans.SafetyPlan(**{name: "  \n" for name in plans.PLAN_FIELDS}))


def test_it_does_not_count_the_save_time_as_content():
    assert not plans.has_content(plans.SafetyPlan(updated_at="2024-03-10T12:00:00Z"))


@pytest.mark.parametrize("field", ["warning_signs", "coping", "distractions", "people", "professionals",
                                   "environment", "care_team_name", "care_team_phone"])
def test_it_has_content_when_any_one_field_is_filled_in(field):
    assert plans.has_content(plans.SafetyPlan(**{field: "x"}))


@pytest.mark.parametrize("phone", ["", "+1 (555) 123-4567", "555.0100", "0" * 40, "988", "+44 (0)20 7946 0000"])
def test_it_accepts_phone_numbers_of_digits_spaces_and_punctuation(phone):
    assert plan_errors(care_team_phone=phone) == {}


@pytest.mark.parametrize("phone", ["call Dr Lee", "555-0100 ext 2", "0" * 41, "555<script>", "()", "+1", "12 -"])
def test_it_rejects_phone_numbers_with_letters_symbols_fewer_than_3_digits_or_over_40_characters(phone):
    assert plan_errors(care_team_phone=phone) == {
        "care_team_phone": "Enter a phone number of at least 3 digits, using digits, spaces, +, -, ( and ) only."
    }


def test_it_accepts_a_step_of_2000_characters_and_rejects_2001():
    assert plan_errors(coping="x" * 2000) == {}
    assert plan_errors(coping="x" * 2001) == {"coping": "Keep each step to 2,000 characters or fewer."}


def test_it_accepts_a_care_team_name_of_120_characters_and_rejects_121():
    assert plan_errors(care_team_name="x" * 120) == {}
    assert plan_errors(care_team_name="x" * 121) == {
        "care_team_name": "Keep the care-team name to 120 characters or fewer."
    }


def test_it_lists_the_six_stanley_brown_steps_in_order():
    assert [heading for _, heading, _ in plans.STEPS] == [
        "1. Warning signs", "2. Things I can do on my own", "3. People and places that distract me",
        "4. People I can ask for help", "5. Professionals and crisis lines", "6. Making my environment safer",
    ]


def test_step_5_suggests_the_crisis_line_it_is_given():
    hints = {name: hint for name, _, hint in plans.steps_naming("Samaritans")}
    assert hints["professionals"] == "My clinicians, my clinic, and crisis lines such as Samaritans."
    assert not any("{" in hint for hint in hints.values())
