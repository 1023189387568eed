"""A push service's Retry-After (RFC 9110: delay-seconds, ASCII digits only, or an HTTP date)
read as seconds to wait: never an error, never negative, never more than a day."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lift.push.sender import RETRY_AFTER_LIMIT_SECONDS, classify, retry_after_seconds

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("value, seconds", [
    ("120", 120.0),
    (" 120 ", 120.0),
    ("0", 0.0),
    ("007", 7.0),
    ("Wed, 10 Jun 2026 12:02:00 GMT", 120.0),  # an HTTP date two minutes ahead
    ("Wednesday, 10-Jun-26 12:02:00 GMT", 120.0),  # the obsolete forms a recipient must read
    ("Wed Jun 10 12:02:00 2026", 120.0),
    ("Wed, 10 Jun 2026 11:00:00 GMT", 0.0),  # a date already past: now
    ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
])
def test_a_delay_in_seconds_or_an_http_date_is_the_wait_it_says(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


@pytest.mark.parametrize("value", [
    "9" * 400,  # infinity as a float
    "100000000000000000000000000",
    "86401",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Fri, 31 Dec 9999 23:59:59 -2359",
])
def test_an_absurdly_long_wait_is_a_day(value):
    assert retry_after_seconds(value, NOW) == RETRY_AFTER_LIMIT_SECONDS == 86400.0


@pytest.mark.parametrize("value", [
    "²", "12²", "١٢", "１２", "߁",  # digits to str.isdigit, but not the ASCII DIGIT of RFC 9110
    "1e9", "12.5", "-5", "+5", "0x10", "1 2", "inf", "nan", "NaN",
    "Mon, 31 Feb 2026 00:00:00 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 +9999",
    "Sun, 06 Nov 99999 08:49:37 GMT", "soon", "\x00", "", "   ", None,
])
def test_anything_else_says_nothing_usable(value):
    assert retry_after_seconds(value, NOW) is None


@given(st.text(max_size=60))
def test_no_header_text_raises_or_gives_a_wait_outside_zero_to_a_day(value):
    seconds = retry_after_seconds(value, NOW)
    assert seconds is None or (math.isfinite(seconds) and 0.0 <= seconds <= RETRY_AFTER_LIMIT_SECONDS)


@given(st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(UTC)))  # a 4-digit year
def test_any_http_date_gives_a_wait_from_zero_to_a_day(when):
    seconds = retry_after_seconds(when.strftime("%a, %d %b %Y %H:%M:%S GMT"), NOW)
    assert seconds == min(max(0.0, (when.replace(microsecond=0) - NOW).total_seconds()), 86400.0)


def test_a_429_with_a_superscript_two_is_retried_on_the_schedulers_own_delay():
    assert classify(429, "²").retry_after is None
    assert classify(503, "²").status == "retry"
