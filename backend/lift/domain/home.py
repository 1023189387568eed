"""What the Today page offers a patient in their first weeks, beyond the check-in."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from lift.domain.checkins import Checkin
from lift.domain.crisis import CrisisResources, Thoughts
from lift.domain.safety_plan import SafetyPlan, has_care_team, has_content, has_steps

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


class PlanCard(msgspec.Struct, frozen=True):
    """Today's safety-plan card: what it says, and its button's words (to /safety-plan)."""

    text: str
    action: str


def plan_card(plan: SafetyPlan | None) -> PlanCard:
    """Only what is true of the plan as saved: "ready" with a step written, which Get help now
    shows. A care team's number alone is a call button there, not yet a plan to turn to, and a
    name alone dials nothing (`safety_plan.has_steps`, `has_care_team`)."""
    if has_steps(plan):
        return PlanCard("Your plan is ready, and shows up whenever you need help.", "Open my safety plan")
    if has_care_team(plan):
        return PlanCard("Your care team's number is saved, and Get help now offers it as a call. Add the steps "
                        "of your plan too, in your own words: what helps in a hard moment and who you can reach.",
                        "Add the steps of my plan")
    if has_content(plan):
        return PlanCard("Your care team's name is saved. Add their number, and the steps of your plan in your own "
                        "words: what helps in a hard moment and who you can reach.", "Add the steps of my plan")
    return PlanCard("Write down, in your own words, what helps in a hard moment and who you can reach.",
                    "Write my safety plan")


class ThoughtsNote(msgspec.Struct, frozen=True):
    """Today's line after a check-in for today that reported thoughts of death or suicide."""

    level: int
    text: str


def thoughts_note(todays: Checkin | None, today: date, resources: CrisisResources) -> ThoughtsNote | None:
    """The line for the rest of the patient's local day whose check-in answered the thoughts
    question above "none", worded for that answer as stored: Get help now came with the answer,
    and Today, where they land next, keeps the way to it in sight. Not for another day's
    check-in: the next day, their next answer speaks for it."""
    if todays is None or todays.local_date != today or not todays.thoughts:
        return None
    level = Thoughts(todays.thoughts)
    if level is Thoughts.PASSING:
        text = ("Your check-in today noted passing thoughts of death or of not wanting to be here. If "
                f"they come back or grow stronger, you can {resources.helpline} at any hour.")
    elif level is Thoughts.ENDING_LIFE:
        text = ("Your check-in today noted thoughts of ending your life. Please reach out to someone: "
                f"you can {resources.helpline} at any hour.")
    else:
        text = ("Your check-in today noted thoughts with a plan or intent to act. If you might act on "
                f"them, call {resources.call_now} now.")
    return ThoughtsNote(level=int(level), text=text)
