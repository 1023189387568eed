"""A patient with 90 days of check-ins opens Trends on a phone: the charts draw, the range
switch swaps them in place, the numbers are there as tables, nothing errors, and the layout
holds at 200% text size. The weekly PHQ-9, item 9 included, is taken through the real form."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lift.domain.dates import day_text
from tests.browser.conftest import PHONE, REPO_ROOT, axis_day, newest_account_joined_days_ago

pytestmark = pytest.mark.browser

SCREENSHOT = REPO_ROOT / "docs" / "screenshots" / "trends.png"
SCREENSHOTS = SCREENSHOT.parent
# As in test_screenshots.py: set FULL_PAGE_SCREENSHOTS_DIR to also get whole-page captures there.
FULL_PAGE_DIR = os.environ.get("FULL_PAGE_SCREENSHOTS_DIR")
SEEDED_DAYS = 90
# Days (counted back from today) with no check-in: the charts must show them as gaps.
MISSED = {3, 4, 17, 40, 41, 42, 63}
STAMP = "2026-01-01T00:00:00Z"


def seed(database: Path, email: str, today: date) -> None:
    """Ninety days of check-ins with a few missed days, and a PHQ-9 and GAD-7 most weeks,
    written straight into the served app's database (WAL lets it read them at once)."""
    conn = sqlite3.connect(database, timeout=10)
    try:
        row = conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()
        assert row, f"{email} is not in {database}"
        user_id = row[0]
        # Joined when the seeded days start: the charts start no later than the range.
        conn.execute("UPDATE users SET created_at = ? WHERE id = ?",
                     (f"{today - timedelta(days=SEEDED_DAYS)}T00:00:00Z", user_id))
        # Mood climbs slowly (as with a treatment that is starting to work), with weekly ripples.
        conn.executemany(
            "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, 0, '', ?, ?)",
            [(user_id, (today - timedelta(days=n)).isoformat(), min(10, 2 + (SEEDED_DAYS - n) // 15 + n % 3),
              max(0, 8 - (SEEDED_DAYS - n) // 18 - n % 2), 5 + (n % 5) / 2, STAMP, STAMP)
             for n in range(SEEDED_DAYS) if n not in MISSED],
        )
        for week, (phq9, gad7) in enumerate([(21, 16), (19, 15), (18, 14), (16, 12), (15, 12), (13, 11),
                                             (12, 9), (11, 9), (10, 8), (9, 7), (8, 6), (7, 5)]):
            day = (today - timedelta(days=7 * (12 - week))).isoformat()
            for instrument, total, band in (("phq9", phq9, phq9_band(phq9)), ("gad7", gad7, gad7_band(gad7))):
                conn.execute(
                    "INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band)"
                    " VALUES (?, ?, ?, ?, ?, ?)", (user_id, instrument, day, STAMP, total, band))
        seed_sessions(conn, user_id, today)
        conn.commit()
    finally:
        conn.close()


def session_days_back() -> list[int]:
    """Esketamine as the seed documents describe it: twice a week for four weeks from 12 weeks
    ago, then weekly. Days counted back from today."""
    induction = [84 - 7 * week - offset for week in range(4) for offset in (0, 3)]
    return induction + list(range(56, 0, -7))


def seed_sessions(conn: sqlite3.Connection, user_id: int, today: date) -> None:
    plan = conn.execute(
        "INSERT INTO treatment_plans (user_id, medication, created_at, updated_at)"
        " VALUES (?, 'esketamine', ?, ?) RETURNING id", (user_id, STAMP, STAMP)).fetchone()[0]
    conn.executemany(
        "INSERT INTO treatment_sessions (plan_id, user_id, starts_at, requested_date, requested_time, status,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, '10:00', 'done', ?, ?)",
        [(plan, user_id, f"{today - timedelta(days=n)}T10:00:00Z", str(today - timedelta(days=n)), STAMP, STAMP)
         for n in session_days_back()])


def phq9_band(total: int) -> str:
    return ("minimal", "mild", "moderate", "moderately-severe", "severe")[min(total // 5, 4)]


def gad7_band(total: int) -> str:
    return ("minimal", "mild", "moderate", "severe")[min(total // 5, 3)]


def chart(page: Page, key: str):
    return page.locator(f"figure.chart--{key}")


def dot_count(page: Page, key: str) -> int:
    d = chart(page, key).locator("path.chart__dots").get_attribute("d") or ""
    return d.count("M")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def test_a_patient_with_90_days_reads_their_trends_on_a_phone(page: Page, lift, console, served_database):
    assert page.viewport_size == PHONE
    email = lift.sign_up(page)
    # The browser runs in UTC and sign-up takes the browser's zone, so the patient's days are UTC days.
    today = datetime.now(UTC).date()
    seed(served_database, email, today)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trends").click()
    expect(page.get_by_role("heading", name="Trends", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Trends")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text(f"You checked in on {30 - 3} of the last 30 days.")).to_be_visible()

    # Five charts drawn on the server, each a figure named by its title, its summary read once
    # as words (the picture itself is hidden from screen readers: test_screen_reader.py).
    charts = page.get_by_role("figure")
    expect(charts).to_have_count(5)
    mood_chart = page.get_by_role("figure", name="Mood")
    expect(mood_chart).to_have_accessible_name("Mood 0 is the lowest, 10 is the best")
    expect(mood_chart.locator(".chart__summary")).to_have_text(
        __import__("re").compile(r"^Mood averaged \d\.\d this week"))
    expect(mood_chart.locator("svg")).to_be_visible()
    box = mood_chart.locator("svg").bounding_box()
    assert box["width"] > 200 and box["x"] + box["width"] <= PHONE["width"]
    no_sideways_scroll(page)

    # Three months by default: every day checked in has a dot, and missed days break the line.
    expect(page.locator("#range-90d")).to_have_attribute("aria-current", "true")
    assert dot_count(page, "mood") == SEEDED_DAYS - len(MISSED)
    line = chart(page, "mood").locator("path.chart__line").get_attribute("d")
    assert line.count("M") == 5  # four runs of missed days split the line into five
    assert dot_count(page, "phq9") == 12
    expect(chart(page, "phq9").locator("rect.chart__band")).to_have_count(5)
    expect(chart(page, "phq9")).to_contain_text("Your latest PHQ-9 was 7 (mild range)")
    expect(chart(page, "phq9")).to_contain_text("down 14 points (67%) from your baseline of 21")
    # Treatment days are marked on every chart, and said in words for those who can't see them.
    sessions = len(session_days_back())
    expect(chart(page, "mood").locator("line.chart__marker")).to_have_count(sessions)
    expect(chart(page, "phq9").locator("line.chart__marker")).to_have_count(sessions)
    # Said once above the charts, not in each of the five names: every chart marks the same days.
    expect(page.get_by_text(f"Dashed lines on every chart mark {sessions} treatment days.")).to_be_visible()
    expect(mood_chart.locator(".chart__summary")).to_have_text(
        __import__("re").compile(r"over \d+ check-in days\.$"))
    expect(chart(page, "mood").get_by_text("Treatment day", exact=True)).to_be_visible()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT, animations="disabled", caret="hide")
    if FULL_PAGE_DIR:
        page.screenshot(path=Path(FULL_PAGE_DIR) / "trends.png", full_page=True, animations="disabled")

    # The range switch swaps only the charts, in place, and keeps the address in step.
    page.evaluate("() => { window.__liftSamePage = true; }")
    with page.expect_response(lambda r: "/trends?range=14d" in r.url) as swapped:
        page.get_by_role("link", name="2 weeks").click()
    assert swapped.value.request.headers.get("hx-target") == "trend-charts"
    expect(page.locator("#range-14d")).to_have_attribute("aria-current", "true")
    expect(page.locator("#range-90d")).not_to_have_attribute("aria-current", "true")
    expect(page).to_have_url(__import__("re").compile(r"/trends\?range=14d$"))
    assert page.evaluate("() => window.__liftSamePage") is True
    expect(page.locator("#trend-charts")).to_have_count(1)
    expect(page.locator("#range-14d")).to_be_focused()
    assert dot_count(page, "mood") == 14 - len({n for n in MISSED if n < 14})
    expect(charts).to_have_count(5)

    with page.expect_response(lambda r: "/trends?range=all" in r.url):
        page.get_by_role("link", name="All time").click()
    expect(page.locator("#range-all")).to_have_attribute("aria-current", "true")
    assert page.evaluate("() => window.__liftSamePage") is True
    no_sideways_scroll(page)

    # The numbers behind each chart are a table away.
    page.get_by_role("link", name="2 weeks").click()
    expect(page.locator("#range-14d")).to_have_attribute("aria-current", "true")
    page.get_by_text("Mood as a table").click()
    table = chart(page, "mood").get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row")).to_have_count(1 + 14)
    # Its caption gives the period, with its year; the days leave it out.
    expect(table.get_by_role("rowheader").first).to_have_text(f"{today:%a} {today.day} {today:%b}")
    expect(table).to_contain_text("No check-in")

    assert console.errors() == []


def test_it_stays_readable_at_200_percent_text_in_dark_mode(open_page, lift, served_database):
    page = open_page(color_scheme="dark")
    email = lift.sign_up(page)
    seed(served_database, email, datetime.now(UTC).date())
    # Doubling the browser's default font size is what a 200% text setting does: every rem grows.
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    page.goto("/trends")
    expect(page.get_by_role("figure", name="Mood")).to_be_visible()
    assert page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") == 32
    no_sideways_scroll(page)
    tabs = page.get_by_role("navigation", name="Main").get_by_role("link")
    tab_boxes = [tabs.nth(i).bounding_box() for i in range(tabs.count())]
    # Every tab in sight (the bar wraps onto more rows rather than hiding one), none overlapping.
    width = page.viewport_size["width"]
    assert all(0 <= box["x"] and box["x"] + box["width"] <= width + 0.5 for box in tab_boxes), tab_boxes
    assert not any(a["x"] + a["width"] > b["x"] + 0.5 and b["x"] + b["width"] > a["x"] + 0.5
                   and a["y"] + a["height"] > b["y"] + 0.5 and b["y"] + b["height"] > a["y"] + 0.5
                   for i, a in enumerate(tab_boxes) for b in tab_boxes[i + 1:]), tab_boxes
    labels = chart(page, "mood").locator(".chart__y li")
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    assert all(b["y"] + b["height"] <= c["y"] for b, c in zip(boxes, boxes[1:])), boxes
    # Lines take their colour from CSS variables, so dark mode draws light lines on dark cards.
    stroke = chart(page, "mood").locator("path.chart__average").evaluate("e => getComputedStyle(e).stroke")
    assert stroke == "rgb(228, 233, 255)"
    if FULL_PAGE_DIR:
        page.screenshot(path=Path(FULL_PAGE_DIR) / "trends-dark-200.png", full_page=True, animations="disabled")
    assert open_page.console(page).errors() == []


# Each chart table on the page: how far its box scrolls sideways, how far its caption reaches
# past the box's edges, each row's day (what is written before any note) with the lines it takes,
# and the table's roles as a screen reader gets them.
CHART_TABLES = r"""() => [...document.querySelectorAll(".chart__table")].map((details) => {
    const box = details.querySelector(".table-scroll"), table = box.querySelector("table");
    const edges = box.getBoundingClientRect(), caption = table.caption.getBoundingClientRect();
    const days = [...table.tBodies[0].rows].map((row) => {
        const text = document.createTreeWalker(row.cells[0], NodeFilter.SHOW_TEXT).nextNode();
        const day = text.data.match(/^\S+ \d+ \S+( \d{4})?/)[0];
        const range = document.createRange();
        range.setStart(text, 0);
        range.setEnd(text, day.length);
        return [day, new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size];
    });
    return {key: details.closest("figure").className, sideways: box.scrollWidth - box.clientWidth,
            caption: table.caption.textContent, past: Math.max(edges.left - caption.left, caption.right - edges.right),
            days};
})"""


@pytest.mark.parametrize("text_size", [1.0, 2.0])
def test_a_chart_table_reads_on_a_phone_each_day_on_one_line_and_its_caption_in_view(open_page, lift,
                                                                                     served_database, text_size):
    """At 200% text each table was wider than its box (by up to 215px): it scrolled sideways, the
    end of its caption ("…newest first") only in sight after scrolling, each day in four lines
    ("Mon / 30 / Nov / 2026"). In a box too narrow for its columns the rows now stack: a day on
    one line, without the year its caption gives, then each value after its column's name."""
    page = open_page(service_workers="block")
    email = lift.sign_up(page)
    today = datetime.now(UTC).date()
    seed(served_database, email, today)
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {
        "standard": round(16 * text_size), "fixed": round(13 * text_size)}})
    page.goto("/trends?range=14d")
    for summary in page.locator(".chart__table summary").all():
        summary.click()
    tables = page.evaluate(CHART_TABLES)
    assert len(tables) == 5
    for table in tables:
        assert table["sideways"] <= 0 and table["past"] <= 0.5, table
        assert table["caption"].endswith(f"{today.year}), newest first"), table
        assert table["days"] and all(lines == 1 for _, lines in table["days"]), table
    # The period is in the caption, so a day of its year is written without it.
    assert tables[0]["days"][0][0] == f"{today:%a} {today.day} {today:%b}"
    # Still a table to a screen reader, whatever it looks like: a header row of three, each row
    # headed by its day, and a value's cell named by the value alone (its label is drawn only).
    mood = chart(page, "mood").get_by_role("table")
    expect(mood).to_have_accessible_name(re.compile(r"^Mood, the last 2 weeks \(.+\), newest first$"))
    expect(mood.get_by_role("columnheader")).to_have_text(["Day", "Mood", "7-day average"])
    expect(mood.get_by_role("rowheader")).to_have_count(14)
    expect(mood.get_by_role("cell").first).to_have_accessible_name(re.compile(r"^(\d+|No check-in)$"))
    no_sideways_scroll(page)
    assert open_page.console(page).errors() == []


def test_on_their_first_day_a_patient_sees_that_day_charted_not_13_grey_days_before_it(open_page, lift):
    """The 2-week charts of a patient's first day were 13 days shaded "Before you joined" and one
    dot at the right-hand edge. They start on the day they joined: its dot in the middle, named
    "Today" beneath it, and the line above the charts says why they start there."""
    for scheme in ("light", "dark"):
        page = open_page(color_scheme=scheme)
        lift.new_patient_on_today(page)
        lift.check_in(page, mood=5)
        page.goto("/trends")
        today = datetime.now(UTC).date()
        expect(page.get_by_text(f"The charts start on {today:%a} {today.day} {today:%b}, the day you joined Lift. "
                                "The daily line leaves a gap on each day without a check-in.")).to_be_visible()
        expect(chart(page, "mood").locator(".chart__summary")).to_have_text(
            "Mood was 5 on your one check-in this week, your first week with Lift.")
        for key in ("mood", "anxiety", "sleep", "phq9", "gad7"):
            figure = chart(page, key)
            expect(figure.locator("rect:not(.chart__band)")).to_have_count(0)  # no shade over the days before
            expect(figure.locator(".chart__x li")).to_have_text(["Today"])
            if key in ("mood", "anxiety", "sleep"):
                # One dot and no line: the legend's sample for it was a line; now a dot of its colour.
                swatch = figure.locator(".legend li", has_text="Each day").locator(".legend__swatch")
                expect(swatch).to_have_class(re.compile(r"legend__swatch--daily-dot"))
                looks = swatch.evaluate("e => { const s = getComputedStyle(e);"
                                        " return [s.backgroundColor, s.borderRadius, e.offsetWidth, e.offsetHeight]; }")
                dots = figure.locator("path.chart__dots").evaluate("e => getComputedStyle(e).stroke")
                assert looks[0] == dots and looks[1] == "50%" and looks[2] == looks[3] >= 6, (looks, dots)
        svg = chart(page, "mood").locator("svg").bounding_box()
        label = chart(page, "mood").locator(".chart__x li").bounding_box()
        middle = svg["x"] + svg["width"] / 2
        assert label["x"] + label["width"] / 2 == pytest.approx(middle, abs=2)
        no_sideways_scroll(page)
        assert open_page.console(page).errors() == []
        # For a person to look at: the first screen of Trends on a patient's first day.
        page.screenshot(path=SCREENSHOTS / f"trends-first-day-{scheme}.png", animations="disabled", caret="hide")


def test_an_empty_chart_says_once_that_it_is_empty_to_sighted_and_screen_reader_users(open_page, lift):
    """A chart with nothing to draw said so in its summary ("No mood check-ins since you
    joined.") and again under the picture ("Nothing here yet for this period. Each check-in adds
    a point."). Now once: the summary, which is also all a screen reader hears of the picture."""
    page = open_page()
    lift.new_patient_on_today(page)
    page.goto("/scales/gad7")  # a questionnaire but no check-in yet: the daily charts are empty
    for item in range(1, 8):
        page.locator(f'label[for="gad7_{item}-1"]').click()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", name="GAD-7 saved")).to_be_visible()
    page.goto("/trends")
    said = "No mood check-ins since you joined. Each check-in adds a point."
    expect(page.get_by_role("figure", name="Mood")).to_have_accessible_name(
        "Mood 0 is the lowest, 10 is the best")
    mood = chart(page, "mood")
    expect(mood.locator(".chart__summary")).to_have_text(said)
    expect(mood.locator(".chart__summary")).to_be_visible()
    assert mood.inner_text().count("No mood check-ins") == 1 and mood.inner_text().count("adds a point") == 1
    expect(page.get_by_text("Nothing here yet")).to_have_count(0)
    expect(chart(page, "gad7").locator(".chart__summary")).not_to_contain_text("adds a point")
    no_sideways_scroll(page)
    assert open_page.console(page).errors() == []
    if FULL_PAGE_DIR:
        mood.scroll_into_view_if_needed()
        page.screenshot(path=Path(FULL_PAGE_DIR) / "trends-empty-chart.png", animations="disabled", caret="hide")


def test_a_patient_who_joined_3_days_ago_sees_charts_from_that_day_not_missed_days(patient: Page, lift, console,
                                                                                  served_database):
    lift.check_in(patient, mood=4, days_ago=2)
    lift.check_in(patient, mood=6)
    joined, today = newest_account_joined_days_ago(served_database, 3), datetime.now(UTC).date()

    patient.goto("/trends")
    expect(patient.locator("#range-14d")).to_have_attribute("aria-current", "true")
    # What the chart says names the first week, and no week before it; where the charts start,
    # the same for every chart, is said once above them.
    expect(chart(patient, "mood").locator(".chart__summary")).to_have_text(
        "Mood averaged 5.0 this week, your first week with Lift.")
    # From 1 to 3 January the join day is last year's, and both name it with its year.
    expect(patient.get_by_text(f"The charts start on {day_text(joined, today)}, the day you joined Lift.")
           ).to_be_visible()
    expect(chart(patient, "mood").locator(".chart__x li")).to_have_text([axis_day(joined, today), "Today"])
    # Four days across the chart: the check-ins 2 days ago and today sit a third of the way and at the end.
    dots = chart(patient, "mood").locator("path.chart__dots").get_attribute("d")
    assert [float(x) for x in __import__("re").findall(r"M([\d.]+) ", dots)] == [100.0, 300.0]
    chart(patient, "mood").get_by_text("Mood as a table").click()
    rows = chart(patient, "mood").get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(1 + 4)
    expect(chart(patient, "mood").get_by_role("table")).not_to_contain_text("joined")
    no_sideways_scroll(patient)
    assert console.errors() == []


@pytest.mark.parametrize("item9", [0, 1, 3])
def test_it_shows_get_help_now_first_after_a_phq9_with_item_9_above_zero(patient: Page, console, item9):
    patient.goto("/")
    patient.get_by_role("link", name="Take the PHQ-9").click()
    expect(patient.get_by_role("heading", name="PHQ-9")).to_be_visible()
    for n in range(1, 9):
        patient.locator(f'label[for="phq9_{n}-0"]').click()
    patient.locator(f'label[for="phq9_9-{item9}"]').click()
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    region = patient.get_by_role("region", name="Get help now")
    if item9:
        expect(region).to_be_visible()
        expect(region.locator('a[href="tel:988"]')).to_have_count(1)
        expect(patient.get_by_role("heading", name="Get help now")).to_be_focused()
        box, heading = region.bounding_box(), patient.get_by_role("heading", name="PHQ-9 saved").bounding_box()
        assert box["y"] + box["height"] <= heading["y"]
    else:
        expect(region).to_have_count(0)
    expect(patient.get_by_text("Minimal range (0–4)")).to_be_visible()
    assert console.errors() == []


def test_the_printed_report_sets_no_table_aside_larger_than_the_data_beside_it(page: Page, lift, served_database):
    """On paper the tables shrink to 9pt; a hint ("not answered") or range label sized in rem
    stayed screen-sized, larger than the totals and days beside it."""
    email = lift.sign_up(page)
    seed(served_database, email, datetime.now(UTC).date())
    page.goto("/report")
    page.emulate_media(media="print")
    sizes = page.evaluate("""() => [...document.querySelectorAll('.data-table .hint, .data-table .band-label')]
        .map(e => [e.className, parseFloat(getComputedStyle(e).fontSize),
                   parseFloat(getComputedStyle(e.closest('td, th')).fontSize)])""")
    assert {name.split()[0] for name, _, _ in sizes} == {"hint", "band-label"}, sizes
    assert all(size <= cell for _, size, cell in sizes), sizes
