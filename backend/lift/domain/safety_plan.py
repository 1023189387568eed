"""The Stanley-Brown safety plan: six steps the patient writes in their own words."""

from __future__ import annotations

from typing import Annotated

import msgspec

STEP_MAX = 2000
StepText = Annotated[str, msgspec.Meta(max_length=STEP_MAX)]
ShortText = Annotated[str, msgspec.Meta(max_length=120)]
# Empty, or at least 3 digits (a "Call my care team" button must dial something) among
# spaces and the usual punctuation.
Phone = Annotated[str, msgspec.Meta(max_length=40, pattern=r"^$|^(?=(?:\D*\d){3})[0-9+()\-. ]*$")]
PHONE_MESSAGE = "Enter a phone number of at least 3 digits, using digits, spaces, +, -, ( and ) only."

# (field, heading, hint) in the order the plan is written and read.
STEPS = (
    ("warning_signs", "1. Warning signs", "Thoughts, moods or situations that tell me a crisis may be starting."),
    ("coping", "2. Things I can do on my own", "Things that help me take my mind off my problems, without contacting anyone."),
    ("distractions", "3. People and places that distract me", "People and social settings that help me feel better."),
    ("people", "4. People I can ask for help", "Names and phone numbers of people I can reach out to."),
    ("professionals", "5. Professionals and crisis lines", "My clinicians, my clinic, and crisis lines such as {crisis_line}."),
    ("environment", "6. Making my environment safer", "How I can keep myself safe, such as putting means of harm out of reach."),
)



def steps_naming(crisis_line: str) -> tuple[tuple[str, str, str], ...]:
    """The steps with step 5's hint naming this deployment's own crisis line, not a US one."""
    return tuple((name, heading, hint.format(crisis_line=crisis_line)) for name, heading, hint in STEPS)


class SafetyPlan(msgspec.Struct, frozen=True, kw_only=True):
    warning_signs: StepText = ""
    coping: StepText = ""
    distractions: StepText = ""
    people: StepText = ""
    professionals: StepText = ""
    environment: StepText = ""
    care_team_name: ShortText = ""
    care_team_phone: Phone = ""
    updated_at: str = ""


PLAN_FIELDS = tuple(name for name, _, _ in STEPS) + ("care_team_name", "care_team_phone")

SAFETY_PLAN_MESSAGES = {
    **{name: f"Keep each step to {STEP_MAX:,} characters or fewer." for name, _, _ in STEPS},
    "care_team_name": "Keep the care-team name to 120 characters or fewer.",
    "care_team_phone": PHONE_MESSAGE,
    "updated_at": "",
}


def has_content(plan: SafetyPlan | None) -> bool:
    return plan is not None and any(getattr(plan, name).strip() for name in PLAN_FIELDS)


def has_steps(plan: SafetyPlan | None) -> bool:
    """A plan Get help now can show: at least one of the six steps written. A care team's
    number alone is a button there, not a plan to turn to."""
    return plan is not None and any(getattr(plan, name).strip() for name, _, _ in STEPS)


def has_care_team(plan: SafetyPlan | None) -> bool:
    """A care team's number to call from Get help now (a name alone dials nothing)."""
    return plan is not None and bool(plan.care_team_phone.strip())


def dialable(phone: str) -> str:
    """A number as tel: and sms: URIs take it (RFC 3966: no spaces): only the digits and a
    leading plus sign. In an international number a "(0)" is the trunk prefix dialled only at
    home (+44 (0)20 ...), so it is left out."""
    international = phone.strip().startswith("+")
    if international:
        phone = phone.replace("(0)", "")
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"{'+' if international else ''}{digits}"


def tel_link(phone: str) -> str:
    return f"tel:{dialable(phone)}"
