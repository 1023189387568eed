from typing import Annotated

import msgspec
import pytest

from lift.domain import accounts
from lift.domain.checkins import CHECKIN_MESSAGES, CheckinForm
from lift.domain.forms import parse_form, read_answer


class Dose(msgspec.Struct, frozen=True, kw_only=True):
    """A form with an unconstrained float, so only parse_form itself can refuse nan or inf."""

    amount: float
    unit: str = "mg"


DOSE_MESSAGES = {"amount": "Enter the dose as a number.", "unit": "Enter a unit."}
CHECKIN = {"local_date": "2024-03-10", "mood": "5", "anxiety": "4", "sleep_hours": "7.5", "thoughts": "0"}


def test_it_collects_one_message_for_every_wrong_field_at_once():
    data = {**CHECKIN, "mood": "11", "sleep_hours": "7.3", "note": "x" * 2001}
    del data["thoughts"]
    form, errors = parse_form(CheckinForm, data, CHECKIN_MESSAGES)
    assert form is None
    assert errors == {name: CHECKIN_MESSAGES[name] for name in ("mood", "sleep_hours", "thoughts", "note")}


def test_it_reports_every_required_field_of_an_empty_form():
    assert parse_form(CheckinForm, {}, CHECKIN_MESSAGES) == (
        None, {name: CHECKIN_MESSAGES[name] for name in ("local_date", "mood", "anxiety", "sleep_hours", "thoughts")}
    )


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_it_treats_a_blank_required_field_as_missing(blank):
    assert parse_form(CheckinForm, {**CHECKIN, "mood": blank}, CHECKIN_MESSAGES)[1] == {
        "mood": CHECKIN_MESSAGES["mood"]
    }


def test_it_uses_the_default_for_a_blank_optional_field():
    form, errors = parse_form(Dose, {"amount": "5", "unit": "  "}, DOSE_MESSAGES)
    assert errors == {}
    assert form == Dose(amount=5.0, unit="mg")


def test_it_trims_text_fields():
    form, _ = parse_form(CheckinForm, {**CHECKIN, "mood": " 7 ", "note": "  Slept badly.\n"}, CHECKIN_MESSAGES)
    assert (form.mood, form.note) == (7, "Slept badly.")


def test_it_trims_the_email_address():
    form, errors = parse_form(accounts.SigninForm, {"email": "  jane@example.com ", "password": "x"},
                              accounts.SIGNIN_MESSAGES)
    assert errors == {}
    assert form.email == "jane@example.com"


def test_it_keeps_a_password_exactly_as_typed():
    form, _ = parse_form(accounts.SigninForm, {"email": "jane@example.com", "password": "  my pass phrase "},
                         accounts.SIGNIN_MESSAGES)
    assert form.password == "  my pass phrase "


def test_it_keeps_new_and_current_passwords_exactly_as_typed():
    data = {"current_password": " old one ", "new_password": " correct horse battery "}
    form, _ = parse_form(accounts.PasswordChangeForm, data, accounts.PASSWORD_CHANGE_MESSAGES)
    assert (form.current_password, form.new_password) == (" old one ", " correct horse battery ")


def test_it_takes_a_password_of_only_spaces_as_typed_not_as_blank():
    form, errors = parse_form(accounts.SigninForm, {"email": "a@b.co", "password": " "}, accounts.SIGNIN_MESSAGES)
    assert errors == {}
    assert form.password == " "


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "Infinity", float("nan"), float("inf")])
def test_it_rejects_non_finite_numbers(raw):
    assert parse_form(Dose, {"amount": raw}, DOSE_MESSAGES) == (None, {"amount": DOSE_MESSAGES["amount"]})


def test_it_accepts_a_finite_number_in_an_unconstrained_float_field():
    assert parse_form(Dose, {"amount": "-2.5e3"}, DOSE_MESSAGES) == (Dose(amount=-2500.0), {})


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf"])
def test_it_rejects_non_finite_hours_of_sleep(raw):
    assert "sleep_hours" in parse_form(CheckinForm, {**CHECKIN, "sleep_hours": raw}, CHECKIN_MESSAGES)[1]


@pytest.mark.parametrize("raw", [[5], {"value": 5}, True, object()])
def test_it_rejects_values_of_the_wrong_type_with_the_fields_message(raw):
    assert parse_form(CheckinForm, {**CHECKIN, "mood": raw}, CHECKIN_MESSAGES) == (
        None, {"mood": CHECKIN_MESSAGES["mood"]}
    )


def test_it_ignores_keys_the_form_does_not_have():
    data = {**CHECKIN, "_csrf_token": "abc", "role": "clinician", "id": "99"}
    form, errors = parse_form(CheckinForm, data, CHECKIN_MESSAGES)
    assert errors == {}
    assert not hasattr(form, "role")


ZERO_TO_THREE = Annotated[int, msgspec.Meta(ge=0, le=3)]


class Choice(msgspec.Struct, frozen=True, kw_only=True):
    answer: ZERO_TO_THREE


@pytest.mark.parametrize("raw", ["0", " 2 ", "3", "3.0", 3, 3.0, "4", "-1", "2.5", "two", "", "  ", None])
def test_one_answer_read_on_its_own_is_the_one_the_whole_form_would_save(raw):
    # The crisis panel reads a thoughts or PHQ-9 item 9 answer on its own with read_answer.
    form, _ = parse_form(Choice, {"answer": raw}, {"answer": "Choose one."})
    assert read_answer(raw, ZERO_TO_THREE) == (form.answer if form else None)
