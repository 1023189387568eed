"""The trends page: daily mood, anxiety and sleep, weekly scale totals, and checking in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Response
from markupsafe import Markup

from lift.db import scales as scale_store
from lift.db import treatment as treatment_store
from lift.db import trends as store
from lift.db import users as user_store
from lift.domain import scales, trends
from lift.web.rendering import local_today, render
from lift.web.guards import patient

CHARTS_ID = "trend-charts"


def path_d(runs: Sequence[Sequence[trends.Point]]) -> str:
    """SVG path data for runs of points. A run of one point is drawn as a dot (a zero-length
    segment with a round cap), so a lone day between gaps is still visible."""
    parts = []
    for run in runs:
        parts.append("M" + "L".join(f"{x:g} {y:g}" for x, y in run) + ("h0" if len(run) == 1 else ""))
    return "".join(parts)


def dots_d(points: Sequence[trends.Point]) -> str:
    return "".join(f"M{x:g} {y:g}h0" for x, y in points)


# A column's name before each value where a narrow box stacks a chart table's rows, shorter where
# the full one would push its value onto a line of its own at large text. For the eye only: a
# screen reader reads each value with its column's header.
STACKED_LABELS = {"7-day average": "7-day avg.", "Days checked in": "Checked in"}


def table_rows(chart: trends.Chart) -> Markup:
    """The <tr>s of a chart's data table. A long range has hundreds of rows, and escaping
    each cell through the template costs more than the rest of the page, so they are joined
    here, with every cell escaped. Each cell names its column (data-label), shown before it when a
    narrow box stacks the rows; so does a weekly row's header, whose day is a week's last."""
    day_head, value_head, detail_head = (escape(STACKED_LABELS.get(header, header))
                                         for header in chart.table_headers)
    head = f'<tr><th scope="row" data-label="{day_head}">' if chart.weekly else '<tr><th scope="row">'
    value_cell, detail_cell = f'<td data-label="{value_head}">', f'<td data-label="{detail_head}">'
    return Markup("".join(
        f'{head}<span class="chart__day">{escape(day)}</span>{escape(note)}</th>'
        f'{value_cell}{escape(value)}</td>{detail_cell}{escape(detail)}</td></tr>\n'
        for day, note, value, detail in chart.rows
    ))


def chart_tools(about_patient: bool = False) -> dict:
    """What trends/_chart.html needs besides the chart; `about_patient` words its legend about the
    patient (a caregiver's, a clinician's or the report's charts) instead of to them."""
    return {"path_d": path_d, "dots_d": dots_d, "table_rows": table_rows, "width": trends.WIDTH,
            "height": trends.HEIGHT, "about_patient": about_patient}


async def session_days(db, user, first: date, last: date, today: date) -> trends.SessionDays:
    """The local treatment days marked on every chart's time axis, and the sessions not logged yet
    that its summary and table name, as of the patient's `today`."""
    zone = ZoneInfo(user.timezone)
    sessions = await treatment_store.sessions_between(
        db, user.id, datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
    )
    return trends.session_days([(s.starts_at, s.status) for s in sessions], user.timezone, today)


@get("/trends", guards=[patient], name="trends")
async def trends_page(request: Request, range: FromQuery[str | None] = None) -> Response:
    user = request.scope["user"]
    db = request.app.state.db
    today = local_today(user.timezone)
    first_entry = await store.first_entry_date(db, user.id)
    if first_entry is None:
        # Nothing to draw yet: one invitation to start, not five charts each saying "nothing here".
        return render(request, "trends/empty.html")
    chosen = trends.patient_range(range, first_entry, today)
    first, last = trends.range_bounds(chosen, today, first_entry)
    # Six days before the range feed the 7-day average of its first days.
    history = await store.day_values_between(
        db, user.id, first - timedelta(days=trends.AVERAGE_DAYS - 1), last
    )
    results = await scale_store.results_for_trends(db, user.id, first)
    recent = await store.checkin_dates_between(
        db, user.id, today - timedelta(days=trends.ADHERENCE_DAYS - 1), today
    )
    sessions = await session_days(db, user, first, last, today)
    joined = await user_store.joined_on(db, user.id, user.timezone)
    daily_charts = [trends.daily_chart(m, history, first, last, today, chosen, sessions, joined, first_entry)
                    for m in trends.METRICS]
    context = dict(
        chosen=chosen, ranges=list(trends.RANGES.values()), first=first, today=today,
        daily_charts=daily_charts, lines_text=trends.lines_text(daily_charts[0].weekly),
        scale_charts=[trends.scale_chart(i, results, first, last, today, chosen, sessions, joined,
                                         first_entry) for i in scales.INSTRUMENTS.values()],
        charts_text=trends.charts_text(first, last, sessions, joined, first_entry),
        charts_start=trends.chart_first(first, last, trends.first_day_with_lift(joined, [first_entry])),
        adherence=trends.adherence(recent, today, joined=joined), charts_id=CHARTS_ID, **chart_tools(),
    )
    if request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == CHARTS_ID:
        return render(request, "trends/_charts.html", **context)
    return render(request, "trends/index.html", **context)
