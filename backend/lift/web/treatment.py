"""The treatment plan, its sessions, the treatment-day checklist, and the session log."""

from __future__ import annotations

import logging
from datetime import date, datetime

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from lift.db import treatment as store
from lift.db.clock import utc_now
from lift.db.connection import DatabaseError
from lift.domain import schedule
from lift.domain import treatment as rules
from lift.domain.accounts import User
from lift.domain.forms import form_key, parse_form
from lift.domain.time_of_day import parse_time_of_day
from lift.push.scheduler import replan
from lift.web.guards import patient
from lift.web.rendering import (
    SAVE_FAILED, form_data, local_today, new_form_key, redirect, render, wants_fragment,
)

SIDE_EFFECTS_CARD = "side-effects"
TREATMENT_DAY_CARD = "treatment-day"

log = logging.getLogger("lift")


def card(request: Request, slug: str):
    return request.app.state.education.get(slug)


async def sessions_changed(request: Request) -> None:
    """Reminders follow sessions added, moved, cancelled, or made or removed with a plan at once,
    as they follow reminder settings and time zones, not at the scheduler's next pass. The
    change is already saved: if re-planning cannot write just now, that pass still will."""
    try:
        await replan(request.app.state, request.scope["user"].id)
    except DatabaseError:
        log.warning("reminders not re-planned after a session change; the scheduler's next pass will")


async def own_plan(request: Request) -> rules.Plan:
    plan = await store.plan_for(request.app.state.db, request.scope["user"].id)
    if plan is None:
        raise NotFoundException()
    return plan


async def own_session(request: Request, session_id: int) -> rules.Session:
    """The patient's own session; anyone else's is a 404 so IDs cannot be probed."""
    session = await store.session_by_id(request.app.state.db, request.scope["user"].id, session_id)
    if session is None:
        raise NotFoundException()
    return session


def own_view(session: rules.Session, user: User) -> rules.SessionView:
    """A session as its patient's own pages show it: "Log how it went" from its start."""
    now = utc_now()
    return rules.view(session, user.timezone, schedule.local_date_of(now, user.timezone), now,
                      twelve_hour=user.twelve_hour)


async def home_context(request: Request, user: User, today: date) -> dict:
    """What the home page shows about treatment: today's session with its checklist, and the next one."""
    db = request.app.state.db
    plan = await store.plan_for(db, user.id)
    if plan is None:
        return {"treatment_plan": None}
    day_start, day_end = schedule.local_day_bounds(today, user.timezone)
    todays_sessions = await store.sessions_between(db, user.id, day_start, day_end)
    todays = rules.todays_session(todays_sessions, today, user.timezone)
    # Today's session has the checklist; the next one may still be later today.
    following = await store.next_planned_session(db, user.id, day_start, skip=todays.id if todays else None)
    # A session logged today is newer than any before it, so today's are read with the last one.
    last = await store.last_dose_before(db, user.id, day_start)
    to_log = rules.session_to_log([last, *todays_sessions] if last else todays_sessions, today, user.timezone)
    return {
        "treatment_plan": plan,
        "treatment_today": own_view(todays, user) if todays else None,
        "treatment_next": rules.view(following, user.timezone, today, twelve_hour=user.twelve_hour)
        if following else None,
        "treatment_to_log": to_log,
        "treatment_log_question": rules.log_question(schedule.local_date_of(to_log.starts_at, user.timezone), today)
        if to_log else None,
        "treatment_day_card": card(request, TREATMENT_DAY_CARD),
    }


# The plan ------------------------------------------------------------------------------


@get("/treatment", guards=[patient], name="treatment")
async def overview(request: Request, notice: FromQuery[str | None] = None) -> Response:
    user = request.scope["user"]
    db = request.app.state.db
    plan = await store.plan_for(db, user.id)
    if plan is None:
        return render(request, "treatment/overview.html", plan=None)
    today = local_today(user.timezone)
    sessions = await store.sessions_for(db, user.id)
    def views(chosen: list[rules.Session]) -> list[rules.SessionView]:
        return [rules.view(s, user.timezone, today, twelve_hour=user.twelve_hour) for s in chosen]

    return render(request, "treatment/overview.html", plan=plan, notice=notice,
                  upcoming=views(rules.upcoming(sessions, today, user.timezone)),
                  earlier=views(rules.earlier(sessions, today, user.timezone)))


# The notice on the plan form for a patient sent there to make a plan before adding a session.
PLAN_FIRST = "plan-first"


def plan_form_view(request: Request, values: dict, errors: dict, status_code: int = 200,
                   editing: bool = False, notice: str | None = None) -> Response:
    return render(request, "treatment/plan_form.html", status_code=status_code, values=values, errors=errors,
                  notice=notice,
                  editing=editing, medications=rules.MEDICATIONS, templates=schedule.TEMPLATES,
                  treatments_fitting=rules.treatments_fitting,
                  maintenance=schedule.MAINTENANCE, today=local_today(request.scope["user"].timezone))


@get("/treatment/plan/new", guards=[patient])
async def new_plan(request: Request, notice: FromQuery[str | None] = None) -> Response:
    if await store.plan_for(request.app.state.db, request.scope["user"].id):
        return redirect(request, "/treatment")
    today = local_today(request.scope["user"].timezone)
    # Sent here to add a session: adding sessions one by one is what they came for.
    template = "none" if notice == PLAN_FIRST else "esketamine"
    return plan_form_view(request, {"template": template, "medication": "esketamine",
                                    "start_date": today.isoformat(), "induction_weeks": "3"}, {},
                          notice=notice)


@post("/treatment/plan", guards=[patient])
async def create_plan(request: Request) -> Response:
    user = request.scope["user"]
    values = await form_data(request)
    answers = rules.applicable(values)
    plan, errors = parse_form(rules.PlanForm, answers, rules.PLAN_MESSAGES)
    sched, sched_errors = parse_form(rules.ScheduleForm, answers, rules.schedule_messages(user.twelve_hour))
    errors.update(sched_errors)
    if unfit := rules.unfit_schedule(values):
        errors["template"] = unfit
    for field, problem in rules.plan_problems(plan, sched, local_today(user.timezone),
                                                twelve_hour=user.twelve_hour).items():
        errors.setdefault(field, problem)
    if errors:
        return plan_form_view(request, rules.shown_again(values, unfit), errors, 422)
    sessions = []
    if sched.template != "none":
        slots = schedule.until(schedule.template_slots(sched.template, sched.start_date, sched.maintenance,
                                                       sched.induction_weeks), sched.end_date)
        sessions = schedule.plan_sessions(slots, parse_time_of_day(sched.session_time), user.timezone)
    try:
        created = await store.create_plan(request.app.state.db, user.id, plan, sessions)
    except DatabaseError:
        return plan_form_view(request, values, {"form": SAVE_FAILED}, 503)
    if created is None:
        return redirect(request, "/treatment")
    await sessions_changed(request)
    if sched.template == "none":
        return redirect(request, "/treatment/sessions/new")
    return redirect(request, "/treatment?notice=created")


@get("/treatment/plan/edit", guards=[patient])
async def edit_plan(request: Request) -> Response:
    plan = await own_plan(request)
    return plan_form_view(request, rules.as_plan_values(plan), {}, editing=True)


@post("/treatment/plan/edit", guards=[patient])
async def save_plan(request: Request) -> Response:
    await own_plan(request)
    values = await form_data(request)
    plan, errors = parse_form(rules.PlanForm, rules.applicable(values), rules.PLAN_MESSAGES)
    if plan:
        errors.update(rules.plan_problems(plan, None, local_today(request.scope["user"].timezone)))
    if errors:
        return plan_form_view(request, values, errors, 422, editing=True)
    try:
        await store.update_plan(request.app.state.db, request.scope["user"].id, plan)
    except DatabaseError:
        return plan_form_view(request, values, {"form": SAVE_FAILED}, 503, editing=True)
    return redirect(request, "/treatment?notice=saved")


@get("/treatment/plan/delete", guards=[patient])
async def confirm_delete_plan(request: Request) -> Response:
    return render(request, "treatment/delete.html", plan=await own_plan(request))


@post("/treatment/plan/delete", guards=[patient])
async def delete_plan(request: Request) -> Response:
    if not await store.delete_plan(request.app.state.db, request.scope["user"].id):
        raise NotFoundException()
    await sessions_changed(request)
    return redirect(request, "/treatment?notice=deleted")


# Sessions ------------------------------------------------------------------------------


def session_form_view(request: Request, values: dict, errors: dict, status_code: int = 200,
                      moving: rules.SessionView | None = None) -> Response:
    # 409: the session can no longer be moved, so there is no form to send again.
    return render(request, "treatment/session_form.html", status_code=status_code,
                  values=new_form_key(values),
                  errors=errors, moving=moving, blocked=status_code == 409)


def planned_from(form: rules.SessionForm, timezone: str, phase: str) -> schedule.PlannedSession:
    return schedule.plan_sessions([schedule.SessionSlot(local_date=form.session_date, phase=phase)],
                                  parse_time_of_day(form.session_time), timezone)[0]


def session_form_errors(form: rules.SessionForm | None, errors: dict, today: date) -> dict:
    if form and (problem := schedule.start_date_error(form.session_date, today)):
        errors["session_date"] = problem
    return errors


@get("/treatment/sessions/new", guards=[patient])
async def new_session(request: Request) -> Response:
    """Sessions belong to a plan: without one, the patient is sent to make it first."""
    if await store.plan_for(request.app.state.db, request.scope["user"].id) is None:
        return redirect(request, f"/treatment/plan/new?notice={PLAN_FIRST}")
    today = local_today(request.scope["user"].timezone)
    return session_form_view(request, {"session_date": today.isoformat()}, {})


async def sent_before(request: Request, values: dict,
                      notice: str = "") -> tuple[str | None, dict, Response | None]:
    """The form's key, what is wrong with it, and for a form sent again after its answer was
    lost (the key names a session this patient's form made) the answer the first send got."""
    key, problem = form_key(values)
    if problem:
        values.pop("client_uuid", None)  # the form comes back with a new one
        return None, {"form": problem}, None
    made = await store.session_with_key(request.app.state.db, request.scope["user"].id, key)
    return key, {}, redirect(request, f"/treatment/sessions/{made}{notice}") if made is not None else None


@post("/treatment/sessions", guards=[patient])
async def add_session(request: Request) -> Response:
    user = request.scope["user"]
    values = await form_data(request)
    key, key_errors, first_answer = await sent_before(request, values)
    if first_answer:
        return first_answer
    if await store.plan_for(request.app.state.db, user.id) is None:
        # The plan went (deleted on another screen) while this form was open: say so, and give
        # back the day and time typed, so nothing is lost. 409: there is no form to send again.
        typed = " at ".join(filter(None, (values.get("session_date", ""), values.get("session_time", ""))))
        return session_form_view(request, values, {"form": (
            "Your treatment plan was deleted, so this session wasn't added. Set up your treatment "
            f"again, then add the session{f' ({typed})' if typed else ''}.")}, 409)
    form, errors = parse_form(rules.SessionForm, values, rules.session_messages(user.twelve_hour))
    if session_form_errors(form, errors, local_today(user.timezone)) or key_errors:
        return session_form_view(request, values, key_errors | errors, 422)
    planned = planned_from(form, user.timezone, rules.ADDED_BY_PATIENT)
    try:
        new_id = await store.add_session(request.app.state.db, user.id, planned, key)
    except DatabaseError:
        return session_form_view(request, values, {"form": SAVE_FAILED}, 503)
    if new_id is None:
        raise NotFoundException()
    await sessions_changed(request)
    return redirect(request, f"/treatment/sessions/{new_id}")


@get("/treatment/sessions/{session_id:int}", guards=[patient])
async def session_page(request: Request, session_id: FromPath[int],
                       notice: FromQuery[str | None] = None) -> Response:
    user = request.scope["user"]
    session = await own_session(request, session_id)
    plan = await own_plan(request)
    log = await store.session_log(request.app.state.db, user.id, session_id) if session.has_log else None
    item = own_view(session, user)
    return render(request, "treatment/session.html", item=item, clinic_reasons=logged_reasons(request, log, item),
                  plan=plan, log=log, side_effect_labels=rules.SIDE_EFFECT_LABELS,
                  back_to_normal=rules.BACK_TO_NORMAL,
                  can_move=schedule.can_transition(session.status, "rescheduled"),
                  treatment_day_card=card(request, TREATMENT_DAY_CARD), notice=notice)


def logged_reasons(request: Request, log: rules.SessionLog | None, item: rules.SessionView) -> list[str]:
    """The "Contact your clinic" reasons as they stood when the log was saved: the page shown
    right after logging and the session's own page say the same. (A missed session's log
    holds no effects, readings or recovery time, so it gives none.)"""
    if log is None:
        return []
    logged_on = schedule.local_date_of(datetime.fromisoformat(log.updated_at), request.scope["user"].timezone)
    return rules.clinic_contact_reasons(log.side_effects, log.bp_after or None, log.back_to_normal or None,
                                        request.app.state.crisis_resources.emergency_number,
                                        (logged_on - item.day).days)


@get("/treatment/sessions/{session_id:int}/move", guards=[patient])
async def move_form(request: Request, session_id: FromPath[int]) -> Response:
    user = request.scope["user"]
    session = await own_session(request, session_id)
    item = rules.view(session, user.timezone, local_today(user.timezone), twelve_hour=user.twelve_hour)
    # The time input's value is HH:MM whatever the reader's clock; the browser shows it its own way.
    at = schedule.local_time_of(session.starts_at, user.timezone)
    values = {"session_date": item.day.isoformat(), "session_time": f"{at:%H:%M}"}
    if problem := schedule.transition_error(session.status, "rescheduled"):
        return session_form_view(request, values, {"form": problem}, 409, moving=item)
    return session_form_view(request, values, {}, moving=item)


@post("/treatment/sessions/{session_id:int}/move", guards=[patient])
async def move_session(request: Request, session_id: FromPath[int]) -> Response:
    user = request.scope["user"]
    session = await own_session(request, session_id)
    item = rules.view(session, user.timezone, local_today(user.timezone), twelve_hour=user.twelve_hour)
    values = await form_data(request)
    key, key_errors, first_answer = await sent_before(request, values, "?notice=moved")
    if first_answer:
        return first_answer
    if problem := schedule.transition_error(session.status, "rescheduled"):
        return session_form_view(request, values, {"form": problem}, 409, moving=item)
    form, errors = parse_form(rules.SessionForm, values, rules.session_messages(user.twelve_hour))
    session_form_errors(form, errors, local_today(user.timezone))
    if form and (problem := rules.same_time_error(item, user.timezone, form.session_date, form.session_time)):
        errors.setdefault("session_date", problem)
    if errors or key_errors:
        return session_form_view(request, values, key_errors | errors, 422, moving=item)
    try:
        new_id = await store.move_session(request.app.state.db, user.id, session_id,
                                          planned_from(form, user.timezone, session.phase), key)
    except DatabaseError:
        return session_form_view(request, values, {"form": SAVE_FAILED}, 503, moving=item)
    if new_id is None:
        return session_form_view(request, values, {"form": rules.CHANGED_MEANWHILE}, 409, moving=item)
    await sessions_changed(request)
    return redirect(request, f"/treatment/sessions/{new_id}?notice=moved")


@post("/treatment/sessions/{session_id:int}/cancel", guards=[patient])
async def cancel_session(request: Request, session_id: FromPath[int]) -> Response:
    user = request.scope["user"]
    session = await own_session(request, session_id)
    if schedule.can_transition(session.status, "cancelled"):
        await store.set_session_status(request.app.state.db, user.id, session_id, "cancelled", session.status)
        await sessions_changed(request)
    return redirect(request, f"/treatment/sessions/{session_id}?notice=cancelled")


@post("/treatment/sessions/{session_id:int}/ride", guards=[patient])
async def ride_home(request: Request, session_id: FromPath[int]) -> Response:
    """Tick or dismiss "ride home arranged"; htmx swaps the checklist, a plain post goes back."""
    user = request.scope["user"]
    await own_session(request, session_id)
    values = await form_data(request)
    choice = values.get("ride_home", "")
    if choice in ("arranged", "dismissed", ""):
        await store.set_ride_home(request.app.state.db, user.id, session_id, choice)
    if wants_fragment(request):
        session = await own_session(request, session_id)
        item = own_view(session, user)
        return render(request, "treatment/_checklist.html", item=item, plan=await own_plan(request),
                      back=rules.back_path(values.get("back")), ride_answered=True,
                      treatment_day_card=card(request, TREATMENT_DAY_CARD))
    return redirect(request, rules.back_path(values.get("back")))


# The session log -------------------------------------------------------------------------


def log_form_view(request: Request, item: rules.SessionView, values: dict, errors: dict,
                  status_code: int = 200) -> Response:
    return render(request, "treatment/log.html", status_code=status_code, item=item,
                  values=new_form_key(values),
                  errors=errors, outcomes=rules.OUTCOMES, side_effects=rules.SIDE_EFFECTS,
                  severities=rules.SEVERITIES, back_to_normal=rules.BACK_TO_NORMAL, note_max=rules.NOTE_MAX)


@get("/treatment/sessions/{session_id:int}/log", guards=[patient])
async def log_form(request: Request, session_id: FromPath[int]) -> Response:
    user = request.scope["user"]
    session = await own_session(request, session_id)
    today = local_today(user.timezone)  # once: two readings could fall either side of midnight
    item = rules.view(session, user.timezone, today, twelve_hour=user.twelve_hour)
    log = await store.session_log(request.app.state.db, user.id, session_id) if session.has_log else None
    values = rules.as_log_values(log, session.status)
    if problem := rules.log_block_reason(session.status, item.day, today):
        return log_form_view(request, item, values, {"form": problem}, 409)
    return log_form_view(request, item, values, {})


@post("/treatment/sessions/{session_id:int}/log", guards=[patient])
async def save_log(request: Request, session_id: FromPath[int]) -> Response:
    user = request.scope["user"]
    db = request.app.state.db
    session = await own_session(request, session_id)
    today = local_today(user.timezone)
    item = rules.view(session, user.timezone, today, twelve_hour=user.twelve_hour)
    values = await form_data(request)
    # The key matters only to a move ("Rescheduled"): a log saved twice is stored once anyway.
    key, key_errors, first_answer = await sent_before(request, values, "?notice=moved")
    if first_answer:
        return first_answer
    form, errors = parse_form(rules.LogForm, values, rules.log_messages(user.twelve_hour))
    side_effects, effect_errors = rules.parse_side_effects(values)
    errors.update(effect_errors)
    errors.update(rules.blood_pressure_problems(values))
    if form:
        errors.update(rules.log_problems(form, session.status, item.day, today, twelve_hour=user.twelve_hour))
        moved_to_itself = form.outcome == "rescheduled" and rules.same_time_error(
            item, user.timezone, form.new_date, form.new_time)
        if moved_to_itself:
            errors.setdefault("new_date", moved_to_itself)
    if errors or key_errors:
        return log_form_view(request, item, values, key_errors | errors, 409 if "form" in errors else 422)
    if form.outcome == "missed":
        side_effects = {}
        form = rules.LogForm(outcome="missed", note=form.note)
    try:
        if form.outcome == "rescheduled":
            moved = rules.SessionForm(session_date=form.new_date, session_time=form.new_time)
            new_id = await store.move_session(db, user.id, session_id,
                                              planned_from(moved, user.timezone, session.phase), key)
        else:
            saved = await store.save_session_log(db, user.id, session_id, session.status, form, side_effects)
    except DatabaseError:
        return log_form_view(request, item, values, {"form": SAVE_FAILED}, 503)
    if form.outcome == "rescheduled":
        if new_id is None:
            raise NotFoundException()
        await sessions_changed(request)
        return redirect(request, f"/treatment/sessions/{new_id}?notice=moved")
    if not saved:
        return log_form_view(request, item, values, {"form": rules.CHANGED_MEANWHILE}, 409)
    log = await store.session_log(db, user.id, session_id)
    return render(request, "treatment/logged.html", item=item, outcome=form.outcome, log=log,
                  change=rules.mood_change(log), side_effect_labels=rules.SIDE_EFFECT_LABELS,
                  back_to_normal=rules.BACK_TO_NORMAL, plan=await own_plan(request),
                  clinic_reasons=logged_reasons(request, log, item),
                  side_effects_card=card(request, SIDE_EFFECTS_CARD) if side_effects else None)
