"""Loading the crisis resources file, and the context every crisis panel needs."""

from __future__ import annotations

import asyncio
import logging
import tomllib
from collections.abc import Callable
from pathlib import Path

from litestar import Request

from lift.db.connection import DatabaseError
from lift.db.safety_plans import safety_plan_for
from lift.db.treatment import plan_for
from lift.domain import checkins, scales
from lift.domain.crisis import (
    NOT_KNOWN,
    CrisisPrompt,
    CrisisResources,
    Saved,
    crisis_prompt_for_phq9_item9,
    crisis_prompt_for_thoughts,
    parse_resources,
    saved_in,
)
from lift.domain.safety_plan import SafetyPlan

log = logging.getLogger("lift")

# (answer 1-3, the deployment's resources, what the patient saved) -> the prompt for that answer:
# crisis_prompt_for_thoughts, or crisis_prompt_for_phq9_item9.
PromptFor = Callable[[int, CrisisResources, Saved], CrisisPrompt | None]


def load_crisis_resources(path: Path) -> CrisisResources:
    with path.open("rb") as file:
        return parse_resources(tomllib.load(file))


def thoughts_prompt_for(values: dict[str, str], resources: CrisisResources) -> CrisisPrompt | None:
    """Get help now for a check-in's thoughts answer, read from the form as sent: before, and
    whatever, validation says of the rest."""
    thoughts = checkins.thoughts_answer(values.get("thoughts"))
    return crisis_prompt_for_thoughts(thoughts, resources) if thoughts else None


def item9_sent(values: dict[str, str]) -> int | None:
    """A PHQ-9's item 9 as sent, for the save and for the page refusing it alike: above 0 it brings
    up Get help now whatever the total and whatever else in the form is missing or wrong, so it is
    read before anything is validated."""
    return scales.item_answer(values.get(scales.PHQ9_ITEM9))


def item9_prompt_for(values: dict[str, str], resources: CrisisResources) -> CrisisPrompt | None:
    """Get help now for a PHQ-9's item 9 above 0, read from the form as sent, like the thoughts
    answer."""
    answer = item9_sent(values)
    return crisis_prompt_for_phq9_item9(answer, resources) if answer is not None else None


async def crisis_context(request: Request, answer: int | None,
                         prompt_for: PromptFor = crisis_prompt_for_thoughts) -> dict:
    """What the crisis panel shows for an answer to a crisis question (none for None or 0): the
    prompt, worded for what the patient saved (so read first), the resources, and the patient's
    own plan and treatment (which card it offers to read)."""
    plan = treatment = None
    if answer and request.scope.get("user"):
        plan, treatment = await own_plan_and_treatment(request)
    resources = request.app.state.crisis_resources
    prompt = prompt_for(answer, resources, saved_for(request, plan)) if answer else None
    return {"crisis": prompt, "resources": resources, "plan": plan, "crisis_treatment": treatment}


def saved_for(request: Request, plan: SafetyPlan | None) -> Saved:
    """What Get help now may point to for the signed-in patient whose plan was read: not known
    when it could not be read, or nobody is signed in."""
    if request.scope.get("user") is None or request.state.get("plan_unreadable"):
        return NOT_KNOWN
    return saved_in(plan)


async def own_plan_and_treatment(request: Request) -> tuple[SafetyPlan | None, str | None]:
    """The signed-in patient's safety plan and treatment, read together (one trip to a reader)."""
    plan, treatment = await asyncio.gather(own_plan(request), own_treatment(request))
    return plan, treatment


async def own_plan(request: Request) -> SafetyPlan | None:
    """The signed-in patient's plan, or None when it cannot be read. Read for Get help now
    (shown, or kept for no signal), a failed read must not cost a crisis answer its save, its
    panel or its form, nor the Get help page itself: they show without the plan. The page then
    hands nothing to the phone (plan_unreadable), which keeps the copy it has."""
    try:
        return await safety_plan_for(request.app.state.db, request.scope["user"].id)
    except DatabaseError:
        log.exception("safety plan unreadable; Get help now shown without it")
        request.state.plan_unreadable = True
        return None


async def own_treatment(request: Request) -> str | None:
    """The treatment in the signed-in patient's plan ("esketamine", "iv_ketamine", "other"), or
    None for no plan, or one that cannot be read: like the safety plan, it must never cost Get
    help now. Unknown, the panel offers what it offers anyone (`crisis.crisis_reading`)."""
    try:
        plan = await plan_for(request.app.state.db, request.scope["user"].id)
    except DatabaseError:
        log.exception("treatment plan unreadable; Get help now shown without it")
        return None
    return plan.medication if plan else None
