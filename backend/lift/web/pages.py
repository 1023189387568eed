"""Home, the always-reachable Get help page, and the safety plan."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Response

from lift.db import checkins as checkin_store
from lift.db import safety_plans
from lift.db import reminders as reminder_store
from lift.db import scales as scale_store
from lift.db import sharing as sharing_store
from lift.db import trends as trend_store
from lift.db import users as user_store
from lift.db.backup import latest_schema_version
from lift.db.clock import iso, utc_now
from lift.db.connection import Database, DatabaseError
from lift.domain import checkins as rules
from lift.domain import dates
from lift.domain import home as home_rules
from lift.domain import safety_plan as plans
from lift.domain import scales
from lift.domain.crisis import THOUGHTS_LABELS
from lift.domain.forms import parse_form
from lift.domain.trends import first_day_with_lift
from lift.web.crisis import own_plan_and_treatment
from lift.web.guards import patient
from lift.web.treatment import home_context as treatment_home_context
from lift.web.rendering import SAVE_FAILED, form_data, local_today, redirect, render


@get("/", name="home")
async def home(request: Request) -> Response:
    user = request.scope.get("user")
    if user is None:
        return render(request, "pages/welcome.html")
    if user.role != "patient":
        # Caregivers and clinicians have their own home: the people who share with them.
        return redirect(request, f"/{user.role}")
    db = request.app.state.db
    today = local_today(user.timezone)
    week = rules.last_days(today)
    # From the oldest day the form can fill, a day before the strip, to know whether it is done;
    # so these are all the check-ins that can have been saved today (home.thoughts_note).
    first = rules.fillable_dates(today)[-1]
    by_day = {c.local_date: c for c in await checkin_store.checkins_between(db, user.id, first, today)}
    last_checkin = max(by_day) if by_day else await checkin_store.last_checkin_date(db, user.id)
    first_entry = await trend_store.first_entry_date(db, user.id)
    # As the charts count them: from the day they joined, or an earlier day they filled in.
    joined = await user_store.joined_on(db, user.id, user.timezone)
    first_day = first_day_with_lift(joined, [first_entry])
    missed = rules.days_to_fill(today, by_day, first_day)
    plan = await safety_plans.safety_plan_for(db, user.id)
    due_scales = scales.due_instruments(await scale_store.last_taken_dates(db, user.id), today)
    treatment = await treatment_home_context(request, user, today)
    first_steps = []
    if home_rules.in_first_weeks(first_entry, today):
        first_steps = home_rules.open_steps(
            has_treatment_plan=treatment["treatment_plan"] is not None,
            has_device=bool(await reminder_store.devices_for(db, user.id)),
            shares=bool(await sharing_store.grants_for_patient(db, user.id)
                        or await sharing_store.pending_invitations(db, user.id)),
        )
    return render(request, "pages/home.html", today=today, todays=by_day.get(today),
                  week=[(day, by_day.get(day)) for day in week],
                  before_joining=rules.before_joining(week, by_day, first_day), plan_card=home_rules.plan_card(plan),
                  week_to_fill=rules.shown_to_fill(missed, week),
                  older_to_fill=[(day, dates.day_label(day, today)) for day in rules.older_than_shown(missed, week)],
                  due_scales=due_scales, welcome_back=rules.welcome_back(last_checkin, today, joined),
                  first_missed=missed[0] if missed else None, first_steps=first_steps,
                  thoughts_note=home_rules.thoughts_note(by_day.values(), today, user.timezone,
                                                         request.app.state.crisis_resources),
                  plan_has_steps=plans.has_steps(plan), thoughts_labels=THOUGHTS_LABELS, **treatment)


@get("/healthz", name="health")
async def health(request: Request) -> dict[str, str]:
    """For container health checks: the app answers and its database can be read."""
    await request.app.state.db.fetch_one("SELECT 1 FROM schema_migrations LIMIT 1")
    return {"status": "ok"}


class ReadinessProbe:
    """The last readiness answer, reused for `ttl` seconds. /readyz is public and each real
    check is a durable write, so however often it is called (a load balancer, or anyone), the
    database takes at most one such write per second per server process."""

    def __init__(self, ttl: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._lock = asyncio.Lock()
        self._answer: tuple[dict, int] | None = None
        self._checked = 0.0

    async def answer(self, check: Callable[[], Awaitable[tuple[dict, int]]]) -> tuple[dict, int]:
        async with self._lock:  # callers during a check wait for it and share its answer
            if self._answer is None or self.clock() - self._checked >= self.ttl:
                self._answer, self._checked = await check(), self.clock()
            return self._answer


async def check_readiness(db: Database) -> tuple[dict, int]:
    """The database takes a write and its schema is the one this code expects."""
    checked_at = iso(utc_now())
    try:
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO readiness (id, checked_at) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                (checked_at,),
            )
        version = (await db.fetch_one("SELECT max(version) FROM schema_migrations"))[0]
    except DatabaseError as exc:
        return {"status": "unavailable", "reason": type(exc).__name__, "checked_at": checked_at}, 503
    if version != latest_schema_version():
        return {"status": "unavailable", "reason": "migrations not current", "checked_at": checked_at}, 503
    return {"status": "ready", "schema_version": version, "checked_at": checked_at}, 200


@get("/readyz", name="ready")
async def ready(request: Request) -> Response:
    """Ready to serve, as of `checked_at` (at most a second ago)."""
    db = request.app.state.db
    body, status = await request.app.state.readiness.answer(lambda: check_readiness(db))
    return Response(body, status_code=status)


@get("/help", name="help")
async def get_help(request: Request) -> Response:
    """Open to everyone, signed in or not: nobody should have to sign in to find help."""
    user = request.scope.get("user")
    plan, treatment = await own_plan_and_treatment(request) if user and user.role == "patient" else (None, None)
    return render(request, "pages/help.html", resources=request.app.state.crisis_resources,
                  plan=plan, crisis_treatment=treatment, crisis=None)


def _steps(request: Request) -> tuple[tuple[str, str, str], ...]:
    return plans.steps_naming(request.app.state.crisis_resources.lines[0].name)


@get("/safety-plan", guards=[patient], name="safety_plan")
async def safety_plan_page(request: Request, saved: FromQuery[str | None] = None) -> Response:
    # Read as text, not a bool: a mangled flag (?saved=abc) is ignored rather than answered 400.
    plan = await safety_plans.safety_plan_for(request.app.state.db, request.scope["user"].id)
    values = {name: getattr(plan, name) for name in plans.PLAN_FIELDS} if plan else {}
    return render(request, "safety_plan/edit.html", values=values, errors={}, steps=_steps(request),
                  saved=saved == "true", updated_at=plan.updated_at if plan else None, plan=plan)


@post("/safety-plan", guards=[patient])
async def save_safety_plan(request: Request) -> Response:
    values = await form_data(request)
    values.pop("updated_at", None)
    plan, errors = parse_form(plans.SafetyPlan, values, plans.SAFETY_PLAN_MESSAGES)
    if plan is None:
        return render(request, "safety_plan/edit.html", status_code=422, values=values,
                      errors=errors, steps=_steps(request), saved=False, updated_at=None)
    try:
        await safety_plans.save_safety_plan(request.app.state.db, request.scope["user"].id, plan)
    except DatabaseError:
        return render(request, "safety_plan/edit.html", status_code=503, values=values,
                      errors={"form": SAVE_FAILED}, steps=_steps(request), saved=False, updated_at=None)
    return redirect(request, "/safety-plan?saved=true")
