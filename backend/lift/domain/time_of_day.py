"""Reading a time of day typed in a form, on either clock.

A browser's <input type="time"> sends "14:30" (seconds with some steps) whatever clock it
shows, but a browser that shows a plain text box sends what the person typed, and the forms'
messages ask for a time on the reader's clock ("Enter a time like 8:00 PM"). So both are read:
"20:00", "8:00 PM", "8:00pm", "8 PM", "08:00 am", "8 p.m.". A bare "8:30" is refused, not
guessed: to a 12-hour reader it may mean the evening (a 24-hour one writes "08:30").
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated

import msgspec

_24_HOUR = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(?::[0-5][0-9])?")
_12_HOUR = re.compile(r"(1[0-2]|0?[1-9])(?::([0-5][0-9]))?\s*([ap])\.?\s*m\.?", re.IGNORECASE)

# A form field holding a time of day: parse_form reads what was typed with parse_time_of_day
# and checks and keeps it as "HH:MM", the value a time input sends and the database stores.
TimeOfDay = Annotated[str, msgspec.Meta(
    pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", extra={"time_of_day": True},
    description='A time of day: "20:00" or "8:00 PM" (kept as "20:00").')]


def parse_time_of_day(text: str | None) -> time | None:
    """The time typed, on either clock (seconds ignored), or None if it is not one."""
    text = (text or "").strip()
    if match := _24_HOUR.fullmatch(text):
        return time(int(match[1]), int(match[2]))
    if match := _12_HOUR.fullmatch(text):
        hour = int(match[1]) % 12 + (12 if match[3].lower() == "p" else 0)
        return time(hour, int(match[2] or 0))
    return None


def as_time_value(text: str) -> str:
    """A typed time as a time input's value ("20:00"); anything else unchanged, to be refused."""
    parsed = parse_time_of_day(text)
    return f"{parsed:%H:%M}" if parsed else text
