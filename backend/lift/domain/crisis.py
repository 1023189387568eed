"""When an answer reports suicidal thoughts, and how directly Lift responds.

This is the safety-critical rule. Any level above "none" on the daily thoughts question,
or PHQ-9 item 9 above 0, must bring up the crisis resources in the same response. The
wording grows more direct as the answer grows more serious.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated
from urllib.parse import quote

import msgspec

from lift.domain.safety_plan import SafetyPlan, dialable, has_care_team, has_steps


class Thoughts(IntEnum):
    NONE = 0
    PASSING = 1
    ENDING_LIFE = 2
    PLAN_OR_INTENT = 3


THOUGHTS_LABELS = {
    Thoughts.NONE: "None",
    Thoughts.PASSING: "Passing thoughts of death or of not wanting to be here",
    Thoughts.ENDING_LIFE: "Thoughts of ending my life",
    Thoughts.PLAN_OR_INTENT: "Thoughts with a plan or intent to act",
}


# A number as a deployment writes it ("116 123", "+44 (0)800 ..."): its links keep only what
# is dialled (dialable), so a letter, which would be dropped there, stops start-up instead, as
# does a number with no digit to dial. A line's number may be left out (empty).
RequiredNumber = Annotated[str, msgspec.Meta(pattern=r"^[0-9+()\-. ]*[0-9][0-9+()\-. ]*$")]
Number = Annotated[str, msgspec.Meta(pattern=r"^$|^[0-9+()\-. ]*[0-9][0-9+()\-. ]*$")]


class CrisisLine(msgspec.Struct, frozen=True):
    name: str
    description: str = ""
    call: Number = ""
    text: Number = ""
    text_body: str = ""

    def __post_init__(self) -> None:
        # Every prompt sends the patient to a line by its number (reach): a line with none to
        # call or text would be worded "text  at any hour" and get no button.
        if not (self.call or self.text):
            raise ValueError("a crisis line needs a number to call or to text")

    # A button shows what it does over whose line it is. Under "Call 988" the name was
    # "988 Suicide & Crisis Lifeline", and a screen reader said "Call 988 988 Suicide & Crisis
    # Lifeline": the name is shown, and said, without the number just given (caption). The
    # accessible name adds a pause between the two, every word shown kept (WCAG 2.5.3).
    @property
    def call_caption(self) -> str:
        return caption(self.call, self.name)

    @property
    def text_caption(self) -> str:
        return caption(self.text, self.name)

    @property
    def call_name(self) -> str:
        """"Call 988, Suicide & Crisis Lifeline"."""
        return button_name(f"Call {self.call}", self.call_caption)

    @property
    def text_name(self) -> str:
        """"Text 988, Suicide & Crisis Lifeline", "Text HOME to 741741, Crisis Text Line"."""
        action = f"Text {self.text_body} to {self.text}" if self.text_body else f"Text {self.text}"
        return button_name(action, self.text_caption)


def caption(number: str, name: str) -> str:
    """A line's name under a button that has just given its number: without it if it starts
    with it ("988 Suicide & Crisis Lifeline" under "Call 988"), nothing if it is only that."""
    return "" if name.strip() == number else name.removeprefix(number + " ").strip()


def button_name(action: str, under: str) -> str:
    return f"{action}, {under}" if under else action


def reach(line: CrisisLine) -> str:
    """How a message points to a line, as its buttons do: "call or text 988", "call 116 123",
    "text HOME to 741741"."""
    if line.call and line.call == line.text and not line.text_body:
        return f"call or text {line.call}"
    if line.call:
        return f"call {line.call}"
    return f"text {line.text_body} to {line.text}" if line.text_body else f"text {line.text}"


class CrisisResources(msgspec.Struct, frozen=True):
    emergency_number: RequiredNumber
    # At least one line: every prompt below points to one, whatever the answer.
    lines: Annotated[list[CrisisLine], msgspec.Meta(min_length=1)]
    emergency_label: str = "Emergency services"

    @property
    def helpline(self) -> str:
        """How the wording points to the first line: "call or text 988", "call 116 123"."""
        return reach(self.lines[0])

    @property
    def every_line(self) -> str:
        """Every line, as one list: "call or text 988, text HOME to 741741"."""
        return ", ".join(reach(line) for line in self.lines)

    @property
    def any_line(self) -> str:
        """Every line, as choices: "call or text 988, or text HOME to 741741"."""
        ways = [reach(line) for line in self.lines]
        return ", or ".join([", ".join(ways[:-1]), ways[-1]]) if len(ways) > 1 else ways[0]

    @property
    def emergency_caption(self) -> str:
        return caption(self.emergency_number, self.emergency_label)

    @property
    def emergency_name(self) -> str:
        """The emergency button's accessible name: "Call 911, Emergency services"."""
        return button_name(f"Call {self.emergency_number}", self.emergency_caption)

    @property
    def call_now(self) -> str:
        """What to call in danger: the emergency number, and the first line that takes calls
        ("911 or 988"). The wording names only numbers in this deployment's file: 988 does
        not answer outside North America."""
        line = next((line for line in self.lines if line.call), None)
        return f"{self.emergency_number} or {line.call}" if line else self.emergency_number



class Saved(msgspec.Struct, frozen=True):
    """What the patient saved that Get help now can point to: steps of a safety plan, and a care
    team's number. None where Lift does not know (a page made for nobody, a form refused before
    the patient's plan was read, a plan that could not be read): the wording then holds either way."""

    plan: bool | None = None
    care_team: bool | None = None


NOT_KNOWN = Saved()


def saved_in(plan: SafetyPlan | None) -> Saved:
    """What a plan Lift read gives Get help now (None: the patient has saved none)."""
    return Saved(plan=has_steps(plan), care_team=has_care_team(plan))


def _or_your_plan(saved: Saved) -> str:
    """The end of a sentence offering the lines: never "your safety plan" to a patient who has
    written none (the panel offers to write one instead)."""
    if saved.plan is None:
        return ", or turn to your safety plan if you have one"
    return ", or turn to your safety plan" if saved.plan else ""


def _reach_out(resources: CrisisResources, saved: Saved) -> str:
    """The lines, and the care team unless the patient is known to have saved no number for one."""
    if saved.care_team is False:
        return sentence(resources.any_line)
    return f"{sentence(resources.every_line)}, or contact your care team"


class CrisisPrompt(msgspec.Struct, frozen=True):
    level: str  # "support", "urgent" or "immediate"; also used as a CSS modifier.
    headline: str
    message: str


def crisis_prompt_for_thoughts(thoughts: int, resources: CrisisResources,
                               saved: Saved = NOT_KNOWN) -> CrisisPrompt | None:
    """The crisis prompt for a daily check-in's thoughts answer, or None for "none". It names
    the patient's safety plan and care team only as far as `saved` says they have them."""
    level = Thoughts(thoughts)
    if level is Thoughts.NONE:
        return None
    if level is Thoughts.PASSING:
        return CrisisPrompt(
            level="support",
            headline="You don't have to carry these thoughts alone",
            message=(
                "Thoughts of death or of not wanting to be here are worth talking about "
                f"with someone today. You can {resources.helpline} at any hour{_or_your_plan(saved)}."
            ),
        )
    if level is Thoughts.ENDING_LIFE:
        return CrisisPrompt(
            level="urgent",
            headline="Please reach out to someone now",
            message=(
                "Thoughts of ending your life are serious and you deserve support right "
                f"now. {_reach_out(resources, saved)}. If you are in danger, call "
                f"{resources.emergency_number}."
            ),
        )
    return CrisisPrompt(
        level="immediate",
        headline=f"If you might act on these thoughts, call {resources.call_now} now",
        message=(
            "Your safety comes first. Call now, or ask someone near you to call with you. "
            "If you can, move away from anything you could use to hurt yourself."
        ),
    )


def crisis_prompt_for_phq9_item9(score: int, resources: CrisisResources,
                                 saved: Saved = NOT_KNOWN) -> CrisisPrompt | None:
    """PHQ-9 item 9 (thoughts of being better off dead or of self-harm) above 0, worded for what
    the patient saved as the thoughts answer is."""
    if not 0 <= score <= 3:
        raise ValueError(f"PHQ-9 item 9 is scored 0-3, got {score}")
    if score == 0:
        return None
    # More than half the days or nearly every day is treated like active thoughts. The item
    # asks about self-harm as well as death, so the message names both.
    thoughts = Thoughts.PASSING if score == 1 else Thoughts.ENDING_LIFE
    prompt = crisis_prompt_for_thoughts(thoughts, resources, saved)
    if thoughts is Thoughts.PASSING:
        message = (
            "Thoughts that you would be better off dead, or of hurting yourself, are worth "
            f"talking about with someone today. You can {resources.helpline} at any hour"
            f"{_or_your_plan(saved)}."
        )
    else:
        message = (
            "Thoughts that you would be better off dead, or of hurting yourself, are serious "
            f"and you deserve support right now. {_reach_out(resources, saved)}. If you are in "
            f"danger, call {resources.emergency_number}."
        )
    return msgspec.structs.replace(prompt, message=message)


class Reading(msgspec.Struct, frozen=True):
    """An education card Get help now offers to read."""

    href: str
    label: str


ESKETAMINE_AND_THOUGHTS = Reading("/learn/suicidal-thoughts", "Read: esketamine, anxiety and suicidal thoughts")
# The card Get help now offers, by the treatment in the patient's plan (`Plan.medication`). Only
# esketamine has a card on suicidal thoughts; no card speaks of them with IV ketamine or another
# treatment, and one about a medicine the patient is not having does not belong in the panel.
READING_FOR_TREATMENT = {"esketamine": ESKETAMINE_AND_THOUGHTS}


def crisis_reading(treatment: str | None) -> Reading | None:
    """The card Get help now offers for the patient's treatment, or None when no card fits it.
    Where the treatment is not known (no plan, one that could not be read, a page made for
    nobody, a caregiver's or clinician's), the esketamine card: its title says whom it is about."""
    if treatment is None:
        return ESKETAMINE_AND_THOUGHTS
    return READING_FOR_TREATMENT.get(treatment)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def sms_link(number: str, body: str = "") -> str:
    """An sms: URI; '?&body=' is understood by both iOS and Android messaging apps."""
    number = dialable(number)
    return f"sms:{number}?&body={quote(body)}" if body else f"sms:{number}"


def parse_resources(data: dict) -> CrisisResources:
    return msgspec.convert(data, CrisisResources)
