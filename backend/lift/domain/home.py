"""What the Today page offers a patient in their first weeks, beyond the check-in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import msgspec

from lift.domain.checkins import Checkin
from lift.domain.crisis import CrisisResources, Thoughts
from lift.domain.dates import day_text
from lift.domain.safety_plan import SafetyPlan, has_care_team, has_content, has_steps
from lift.domain.schedule import local_date_of

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
    """Today's line after a check-in that reported thoughts of death or suicide."""

    level: int
    text: str


def thoughts_note(checkins: Iterable[Checkin], today: date, timezone: str,
                  resources: CrisisResources) -> ThoughtsNote | None:
    """The line for the rest of the patient's local day after a check-in answered the thoughts
    question above "none", worded for that answer as stored: Get help now came with the answer,
    and Today, where they land next, keeps the way to it in sight.

    `checkins` are the patient's recent ones (Today's: every day the form can fill, so every
    check-in that can have been saved today). A check-in for today alone decides: its answer
    speaks for today. Without one, a check-in for an earlier day saved today (its `updated_at`
    in the patient's `timezone`) that reported thoughts: a missed day filled in, or changed,
    today; of several, the one with the strongest answer, then the last saved. Not a check-in
    saved on another day: the next day, their next answer speaks for it."""
    checkins = list(checkins)
    todays = next((c for c in checkins if c.local_date == today), None)
    if todays is not None:
        return _note(todays, today, resources) if todays.thoughts else None
    filled_in_today = [c for c in checkins if c.local_date < today and c.thoughts
                       and local_date_of(datetime.fromisoformat(c.updated_at), timezone) == today]
    if not filled_in_today:
        return None
    return _note(max(filled_in_today, key=lambda c: (c.thoughts, c.updated_at)), today, resources)


def _note(checkin: Checkin, today: date, resources: CrisisResources) -> ThoughtsNote:
    day = checkin.local_date
    if day == today:
        which = "Your check-in today"
    elif (today - day).days == 1:
        which = "Your check-in for yesterday"
    else:
        which = f"Your check-in for {day_text(day, today)}"
    level = Thoughts(checkin.thoughts)
    if level is Thoughts.PASSING:
        text = (f"{which} noted passing thoughts of death or of not wanting to be here. If "
                f"they come back or grow stronger, you can {resources.helpline} at any hour.")
    elif level is Thoughts.ENDING_LIFE:
        text = (f"{which} noted thoughts of ending your life. Please reach out to someone: "
                f"you can {resources.helpline} at any hour.")
    else:
        text = (f"{which} noted thoughts with a plan or intent to act. If you might act on "
                f"them, call {resources.call_now} now.")
    return ThoughtsNote(level=int(level), text=text)
