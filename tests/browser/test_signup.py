"""Signing up: the time zone is guessed from the browser, and never overrides a choice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import unique_email

pytestmark = pytest.mark.browser


def test_it_preselects_the_browsers_time_zone(open_page):
    page = open_page(timezone_id="Asia/Tokyo")
    page.goto("/signup")
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("Asia/Tokyo")
    expect(page.locator("#timezone option:checked")).to_have_text("Tokyo — Asia (UTC+09:00)")


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
