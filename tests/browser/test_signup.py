"""Signing up: the time zone is guessed from the browser, whatever name the browser gives it, and
never overrides a choice."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PHONE, unique_email
from tests.browser.test_accessibility import set_text_size

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


# The option chosen in a select (the time zone, History's month), as the person sees it: whether
# the closed select has room for its whole label (its box less padding and the arrow, about 1em:
# 1.25em leaves a margin), and the line written under it (#<id>-chosen), if shown and not cut off.
# (A select's scrollWidth never exceeds its clientWidth: Chromium cuts the label off inside, so
# the label is measured.)
CHOSEN_OPTION = """(id) => {
    const select = document.getElementById(id), style = getComputedStyle(select);
    const text = select.options[select.selectedIndex].text;
    const measure = document.createElement("canvas").getContext("2d");
    measure.font = style.font;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
        - 1.25 * parseFloat(style.fontSize);
    const line = document.getElementById(`${id}-chosen`);
    const lineShown = line && line.checkVisibility() && line.scrollWidth <= line.clientWidth;
    return {text: text, inSelect: measure.measureText(text).width <= room, line: lineShown ? line.textContent : null};
}"""


def assert_the_chosen_option_reads_whole(page, select_id: str, text: str) -> None:
    shown = page.evaluate(CHOSEN_OPTION, select_id)
    assert shown["text"] == text
    assert shown["inSelect"] or shown["line"] == text, shown


def assert_the_chosen_zone_reads_whole(page, text: str) -> None:
    assert_the_chosen_option_reads_whole(page, "timezone", text)


@pytest.mark.parametrize(("viewport", "text_size"), [({"width": 320, "height": 640}, 2.0), (PHONE, 1.0)])
def test_the_time_zone_chosen_reads_whole_on_a_narrow_phone_with_large_text(open_page, viewport, text_size):
    """At 320px with text at 200% the closed select showed "New York — Am", the rest cut off."""
    page = open_page(timezone_id="America/New_York", viewport=viewport)
    set_text_size(page.context.new_cdp_session(page), text_size)
    page.goto("/signup")
    assert_the_chosen_zone_reads_whole(page, "New York — America (UTC−05:00)")
    # Where the select has the room, nothing is written twice.
    expect(page.locator("#timezone-chosen")).to_be_visible(visible=text_size > 1)
    # Even at 390px and 100% text, the select cut off this one's offset.
    page.get_by_role("combobox", name="Time zone").select_option("America/Argentina/Buenos_Aires")
    assert_the_chosen_zone_reads_whole(page, "Buenos Aires — Argentina (UTC−03:00)")
    expect(page.locator("#timezone-chosen")).to_be_visible()


@pytest.mark.parametrize("locale, clock, shown", [("en-US", "12", "2:30 PM (12-hour)"), ("en-GB", "24", "14:30 (24-hour)")])
def test_sign_up_takes_the_browsers_12_or_24_hour_clock(open_page, served_database, locale, clock, shown):
    """The phone's own time inputs write "2:30 PM" in the US and "14:30" in Britain: Lift's pages
    start the same way, whatever the time zone (both sign up in UTC here)."""
    page = open_page(locale=locale)
    email = unique_email()
    page.goto("/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    with closing(sqlite3.connect(served_database)) as conn:
        assert conn.execute("SELECT clock FROM users WHERE email = ?", (email,)).fetchone()[0] == clock
    page.goto("/account")
    expect(page.get_by_role("radio", name=shown)).to_be_checked()
