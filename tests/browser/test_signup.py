"""Signing up: the time zone is guessed from the browser, whatever name the browser gives it, and
never overrides a choice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, unique_email

pytestmark = pytest.mark.browser


def test_it_preselects_the_browsers_time_zone(open_page):
    page = open_page(timezone_id="Asia/Tokyo")
    page.goto("/signup")
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("Asia/Tokyo")
    expect(page.locator("#timezone option:checked")).to_have_text("Tokyo — Asia (UTC+09:00)")


@pytest.mark.parametrize("zone, says", [("Asia/Kolkata", "Asia/Calcutta"), ("Europe/Kyiv", "Europe/Kiev")])
def test_it_preselects_the_place_a_browser_names_by_an_old_alias(open_page, zone, says):
    """Chromium names these zones by their old aliases, which the list no longer offers."""
    page = open_page(timezone_id=zone)
    page.goto("/signup")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == says
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value(zone)


def test_a_browser_zone_the_list_has_no_place_for_is_kept_as_its_own_choice(open_page):
    page = open_page(timezone_id="Etc/GMT+5")
    page.goto("/signup")
    select = page.get_by_role("combobox", name="Time zone")
    expect(select).to_have_value("Etc/GMT+5")
    expect(page.locator("#timezone option:checked")).to_have_text("Etc/GMT+5 (UTC−05:00)")
    page.get_by_label("Email").fill(unique_email())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    page.goto("/account")
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("Etc/GMT+5")


def test_it_keeps_a_time_zone_chosen_by_hand_when_the_form_comes_back_with_errors(open_page):
    page = open_page(timezone_id="America/Chicago")
    page.goto("/signup")
    page.get_by_label("Email").fill(unique_email())
    page.get_by_label("Password").fill("too short")
    page.get_by_role("combobox", name="Time zone").select_option("Europe/London")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Create account").click()
    assert posted.value.status == 422
    expect(page.locator("#password-error")).to_be_visible()
    # The server sent Europe/London back as the selected option.
    assert '<option value="Europe/London" selected>' in posted.value.text()
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("Europe/London", timeout=1500)
