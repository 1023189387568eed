"""What the Today page offers a patient in their first weeks, beyond the check-in."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

# Lift's other parts are two taps away under More, where a new patient may never look. For
# the journal's first two weeks Today names the ones not set up yet, then leaves them there.
FIRST_WEEKS_DAYS = 14


class FirstStep(msgspec.Struct, frozen=True):
    key: str
    label: str
    why: str
    href: str


FIRST_STEPS = (
    FirstStep("treatment", "Plan your treatment days", "a checklist on each treatment day, and a log of how it went",
              "/treatment"),
    FirstStep("reminders", "Turn on reminders", "a nudge to check in, and before each treatment day", "/reminders"),
    FirstStep("sharing", "Share with someone you trust", "a caregiver or your clinician sees only what you choose",
              "/sharing"),
)


def in_first_weeks(first_entry: date | None, today: date) -> bool:
    """An empty journal, or one whose first entry is less than FIRST_WEEKS_DAYS old."""
    return first_entry is None or first_entry > today - timedelta(days=FIRST_WEEKS_DAYS)


def open_steps(*, has_treatment_plan: bool, has_device: bool, shares: bool) -> list[FirstStep]:
    done = {"treatment": has_treatment_plan, "reminders": has_device, "sharing": shares}
    return [step for step in FIRST_STEPS if not done[step.key]]
