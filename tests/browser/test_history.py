"""History after a long time with Lift, in a real browser at 390x844: jumping to a month, with
and without JavaScript, then its pager, Back, and the page's accessibility."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OpenPage
from tests.browser.test_accessibility import problems_on, set_text_size, user_id, write
from tests.browser.test_signup import assert_the_chosen_option_reads_whole

pytestmark = pytest.mark.browser


def seed_last_year(database: Path, email: str) -> int:
    """Check-ins in January (2 days, one with a note), March (every day) and June of last year."""
    year = datetime.now(UTC).year - 1
    days = [date(year, 1, 3), date(year, 1, 9)] + [date(year, 3, d) for d in range(1, 32)] + [date(year, 6, 30)]
    who = user_id(database, email)
    write(database, [("INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note,"
                      " created_at, updated_at) VALUES (?, ?, 5, 4, 7, 0, ?, 'x', 'x')",
                      (who, day.isoformat(), "kept to myself" if day == date(year, 1, 9) else ""))
                     for day in days])
    return year


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "plain-form"])
def test_a_patient_jumps_to_a_month_pages_on_from_it_and_comes_back(open_page: OpenPage, lift, served_database,
                                                                     javascript):
    page = open_page(java_script_enabled=javascript)
    year = seed_last_year(served_database, lift.sign_up_by_post(page.context))
    page.goto("/checkins")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()

    page.get_by_label("Go to a month").select_option(label=f"March {year}")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"/checkins\?month={year}-03$"))
    expect(page.get_by_role("heading", name=f"March {year}")).to_be_visible()
    expect(page.locator("a.history__item")).to_have_count(31)
    expect(page.locator("a.history__item").first).to_contain_text(f"31 Mar {year}")

    page.get_by_role("link", name=f"Older: January {year}").click()
    expect(page).to_have_url(re.compile(rf"/checkins\?month={year}-01$"))
    expect(page.locator("a.history__item")).to_have_count(2)
    # The day with a note says so; the note stays on its own page.
    expect(page.locator("a.history__item").first).to_contain_text("Sleep 7 h · Note")
    expect(page.get_by_text("kept to myself")).to_have_count(0)

    page.go_back()
    expect(page).to_have_url(re.compile(rf"/checkins\?month={year}-03$"))
    expect(page.get_by_role("heading", name=f"March {year}")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/checkins$"))
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()


def test_a_months_page_meets_the_accessibility_checks(page: Page, lift, served_database):
    """axe in light and dark mode, 44px targets (the month picker, its button, the pager), and no
    sideways scrolling at 200% text or on a 320px screen; then a month that is no month."""
    year = seed_last_year(served_database, lift.sign_up_by_post(page.context))
    page.goto(f"/checkins?month={year}-03")
    expect(page.get_by_role("heading", name=f"March {year}")).to_be_visible()
    problems = problems_on(page, "/checkins?month (March)")
    page.goto(f"/checkins?month={year}-13")
    expect(page.get_by_role("alert")).to_contain_text(f"“{year}-13” isn't a month Lift can show")
    problems += problems_on(page, "/checkins?month (no such month)")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("width", "text_size"), [(320, 2.0), (390, 2.0), (390, 1.0)])
def test_the_month_chosen_reads_whole_on_a_narrow_phone_with_large_text(open_page: OpenPage, lift, served_database,
                                                                        width, text_size):
    """At 200% text the closed select showed "September 20", the year cut off, even at 390px."""
    page = open_page(viewport={"width": width, "height": 844})
    email = lift.sign_up_by_post(page.context)
    year = datetime.now(UTC).year - 1
    write(served_database, [("INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note,"
                             " created_at, updated_at) VALUES (?, ?, 5, 4, 7, 0, '', 'x', 'x')",
                             (user_id(served_database, email), day)) for day in (f"{year}-05-02", f"{year}-09-02")])
    set_text_size(page.context.new_cdp_session(page), text_size)
    page.goto(f"/checkins?month={year}-05")
    expect(page.get_by_role("heading", name=f"May {year}")).to_be_visible()
    assert_the_chosen_option_reads_whole(page, "month", f"May {year}")
    # Chosen before Show is pressed, the longest month's name: in the select or on the line.
    page.get_by_label("Go to a month").select_option(label=f"September {year}")
    assert_the_chosen_option_reads_whole(page, "month", f"September {year}")
    # Where the select has the room, nothing is written twice.
    expect(page.locator("#month-chosen")).to_be_visible(visible=text_size > 1)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=f"September {year}")).to_be_visible()
    assert_the_chosen_option_reads_whole(page, "month", f"September {year}")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "plain-form"])
def test_a_check_in_deleted_from_a_month_lands_back_on_that_month(open_page: OpenPage, lift, served_database,
                                                                  javascript):
    """It landed on the list's first page, newest first, far from the month the patient was in."""
    page = open_page(java_script_enabled=javascript)
    year = seed_last_year(served_database, lift.sign_up_by_post(page.context))
    page.goto(f"/checkins?month={year}-01")
    page.locator("a.history__item").first.click()
    expect(page.get_by_role("heading", name=f"9 Jan {year}")).to_be_visible()
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete this check-in?")).to_be_visible()
    page.get_by_role("button", name="Delete check-in").click()
    expect(page).to_have_url(re.compile(rf"/checkins\?month={year}-01&deleted=1$"))
    expect(page.get_by_role("status")).to_have_text("The check-in was deleted.")
    expect(page.get_by_role("heading", name=f"January {year}")).to_be_visible()
    expect(page.locator("a.history__item")).to_have_count(1)
    # The remaining day's page leads back to the month too.
    page.locator("a.history__item").first.click()
    page.get_by_role("link", name=f"Back to January {year}").click()
    expect(page).to_have_url(re.compile(rf"/checkins\?month={year}-01$"))


def test_a_page_past_the_end_takes_the_last_pages_address(page: Page, lift, served_database):
    """/checkins?page=99 showed page 2 of 2 under page=99: the address and the pager disagreed."""
    seed_last_year(served_database, lift.sign_up_by_post(page.context))
    page.goto("/checkins")
    page.goto("/checkins?page=99")
    expect(page).to_have_url(re.compile(r"/checkins\?page=2$"))
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    page.go_back()  # the address asked for is not in the history: Back is the page before it
    expect(page).to_have_url(re.compile(r"/checkins$"))
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "plain-form"])
def test_a_check_in_changed_from_a_month_leads_back_to_that_month(open_page: OpenPage, lift, served_database,
                                                                  javascript, tmp_path):
    """Its Change link dropped the month: once saved, the way back led to History's start."""
    page = open_page(java_script_enabled=javascript)
    lift.sign_up_by_post(page.context)
    lift.check_in(page, mood=3)
    month = datetime.now(UTC).date().strftime("%Y-%m")
    label = datetime.now(UTC).date().strftime("%B %Y")
    page.goto(f"/checkins?month={month}")
    page.locator("a.history__item").first.click()
    page.get_by_role("link", name="Change", exact=True).click()
    expect(page.get_by_role("heading", name="Change your check-in")).to_be_visible()
    lift.fill_checkin(page, mood=8)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("heading", name="Check-in updated")).to_be_visible()
    expect(page.locator("main")).to_contain_text("8 / 10")
    page.screenshot(path=tmp_path / "changed-from-a-month.png")
    page.get_by_role("link", name=f"Back to {label}").click()
    expect(page).to_have_url(re.compile(rf"/checkins\?month={month}$"))
    expect(page.get_by_role("heading", name=label)).to_be_visible()


def test_a_months_pager_names_only_the_months_either_side(page: Page, lift, served_database, tmp_path):
    """Its status line said the month again, under the heading that names it. Older alone still
    sits at the row's right-hand end, where it is on every pager."""
    year = seed_last_year(served_database, lift.sign_up_by_post(page.context))
    page.goto(f"/checkins?month={year}-03")
    pager = page.get_by_role("navigation", name="Months")
    expect(pager).to_have_text(re.compile(rf"^\s*Newer: June {year}\s*Older: January {year}\s*$"))
    page.goto(f"/checkins?month={year}-06")
    expect(pager).to_have_text(re.compile(rf"^\s*Older: March {year}\s*$"))
    older = pager.get_by_role("link", name=f"Older: March {year}").bounding_box()
    row = pager.bounding_box()
    assert abs((older["x"] + older["width"]) - (row["x"] + row["width"])) < 1
    assert older["height"] >= 44
    pager.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "month-pager.png")
    # The numbered pages keep their status line.
    page.goto("/checkins")
    expect(page.get_by_role("navigation", name="Pages")).to_have_text(re.compile(r"^\s*Page 1 of 2\s*Older\s*$"))
