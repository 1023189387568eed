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
