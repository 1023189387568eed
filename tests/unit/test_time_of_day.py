"""Times of day typed in a form, on either clock (domain/time_of_day.py, forms.parse_form)."""

from datetime import time

import msgspec
import pytest

from lift.domain.forms import parse_form
from lift.domain.time_of_day import TimeOfDay, as_time_value, parse_time_of_day


@pytest.mark.parametrize(("typed", "expected"), [
    ("20:00", time(20, 0)), ("00:00", time(0, 0)), ("23:59", time(23, 59)), ("09:30", time(9, 30)),
    ("10:15:42", time(10, 15)),  # a time input with a step sends seconds
    ("8:00 PM", time(20, 0)), ("8:00pm", time(20, 0)), ("8 PM", time(20, 0)), ("8pm", time(20, 0)),
    ("08:00 am", time(8, 0)), ("8:30 pm", time(20, 30)), ("8 p.m.", time(20, 0)), ("11:59 PM", time(23, 59)),
    ("12:00 AM", time(0, 0)), ("12 am", time(0, 0)), ("12:30 AM", time(0, 30)),  # after midnight
    ("12 PM", time(12, 0)), ("12:45 pm", time(12, 45)),  # noon
    ("  8:00 PM  ", time(20, 0)), (" 20:00 ", time(20, 0)), ("8:00\u202fPM", time(20, 0)),
])
def test_a_time_on_either_clock_is_read(typed, expected):
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", [
    "13:00 PM", "0:00 AM", "00:00 AM", "24:00", "8:60", "8:60 pm", "12:00:60", "25:00", "noon", "eight pm",
    "8", "8:30",  # no AM or PM: to a 12-hour reader it may be the evening
    "8:5 pm", "800 pm", "8 pmx", "p.m.", "", "   ", None, "２０:００", "20:00 PM",
])
def test_anything_else_is_refused(typed):
    assert parse_time_of_day(typed) is None


def test_a_time_is_kept_as_a_time_inputs_value_and_anything_else_as_typed():
    assert as_time_value(" 8:30 pm") == "20:30"
    assert as_time_value("8:60 pm") == "8:60 pm"


class Times(msgspec.Struct, kw_only=True):
    at: TimeOfDay
    maybe: TimeOfDay | None = None
    other: str = ""


MESSAGES = {"at": "Enter a time.", "maybe": "Enter another time.", "other": "?"}


def test_a_form_keeps_a_typed_time_as_the_value_a_time_input_sends():
    form, errors = parse_form(Times, {"at": "8:30 pm", "maybe": "12 AM", "other": "8 pm"}, MESSAGES)
    assert errors == {}
    assert (form.at, form.maybe, form.other) == ("20:30", "00:00", "8 pm")  # only time fields


def test_a_form_refuses_what_is_no_time_with_the_fields_message():
    _, errors = parse_form(Times, {"at": "13:00 PM", "maybe": "words"}, MESSAGES)
    assert errors == {"at": "Enter a time.", "maybe": "Enter another time."}
