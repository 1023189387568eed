"""Deleting an account in the browser, as a patient does it from the More page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_patient_deletes_their_account_and_focus_lands_on_what_happened(page, lift, console):
    lift.sign_up(page)
    page.goto("/account")
    page.get_by_role("link", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Delete my account", level=1)).to_be_visible()
    page.get_by_label("Your password").fill("not my password at all")
    page.get_by_label("I understand my account and everything in it will be deleted for good").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#password-error")).to_contain_text("That isn't your password. Nothing was deleted.")
    # The tick survives a mistyped password; only the password is asked again.
    expect(page.get_by_label("I understand my account and everything in it will be deleted for good")).to_be_checked()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    heading = page.get_by_role("heading", name="Your account is deleted")
    expect(heading).to_be_visible()
    # The page is swapped in place: without a target, focus fell to the body and a screen
    # reader said nothing of the outcome.
    expect(heading).to_be_focused()
    page.goto("/account")
    expect(page).to_have_url("/signin?next=/account")
    assert console.errors(expected_statuses=(422,)) == []


def test_a_download_with_its_dates_the_wrong_way_round_comes_back_on_the_form(page, lift, console):
    """The form is not boosted (a good answer is a file), so the refusal is a full page: the
    summary takes focus as it loads, the To date says what to fix, and the dates stay typed."""
    lift.sign_up(page)
    page.goto("/account/data")
    page.get_by_role("radio", name="PHQ-9 and GAD-7 results").check()
    page.get_by_label("From optional", exact=True).fill("2026-03-10")
    page.get_by_label("To optional", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Download CSV").click()
    summary = page.get_by_role("alert")
    expect(summary).to_have_text("Nothing was downloaded. Check the dates below.")
    expect(summary).to_be_focused()
    expect(page.get_by_label("To optional", exact=True)).to_have_accessible_description(
        "Enter a To date on or after the From date, or leave it empty to go up to the latest entry.")
    expect(page.get_by_label("From optional", exact=True)).to_have_value("2026-03-10")
    expect(page.get_by_role("radio", name="PHQ-9 and GAD-7 results")).to_be_checked()
    page.get_by_label("To optional", exact=True).fill("2026-03-31")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "lift-journal-scales-2026-03-10-to-2026-03-31.csv"
    page.get_by_role("link", name="Download my data").click()
    expect(page.get_by_role("heading", name="Download my data", level=1)).to_be_visible()
    assert console.errors(expected_statuses=(422,)) == []
