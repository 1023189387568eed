"""The account page in the browser: a refused change says so where the person is looking."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PHONE
from tests.browser.test_accessibility import set_text_size
from tests.browser.test_signup import assert_the_chosen_zone_reads_whole

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


@pytest.mark.parametrize(("viewport", "text_size"), [({"width": 320, "height": 640}, 2.0), (PHONE, 1.0)])
def test_the_time_zone_chosen_reads_whole_at_any_text_size(open_page, lift, viewport, text_size):
    """In the account page's card, at 320px with text at 200%, the select showed "New Yo"."""
    page = open_page(viewport=viewport)
    lift.sign_up_by_post(page.context)
    set_text_size(page.context.new_cdp_session(page), text_size)
    page.goto("/account")
    assert_the_chosen_zone_reads_whole(page, "UTC")
    page.get_by_role("combobox", name="Time zone").select_option("America/New_York")
    assert_the_chosen_zone_reads_whole(page, "New York — America (UTC−05:00)")
    page.get_by_role("button", name="Save time zone").click()
    # The save answers with a full navigation to /account?notice=…: measuring before it lands
    # met "Execution context was destroyed" (the select already held the value before the save).
    page.wait_for_url("**/account?notice=*")
    page.wait_for_load_state()
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("America/New_York")
    assert_the_chosen_zone_reads_whole(page, "New York — America (UTC−05:00)")
