"""The weekly questionnaires in a real browser: changing today's answers, with and without
JavaScript, and Back after a save."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import user_id, write

pytestmark = pytest.mark.browser


def answer_phq9(page: Page, first: int) -> None:
    """Question 1 answered `first`, every other one "Not at all"."""
    page.goto("/scales/phq9")
    page.locator(f'label[for="phq9_1-{first}"]').click()
    for item in range(2, 10):
        page.locator(f'label[for="phq9_{item}-0"]').click()


def score(page: Page):
    return page.locator(".score__total")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "plain-form"])
def test_a_patient_changes_todays_answers_and_keeps_one_result(open_page, lift, javascript):
    page = open_page(java_script_enabled=javascript)
    lift.new_patient_on_today(page)
    answer_phq9(page, first=2)
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    expect(score(page)).to_have_text("2")

    page.get_by_role("link", name="See my answers").click()
    expect(page.get_by_role("heading", name="Your answers")).to_be_visible()
    page.get_by_role("link", name="Change answers").click()
    # The questionnaire again, filled in with what was saved, saying what saving it does.
    expect(page.get_by_role("note")).to_contain_text("You're changing the answers you saved today (a score of 2)")
    expect(page.locator("#phq9_1-2")).to_be_checked()
    expect(page.locator("#phq9_9-0")).to_be_checked()

    page.locator('label[for="phq9_1-3"]').click()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    expect(score(page)).to_have_text("3")
    expect(page.get_by_role("region", name="Get help now")).to_have_count(0)

    page.goto("/scales")
    expect(page.locator("a.history__item")).to_have_count(1)
    expect(page.locator("a.history__item")).to_contain_text("PHQ-9 3 of 27")
    assert open_page.console(page).errors() == []


def test_back_from_the_answers_after_a_save_lands_on_the_result_not_an_empty_form(patient):
    """htmx keeps no copy of a page to go back to (no history cache, on purpose: no journal in
    localStorage), so Back loads the address again. The save's answer takes the result's own
    address: Back from "See my answers" shows the saved result, not an empty questionnaire as if
    nothing had been saved."""
    answer_phq9(patient, first=2)
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    expect(patient).to_have_url(re.compile(r"/scales/results/\d+\?saved=1$"))

    patient.get_by_role("link", name="See my answers").click()
    expect(patient.get_by_role("heading", name="Your answers")).to_be_visible()
    patient.go_back()
    expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    expect(score(patient)).to_have_text("2")
    expect(patient.get_by_role("button", name="Save my answers")).to_have_count(0)

    # Loading that address again sends nothing: still one result.
    patient.reload()
    expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    patient.goto("/scales")
    expect(patient.locator("a.history__item")).to_have_count(1)


def test_a_year_of_results_pages_and_each_page_opens_at_the_list(page, lift, served_database):
    """The weekly results, 20 to a page at 390x844: Older opens the next page with the list, not
    the questionnaires above it, in sight, and Back returns to the first."""
    who = user_id(served_database, lift.sign_up_by_post(page.context))
    first = datetime.now(UTC).date() - timedelta(weeks=51)
    write(served_database, [("INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band)"
                             " VALUES (?, ?, ?, 'x', 5, 'mild')", (who, key, (first + timedelta(weeks=w)).isoformat()))
                            for w in range(52) for key in ("phq9", "gad7")])
    page.goto("/scales")
    expect(page.locator("a.history__item")).to_have_count(20)
    page.get_by_role("navigation", name="Result pages").get_by_role("link", name="Older").click()
    expect(page).to_have_url(re.compile(r"/scales\?page=2#results-title$"))
    expect(page.get_by_text("Page 2 of 6")).to_be_visible()
    expect(page.get_by_role("heading", name="All results")).to_be_in_viewport()
    page.go_back()
    expect(page.get_by_text("Page 1 of 6")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "plain-form"])
def test_back_onto_the_change_form_after_its_save_shows_the_answers_saved_now(open_page, lift, javascript):
    """The change deleted the result its form was filled in from, so Back onto that form's
    address met "Page not found". It leads to the result that replaced it, to change again. A
    GAD-7 saved in between keeps the change from being given the deleted result's ID."""
    page = open_page(java_script_enabled=javascript)
    lift.new_patient_on_today(page)
    answer_phq9(page, first=2)
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    first = re.search(r"/scales/results/(\d+)", page.url).group(1)
    page.goto("/scales/gad7")
    for item in range(1, 8):
        page.locator(f'label[for="gad7_{item}-0"]').click()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", name="GAD-7 saved")).to_be_visible()

    page.goto(f"/scales/results/{first}/change")
    page.locator('label[for="phq9_1-3"]').click()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/scales/results/\d+\?saved=1$"))
    newer = re.search(r"/scales/results/(\d+)", page.url).group(1)
    assert newer != first

    page.go_back()
    expect(page).to_have_url(re.compile(rf"/scales/results/{newer}/change$"))
    expect(page.get_by_role("note")).to_contain_text("You're changing the answers you saved today (a score of 3)")
    expect(page.locator("#phq9_1-3")).to_be_checked()
    expect(page.get_by_role("heading", name="Page not found")).to_have_count(0)
