"""The caregiver's side: the people who share with them, and a read-only summary for each.

Each summary reads only what the grant's scope shows (sharing.visibility): notes and thoughts
answers are not even loaded unless the patient switched them on, so neither the page nor its
htmx partial can contain them.
"""

from __future__ import annotations

from datetime import date

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from lift.db import audit
from lift.db import scales as scale_store
from lift.db import sharing as store
from lift.db import trends as trend_store
from lift.domain import scales, treatment, trends
from lift.domain import sharing as rules
from lift.domain.checkins import before_joining, last_days
from lift.web.guards import caregiver, shared_patient
from lift.web.rendering import local_today, render
from lift.web.shared import (
    chart_tools, charts_text, daily_charts, patient_of, upcoming_sessions, wants_partial,
)
from lift.web.sharing import confirm_end_access, end_access, ended_notice, name_form, name_notice, save_name

CHARTS_ID = "caregiver-trends"
RANGE_KEYS = ("14d", "90d")
NOTES_DAYS = 30


@get("/caregiver", guards=[caregiver], name="caregiver")
async def people(request: Request, notice: FromQuery[str | None] = None) -> Response:
    grants = await store.grants_for_grantee(request.app.state.db, request.scope["user"].id, "caregiver")
    return render(request, "caregiver/index.html", grants=grants, scope_text=rules.scope_text,
                  notice=ended_notice("caregiver", notice))


@get("/caregiver/patients/{patient_id:int}", guards=[caregiver])
async def summary(request: Request, patient_id: FromPath[int], range: FromQuery[str | None] = None,
                  notice: FromQuery[str | None] = None) -> Response:
    grant = await shared_patient(request, patient_id)
    seen = rules.visibility(grant.scope)
    db, person = request.app.state.db, patient_of(grant)
    await audit.record(db, [patient_id], request.scope["user"], "view", "summary")
    today = local_today(person.timezone)
    chosen = trends.trend_range(range if range in RANGE_KEYS else "14d")
    first, last = trends.range_bounds(chosen, today, None)
    # Only the local date the account was made: the charts start on it (or on an earlier day filled
    # in) and the week strip leaves the days before it blank, so they do not read as missed
    # check-ins.
    joined = grant.patient_joined
    context = dict(grant=grant, seen=seen, chosen=chosen, ranges=[trends.RANGES[k] for k in RANGE_KEYS],
                   charts_id=CHARTS_ID, first=first, charts=[], charts_text="", **chart_tools())
    if seen.mood_anxiety:
        first_entry = await trend_store.first_entry_date(db, person.id)
        context["charts"] = await daily_charts(db, person, (trends.MOOD, trends.ANXIETY), first, last, today,
                                               chosen, joined=joined, first_entry=first_entry)
        context["charts_text"] = charts_text(first, last, joined=joined, first_entry=first_entry)
    if wants_partial(request, CHARTS_ID):
        return render(request, "caregiver/_trends.html", **context)
    return render(request, "caregiver/summary.html", **context,
                  **await summary_context(request, grant, seen, joined), ending=rules.ENDINGS["caregiver"],
                  notice=name_notice(notice), name_values={"name": grant.grantee_label}, name_errors={})


async def summary_context(request: Request, grant: rules.Grant, seen: rules.Visibility,
                          joined: date | None) -> dict:
    db, person = request.app.state.db, patient_of(grant)
    today = local_today(person.timezone)
    recent = set(await trend_store.checkin_dates_between(
        db, person.id, rules.window_start(today, rules.ADHERENCE_DAYS), today))
    counted = rules.days_counted(recent, today, joined)
    week = last_days(today)
    context = {
        "today": today, "checked_in_today": today in recent,
        "week": [(day, day in recent) for day in week],
        "before_joining": before_joining(week, recent, trends.first_day_with_lift(joined, recent)),
        "checkin_text": rules.checkin_count_text(rules.checkin_days(recent, today, counted), counted),
        "guidance": (guidance := rules.caregiver_guidance(request.app.state.crisis_resources)),
        "guidance_sources": rules.guidance_sources(guidance),
        "resources": request.app.state.crisis_resources, "crisis": None, "plan": None,
        "bands": [], "upcoming": [], "thoughts": None, "item9": [], "thoughts_flag": False,
        "recent_days": rules.RECENT_DAYS, "scope_text": rules.scope_text,
        "not_shared": rules.not_shared_text(grant.scope), "phase_for": treatment.phase_for,
    }
    if seen.scale_bands:
        results = await scale_store.results_for(db, person.id)
        # Only the band's name and date go to the template: never the total or the answers.
        for instrument in scales.INSTRUMENTS.values():
            own = scales.in_order([r for r in results if r.instrument == instrument.key])
            band = rules.latest_band(own, instrument)
            context["bands"].append((instrument, band, own[-1].local_date if own else None))
    if seen.upcoming_sessions:
        # On the caregiver's own clock, not the patient's.
        context["upcoming"] = await upcoming_sessions(db, person, today, request.scope["user"].twelve_hour)
    if seen.thoughts:
        first = rules.window_start(today, rules.RECENT_DAYS)
        answers = await store.thoughts_between(db, person.id, first, today)
        item9 = sorted((a for a in (await store.item9_answers(db, person.id)).values() if first <= a[0] <= today),
                       reverse=True)
        context["thoughts"] = [(day, answer, rules.thoughts_label(answer)) for day, answer in answers]
        context["item9"] = [(day, answer, scales.ANSWER_LABELS[answer]) for day, answer in item9]
        context["thoughts_flag"] = rules.thoughts_flag(answers + item9, today, rules.RECENT_DAYS)
    return context


@get("/caregiver/patients/{patient_id:int}/notes", guards=[caregiver])
async def notes(request: Request, patient_id: FromPath[int]) -> Response:
    grant = await shared_patient(request, patient_id)
    if not rules.visibility(grant.scope).notes:
        raise NotFoundException()
    db, person = request.app.state.db, patient_of(grant)
    await audit.record(db, [patient_id], request.scope["user"], "view", "notes")
    today = local_today(person.timezone)
    found = await store.notes_between(db, person.id, rules.window_start(today, NOTES_DAYS), today)
    return render(request, "caregiver/notes.html", grant=grant, notes=found, days=NOTES_DAYS, today=today)


@get("/caregiver/patients/{patient_id:int}/stop", guards=[caregiver])
async def confirm_stop(request: Request, patient_id: FromPath[int]) -> Response:
    return await confirm_end_access(request, patient_id)


@post("/caregiver/patients/{patient_id:int}/stop", guards=[caregiver])
async def stop(request: Request, patient_id: FromPath[int]) -> Response:
    return await end_access(request, patient_id)


@get("/caregiver/patients/{patient_id:int}/name", guards=[caregiver])
async def name_page(request: Request, patient_id: FromPath[int]) -> Response:
    return await name_form(request, patient_id)


@post("/caregiver/patients/{patient_id:int}/name", guards=[caregiver])
async def give_name(request: Request, patient_id: FromPath[int]) -> Response:
    return await save_name(request, patient_id)
