"""The clinician's side: the panel of linked patients, and one patient's timeline.

Everything here is read-only: a clinician has no route that changes a patient's data. The one
thing they can change is their own access: a discharged patient can be taken off the panel.
"""

from __future__ import annotations

from datetime import timedelta

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from lift.db import audit
from lift.db import checkins as checkin_store
from lift.db import scales as scale_store
from lift.db import sharing as store
from lift.db import trends as trend_store
from lift.db.clock import utc_now
from lift.domain import export, scales, trends
from lift.domain import sharing as rules
from lift.domain.checkins import today_in
from lift.domain.crisis import THOUGHTS_LABELS
from lift.web.guards import clinician, shared_patient
from lift.web.rendering import local_today, render
from lift.web.shared import (
    chart_tools, charts_text, daily_charts, item9_tools, patient_of, scale_charts,
    session_entries, session_tools, upcoming_sessions, wants_partial,
)
from lift.web.sharing import confirm_end_access, end_access, ended_notice, name_form, name_notice, save_name
from lift.web.trends import session_days

PANEL_ID = "clinician-panel"
RANGE_ID = "timeline-range"


async def panel_rows(db, clinician_id: int, grants: list[rules.Grant]) -> list[rules.PanelRow]:
    """One row per linked patient from a fixed number of set-wide queries, whatever the panel's size.
    "Today" and the 14- and 30-day windows are each patient's own local days."""
    if not grants:
        return []
    now = utc_now()
    # Two days of slack either side of UTC cover every time zone's local date.
    since = now.date() - timedelta(days=rules.ADHERENCE_DAYS + 1)
    recent: dict[int, list] = {}
    for patient_id, day, thoughts in await store.panel_checkins(db, clinician_id, since):
        recent.setdefault(patient_id, []).append((day, thoughts))
    # PHQ-9 item 9 (better off dead, or hurting oneself) raises the same flag as a check-in.
    item9: dict[int, list] = {}
    for patient_id, day, answer in await store.panel_item9(db, clinician_id, since):
        item9.setdefault(patient_id, []).append((day, answer))
    last = await store.panel_last_checkins(db, clinician_id)
    results = await store.panel_scale_results(db, clinician_id)
    sessions: dict[int, list[rules.PanelSession]] = {}
    sessions_since = now - timedelta(days=rules.FLAG_DAYS + 1)
    for session in await store.panel_sessions(db, clinician_id, sessions_since, now):
        sessions.setdefault(session.patient_id, []).append(session)
    rows = []
    for grant in grants:
        today = today_in(grant.patient_timezone, now)
        # Past sessions are the patient's to share: a scope without session logs shows none.
        seen = rules.visibility(grant.scope)
        shared_sessions = sessions.get(grant.patient_id, []) if seen.session_logs else []
        answers = recent.get(grant.patient_id, [])
        own = results.get(grant.patient_id, [])
        phq9, gad7 = rules.latest_score(own, scales.PHQ9), rules.latest_score(own, scales.GAD7)
        flag = rules.thoughts_flag(answers + item9.get(grant.patient_id, []), today)
        quiet = rules.days_since(last.get(grant.patient_id), today)
        # Counted from the patient's first day with Lift, as on the caregiver's summary: 2 of the
        # last 30 would read as 28 missed days for a patient who joined 3 days ago.
        days = {day for day, _ in answers}
        counted = rules.days_counted(days, today, grant.patient_joined)
        rows.append(rules.PanelRow(
            patient_id=grant.patient_id, email=grant.patient_email, label=grant.grantee_label,
            last_checkin=last.get(grant.patient_id),
            phq9=phq9, gad7=gad7, checkin_days=rules.checkin_days(days, today, counted),
            window=rules.ADHERENCE_DAYS, counted=counted, checked_in_today=today in days,
            thoughts_flag=flag, days_since_checkin=quiet, today=today,
            concerns=rules.attention(flag, quiet, phq9, gad7, rules.session_concerns(
                shared_sessions, grant.patient_timezone, today), rules.days_since(grant.patient_joined, today),
                today),
        ))
    return rows


@get("/clinician", guards=[clinician], name="clinician")
async def panel(request: Request, sort: FromQuery[str | None] = None, dir: FromQuery[str | None] = None,
                notice: FromQuery[str | None] = None) -> Response:
    db, user = request.app.state.db, request.scope["user"]
    grants = await store.grants_for_grantee(db, user.id, "clinician")
    rows = await panel_rows(db, user.id, grants)
    if grants:
        await audit.record(db, [g.patient_id for g in grants], user, "view", "panel")
    key, descending = rules.sort_choice(sort, dir)
    context = dict(rows=rules.sort_panel(rows, key, descending), sort=key, descending=descending,
                   sorts=rules.SORTS, sort_directions=rules.SORT_DIRECTIONS, panel_id=PANEL_ID,
                   flag_days=rules.FLAG_DAYS, days_ago=rules.days_ago,
                   quiet_days=rules.QUIET_DAYS, worse_by=rules.WORSE_BY, kinds=export.KINDS)
    if wants_partial(request, PANEL_ID):
        return render(request, "clinician/_panel.html", **context)
    return render(request, "clinician/index.html", **context, notice=ended_notice("clinician", notice))


@get("/clinician/patients/{patient_id:int}", guards=[clinician])
async def timeline(request: Request, patient_id: FromPath[int], range: FromQuery[str | None] = None,
                   notice: FromQuery[str | None] = None) -> Response:
    grant = await shared_patient(request, patient_id)
    db, person = request.app.state.db, patient_of(grant)
    await audit.record(db, [patient_id], request.scope["user"], "view", "timeline")
    today = local_today(person.timezone)
    first_entry = await trend_store.first_entry_date(db, person.id)
    # As on the patient's own Trends: a young journal opens on the shortest range that shows it
    # all, not squeezed into the right-hand edge of three months mostly before they joined.
    chosen = trends.patient_range(range, first_entry, today)
    first, last = trends.range_bounds(chosen, today, first_entry)
    marked = await session_days(db, person, first, last, today)
    results = await scale_store.results_for(db, person.id)
    joined = grant.patient_joined
    reader_clock = request.scope["user"].twelve_hour  # times on the clinician's own clock
    context = dict(
        grant=grant, chosen=chosen, ranges=list(trends.RANGES.values()), first=first, range_id=RANGE_ID,
        daily_charts=await daily_charts(db, person, trends.METRICS, first, last, today, chosen, marked,
                                        joined, first_entry),
        scale_charts=scale_charts(results, first, last, today, chosen, marked, joined, first_entry),
        charts_text=charts_text(first, last, marked, joined, first_entry), **chart_tools(),
    )
    checkins = await checkin_store.checkins_between(db, person.id, first, last)
    # The range switch swaps the charts and the sessions and check-ins of the range together.
    template = "clinician/_range.html" if wants_partial(request, RANGE_ID) else "clinician/timeline.html"
    return render(
        request, template, **context, today=today,
        period=rules.about_the_patient(chosen.phrase),
        progress=[(i, scales.progress(results, i)) for i in scales.INSTRUMENTS.values()],
        history=[(r, scales.INSTRUMENTS[r.instrument], scales.band_by_key(scales.INSTRUMENTS[r.instrument], r.band))
                 for r in reversed(scales.in_order(results))],
        **await item9_tools(db, person),
        sessions=list(reversed(await session_entries(db, person, first, last, today,
                                                     twelve_hour=reader_clock))),
        upcoming=await upcoming_sessions(db, person, today, reader_clock),
        checkins=list(reversed(checkins)), thoughts_labels=THOUGHTS_LABELS,
        change_text=scales.change_text, kinds=export.KINDS, **session_tools(), ending=rules.ENDINGS["clinician"],
        notice=name_notice(notice), name_values={"name": grant.grantee_label}, name_errors={},
    )


@get("/clinician/patients/{patient_id:int}/stop", guards=[clinician])
async def confirm_remove(request: Request, patient_id: FromPath[int]) -> Response:
    return await confirm_end_access(request, patient_id)


@post("/clinician/patients/{patient_id:int}/stop", guards=[clinician])
async def remove(request: Request, patient_id: FromPath[int]) -> Response:
    return await end_access(request, patient_id)


@get("/clinician/patients/{patient_id:int}/name", guards=[clinician])
async def name_page(request: Request, patient_id: FromPath[int]) -> Response:
    return await name_form(request, patient_id)


@post("/clinician/patients/{patient_id:int}/name", guards=[clinician])
async def give_name(request: Request, patient_id: FromPath[int]) -> Response:
    return await save_name(request, patient_id)
