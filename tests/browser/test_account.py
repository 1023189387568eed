"""The account page in the browser: a refused change says so where the person is looking."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_wrong_current_password_is_said_where_the_form_is_and_takes_focus(page, lift, console):
    lift.sign_up(page)
    page.goto("/account")
    # Changing the email asks for the current password too: this is the password card's field.
    card = page.get_by_role("region", name="Change password")
    card.get_by_label("Current password").fill("not my password at all")
    page.get_by_label("New password").fill("a brand new passphrase 7")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current_password-error")).to_contain_text("That isn't your current password.")
    # The page came back scrolled to the top with focus on the body: on a phone the error sat
    # below the fold and a screen reader said nothing.
    summary = page.locator("section[aria-labelledby=pw-title] [role=alert]")
    expect(summary).to_have_text("Your password wasn't changed.")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    # The right password still works afterwards.
    card.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("a brand new passphrase 7")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed.", timeout=15_000)
    assert console.errors(expected_statuses=(401, 422)) == []
