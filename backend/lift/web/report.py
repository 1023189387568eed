"""The printable report for a clinic visit: a date range's charts, scale history, sessions with
side effects, adherence, and the daily answers about thoughts of death or suicide. The patient
makes it for themself; a linked clinician can open the same report. The print stylesheet turns
it into a clean A4 or Letter document."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response

from lift.db import audit
from lift.db import checkins as checkin_store
from lift.db import scales as scale_store
from lift.db import trends as trend_store
from lift.db import users as user_store
from lift.db.clock import utc_now
from lift.domain import export, scales, trends
from lift.domain.crisis import THOUGHTS_LABELS
from lift.domain import sharing as rules
from lift.domain.accounts import User
from lift.domain.checkins import today_in
from lift.web.guards import clinician, patient, shared_patient
from lift.web.rendering import render
from lift.web.shared import (
    chart_tools, charts_text, daily_charts, item9_tools, patient_of, scale_charts,
    session_entries, session_tools,
)
from lift.web.trends import session_days

DEFAULT_DAYS = 30
# Two years: beyond that a printed chart is a smear, and the CSV export is the better tool.
MAX_DAYS = 731


def report_range(asked: export.DateRange | None, today: date) -> tuple[date, date, str | None]:
    """The days the report covers: the asked-for range, else the last 30 days; at most two years
    (said in the note returned). A range export.parse_range refused (None) gives the last 30 days."""
    chosen = asked or export.DateRange(None, None)
    problem = None
    last = min(chosen.last or today, today)
    first = chosen.first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        first = last
    if (last - first).days >= MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
        problem = "A report covers at most two years: it starts two years before its last day."
    return first, last, problem


async def report_context(request: Request, person: User, joined: date | None, start: str | None,
                         end: str | None) -> dict:
    """`joined`: the patient's local date of joining (a clinician's grant carries it)."""
    db = request.app.state.db
    now = utc_now()  # one reading for the report's days and its "made" time
    today = today_in(person.timezone, now)
    # A refused date is marked on the form, kept as sent, with what to fix (as the CSV form does);
    # the report below it shows the last 30 days, and the page answers 422.
    asked, errors = export.parse_range(start, end)
    first, last, problem = report_range(asked, today)
    days = (last - first).days + 1
    # On paper: no "Today" on an axis and no "this week" in a sentence, since it is read later.
    chosen = trends.TrendRange("report", "Report", "this period", days, on_paper=True)
    marked = await session_days(db, person, first, last, today)
    results = await scale_store.results_for(db, person.id)
    in_range = [r for r in scales.in_order(results) if first <= r.local_date <= last]
    # Newest first; on paper a moved session's new day carries its year.
    sessions = list(reversed(await session_entries(db, person, first, last, today, on_paper=True,
                                                    twelve_hour=request.scope["user"].twelve_hour)))
    checkins = await checkin_store.checkins_between(db, person.id, first, last)
    checked_in = [c.local_date for c in checkins]
    # The charts and the count start at the first day with Lift: the join date, or an earlier
    # entry (a day filled in from before joining).
    first_entry = await trend_store.first_entry_date(db, person.id)
    thoughts_summary, thoughts_reported = rules.report_thoughts(checkins)
    title_first, start_note = rules.report_start(first, last, joined, first_entry)
    return dict(
        person=person, first=first, last=last, days=days, problem=problem, errors=errors,
        title_first=title_first, start_note=start_note,
        range_values={"start": start or "", "end": end or ""} if errors else
        {"start": first.isoformat(), "end": last.isoformat()},
        generated=rules.local_when(now, person.timezone, request.scope["user"].twelve_hour),
        daily_charts=await daily_charts(db, person, trends.METRICS, first, last, today, chosen, marked,
                                        joined, first_entry),
        scale_charts=scale_charts(results, first, last, today, chosen, marked, joined, first_entry),
        charts_text=charts_text(first, last, marked, joined, first_entry, on_paper=True),
        history=[(r, scales.INSTRUMENTS[r.instrument], scales.band_by_key(scales.INSTRUMENTS[r.instrument], r.band))
                 for r in reversed(in_range)],
        progress=[(i, scales.progress(results, i)) for i in scales.INSTRUMENTS.values()],
        sessions=sessions, session_counts=Counter(view.session.status for view, _ in sessions),
        unlogged_sessions=sum(view.needs_log for view, _ in sessions),
        checkin_days=rules.report_checkin_days(checked_in, first, last, joined, first_entry),
        thoughts_summary=thoughts_summary, thoughts_reported=thoughts_reported, thoughts_labels=THOUGHTS_LABELS,
        today=None,  # on paper: every day with its year, and no "Yesterday" (domain/dates.py)
        change_text=scales.change_text,
        response_definition=export.RESPONSE_DEFINITION, remission_definition=export.REMISSION_DEFINITION,
        not_a_diagnosis=export.NOT_A_DIAGNOSIS, **chart_tools(), **session_tools(), **await item9_tools(db, person),
    )


def refused(context: dict) -> int:
    """422 when a date asked for was refused, as any form sent back with what to fix."""
    return 422 if context["errors"] else 200


@get("/report", guards=[patient], name="report")
async def own_report(request: Request, start: FromQuery[str | None] = None,
                     end: FromQuery[str | None] = None) -> Response:
    user = request.scope["user"]
    joined = await user_store.joined_on(request.app.state.db, user.id, user.timezone)
    context = await report_context(request, user, joined, start, end)
    return render(request, "report/report.html", status_code=refused(context), form_action="/report", own=True,
                  label="", **context)


@get("/clinician/patients/{patient_id:int}/report", guards=[clinician])
async def patient_report(request: Request, patient_id: FromPath[int], start: FromQuery[str | None] = None,
                         end: FromQuery[str | None] = None) -> Response:
    grant = await shared_patient(request, patient_id)
    if not rules.visibility(grant.scope).report:
        raise NotFoundException()
    context = await report_context(request, patient_of(grant), grant.patient_joined, start, end)
    await audit.record(request.app.state.db, [patient_id], request.scope["user"], "view", "report",
                       f"{context['first'].isoformat()} to {context['last'].isoformat()}")
    return render(request, "report/report.html", status_code=refused(context),
                  form_action=f"/clinician/patients/{patient_id}/report", own=False,
                  label=grant.grantee_label, **context)
