"""What the caregiver, clinician and report pages have in common: the patient they look at,
and the trend charts, worded about the patient rather than to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from litestar import Request

from lift.db import sharing as sharing_store
from lift.db import treatment as treatment_store
from lift.db import trends as trend_store
from lift.domain import scales, schedule, sharing, treatment, trends
from lift.domain.accounts import User
from lift.web.trends import chart_tools as trend_chart_tools


def wants_partial(request: Request, target: str) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == target


def chart_tools() -> dict:
    """What trends/_chart.html needs besides the chart, its legend speaking about the patient."""
    return trend_chart_tools(about_patient=True)


def patient_of(grant: sharing.Grant) -> User:
    return User(id=grant.patient_id, email=grant.patient_email, role="patient", timezone=grant.patient_timezone)


def about_the_patient(charts: Sequence[trends.Chart]) -> list[trends.Chart]:
    return [sharing.chart_about_the_patient(c) for c in charts]


def charts_text(first: date, last: date, sessions: trends.SessionDays = trends.NO_SESSIONS,
                joined: date | None = None, first_entry: date | None = None, on_paper: bool = False) -> str:
    """What every chart shares (where they start, the treatment days), said once above them, about the patient."""
    return sharing.about_the_patient(trends.charts_text(first, last, sessions, joined, first_entry, on_paper))


async def daily_charts(db, person: User, metrics: Sequence[trends.Metric], first: date, last: date,
                       today: date, chosen: trends.TrendRange,
                       sessions: trends.SessionDays = trends.NO_SESSIONS, joined: date | None = None,
                       first_entry: date | None = None) -> list[trends.Chart]:
    # Six days before the range feed the 7-day average of its first days, as on Trends.
    history = await trend_store.day_values_between(db, person.id, first - timedelta(days=trends.AVERAGE_DAYS - 1),
                                                   last)
    return about_the_patient([trends.daily_chart(m, history, first, last, today, chosen, sessions, joined,
                                                 first_entry) for m in metrics])


def scale_charts(results: Sequence[scales.ScaleResult], first: date, last: date, today: date,
                 chosen: trends.TrendRange, sessions: trends.SessionDays,
                 joined: date | None, first_entry: date | None = None) -> list[trends.Chart]:
    return about_the_patient([trends.scale_chart(i, results, first, last, today, chosen, sessions, joined,
                                                 first_entry) for i in scales.INSTRUMENTS.values()])


async def session_entries(db, person: User, first: date, last: date, today: date,
                          on_paper: bool = False, twelve_hour: bool = False) -> list[tuple]:
    """Sessions in a range of local days, oldest first, each with its log if it has one; times on
    the reader's clock (`twelve_hour`)."""
    start = schedule.local_day_bounds(first, person.timezone)[0]
    end = schedule.local_day_bounds(last, person.timezone)[1]
    sessions = await treatment_store.sessions_between(db, person.id, start, end)
    logged = any(s.has_log for s in sessions)
    logs = await treatment_store.session_logs_between(db, person.id, start, end) if logged else {}
    # A log saved between the two reads waits for the next page, as its session's new status does.
    return [(treatment.view(s, person.timezone, today, on_paper=on_paper, twelve_hour=twelve_hour),
             logs.get(s.id) if s.has_log else None) for s in sessions]


# The next planned sessions a caregiver or clinician sees: the coming three months, four at most.
UPCOMING_DAYS = 90
UPCOMING_SHOWN = 4


async def upcoming_sessions(db, person: User, today: date, twelve_hour: bool) -> list[treatment.SessionView]:
    """The patient's next planned sessions, soonest first, on the reader's clock (`twelve_hour`).
    Read from the start of the patient's today, not from now: as on their own Treatment page,
    today's session stays listed until it is logged, even once it has started."""
    first = schedule.local_day_bounds(today, person.timezone)[0]
    last = schedule.local_day_bounds(today + timedelta(days=UPCOMING_DAYS), person.timezone)[1]
    sessions = await treatment_store.sessions_between(db, person.id, first, last)
    return [treatment.view(s, person.timezone, today, twelve_hour=twelve_hour)
            for s in treatment.upcoming(sessions, today, person.timezone)[:UPCOMING_SHOWN]]


def session_tools() -> dict:
    return {"side_effect_labels": treatment.SIDE_EFFECT_LABELS, "back_to_normal": treatment.BACK_TO_NORMAL,
            "mood_change": treatment.mood_change, "phase_for": treatment.phase_for}


async def item9_tools(db, person: User) -> dict:
    """What `clinician/_scale_history.html` needs for its PHQ-9 question 9 and difficulty columns."""
    answers = await sharing_store.item9_answers(db, person.id)
    return {"item9": {result_id: answer for result_id, (_, answer) in answers.items()},
            "answer_labels": scales.ANSWER_LABELS, "difficulty_labels": scales.DIFFICULTY_LABELS}
