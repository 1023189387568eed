"""Sharing in two browsers: a patient invites a caregiver, the caregiver signs up from the link
in a second browser context and reads the summary on a phone, the patient stops sharing, and
the caregiver's reload is refused. The caregiver's summary is kept as a screenshot, and so are
the summary and the clinician's panel once they have named the patients."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lift.domain.dates import day_text
from tests.browser.conftest import (
    PASSWORD, PHONE, REPO_ROOT, OpenPage, axis_day, newest_account_joined_days_ago, unique_email,
)
from tests.browser.test_accessibility import axe_violations, problems_on, session_row, set_text_size, user_id, write

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
# As in test_screenshots.py: set FULL_PAGE_SCREENSHOTS_DIR to also get whole-page captures there.
FULL_PAGE_DIR = os.environ.get("FULL_PAGE_SCREENSHOTS_DIR")
PRIVATE_NOTE = "Told nobody about the bad night"
STAMP = "2026-01-01T00:00:00Z"


@pytest.fixture
def caregiver_page(open_page: OpenPage) -> Page:
    """A second, separate browser: no cookies or storage shared with the patient's."""
    return open_page()


def seed_fortnight(database: Path, email: str, today: date) -> None:
    """Two weeks of check-ins (one missed day, notes on each), a PHQ-9 and a session in two days,
    so the summary has something to show and something it must keep back."""
    conn = sqlite3.connect(database, timeout=10)
    try:
        user_id = conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]
        # Joined when the seeded days start, or the caregiver would see them as days before joining.
        conn.execute("UPDATE users SET created_at = ? WHERE id = ?", (f"{today - timedelta(days=14)}T00:00:00Z",
                                                                       user_id))
        conn.executemany(
            "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, 7, 0, ?, ?, ?)",
            [(user_id, (today - timedelta(days=n)).isoformat(), 3 + (14 - n) // 3, 7 - (14 - n) // 4,
              PRIVATE_NOTE, STAMP, STAMP) for n in range(1, 14) if n != 4])
        conn.execute("INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band)"
                     " VALUES (?, 'phq9', ?, ?, 8, 'mild')", (user_id, (today - timedelta(days=2)).isoformat(), STAMP))
        plan = conn.execute("INSERT INTO treatment_plans (user_id, medication, created_at, updated_at)"
                            " VALUES (?, 'esketamine', ?, ?)", (user_id, STAMP, STAMP)).lastrowid
        start = today + timedelta(days=2)
        conn.execute("INSERT INTO treatment_sessions (plan_id, user_id, starts_at, requested_date, requested_time,"
                     " phase, created_at, updated_at) VALUES (?, ?, ?, ?, '10:00', 'Twice weekly', ?, ?)",
                     (plan, user_id, f"{start.isoformat()}T10:00:00Z", start.isoformat(), STAMP, STAMP))
        conn.commit()
    finally:
        conn.close()


def capture(page: Page, name: str = "caregiver") -> None:
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, animations="disabled", caret="hide")
    if FULL_PAGE_DIR:
        page.screenshot(path=Path(FULL_PAGE_DIR) / f"{name}.png", full_page=True, animations="disabled",
                        caret="hide")
    size = path.read_bytes()[16:24]
    assert (int.from_bytes(size[:4], "big"), int.from_bytes(size[4:], "big")) == (PHONE["width"], PHONE["height"])


def test_a_patient_shares_with_a_caregiver_and_stops_sharing(patient: Page, caregiver_page: Page, lift, open_page,
                                                             served_database):
    # The patient: a check-in today, and two earlier weeks in the journal.
    lift.check_in(patient, mood=7, anxiety=3, note=PRIVATE_NOTE)
    patient.goto("/account")
    patient_email = patient.locator("main strong").first.inner_text()
    seed_fortnight(served_database, patient_email, datetime.now(UTC).date())

    # Sharing is one of the journal's links on More.
    patient.get_by_role("link", name="Sharing", exact=True).click()
    expect(patient.get_by_role("heading", name="Sharing", exact=True)).to_be_visible()
    expect(patient.get_by_text("Nobody else can see your journal")).to_be_visible()
    patient.get_by_label("Their name").fill("Sam")
    expect(patient.get_by_label("My check-in notes")).not_to_be_checked()
    patient.get_by_role("button", name="Create invitation").click()
    expect(patient.get_by_role("heading", name="Invitation ready")).to_be_visible()
    link = patient.get_by_label("Invitation link").input_value()
    assert "/invite/" in link
    expect(patient.locator(".invite-code")).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$"))

    # The caregiver, in their own browser, opens the link and signs up.
    carer = caregiver_page
    carer_email = unique_email("caregiver")
    carer.goto(link)
    expect(carer.get_by_role("heading", name="You're invited to see a Lift journal")).to_be_visible()
    expect(carer.get_by_text(patient_email)).to_be_visible()
    carer.get_by_label("Email").fill(carer_email)
    carer.get_by_label("Password").fill(PASSWORD)
    carer.get_by_role("button", name="Create account and accept").click()

    # The summary: checking in, the trend, the band not the score, upcoming sessions, help.
    expect(carer.get_by_role("heading", name=patient_email)).to_be_visible()
    expect(carer.get_by_text("Checked in today")).to_be_visible()
    expect(carer.get_by_role("figure", name="Mood")).to_be_visible()
    expect(carer.get_by_role("figure", name="Anxiety")).to_be_visible()
    expect(carer.locator(".band-label")).to_have_text("Mild")
    expect(carer.get_by_role("heading", name="Upcoming treatment sessions")).to_be_visible()
    expect(carer.get_by_role("region", name="Get help now")).to_be_attached()
    expect(carer.get_by_role("navigation", name="Main").get_by_role("link", name="People")).to_be_visible()
    assert PRIVATE_NOTE not in carer.content()
    width = carer.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the summary is {width}px wide on a {PHONE['width']}px phone"
    # The range switch swaps the charts in place.
    carer.get_by_role("link", name="3 months").click()
    expect(carer.locator("#range-90d")).to_have_attribute("aria-current", "true")
    expect(carer.get_by_role("heading", name=patient_email)).to_be_visible()
    carer.get_by_role("link", name="2 weeks").click()
    expect(carer.locator("#range-14d")).to_have_attribute("aria-current", "true")
    carer.evaluate("() => window.scrollTo(0, 0)")
    capture(carer)
    summary_url = carer.url

    # The patient sees the caregiver and who looked, and stops sharing, asked first.
    patient.goto("/sharing")
    expect(patient.get_by_text(carer_email)).to_be_visible()
    patient.goto("/sharing/audit")
    # Three looks a moment apart (the summary, then two range switches) are one line of the log.
    looks = re.compile(rf"^Sam \({re.escape(carer_email)}, caregiver\) looked at your summary 3 times, the first at \d\d:\d\d\.$")
    expect(patient.get_by_text(looks)).to_have_count(1)
    patient.goto("/sharing")
    stop_with_sam = patient.get_by_role("link", name="Stop sharing with Sam")
    # Keep sharing goes back with nothing changed.
    stop_with_sam.click()
    expect(patient.get_by_role("heading", name="Stop sharing your journal?")).to_be_visible()
    patient.get_by_role("link", name="Keep sharing").click()
    expect(patient).to_have_url(re.compile(r"/sharing$"))
    expect(stop_with_sam).to_be_visible()
    assert carer.reload().status == 200
    stop_with_sam.click()
    expect(patient.get_by_role("heading", name="Stop sharing your journal?")).to_be_visible()
    expect(patient.locator("main")).to_contain_text(carer_email)
    expect(patient.get_by_role("listitem").filter(has_text="Your mood and anxiety trend")).to_be_visible()
    expect(patient.get_by_text("They lose access at once")).to_be_visible()
    stop = patient.get_by_role("button", name="Stop sharing", exact=True)
    for target in (stop, patient.get_by_role("link", name="Keep sharing")):
        box = target.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    assert patient.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    stop.click()
    expect(patient.get_by_role("status")).to_contain_text("Sharing stopped")
    expect(patient.get_by_role("link", name="Stop sharing with Sam")).to_have_count(0)

    # The caregiver's reload is refused, and says nothing about the patient.
    response = carer.reload()
    assert response is not None and response.status == 404
    expect(carer.get_by_role("heading", name="Not shared with you now")).to_be_visible()
    assert patient_email not in carer.content() and carer.url == summary_url
    carer.goto("/caregiver")
    expect(carer.get_by_text("Nobody shares a journal with you right now")).to_be_visible()

    errors = open_page.console(carer).errors(expected_statuses=(404,))
    assert errors == [], errors
    assert open_page.console(patient).errors() == []


def test_a_range_switch_once_sharing_ended_replaces_the_whole_page_not_only_its_charts(
        patient: Page, open_page: OpenPage, served_database):
    """The patient stopped sharing while their caregiver's summary and clinician's timeline were
    open. A range switch there asks for its charts only, and the "Not shared with you now" notice
    took the charts' place, in the middle of the rest of the journal still on the screen: the
    week of check-ins and the questionnaires, the patient's address, the download form."""
    patient.goto("/account")
    patient_email = patient.locator("main strong").first.inner_text()
    seed_fortnight(served_database, patient_email, datetime.now(UTC).date())
    carer, doctor = open_page(), open_page()
    for viewer, role in ((carer, "caregiver"), (doctor, "clinician")):
        accept(viewer, invitation_link(patient, role))
        expect(viewer.get_by_role("figure", name="Mood")).to_be_visible()
        viewer.get_by_role("figure", name="Mood").scroll_into_view_if_needed()

    patient.goto("/sharing")
    for _ in range(2):
        patient.get_by_role("link", name=re.compile("^Stop sharing with ")).first.click()
        patient.get_by_role("button", name="Stop sharing", exact=True).click()
        expect(patient.get_by_role("status")).to_contain_text("Sharing stopped")
    expect(patient.get_by_text("Nobody else can see your journal")).to_be_visible()

    for viewer in (carer, doctor):
        page_url = viewer.url
        viewer.get_by_role("link", name="3 months").click()
        heading = viewer.get_by_role("heading", name="Not shared with you now")
        # The notice is the page now: its only heading, with the focus the range link had, seen
        # from the top, at the address of the page that is no longer shared.
        expect(heading).to_be_focused()
        expect(viewer.locator("main").get_by_role("heading")).to_have_count(1)
        expect(viewer.locator("main")).not_to_contain_text(patient_email)
        assert viewer.evaluate("() => window.scrollY") == 0 and viewer.url == page_url
        expect(viewer).to_have_title("Not shared with you now · Lift")
        assert open_page.console(viewer).errors(expected_statuses=(404,)) == []


def test_without_javascript_stop_sharing_asks_first_then_ends_the_share(open_page: OpenPage, lift,
                                                                       served_database):
    page = open_page(java_script_enabled=False)
    me = user_id(served_database, lift.sign_up(page))
    carer = unique_email("caregiver")
    write(served_database, [
        ("INSERT INTO users (email, password_hash, role, timezone, created_at) VALUES (?, 'x', 'caregiver', 'UTC', ?)",
         (carer, STAMP)),
        ("INSERT INTO share_grants (patient_id, grantee_id, role, label, created_at, updated_at)"
         " VALUES (?, (SELECT id FROM users WHERE email = ?), 'caregiver', 'Alex (partner)', ?, ?)",
         (me, carer, STAMP, STAMP)),
    ])
    page.goto("/sharing")
    page.get_by_role("link", name="Stop sharing with Alex (partner)").click()
    expect(page.get_by_role("heading", name="Stop sharing your journal?")).to_be_visible()
    expect(page.locator("main")).to_contain_text(carer)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Stop sharing", exact=True).click()
    assert navigation.value.request.method == "GET" and navigation.value.status == 200
    expect(page.get_by_role("status")).to_contain_text("Sharing stopped")
    expect(page.get_by_text("Nobody else can see your journal")).to_be_visible()


def test_the_invitation_asks_what_else_to_share_only_when_inviting_a_caregiver(patient: Page):
    """A clinician sees everything but the safety plan: with "A clinician" chosen, the caregiver's
    boxes ("My answers about thoughts of death or suicide, off unless you tick it") read as if
    leaving them empty kept those answers from the clinician."""
    patient.goto("/sharing")
    notes = patient.get_by_label("My check-in notes")
    thoughts = patient.get_by_label("My answers about thoughts of death or suicide")
    expect(thoughts).to_be_visible()
    patient.get_by_role("radio", name=re.compile("A clinician")).check()
    expect(thoughts).to_be_hidden()
    expect(notes).to_be_hidden()
    expect(patient.get_by_text("A clinician sees everything except your safety plan")).to_be_visible()
    patient.get_by_role("radio", name=re.compile("A caregiver")).check()
    expect(thoughts).to_be_visible()
    expect(notes).to_be_visible()


def test_a_clinician_removes_a_discharged_patient_from_their_panel(patient: Page, open_page: OpenPage):
    patient.goto("/account")
    patient_email = patient.locator("main strong").first.inner_text()
    patient.goto("/sharing")
    patient.locator("#role-clinician").check()
    patient.get_by_label("Their name").fill("Dr Patel")
    patient.get_by_role("button", name="Create invitation").click()
    link = patient.get_by_label("Invitation link").input_value()

    doctor, doctor_email = open_page(), unique_email("clinician")
    doctor.goto(link)
    doctor.get_by_label("Email").fill(doctor_email)
    doctor.get_by_label("Password").fill(PASSWORD)
    doctor.get_by_role("button", name="Create account and accept").click()
    expect(doctor.get_by_role("heading", name=patient_email)).to_be_visible()
    timeline_url = doctor.url

    # On a phone the panel's first screen shows the patient and why they may need a look:
    # the intro is short and Needs attention sits beside the name, not off to the right.
    # A patient who joined today has missed nothing yet: their day isn't over.
    doctor.goto("/clinician")
    cells = doctor.locator(".panel tbody tr").first.get_by_role("cell")
    reason = cells.first
    expect(reason).to_have_text("Nothing stands out")
    expect(cells.last).to_have_text("Joined today, none yet")
    box = reason.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"], box
    assert box["y"] + box["height"] <= PHONE["height"], box

    # From the panel to the patient, then the button at the foot of their page.
    doctor.get_by_role("link", name=patient_email).click()
    remove = doctor.get_by_role("link", name="Remove from my list")
    remove.click()
    expect(doctor.get_by_role("heading", name="Remove this patient from your list?")).to_be_visible()
    expect(doctor.get_by_text("You lose access at once")).to_be_visible()
    expect(doctor.get_by_text("Nothing in their journal is deleted")).to_be_visible()
    confirm = doctor.get_by_role("button", name="Remove from my list")
    box = confirm.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    confirm.click()

    expect(doctor.get_by_role("status")).to_contain_text("Removed from your list")
    expect(doctor).to_have_url(re.compile(r"/clinician\?notice=ended$"))
    expect(doctor.get_by_role("link", name=patient_email)).to_have_count(0)
    response = doctor.goto(timeline_url)
    assert response is not None and response.status == 404
    expect(doctor.get_by_role("heading", name="Not shared with you now")).to_be_visible()

    # The patient sees that the clinician ended it, not that an account was deleted.
    patient.goto("/sharing")
    ended = patient.get_by_role("region", name="Sharing they ended")
    expect(ended).to_contain_text("Dr Patel")
    expect(patient.get_by_role("link", name="Stop sharing with Dr Patel")).to_have_count(0)
    patient.goto("/sharing/audit")
    expect(patient.get_by_text(f"Dr Patel ({doctor_email}, clinician) ended their own access to your journal")
           ).to_be_visible()
    expect(patient.get_by_text("deleted their Lift account")).to_have_count(0)

    assert open_page.console(doctor).errors(expected_statuses=(404,)) == []
    assert open_page.console(patient).errors() == []


def seed_looks(database: Path, email: str, today: date) -> None:
    """A caregiver's look each morning for 60 days, and today a caregiver and a clinician in turn:
    two pages of whole days."""
    subject = f"browser-{user_id(database, email)}"
    looks = [(datetime.combine(today - timedelta(days=days), datetime.min.time(), UTC) + timedelta(hours=9),
              "caregiver", "carer@example.com", "summary") for days in range(60, 0, -1)]
    looks += [(datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=hour), role, who, what)
              for hour, role, who, what in ((8, "caregiver", "carer@example.com", "summary"),
                                            (9, "clinician", "doctor@example.com", "timeline"),
                                            (10, "caregiver", "carer@example.com", "summary"),
                                            (11, "clinician", "doctor@example.com", "timeline"))]
    write(database, [("INSERT INTO audit_subjects (user_id, subject) VALUES (?, ?)", (user_id(database, email), subject))]
          + [("INSERT INTO audit_log (at, subject, actor_role, actor_email, action, what) VALUES (?, ?, ?, ?, 'view', ?)",
              (at.strftime("%Y-%m-%dT%H:%M:%SZ"), subject, role, who, what)) for at, role, who, what in looks])


def test_who_saw_my_journal_pages_whole_days_with_historys_pager_on_a_phone(page: Page, lift, served_database):
    """The log had its own pager, and a page past the end was empty; a day's looks by two people in
    turn were a line each. axe in light and dark mode, 44px targets, no sideways scrolling at 200%
    text or on a 320px screen."""
    email = lift.sign_up_by_post(page.context)  # in UTC
    seed_looks(served_database, email, datetime.now(UTC).date())
    page.goto("/sharing/audit")
    expect(page.get_by_text("carer@example.com (caregiver) looked at your summary 2 times, the first at 08:00.")
           ).to_be_visible()
    expect(page.get_by_text("doctor@example.com (clinician) looked at your timeline 2 times, the first at 09:00.")
           ).to_be_visible()
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Page 1 of 2")
    expect(pager.get_by_role("link", name="Newer")).to_have_count(0)
    problems = problems_on(page, "/sharing/audit (page 1)")
    pager.get_by_role("link", name="Older").click()
    expect(page).to_have_url(re.compile(r"/sharing/audit\?page=2$"))
    expect(pager).to_contain_text("Page 2 of 2")
    expect(page.locator(".audit__what").last).to_have_text("carer@example.com (caregiver) looked at your summary.")
    page.reload()  # a document of its own: the link's swap kept page 1's resizes, seen as shifts
    problems += problems_on(page, "/sharing/audit (page 2)")
    page.goto("/sharing/audit?page=9")
    expect(page).to_have_url(re.compile(r"/sharing/audit\?page=2$"))
    expect(pager).to_contain_text("Page 2 of 2")
    expect(pager.get_by_role("link", name="Newer")).to_have_attribute("href", "/sharing/audit?page=1")
    if FULL_PAGE_DIR:
        for name, scheme, size in (("audit-light", "light", 1.0), ("audit-dark", "dark", 1.0),
                                   ("audit-200", "light", 2.0)):
            page.emulate_media(color_scheme=scheme)
            set_text_size(page.context.new_cdp_session(page), size)
            pager.scroll_into_view_if_needed()
            page.screenshot(path=Path(FULL_PAGE_DIR) / f"{name}.png", animations="disabled", caret="hide")
    assert problems == [], "\n".join(problems)


def test_the_invitation_link_is_copied_in_one_tap(open_page: OpenPage, lift):
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    lift.sign_up(page)
    page.goto("/sharing")
    page.get_by_role("button", name="Create invitation").click()
    expect(page.get_by_role("heading", name="Invitation ready")).to_be_visible()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith("http") and page.evaluate("navigator.clipboard.readText()") == link


def test_the_private_calendar_link_is_copied_in_one_tap(open_page: OpenPage, lift):
    """Shown once and never again, so copying it must not depend on fiddly selection handles."""
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    lift.sign_up(page)
    page.goto("/reminders")
    page.get_by_role("button", name="Make a calendar link").click()
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    link = page.get_by_label("Calendar link").input_value()
    assert "/calendar/" in link and page.evaluate("navigator.clipboard.readText()") == link


def accept(page: Page, link: str) -> None:
    page.goto(link)
    page.get_by_label("Email").fill(unique_email("invitee"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account and accept").click()


def invitation_link(patient: Page, role: str) -> str:
    patient.goto("/sharing")
    patient.locator(f"#role-{role}").check()
    patient.get_by_role("button", name="Create invitation").click()
    return patient.get_by_label("Invitation link").input_value()


def test_a_new_patients_caregiver_and_clinician_see_charts_from_the_day_they_joined_not_missed_days(
        patient: Page, lift, open_page: OpenPage, served_database):
    lift.check_in(patient, mood=4, days_ago=2)
    lift.check_in(patient, mood=6)
    joined, today = newest_account_joined_days_ago(served_database, 3), datetime.now(UTC).date()
    start = f"The charts start on {day_text(joined, today)}, the day they joined Lift."  # with its year from 1 to 3 Jan
    carer, doctor = open_page(), open_page()
    for page, role in ((carer, "caregiver"), (doctor, "clinician")):
        accept(page, invitation_link(patient, role))
        expect(page.get_by_role("figure", name="Mood")).to_be_visible()
        # Both open on 2 weeks, as the patient's own Trends do for a journal this young.
        expect(page.locator("#range-14d")).to_have_attribute("aria-current", "true")

    for page in (carer, doctor):
        mood = page.get_by_role("figure", name="Mood")
        # What the chart says: their first week, and no week before it. Where the charts start,
        # the same for every chart, is said once above them.
        expect(mood.locator(".chart__summary")).to_have_text(
            "Mood averaged 5.0 this week, their first week with Lift.")
        figure = page.locator("figure.chart--mood")
        expect(page.get_by_text(start, exact=True)).to_be_visible()
        expect(figure.locator(".chart__x li")).to_have_text([axis_day(joined, today), "Today"])
        expect(figure.locator("rect")).to_have_count(0)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        assert open_page.console(page).errors() == []
    # The caregiver's week strip leaves the 3 days before joining blank, and says why.
    expect(carer.locator(".week .week__value--before")).to_have_count(3)
    expect(carer.get_by_text("Blank days are from before they joined Lift: nothing is missing there.")
           ).to_be_visible()
    if FULL_PAGE_DIR:
        for page, name in ((carer, "caregiver-new-patient.png"), (doctor, "timeline-new-patient.png")):
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=Path(FULL_PAGE_DIR) / name, full_page=True, animations="disabled", caret="hide")


def test_a_clinicians_range_switch_changes_the_sessions_and_check_ins_below_the_charts(
        patient: Page, open_page: OpenPage, served_database):
    """The switch swaps the range's sessions and check-ins with its charts: they went on saying
    "the last 3 months", and listing its days, under 2 weeks of charts."""
    patient.goto("/account")
    email = patient.locator("main strong").first.inner_text()
    today = datetime.now(UTC).date()
    seed_fortnight(served_database, email, today)
    old_note = "A note from six weeks ago"
    conn = sqlite3.connect(served_database, timeout=10)
    try:
        conn.execute("UPDATE users SET created_at = ? WHERE email = ?", (f"{today - timedelta(days=60)}T00:00:00Z",
                                                                         email))
        conn.execute("INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note,"
                     " created_at, updated_at) SELECT id, ?, 5, 5, 7, 0, ?, ?, ? FROM users WHERE email = ?",
                     ((today - timedelta(days=40)).isoformat(), old_note, STAMP, STAMP, email))
        conn.commit()
    finally:
        conn.close()
    doctor = open_page()
    accept(doctor, invitation_link(patient, "clinician"))
    # A journal younger than three months opens on All time (trends.patient_range).
    expect(doctor.locator("#range-all")).to_have_attribute("aria-current", "true")
    expect(doctor.get_by_role("heading", name="Check-ins, all entries")).to_be_visible()
    expect(doctor.get_by_text(old_note)).to_be_visible()

    doctor.locator("#range-14d").click()
    expect(doctor).to_have_url(re.compile(r"\?range=14d$"))
    expect(doctor.locator("#range-14d")).to_have_attribute("aria-current", "true")
    expect(doctor.get_by_role("heading", name="Sessions, the last 2 weeks")).to_be_visible()
    expect(doctor.get_by_role("heading", name="Check-ins, the last 2 weeks")).to_be_visible()
    expect(doctor.get_by_text(old_note)).to_have_count(0)
    expect(doctor.get_by_role("heading", name="Download")).to_be_visible()
    expect(doctor.locator("#range-14d")).to_be_focused()
    assert open_page.console(doctor).errors() == []


SESSION_NOTE = "Drove home with my partner, slept two hours, and felt lighter by the evening"
FLAGGED_NOTE = "A long day at work, then a bad evening; I called my sister and felt steadier"

# A table's rows on the page: how far the table scrolls sideways in its box, and each row's
# header (or first cell) with the row's height in px.
TABLE_ROWS = """(caption) => {
    const table = [...document.querySelectorAll("main table")].find((t) => t.caption.textContent === caption);
    const box = table.parentElement;
    return {sideways: box.scrollWidth - box.clientWidth,
            rows: [...table.tBodies[0].rows].map((row) => [row.cells[0].textContent.trim(),
                                                           Math.round(row.getBoundingClientRect().height)])};
}"""


def seed_logged_sessions(database: Path, patient: Page) -> None:
    """Two weeks of check-ins, one with thoughts and a two-line note, a missed session and two
    logged ones, each with two side effects and a two-line note: the timeline's longest rows."""
    patient.goto("/account")
    email = patient.locator("main strong").first.inner_text()
    today = datetime.now(UTC).date()
    seed_fortnight(database, email, today)
    me = user_id(database, email)
    statements = [("UPDATE checkins SET thoughts = 1, note = ? WHERE user_id = ? AND local_date = ?",
                   (FLAGGED_NOTE, me, (today - timedelta(days=3)).isoformat())),
                  session_row(me, today - timedelta(days=9), "missed")]
    for days in (6, 3):
        statements += [
            session_row(me, today - timedelta(days=days), "done"),
            ("INSERT INTO treatment_session_logs (session_id, mood_before, mood_after, bp_before_systolic,"
             " bp_before_diastolic, bp_after_systolic, bp_after_diastolic, back_to_normal, note, created_at,"
             " updated_at) SELECT max(id), 4, 6, 128, 82, 142, 90, '1_2h', ?, ?, ? FROM treatment_sessions"
             " WHERE user_id = ?", (SESSION_NOTE, STAMP, STAMP, me)),
            ("INSERT INTO treatment_side_effects (session_id, effect, severity) SELECT max(id), 'dissociation',"
             " 'moderate' FROM treatment_sessions WHERE user_id = ?", (me,)),
            ("INSERT INTO treatment_side_effects (session_id, effect, severity) SELECT max(id), 'nausea', 'mild'"
             " FROM treatment_sessions WHERE user_id = ?", (me,)),
        ]
    write(database, statements)


def test_on_a_phone_the_timelines_sessions_and_check_ins_are_short_rows_still_read_as_tables(
        patient: Page, open_page: OpenPage, served_database):
    """At 390px every column was squeezed to a word's width: a check-in with a note stood a
    screen tall, and the sessions ran off to the right. Each row now stacks into a few labelled
    lines, while a screen reader still meets two tables, and a desk still sees the columns."""
    seed_logged_sessions(served_database, patient)
    doctor = open_page()
    accept(doctor, invitation_link(patient, "clinician"))
    expect(doctor.get_by_text(FLAGGED_NOTE)).to_be_visible()

    # The longest rows, at about 22px a line: a check-in with thoughts and a two-line note (six
    # lines; it was 404px), a session logged with two side effects and a two-line note (nine; it
    # was 426px, and the table scrolled 632px sideways).
    for caption, most in (("Newest first", 160), ("Treatment sessions", 240)):
        table = doctor.evaluate(TABLE_ROWS, caption)
        assert table["sideways"] == 0, f"{caption} scrolls sideways by {table['sideways']}px on a phone"
        tall = [row for row in table["rows"] if row[1] > most]
        assert tall == [], f"{caption}: rows over {most}px on a 390px phone: {tall}"

    # Chromium's own accessibility tree: both are still tables, each value a cell named by its
    # column, the labels drawn before the values not read a second time.
    devtools = doctor.context.new_cdp_session(doctor)
    nodes = [(node["role"]["value"], node.get("name", {}).get("value", ""))
             for node in devtools.send("Accessibility.getFullAXTree")["nodes"] if not node.get("ignored")]
    assert {("table", "Treatment sessions"), ("table", "Newest first")} <= set(nodes)
    headers = {name for role, name in nodes if role == "columnheader"}
    assert {"Mood before → after", "Blood pressure before → after", "Thoughts of death or suicide"} <= headers
    cells = [name for role, name in nodes if role == "cell"]
    assert "128/82 → 142/90" in cells and "Passing thoughts of death or of not wanting to be here" in cells
    assert not [name for name in cells if re.match(r"(Mood|BP|Sleep|Thoughts of death or suicide): ", name)]

    # At a desk the columns and their headers are as they were.
    doctor.set_viewport_size({"width": 1280, "height": 900})
    header = doctor.get_by_role("columnheader", name="Blood pressure before → after")
    assert header.bounding_box()["height"] > 20
    # Each row on one line again: its cells side by side, not stacked.
    tops = doctor.locator("table.data-table--stack tbody tr").first.locator("th, td").evaluate_all(
        "(cells) => cells.map((cell) => Math.round(cell.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    assert open_page.console(doctor).errors() == []


TWO_LINE_NOTE = "Slept badly\nCalled my sister in the evening"
# Each note cell's text as drawn (innerText follows CSS white-space), by its table's caption.
NOTES_AS_DRAWN = """(caption) => [...document.querySelectorAll("main table")]
    .find((t) => t.caption.textContent === caption).querySelectorAll("td.note-text")[0].innerText"""


def test_on_a_phone_a_note_written_on_two_lines_reads_on_two_lines_in_the_timeline(
        patient: Page, open_page: OpenPage, served_database):
    """Stacked on a phone, the timeline's note cells wrapped as prose: a check-in's or a session's
    note written on two lines ran together ("Slept badly Called my sister"), where a desk, the
    caregiver's notes and the patient's own pages keep its lines."""
    seed_logged_sessions(served_database, patient)
    me = user_id(served_database, patient.locator("main strong").first.inner_text())
    write(served_database, [
        ("UPDATE checkins SET note = ? WHERE user_id = ?", (TWO_LINE_NOTE, me)),
        ("UPDATE treatment_session_logs SET note = ? WHERE session_id IN"
         " (SELECT id FROM treatment_sessions WHERE user_id = ?)", (TWO_LINE_NOTE, me)),
    ])
    doctor = open_page()
    accept(doctor, invitation_link(patient, "clinician"))
    expect(doctor.get_by_role("heading", name=re.compile("^Check-ins, "))).to_be_visible()
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        doctor.set_viewport_size(viewport)
        for caption in ("Newest first", "Treatment sessions"):
            assert doctor.evaluate(NOTES_AS_DRAWN, caption) == TWO_LINE_NOTE, (viewport, caption)


def test_on_a_phone_a_clinician_reads_each_questionnaires_question_9_without_scrolling_sideways(
        patient: Page, open_page: OpenPage, served_database):
    """At 390px the results table showed the day, the questionnaire, the total and half the range:
    question 9, in red when above "not at all", and the difficulty were off the screen to the right,
    on the timeline and the report alike. Each result now stacks as a session does."""
    patient.goto("/account")
    email = patient.locator("main strong").first.inner_text()
    seed_fortnight(served_database, email, datetime.now(UTC).date())
    uid = user_id(served_database, email)
    write(served_database, [("INSERT INTO scale_answers (result_id, item_id, answer) SELECT id, 'phq9_9', 2"
                             " FROM scale_results WHERE user_id = ?", (uid,)),
                            # A GAD-7 has no question 9: its stacked row leaves the cell out.
                            ("INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band)"
                             " VALUES (?, 'gad7', ?, ?, 6, 'mild')", (uid, datetime.now(UTC).date().isoformat(), STAMP))])
    doctor = open_page()
    accept(doctor, invitation_link(patient, "clinician"))
    doctor.wait_for_url(re.compile(r"/clinician/patients/\d+$"), timeout=15_000)  # argon2id, slow on purpose
    timeline = doctor.url
    for url in (timeline, f"{timeline}/report"):
        doctor.goto(url)
        answer = doctor.locator("main table").filter(has_text="Results, newest first").get_by_text(
            "More than half the days")
        expect(answer).to_be_visible()
        within_the_screen(doctor, answer)
        expect(doctor.locator("main table").filter(has_text="Results, newest first").get_by_text(
            "not asked")).to_be_hidden()
        table = doctor.evaluate(TABLE_ROWS, "Results, newest first")
        assert table["sideways"] == 0, f"{url}: the results scroll sideways by {table['sideways']}px on a phone"

    # At a desk each result is one row of columns again.
    doctor.set_viewport_size({"width": 1280, "height": 800})
    doctor.goto(timeline)
    expect(doctor.get_by_role("columnheader", name="Question 9")).to_be_visible()
    expect(doctor.locator("main table").filter(has_text="Results, newest first").get_by_text(
        "not asked")).to_be_visible()
    tops = doctor.locator("main table").filter(has_text="Results, newest first").locator("tbody tr").first.locator(
        "th, td").evaluate_all("(cells) => cells.map((cell) => Math.round(cell.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    assert open_page.console(doctor).errors() == []


def test_at_a_desk_a_sessions_note_is_read_as_a_sentence_not_a_word_a_line(patient: Page, open_page: OpenPage,
                                                                          served_database):
    """At 1280px the Note column was left 140px beside headers kept on one line (at 1024px, 59px:
    one word a line), while "4 → 6" sat under a 183px "Mood before → after". A long header now
    wraps, and a note gets a readable width."""
    seed_logged_sessions(served_database, patient)
    doctor = open_page(viewport={"width": 1280, "height": 800})
    accept(doctor, invitation_link(patient, "clinician"))
    note = doctor.locator("table.data-table--status td.note-text").first
    expect(note).to_have_text(SESSION_NOTE)
    # 16rem: some 35 characters a line at the table's size.
    for width in (1280, 1024):
        doctor.set_viewport_size({"width": width, "height": 800})
        box = note.bounding_box()
        assert box["width"] >= 256, f"the note is {box['width']:.0f}px wide at {width}px"
        sideways = doctor.locator("table.data-table--status").evaluate(
            "(table) => table.parentElement.scrollWidth - table.parentElement.clientWidth")
        assert sideways == 0, f"the sessions scroll sideways by {sideways}px at {width}px"
    assert open_page.console(doctor).errors() == []


# Each "before → after" cell of the sessions table as the lines it is drawn on, in reading order.
BEFORE_AFTER_LINES = """() => [...document.querySelectorAll("table.data-table--status td")]
    .filter((cell) => cell.textContent.includes("→")).map((cell) => {
        const lines = [];
        let top = null;
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (node.data[i].trim() && rect && Math.round(rect.top) !== top) {
                    top = Math.round(rect.top);
                    lines.push("");
                }
                lines[lines.length - 1] += node.data[i];
            }
        }
        return lines.map((line) => line.trim());
    })"""


def test_at_a_desk_a_sessions_blood_pressure_and_mood_read_before_and_after_on_one_line(
        patient: Page, open_page: OpenPage, served_database):
    """At 1280px "128/82 → 142/90" wrapped after its arrow, in a table with room to spare. Each
    before and after now shares a line on the timeline and the report wherever the table has the
    room, and where it has not (840px) breaks only after the arrow, rather than scroll sideways."""
    seed_logged_sessions(served_database, patient)
    doctor = open_page(viewport={"width": 1280, "height": 800})
    accept(doctor, invitation_link(patient, "clinician"))
    expect(doctor).to_have_url(re.compile(r"/clinician/patients/\d+$"))
    timeline = doctor.url
    table = doctor.locator("table.data-table--status")
    for path in (timeline, f"{timeline}/report"):
        doctor.goto(path)
        for width in (1280, 1024):
            doctor.set_viewport_size({"width": width, "height": 800})
            expect(table.locator("td.note-text").first).to_have_text(SESSION_NOTE)
            assert doctor.evaluate(BEFORE_AFTER_LINES) == [["4 → 6"], ["128/82 → 142/90"]] * 2, (path, width)
            sideways = table.evaluate("(table) => table.parentElement.scrollWidth - table.parentElement.clientWidth")
            assert sideways == 0, f"{path}: the sessions scroll sideways by {sideways}px at {width}px"
    doctor.goto(timeline)
    doctor.set_viewport_size({"width": 840, "height": 800})
    expect(table.locator("td.note-text").first).to_have_text(SESSION_NOTE)
    assert doctor.evaluate(BEFORE_AFTER_LINES) == [["4 → 6"], ["128/82 →", "142/90"]] * 2
    assert table.evaluate("(table) => table.parentElement.scrollWidth - table.parentElement.clientWidth") == 0
    assert open_page.console(doctor).errors() == []


def test_at_a_desk_the_panels_caption_reads_on_the_page_not_on_a_band_of_the_tables_surface(
        patient: Page, open_page: OpenPage):
    """'Sorted by …' sat on a white band (a dark one in dark mode) the width of the table, above its
    header row, between the page's grey and the cards'."""
    doctor = open_page(viewport={"width": 1280, "height": 800})
    accept(doctor, invitation_link(patient, "clinician"))
    expect(doctor).to_have_url(re.compile(r"/clinician/patients/\d+$"))
    doctor.goto("/clinician")
    for scheme in ("light", "dark"):
        doctor.emulate_media(color_scheme=scheme)
        caption, page = doctor.evaluate(
            "() => [document.querySelector('.panel caption'), document.body].map("
            "(e) => getComputedStyle(e).backgroundColor)")
        assert caption == page, f"{scheme}: the caption is on {caption}, the page is {page}"


# The tab bar's links: where the first starts and the last ends, the narrowest and lowest link,
# and the page's column (main less its padding) and the window, in px.
TAB_BAR_SPAN = """() => {
    const tabs = [...document.querySelectorAll("nav.tabbar a")].map((a) => a.getBoundingClientRect());
    const main = document.querySelector("main"), style = getComputedStyle(main), box = main.getBoundingClientRect();
    return {left: tabs[0].left, right: tabs[tabs.length - 1].right,
            narrowest: Math.min(...tabs.map((t) => t.width)), lowest: Math.min(...tabs.map((t) => t.height)),
            column: [box.left + parseFloat(style.paddingLeft), box.right - parseFloat(style.paddingRight)],
            window: innerWidth};
}"""


@pytest.mark.parametrize("who", ["patient", "clinician"])
def test_at_a_desk_the_tab_bar_keeps_to_the_pages_column_and_on_a_phone_spans_it(
        patient: Page, open_page: OpenPage, who):
    """At 1280px the bar's tabs were spread over the whole window: five 256px apart, a clinician's
    two a half-window each."""
    page = patient
    if who == "clinician":
        page = open_page()
        accept(page, invitation_link(patient, "clinician"))
        expect(page).to_have_url(re.compile(r"/clinician/patients/\d+$"))
    for path in (["/", "/account"] if who == "patient" else ["/clinician", "/account"]):
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(path)
        span = page.evaluate(TAB_BAR_SPAN)
        left, right = span["column"]
        # Within the page's column, and no wider than the 38rem one most pages have (a clinician's
        # panel is wider), centred in the window.
        assert left - 0.5 <= span["left"] and span["right"] <= right + 0.5, (path, span)
        assert span["right"] - span["left"] <= 608.5, (path, span)
        assert abs((span["left"] + span["right"]) / 2 - 640) <= 1, (path, span)
        assert span["narrowest"] >= 43.5 and span["lowest"] >= 43.5, (path, span)
        page.set_viewport_size(PHONE)
        span = page.evaluate(TAB_BAR_SPAN)
        assert span["left"] == 0 and span["right"] == span["window"] == PHONE["width"], (path, span)
        assert span["narrowest"] >= 43.5 and span["lowest"] >= 43.5, (path, span)


def test_sorting_the_panel_from_the_keyboard_keeps_focus_on_the_column_sorted(patient: Page, open_page: OpenPage):
    """Each sort swaps the table in place: without an id to find it again by, the link pressed
    went with the old table and focus fell to the page, so a keyboard user started again at the top."""
    doctor = open_page()
    accept(doctor, invitation_link(patient, "clinician"))
    expect(doctor).to_have_url(re.compile(r"/clinician/patients/\d+$"))
    doctor.goto("/clinician")
    for name, caption in (("PHQ-9", "Sorted by PHQ-9, highest first"), ("PHQ-9", "Sorted by PHQ-9, lowest first"),
                          ("Check-ins", "Sorted by Check-ins, least often first")):
        link = doctor.locator(".panel thead").get_by_role("link", name=name)
        link.focus()
        doctor.keyboard.press("Enter")
        expect(doctor.locator(".panel caption")).to_have_text(caption)
        expect(doctor.locator(".panel thead").get_by_role("link", name=name)).to_be_focused()
        # In sight too: the new table starts scrolled to its left edge, and the last columns are
        # off a phone's screen.
        expect(doctor.locator(".panel thead").get_by_role("link", name=name)).to_be_in_viewport()
    assert open_page.console(doctor).errors() == []


# Each choice of the download's File: its text cut off inside its own box, or its box outside the
# screen's width or cut by a box around it that hides or scrolls what overflows; and its size.
FILE_CHOICES = """() => {
    const width = window.innerWidth;
    const fieldset = [...document.querySelectorAll(".export-form fieldset")].find(
        (f) => f.querySelector("legend").textContent.trim() === "File");
    return [...fieldset.querySelectorAll("input[type=radio]")].map((radio) => {
        const label = radio.labels[0], box = label.getBoundingClientRect();
        const cut = [];
        if (label.scrollWidth > label.clientWidth || label.scrollHeight > label.clientHeight) cut.push("its own box");
        if (box.left < 0 || box.right > width + 0.5) cut.push("the screen");
        for (let el = label.parentElement; el && el !== document.body; el = el.parentElement) {
            const outer = el.getBoundingClientRect(), style = getComputedStyle(el);
            if (style.overflowX !== "visible" && (box.left < outer.left - 0.5 || box.right > outer.right + 0.5)) {
                cut.push(el.tagName.toLowerCase() + "." + el.className);
            }
        }
        return {text: label.textContent.trim(), cut, width: box.width, height: box.height};
    });
}"""


def test_every_file_a_clinician_can_download_is_shown_whole_on_a_320px_screen_at_200_percent_text(
        patient: Page, open_page: OpenPage):
    """The File drop-down showed "Check-ins, o" on a 320px screen at 200% text: a closed <select>
    holds one line it cannot wrap. Each file is now a radio button whose words wrap, whole, in a
    row at least 44px high, reached by Tab and chosen with the arrow keys, on the panel, the
    patient's page and the patient's own data page."""
    doctor = open_page(viewport={"width": 320, "height": 640})
    accept(doctor, invitation_link(patient, "clinician"))
    expect(doctor).to_have_url(re.compile(r"/clinician/patients/\d+$"))
    names = ["Check-ins, one row per day", "PHQ-9 and GAD-7 results", "Treatment sessions and side effects",
             "Column definitions"]
    patient.set_viewport_size({"width": 320, "height": 640})
    for page, path in ((doctor, "/clinician"), (doctor, doctor.url), (patient, "/account/data")):
        set_text_size(page.context.new_cdp_session(page), 2.0)
        page.goto(path)
        group = page.get_by_role("group", name="File")
        expect(group.get_by_role("radio")).to_have_count(len(names))
        choices = page.evaluate(FILE_CHOICES)
        assert [choice["text"] for choice in choices] == names, path
        for choice in choices:
            assert choice["cut"] == [], f"{path}: {choice['text']!r} is cut by {choice['cut']}"
            assert choice["width"] >= 44 and choice["height"] >= 44, f"{path}: {choice}"
        # From the keyboard: the chosen file is one Tab away from the dates after it, the arrow
        # keys choose each in turn, and the one chosen is in sight.
        page.get_by_label("From optional", exact=True).focus()
        page.keyboard.press("Shift+Tab")
        expect(group.get_by_role("radio", name=names[0])).to_be_focused()
        for name in names[1:]:
            page.keyboard.press("ArrowDown")
            chosen = group.get_by_role("radio", name=name)
            expect(chosen).to_be_focused()
            expect(chosen).to_be_checked()
            expect(page.locator(f"label[for='{chosen.get_attribute('id')}']")).to_be_in_viewport()
        page.keyboard.press("Tab")
        expect(page.get_by_label("From optional", exact=True)).to_be_focused()
    assert open_page.console(doctor).errors() == []


# The contrast of an element's text against the background of the card it sits on (WCAG 2.x).
TEXT_CONTRAST = """([selector, cardSelector]) => {
  const channels = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (css) => {
    const [r, g, b] = channels(css).map((c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const text = getComputedStyle(document.querySelector(selector)).color;
  const [a, b] = [luminance(text), luminance(getComputedStyle(document.querySelector(cardSelector)).backgroundColor)];
  return {color: text, body: getComputedStyle(document.body).color,
          link: getComputedStyle(document.querySelector('main a')).color,
          ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
}"""


def test_a_caregivers_notes_are_headed_by_their_day_in_text_colour_not_link_blue(patient: Page, lift, open_page):
    # Each note's day is a label, not a link: in link blue and bold it looked like one.
    lift.check_in(patient, mood=6, note="Walked to the shop")
    patient.goto("/sharing")
    patient.locator("#role-caregiver").check()
    patient.get_by_label("My check-in notes").check()
    patient.get_by_role("button", name="Create invitation").click()
    link = patient.get_by_label("Invitation link").input_value()
    carer = open_page()
    accept(carer, link)
    expect(carer).to_have_url(re.compile(r"/caregiver/patients/\d+$"))
    notes_url = carer.url + "/notes"
    for scheme in ("light", "dark"):
        carer.emulate_media(color_scheme=scheme)
        carer.goto(notes_url)
        expect(carer.locator(".history__item")).to_contain_text("Walked to the shop")
        day = carer.evaluate(TEXT_CONTRAST, [".history__day", ".history__item"])
        assert day["color"] == day["body"] != day["link"], (scheme, day)
        assert day["ratio"] >= 4.5, (scheme, day)


def within_the_screen(page: Page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_a_caregiver_and_a_clinician_give_patients_names_only_they_see_on_a_phone(
        patient: Page, lift, open_page: OpenPage, served_database):
    lift.check_in(patient, mood=7, anxiety=3)
    patient.goto("/account")
    patient_email = patient.locator("main strong").first.inner_text()
    seed_fortnight(served_database, patient_email, datetime.now(UTC).date())

    # The caregiver: a folded form under the heading, a 44px tap to open it.
    carer = open_page()
    accept(carer, invitation_link(patient, "caregiver"))
    expect(carer.get_by_role("heading", name=patient_email)).to_be_visible()
    disclosure = carer.get_by_text("Give this person a name only you see")
    assert disclosure.bounding_box()["height"] >= 44
    disclosure.click()
    field = carer.get_by_label("Your name for this person")
    # A tab pasted in with the name is refused, and what was typed stays to be fixed.
    field.fill("Mum\tand Dad")
    carer.get_by_role("button", name="Save name").click()
    summary = carer.locator(".alert--error")
    expect(summary).to_have_text("The name wasn't saved. Check it below.")
    expect(summary).to_be_focused()
    field = carer.get_by_label("Your name for this person")
    expect(field).to_have_value("Mum\tand Dad")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert carer.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    field.fill("Nana Rose")
    carer.get_by_role("button", name="Save name").click()

    expect(carer.get_by_role("status")).to_have_text("Saved. Only you see this name; they don't.")
    expect(carer).to_have_title("Nana Rose · Lift")
    heading = carer.get_by_role("heading", level=1)
    expect(heading).to_have_accessible_name(f"Nana Rose {patient_email}")
    name, address = heading.locator(".patient-name"), heading.locator(".patient-email")
    for part in (name, address):
        within_the_screen(carer, part)
    # The address sits on its own line under the name, smaller.
    assert address.bounding_box()["y"] >= name.bounding_box()["y"] + name.bounding_box()["height"] - 1
    assert carer.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    expect(carer.get_by_text("Change your name for this person")).to_be_visible()
    carer.evaluate("() => window.scrollTo(0, 0)")
    capture(carer, "caregiver-named")

    # The clinician, linked to three patients, names two of them.
    doctor = open_page()
    accept(doctor, invitation_link(patient, "clinician"))
    others = []
    for _ in range(2):
        other = open_page()
        others.append(lift.sign_up(other))
        doctor.goto(invitation_link(other, "clinician"))
        doctor.get_by_role("button", name="Accept the invitation").click()
        expect(doctor.get_by_role("heading", name=others[-1])).to_be_visible()
    for email, given in ((patient_email, "Jane Doe · MRN 0042"), (others[0], "Ben Carter")):
        doctor.goto("/clinician")
        doctor.get_by_role("link", name=email).click()
        doctor.get_by_text("Give this person a name only you see").click()
        doctor.get_by_label("Your name for this person").fill(given)
        doctor.get_by_role("button", name="Save name").click()
        expect(doctor.get_by_role("heading", level=1)).to_have_accessible_name(f"{given} {email}")

    doctor.goto("/clinician")
    doctor.locator(".panel thead").get_by_role("link", name="Patient").click()
    expect(doctor.locator(".panel caption")).to_have_text("Sorted by Patient, A to Z")
    rows = doctor.locator(".panel tbody th")
    expect(rows).to_have_count(3)
    assert [text.split("\n")[0] for text in rows.all_inner_texts()] == [
        "Ben Carter", "Jane Doe · MRN 0042", others[1]]
    for i in range(3):
        within_the_screen(doctor, rows.nth(i))
    # Needs attention still starts on the first screen, beside the names.
    within_the_screen(doctor, doctor.locator(".panel tbody td").first)
    doctor.evaluate("() => window.scrollTo(0, 0)")
    capture(doctor, "panel")

    # The patient never sees either name.
    patient.goto("/sharing")
    assert "Nana Rose" not in patient.content() and "Jane Doe" not in patient.content()
    assert open_page.console(carer).errors(expected_statuses=(422,)) == []
    assert open_page.console(doctor).errors() == []


# Each table's scroll box drawn on the page (one in a closed <details> is not, nor a Tab stop), once
# a frame has been drawn since the last change: its name, whether its table is wider or taller than
# it, and its tabindex (null when it has none).
SCROLL_BOXES = """async () => {
    for (let i = 0; i < 2; i++) await new Promise((drawn) => requestAnimationFrame(drawn));
    return [...document.querySelectorAll(".table-scroll")].filter((box) => box.checkVisibility()).map(
        (box) => ({
            name: box.getAttribute("aria-label") || document.getElementById(box.getAttribute("aria-labelledby")).textContent,
            scrolls: box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight,
            tabindex: box.getAttribute("tabindex")}));
}"""


def scroll_boxes_tabbed_to(page: Page) -> list[str]:
    """Tab from the top of the page to its end: the names of the scroll boxes focus stops on."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    seen, reached = [], []
    for _ in range(300):
        page.keyboard.press("Tab")
        here = page.evaluate("() => { const el = document.activeElement; return el === document.body ? null"
                             " : [el.outerHTML.slice(0, 80), el.matches('.table-scroll')"
                             " && (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))]; }")
        if here is None or (seen and here[0] == seen[0]):
            break
        seen.append(here[0])
        if here[1]:
            reached.append(here[1])
    return reached


def axe_in_light_and_dark(page: Page) -> list[str]:
    problems = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        problems += [f"{scheme}: {violation}" for violation in axe_violations(page)]
    page.emulate_media(color_scheme="light")
    return problems


def check_scroll_boxes(page: Page, where: str) -> list[dict]:
    boxes = page.evaluate(SCROLL_BOXES)
    for box in boxes:
        assert box["tabindex"] == ("0" if box["scrolls"] else None), (where, box)
    return boxes


def test_a_table_scroll_box_is_a_tab_stop_only_while_its_table_is_wider_than_it(
        patient: Page, open_page: OpenPage, served_database):
    """On a phone the timeline's tables stack to fit, yet each box around them stayed a Tab stop
    (tabindex="0", for scrolling from the keyboard) with nothing to scroll: three stops on the way to
    nothing. A box is one only while its table does not fit (app.js), on load and on resize."""
    seed_logged_sessions(served_database, patient)
    doctor = open_page()
    accept(doctor, invitation_link(patient, "clinician"))
    expect(doctor.get_by_text(FLAGGED_NOTE)).to_be_visible()
    timeline = doctor.url
    tables = {"Questionnaire results", "Treatment sessions", "Check-ins, the last 2 weeks"}
    for size in (PHONE, {"width": 1280, "height": 800}):
        doctor.set_viewport_size(size)
        doctor.goto(timeline)
        boxes = check_scroll_boxes(doctor, f"timeline at {size}")
        assert {box["name"] for box in boxes if not box["scrolls"]} >= tables, (size, boxes)
        assert scroll_boxes_tabbed_to(doctor) == [], size
        # A chart's table, opened, fits too: it is no stop either.
        doctor.get_by_text("Mood as a table").click()
        assert "Mood as a table" in [box["name"] for box in
                                     check_scroll_boxes(doctor, f"timeline at {size}, Mood as a table open")]
        assert axe_in_light_and_dark(doctor) == [], size

    # A table that grows wider than its box (here a style makes it so) becomes a stop, and axe's
    # scrollable-region-focusable rule, which a scrolling box with nothing focusable in it fails
    # without one, passes; once it fits again it is no stop.
    doctor.set_viewport_size(PHONE)
    sessions = doctor.get_by_role("region", name="Treatment sessions")
    sessions.locator("table").evaluate("(table) => { table.style.minWidth = '60rem'; }")
    expect(sessions).to_have_attribute("tabindex", "0")
    assert scroll_boxes_tabbed_to(doctor) == ["Treatment sessions"]
    assert axe_in_light_and_dark(doctor) == []
    sessions.locator("table").evaluate("(table) => { table.style.minWidth = ''; }")
    expect(sessions).not_to_have_attribute("tabindex", re.compile(".*"))

    # The panel of patients is wider than a phone: there its box is a stop, at a desk it is none,
    # and back on a phone it is one again.
    doctor.goto("/clinician")
    panel = doctor.get_by_role("region", name="Your patients")
    for size, stop in ((PHONE, True), ({"width": 1280, "height": 800}, False), (PHONE, True)):
        doctor.set_viewport_size(size)
        if stop:
            expect(panel).to_have_attribute("tabindex", "0")
        else:
            expect(panel).not_to_have_attribute("tabindex", re.compile(".*"))
        check_scroll_boxes(doctor, f"panel at {size}")
        assert axe_in_light_and_dark(doctor) == [], size
    assert open_page.console(doctor).errors() == []

