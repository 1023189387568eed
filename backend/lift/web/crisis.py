"""Loading the crisis resources file, and the context every crisis panel needs."""

from __future__ import annotations

import tomllib
from pathlib import Path

from litestar import Request

from lift.db.safety_plans import safety_plan_for
from lift.domain.crisis import CrisisPrompt, CrisisResources, parse_resources


def load_crisis_resources(path: Path) -> CrisisResources:
    with path.open("rb") as file:
        return parse_resources(tomllib.load(file))


async def crisis_context(request: Request, prompt: CrisisPrompt | None) -> dict:
    """What the crisis panel shows: the prompt, the resources, and the patient's own plan."""
    user = request.scope.get("user")
    plan = await safety_plan_for(request.app.state.db, user.id) if user and prompt else None
    return {"crisis": prompt, "resources": request.app.state.crisis_resources, "plan": plan}
