"""The trends page over HTTP: each range as a page and as the htmx partial, charts for no
data, one point and a year, accessible alternatives, and only the patient's own data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lift.domain.dates import day_text
from tests.integration.conftest import joined_days_ago

RANGES = ["14d", "90d", "all"]
HTMX_CHARTS = {"HX-Request": "true", "HX-Target": "trend-charts"}


def seed_checkins(database, email: str, today, days: int, mood=lambda n: 3 + n % 5, skip=()) -> None:
    user_id = database.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]
    database.executemany(
        "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
        " updated_at) VALUES (?, ?, ?, 4, 7.5, 0, '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        [(user_id, (today - timedelta(days=n)).isoformat(), mood(n)) for n in range(days) if n not in skip],
    )
    database.commit()


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg [^>]*>", html)


@pytest.mark.parametrize("key", RANGES)
async def test_it_renders_the_full_page_for_each_range(patient, key):
    await patient.check_in()
    response = await patient.get(f"/trends?range={key}")
    assert response.status_code == 200
    assert "<h1>Trends</h1>" in response.text
    assert '<div id="trend-charts" class="trends">' in response.text
    assert f'id="range-{key}" class="segmented__option" href="/trends?range={key}"' in response.text
    assert re.search(rf'id="range-{key}"[^>]*aria-current="true"', response.text)


@pytest.mark.parametrize("key", RANGES)
async def test_it_returns_only_the_charts_partial_for_the_htmx_range_switch(patient, database, key):
    seed_checkins(database, "pat@example.com", patient.today(), 40)
    response = await patient.get(f"/trends?range={key}", headers=HTMX_CHARTS)
    assert response.status_code == 200
    html = response.text.strip()
    assert html.startswith('<div id="trend-charts" class="trends">')
    assert "<html" not in html and "<h1>" not in html
    assert re.search(rf'id="range-{key}"[^>]*aria-current="true"', html)
    assert len(svgs(html)) == 5


async def test_it_switches_range_with_htmx_and_keeps_a_real_link_for_no_script(patient):
    await patient.check_in()
    html = (await patient.get("/trends")).text
    for key in RANGES:
        assert (f'href="/trends?range={key}" hx-get="/trends?range={key}" hx-target="#trend-charts" '
                'hx-swap="outerHTML" hx-push-url="true"') in html


async def test_it_shows_three_months_for_an_unknown_range(patient, database):
    seed_checkins(database, "pat@example.com", patient.today(), 120)
    html = (await patient.get("/trends?range=forever")).text
    assert re.search(r'id="range-90d"[^>]*aria-current="true"', html)


async def test_it_opens_a_journal_younger_than_two_weeks_on_two_weeks(patient, database):
    seed_checkins(database, "pat@example.com", patient.today(), 3)
    html = (await patient.get("/trends")).text
    assert re.search(r'id="range-14d"[^>]*aria-current="true"', html)
    assert re.search(r'id="range-90d"[^>]*aria-current="true"', (await patient.get("/trends?range=90d")).text)


async def test_it_opens_a_journal_younger_than_three_months_on_all_time(patient, database):
    """Not three months mostly shaded before the first entry, with its days squeezed to the right."""
    seed_checkins(database, "pat@example.com", patient.today(), 40)
    html = (await patient.get("/trends")).text
    assert re.search(r'id="range-all"[^>]*aria-current="true"', html)
    assert re.search(r'id="range-90d"[^>]*aria-current="true"', (await patient.get("/trends?range=90d")).text)


async def test_it_labels_every_chart_and_offers_its_numbers_as_a_table(patient, database):
    seed_checkins(database, "pat@example.com", patient.today(), 20)
    html = (await patient.get("/trends?range=14d")).text
    for key in ("mood", "anxiety", "sleep", "phq9", "gad7"):
        # Named by its title; the picture hidden, as its caption and table say what it shows.
        assert f'aria-labelledby="chart-{key}-title"' in html
        assert f'id="chart-{key}-summary"' in html
    assert html.count("<table>") == 3  # no questionnaire results yet, so no empty tables for them
    assert "Mood as a table" in html
    assert "style=" not in html and "<script>" not in html
    assert html.count('<svg class="chart__svg"') == html.count('aria-hidden="true" focusable="false">') == 5


async def test_an_empty_journal_gets_one_invitation_to_check_in_instead_of_five_empty_charts(patient):
    html = (await patient.get("/trends")).text
    assert "Your trends start with your first check-in" in html
    assert 'href="/checkin"' in html.split("<main", 1)[1]
    assert svgs(html) == [] and "Nothing here yet" not in html and 'id="trend-charts"' not in html
    await patient.check_in()
    assert len(svgs((await patient.get("/trends")).text)) == 5


def summary_of(html: str, key: str) -> str:
    return re.search(rf'<p class="chart__summary" id="chart-{key}-summary">([^<]*)</p>', html).group(1)


async def test_it_draws_a_sensible_empty_chart_for_a_range_with_no_data(patient, database):
    seed_checkins(database, "pat@example.com", patient.today() - timedelta(days=100), 1)
    html = (await patient.get("/trends?range=14d")).text
    assert len(svgs(html)) == 5
    # The account was made today: the two weeks shown are not spoken of as theirs.
    # Each empty chart says so once, in its summary (the picture's accessible name too), with
    # what adds a point; a second line after the chart, "Nothing here yet for this period.",
    # said it again.
    assert summary_of(html, "mood") == "No mood check-ins since you joined. Each check-in adds a point."
    assert summary_of(html, "phq9") == ("No PHQ-9 results in the last 2 weeks. "
                                        "Each questionnaire you take adds a point.")
    assert html.count("adds a point.") == 5 and "Nothing here yet" not in html
    assert 'class="chart__line"' not in html
    assert "No check-ins yet." in html


async def test_it_draws_a_single_check_in_as_one_dot(patient):
    await patient.check_in(mood=6)
    html = (await patient.get("/trends?range=14d")).text
    assert "Mood was 6 on your one check-in this week" in html
    # Their first day is the whole chart: its dot in the middle, not at the edge of 13 days before it.
    assert re.search(r'<path class="chart__dots" d="M150 \d+(\.\d)?h0"/>', html)
    assert "chart__average" not in html
    # Joined today: counted over the one day they have had, not the last 30.
    assert "You checked in on your first day." in html


async def test_it_draws_a_year_of_daily_data_as_weekly_averages(patient, database):
    seed_checkins(database, "pat@example.com", patient.today(), 365, skip=set(range(8, 22)))
    html = (await patient.get("/trends?range=all")).text
    mood = html.split('class="chart chart--mood chart--weekly"', 1)[1].split("</figure>", 1)[0]
    line = re.search(r'<path class="chart__average" d="([^"]+)"', mood).group(1)
    assert line.count("M") == 2  # a week with no check-ins splits the line in two
    assert "chart__dots" not in mood and "chart__line" not in mood
    assert "Weekly average" in mood
    assert '<th scope="col">Week ending</th>' in mood
    assert mood.count('<th scope="row" data-label="Week ending">') == 53
    assert "You checked in on 16 of the last 30 days." in html
    assert "The last 8 of them were in a row, up to today." in html
    first = patient.today() - timedelta(days=364)
    assert f"From {day_text(first, patient.today())} to today." in html  # the same way as every other day


async def test_the_line_above_the_charts_says_which_lines_cross_a_missing_day(patient, database):
    """It said no line is ever drawn across a missing day, while the 7-day average and a
    questionnaire line with a skipped week are."""
    seed_checkins(database, "pat@example.com", patient.today(), 20, skip={3})
    hint = (await patient.get("/trends?range=14d")).text.split('<p class="hint">', 1)[1].split("</p>", 1)[0]
    assert "never drawn across" not in hint
    assert hint.endswith("The daily line leaves a gap on each day without a check-in. The 7-day average and "
                         "the questionnaire lines join the points they have, so they can run across a day "
                         "without a check-in or a week without a questionnaire.")
    seed_checkins(database, "pat@example.com", patient.today(), 200, skip=set(range(20)))
    hint = (await patient.get("/trends?range=all")).text.split('<p class="hint">', 1)[1].split("</p>", 1)[0]
    assert hint.endswith("Each weekly average is of the days checked in, and a week without a check-in is "
                         "left as a gap. The questionnaire lines join the results they have, so they can run "
                         "across a week without a questionnaire.")


async def test_it_shows_questionnaire_totals_on_their_bands(patient):
    await patient.post("/scales/phq9", {f"phq9_{n}": "2" for n in range(1, 10)})
    html = (await patient.get("/trends?range=14d")).text
    phq9 = html.split('class="chart chart--phq9"', 1)[1].split("</figure>", 1)[0]
    assert phq9.count('class="chart__band chart__band--') == 5
    assert "Your latest PHQ-9 was 18 (moderately severe range)" in phq9
    assert '<td data-label="Total">18</td><td data-label="Range">Moderately severe</td>' in phq9


def seed_sessions(database, today, statuses: tuple[tuple[int, str], ...]) -> None:
    """(days ago, status) sessions at 10:00 or 11:00 in New York, the patient's zone."""
    user_id = database.execute("SELECT id FROM users WHERE email = 'pat@example.com'").fetchone()[0]
    plan = database.execute(
        "INSERT INTO treatment_plans (user_id, medication, created_at, updated_at)"
        " VALUES (?, 'esketamine', 'x', 'x')", (user_id,)).lastrowid
    for days_ago, status in statuses:
        day = today - timedelta(days=days_ago)
        database.execute(
            "INSERT INTO treatment_sessions (plan_id, user_id, starts_at, requested_date, requested_time,"
            " status, created_at, updated_at) VALUES (?, ?, ?, ?, '10:00', ?, 'x', 'x')",
            (plan, user_id, f"{day.isoformat()}T15:00:00Z", day.isoformat(), status))
    database.commit()


async def test_it_marks_treatment_sessions_on_the_time_axis(patient, database):
    joined_days_ago(database, 60)
    seed_sessions(database, patient.today(), ((2, "done"), (5, "done"), (6, "cancelled"), (30, "done")))
    await patient.check_in()
    html = (await patient.get("/trends?range=14d")).text
    mood = html.split('class="chart chart--mood"', 1)[1].split("</figure>", 1)[0]
    markers = re.findall(r'<line class="chart__marker" x1="([\d.]+)"', mood)
    assert [float(x) for x in markers] == [round(8 / 13 * 300, 1), round(11 / 13 * 300, 1)]
    assert "Treatment day<" in mood
    assert html.count('class="chart__marker"') == 5 * 2  # every chart, and only sessions in range
    assert (await patient.get("/trends?range=90d")).text.count('class="chart__marker"') == 5 * 3


async def test_a_past_session_not_logged_yet_is_not_counted_as_a_treatment_day(patient, database):
    joined_days_ago(database, 20)
    today = patient.today()
    seed_sessions(database, today, ((1, "done"), (3, "done"), (5, "planned"), (6, "cancelled"), (8, "done"),
                                    (10, "done"), (12, "done")))
    await patient.check_in()
    html = (await patient.get("/trends?range=14d")).text
    mood = html.split('class="chart chart--mood"', 1)[1].split("</figure>", 1)[0]
    # Said once, above the charts: every chart marks the same days.
    shared = "Dashed lines on every chart mark 5 treatment days. 1 session is not logged yet, so its day is not marked."
    assert html.count(shared) == 1 and shared not in mood
    assert mood.count('class="chart__marker"') == 5
    assert f"{day_text(today - timedelta(days=5), today)}</span> (session not logged yet)</th>" in mood
    assert f"{day_text(today - timedelta(days=3), today)}</span> (treatment day)</th>" in mood
    # What the Treatment page and the report say of the same session.
    assert (await patient.get("/treatment")).text.count("Not logged yet") == 1
    report = (await patient.get("/report")).text
    assert "<dt>Sessions not logged yet</dt><dd>1</dd>" in report
    assert report.count(shared) == 1 and shared not in chart_of(report, "mood")


@pytest.mark.parametrize("marked", [False, True])
async def test_it_measures_the_latest_total_from_a_baseline_older_than_the_range(patient, database, marked):
    user_id = database.execute("SELECT id FROM users WHERE email = 'pat@example.com'").fetchone()[0]
    today = patient.today()
    for days_ago, total, band, baseline in ((300, 8, "mild", False), (200, 22, "severe", marked),
                                            (100, 15, "moderately-severe", False), (0, 6, "mild", False)):
        database.execute(
            "INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band, is_baseline)"
            " VALUES (?, 'phq9', ?, 'x', ?, ?, ?)",
            (user_id, (today - timedelta(days=days_ago)).isoformat(), total, band, int(baseline)))
    database.commit()
    html = (await patient.get("/trends?range=14d")).text
    baseline = today - timedelta(days=200 if marked else 300)
    change = "down 16 points (73%)" if marked else "down 2 points (25%)"
    assert (f"Your latest PHQ-9 was 6 (mild range) on {day_text(today, today)}: {change} from your "
            f"baseline of {22 if marked else 8} on {day_text(baseline, today)}.") in html


async def test_it_shows_only_the_patients_own_data(patient, other_patient, database):
    seed_checkins(database, "other@example.com", other_patient.today(), 30, mood=lambda n: 9)
    await other_patient.post("/scales/gad7", {f"gad7_{n}": "3" for n in range(1, 8)})
    html = (await patient.get("/trends?range=all")).text
    assert "Your trends start with your first check-in" in html
    assert "chart__dots" not in html


async def test_it_asks_a_signed_out_visitor_to_sign_in(stranger):
    response = await stranger.get("/trends", headers=HTMX_CHARTS)
    assert response.status_code == 204 and response.headers["hx-redirect"].startswith("/signin")
    response = await stranger.get("/trends")
    assert response.status_code == 303 and response.headers["location"] == "/signin?next=/trends"


async def test_it_puts_trends_between_check_in_and_history_in_the_tab_bar(patient):
    html = (await patient.get("/trends")).text
    tabs = re.findall(r'<a href="(/[a-z]*)"', html.split('<nav class="tabbar"', 1)[1].split("</nav>", 1)[0])
    assert tabs.index("/checkin") + 1 == tabs.index("/trends") == tabs.index("/checkins") - 1
    assert re.search(r'<a href="/trends" aria-current="page">Trends</a>', html)


async def test_on_a_patients_first_day_each_chart_holds_that_day_and_says_why(patient):
    """Their 2-week charts were 13 days shaded "Before you joined" beside one dot: the charts
    start on the day they joined, and the line above them says so once."""
    await patient.check_in()
    today = patient.today()
    for url in ("/trends?range=14d", "/trends?range=90d", "/trends?range=all"):
        html = (await patient.get(url)).text
        assert html.count(f"The charts start on {today:%a} {today.day} {today:%b}, the day you joined Lift.") == 1
        assert "From " not in html.split('class="hint"', 1)[1].split("</p>", 1)[0]  # not 13 days earlier
        for key in ("mood", "anxiety", "sleep", "phq9", "gad7"):
            figure = chart_of(html, key)
            assert '<ol class="chart__x" aria-hidden="true"><li>Today</li></ol>' in figure, key
        mood = chart_of(html, "mood")
        assert mood.count('<th scope="row">') == 1 and "No check-in" not in mood and "joined" not in mood
        # One day draws its dot and no 7-day average (it needs 3 days): the legend says only what is drawn.
        assert "Each day</li>" in mood and "7-day average</li>" not in mood


async def test_on_a_third_day_in_a_row_the_legend_shows_the_one_point_average_as_a_dot(patient, database):
    """Three check-ins in a row make one 7-day average, drawn as a small dot: its legend sample
    was a line."""
    seed_checkins(database, "pat@example.com", patient.today(), 3)
    mood = chart_of((await patient.get("/trends?range=14d")).text, "mood")
    assert '<li><span class="legend__swatch legend__swatch--average-dot"></span>7-day average</li>' in mood
    assert "legend__swatch--average\"" not in mood
    seed_checkins(database, "pat@example.com", patient.today() - timedelta(days=3), 1)  # a 4th day: a line
    mood = chart_of((await patient.get("/trends?range=14d")).text, "mood")
    assert '<li><span class="legend__swatch legend__swatch--average"></span>7-day average</li>' in mood
    assert "average-dot" not in mood


def chart_of(html: str, key: str) -> str:
    return html.split(f'class="chart chart--{key}', 1)[1].split("</figure>", 1)[0]


async def joined_3_days_ago_with_2_check_ins(patient, database):
    """A new patient: the 2 weeks shown start 10 days before the account."""
    joined_days_ago(database, 3)
    today = patient.today()
    for n, mood in ((2, 4), (0, 6)):
        await patient.check_in(local_date=(today - timedelta(days=n)).isoformat(), mood=mood)
    return today


async def test_a_new_patients_first_week_is_not_compared_with_a_week_before_they_joined(patient, database):
    await joined_3_days_ago_with_2_check_ins(patient, database)
    html = (await patient.get("/trends")).text
    assert re.search(r'id="range-14d"[^>]*aria-current="true"', html)
    mood = chart_of(html, "mood")
    assert re.search(r'id="chart-mood-summary">Mood averaged 5.0 this week, your first week with Lift.', mood)
    assert "the week before" not in html and "Across the last 2 weeks" not in html
    assert mood.count('<th scope="row">') == 4  # the day they joined and the 3 since


async def test_a_new_patients_charts_start_the_day_they_joined_and_say_so_once(mid_june, patient, database):
    today = await joined_3_days_ago_with_2_check_ins(patient, database)
    html = (await patient.get("/trends")).text
    joined = today - timedelta(days=3)
    # Said once for the page, above the charts, not in each chart's summary.
    start = f"The charts start on {joined:%a} {joined.day} {joined:%b}, the day you joined Lift."
    assert html.count(start) == 1
    for key in ("mood", "anxiety", "sleep", "phq9", "gad7"):
        figure = chart_of(html, key)
        assert f"<li>{joined.day} {joined:%b}</li><li>Today</li>" in figure, key
        assert "joined" not in figure, key
    dots = re.search(r'<path class="chart__dots" d="([^"]+)"', chart_of(html, "mood")).group(1)
    assert [float(x) for x in re.findall(r"M([\d.]+) ", dots)] == [100.0, 300.0]  # 2 and 0 days ago of 4
    # The day they joined and the day after, with no check-in, are days without one.
    assert chart_of(html, "mood").count('">No check-in</td>') == 2


async def test_a_day_filled_in_from_before_joining_starts_the_charts_and_is_named_for_it(mid_june, patient, database):
    """Joined 3 days ago, then filled in the day 5 days ago (a check-in reaches a week back, to
    before the account): the charts start on that day, not on the join date after it."""
    joined_days_ago(database, 3)
    today = patient.today()
    for n, mood in ((5, 4), (0, 6)):
        await patient.check_in(local_date=(today - timedelta(days=n)).isoformat(), mood=mood)
    html = (await patient.get("/trends")).text
    filled = today - timedelta(days=5)
    assert html.count(f"The charts start on {filled:%a} {filled.day} {filled:%b}, the day of your first entry.") == 1
    for key in ("mood", "anxiety", "sleep", "phq9", "gad7"):
        assert f"<li>{filled.day} {filled:%b}</li><li>Today</li>" in chart_of(html, key), key
    mood = chart_of(html, "mood")
    assert re.search(r'<path class="chart__dots" d="M0 [\d.]+h0M300 [\d.]+h0"/>', mood)
    # From the first entry on, as counted, a day without one is a day without one.
    assert mood.count('">No check-in</td>') == 4
    assert "you joined" not in html


async def test_a_patient_who_joined_before_the_range_hears_of_the_week_before(patient, database):
    joined_days_ago(database, 30)
    await patient.check_in()
    html = (await patient.get("/trends?range=14d")).text
    assert "with no check-ins the week before to compare" in html
    assert "Across the last 2 weeks" not in html  # it would repeat this week's one check-in
    assert "The charts start" not in html and "you joined" not in html.lower()


async def test_a_patient_who_joined_today_with_only_a_questionnaire_has_no_two_weeks_to_account_for(patient):
    await patient.post("/scales/gad7", {f"gad7_{n}": "1" for n in range(1, 8)})
    html = (await patient.get("/trends")).text
    assert "No mood check-ins since you joined." in html and "in the last two weeks" not in html
    assert "No check-ins yet." in html
    assert html.count('<ol class="chart__x" aria-hidden="true"><li>Today</li></ol>') == 5
