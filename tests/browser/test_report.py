"""The printed report of a month, as Chromium's "Save as PDF" makes it: how many pages it takes,
and how its sessions table sits on them."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import newest_account_joined_days_ago

pytestmark = pytest.mark.browser

STAMP = "2026-01-01T00:00:00Z"
MONTH = 30
# Esketamine's first weeks: twice a week (seed 001), so 9 sessions in the report's 30 days.
SESSION_DAYS_BACK = (0, 3, 7, 10, 14, 17, 21, 24, 28)
SIDE_EFFECTS = (("dissociation", "moderate"), ("nausea", "mild"), ("dizziness", "mild"), ("sedation", "moderate"))
NOTES = ("Felt floaty for about an hour, then tired. Slept well that night.",
         "Took a taxi home. A headache in the evening, gone by the morning.",
         "A quiet session. Listened to music; my mood lifted a little by the afternoon.",
         "")
# Pages of the seeded month's report on A4 and on Letter: 5 and 6 while the sessions table kept
# its screen padding on paper and listed side effects a word a line; 4 on both since.
MAX_PAGES = 4


def seed_month(database: Path, email: str, today: date) -> None:
    """Thirty days of check-ins, a PHQ-9 and a GAD-7 each week, and a session twice a week, each
    logged with its moods, blood pressure, side effects and most with a note."""
    with closing(sqlite3.connect(database, timeout=10)) as conn:
        user_id = conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]
        conn.executemany(
            "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, 0, '', ?, ?)",
            [(user_id, (today - timedelta(days=n)).isoformat(), 3 + n % 5, 6 - n % 4, 5 + n % 5 / 2, STAMP, STAMP)
             for n in range(MONTH) if n not in (6, 19)])
        for week in range(5):
            day = (today - timedelta(days=7 * week)).isoformat()
            for instrument, total, band in (("phq9", 12 + week, "moderate"), ("gad7", 9 + week, "mild")):
                conn.execute("INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band)"
                             " VALUES (?, ?, ?, ?, ?, ?)", (user_id, instrument, day, STAMP, total, band))
        plan = conn.execute("INSERT INTO treatment_plans (user_id, medication, created_at, updated_at)"
                            " VALUES (?, 'esketamine', ?, ?)", (user_id, STAMP, STAMP)).lastrowid
        for n, days_back in enumerate(SESSION_DAYS_BACK):
            day = today - timedelta(days=days_back)
            session = conn.execute(
                "INSERT INTO treatment_sessions (plan_id, user_id, starts_at, requested_date, requested_time, phase,"
                " status, created_at, updated_at) VALUES (?, ?, ?, ?, '10:00', 'Twice a week', 'done', ?, ?)",
                (plan, user_id, f"{day}T10:00:00Z", day.isoformat(), STAMP, STAMP)).lastrowid
            conn.execute(
                "INSERT INTO treatment_session_logs (session_id, mood_before, mood_after, bp_before_systolic,"
                " bp_before_diastolic, bp_after_systolic, bp_after_diastolic, back_to_normal, note, created_at,"
                " updated_at) VALUES (?, ?, ?, 128, 82, 142, 90, '1_2h', ?, ?, ?)",
                (session, 3 + n % 4, 5 + n % 4, NOTES[n % len(NOTES)], STAMP, STAMP))
            conn.executemany("INSERT INTO treatment_side_effects (session_id, effect, severity) VALUES (?, ?, ?)",
                             [(session, effect, level) for effect, level in SIDE_EFFECTS[:1 + n % len(SIDE_EFFECTS)]])
        conn.commit()


def open_month_report(page: Page, lift, served_database: Path) -> None:
    """A new patient's report on a seeded month, open on the page."""
    email = lift.sign_up_by_post(page.context)
    seed_month(served_database, email, datetime.now(UTC).date())
    newest_account_joined_days_ago(served_database, 60)  # the month is all theirs
    page.goto("/report")


def printed_pages(page: Page, paper: str) -> int:
    """Pages in the PDF Chromium prints the page to, as its page tree counts them."""
    pdf = page.pdf(format=paper)
    return int(re.search(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf).group(1))


def heading_pages(pdf: bytes) -> dict[str, int]:
    """The page (from 1) each heading prints on, from the outline Chromium puts in a tagged PDF made
    with outline=True (untagged, it has none): an entry per heading, named by its text and
    pointing at its page."""
    kids = re.search(rb"/Type\s*/Pages\b[^>]*?/Kids\s*\[([^\]]*)\]", pdf).group(1)
    page_number = {ref: n for n, ref in enumerate(re.findall(rb"(\d+) 0 R", kids), start=1)}
    return {title.decode(): page_number[ref]
            for title, ref in re.findall(rb"/Title \(([^)]*)\)\s*/Dest \[(\d+) 0 R", pdf)}


def test_a_month_of_sessions_prints_on_few_pages_in_legible_rows_that_never_split(page: Page, lift,
                                                                                  served_database):
    open_month_report(page, lift, served_database)
    counts = {paper: printed_pages(page, paper) for paper in ("A4", "Letter")}
    assert all(count <= MAX_PAGES for count in counts.values()), counts
    # Smaller, but no smaller than the footer's small print; a row is never cut across two pages,
    # and a table that runs onto another page repeats its header row there.
    page.emulate_media(media="print")
    table = page.get_by_role("table", name="Treatment sessions")
    cell = table.get_by_role("cell", name="Took a taxi home", exact=False).first
    assert cell.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 8.5 * 96 / 72 - 0.01
    assert table.locator("thead").evaluate("e => getComputedStyle(e).display") == "table-header-group"
    assert table.locator("tbody tr").first.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    assert table.locator("caption").evaluate("e => getComputedStyle(e).breakAfter") == "avoid"


def test_on_paper_the_questionnaires_follow_the_charts_on_their_page_with_no_blank_between(
        page: Page, lift, served_database):
    """The PHQ-9 card was kept whole, and the heading above it with it: the section started a new
    page and left a quarter of the page after the charts blank (A4 and Letter alike)."""
    open_month_report(page, lift, served_database)
    for paper in ("A4", "Letter"):
        pages = heading_pages(page.pdf(format=paper, outline=True, tagged=True))
        last_chart = pages[next(title for title in pages if title.startswith("GAD-7 total"))]
        assert pages["PHQ-9 and GAD-7"] == last_chart, (paper, pages)
        # The heading stays with its first rows: the PHQ-9 card's own heading is on its page.
        assert pages["PHQ-9"] == pages["PHQ-9 and GAD-7"], (paper, pages)
    page.emulate_media(media="print")
    assert page.locator(".chart").first.evaluate("e => getComputedStyle(e).breakInside") == "avoid"


def test_on_paper_every_legend_sample_prints_its_fill(page: Page, lift, served_database):
    """Printed as browsers print by default (no "Background graphics"), a range's box in a
    questionnaire chart's legend came out empty and "Their total" had no dot: the greys on the chart
    matched no words. A sample painted by its background now asks to be printed as it is."""
    open_month_report(page, lift, served_database)
    page.emulate_media(media="print")
    samples = page.evaluate("""() => [...document.querySelectorAll('.legend__swatch')].map(e => {
        const s = getComputedStyle(e);
        return [e.className, s.backgroundColor, s.printColorAdjust || s.webkitPrintColorAdjust]; })""")
    filled = [sample for sample in samples if sample[1] != "rgba(0, 0, 0, 0)"]
    kinds = {name.split("--")[-1] for name, _, _ in filled}
    assert {"dot", "minimal", "severe"} <= kinds, samples
    assert all(adjust == "exact" for _, _, adjust in filled), filled
