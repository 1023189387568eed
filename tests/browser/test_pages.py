"""Every page: help one tap away in the header, no script errors, no CSP violations, and
forms that keep what was typed when an answer needs fixing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SIGNED_OUT_PAGES = [("/", 200), ("/signup", 200), ("/signin", 200), ("/help", 200), ("/no-such-page", 404)]


def signed_in_pages(checkin_id: str) -> list[tuple[str, int]]:
    return [
        ("/", 200), ("/checkin", 200), ("/checkins", 200), (f"/checkins/{checkin_id}", 200),
        (f"/checkins/{checkin_id}/delete", 200), ("/safety-plan", 200), ("/account", 200), ("/help", 200),
        ("/checkins/999999999", 404), ("/no-such-page", 404),
    ]


def first_checkin_id(page: Page) -> str:
    page.goto("/checkins")
    href = page.locator("a.history__item").first.get_attribute("href")
    return re.fullmatch(r"/checkins/(\d+)", href).group(1)


def header_help_link(page: Page):
    return page.get_by_role("banner").get_by_role("link", name="Get help")


def assert_help_one_tap_away(page: Page, pages: list[tuple[str, int]]) -> None:
    for path, status in pages:
        response = page.goto(path)
        assert response.status == status, path
        expect(header_help_link(page)).to_have_attribute("href", "/help")
    header_help_link(page).click()
    expect(page).to_have_url(re.compile(r"/help$"))
    expect(page.get_by_role("region", name="Get help now")).to_be_visible()
    expect(page.get_by_role("region", name="Get help now").locator('a[href="tel:988"]')).to_have_count(1)


def test_it_links_to_get_help_from_every_page_when_signed_out(page):
    assert_help_one_tap_away(page, SIGNED_OUT_PAGES)


def test_it_links_to_get_help_from_every_page_when_signed_in(patient, lift):
    lift.check_in(patient)
    assert_help_one_tap_away(patient, signed_in_pages(first_checkin_id(patient)))


def test_it_has_no_console_errors_or_csp_violations_on_any_page(page, lift, console):
    for path, status in SIGNED_OUT_PAGES:
        assert page.goto(path).status == status, path

    lift.sign_up(page)
    lift.check_in(page, thoughts="None", days_ago=1)  # the plain saved result
    lift.check_in(page, thoughts="Thoughts of ending my life")  # and the one with Get help now
    checkin_id = first_checkin_id(page)
    for path, status in signed_in_pages(checkin_id):
        assert page.goto(path).status == status, path

    # Boosted navigation (htmx swapping whole pages) must be just as clean.
    page.goto("/")
    for path in ["/checkins", "/checkin", "/account", "/"]:
        tab = page.get_by_role("navigation", name="Main").locator(f'a[href="{path}"]')
        tab.click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(tab).to_have_attribute("aria-current", "page")
    page.get_by_role("main").locator('a[href="/safety-plan"]').first.click()
    expect(page.get_by_role("heading", name="My safety plan", exact=True)).to_be_visible()

    assert console.csp_violations == []
    assert console.errors(expected_statuses=(404,)) == []


def test_it_shows_field_errors_in_place_and_keeps_what_was_typed(patient, console):
    patient.goto("/checkin")
    patient.get_by_label("Note").fill("Foggy after Tuesday's session")
    patient.evaluate("() => { window.__liftSamePage = 'still here'; }")

    with patient.expect_response(lambda r: r.request.method == "POST") as posted:
        patient.get_by_role("button", name="Save check-in").click()
    assert posted.value.status == 422
    assert posted.value.request.headers.get("hx-request") == "true"

    expect(patient.get_by_role("alert")).to_contain_text("Please check the 4 highlighted answers.")
    for field, message in [
        ("mood", "Choose your mood from 0 to 10."),
        ("anxiety", "Choose your anxiety from 0 to 10."),
        ("sleep_hours", "Enter hours of sleep from 0 to 24, in half hours (for example 7.5)."),
        ("thoughts", "Choose one answer about thoughts of death or suicide."),
    ]:
        expect(patient.locator(f"#{field}-error")).to_have_text(message)
    sleep = patient.get_by_label("Sleep last night")
    expect(sleep).to_have_attribute("aria-invalid", "true")
    expect(sleep).to_have_attribute("aria-describedby", "sleep_hours-error")
    expect(patient.get_by_role("button", name="Save check-in")).to_be_visible()
    expect(patient.get_by_label("Note")).to_have_value("Foggy after Tuesday's session")
    expect(patient.get_by_role("region", name="Get help now")).to_have_count(0)
    assert patient.evaluate("() => window.__liftSamePage") == "still here"
    assert console.csp_violations == []
    assert console.errors(expected_statuses=(422,)) == []


@pytest.mark.parametrize("javascript", [True, False])
def test_a_form_sent_back_with_errors_gives_focus_to_what_to_fix(open_page, lift, javascript):
    # The check-in posts with hx-post and swaps <main>; the safety plan is a boosted form and
    # swaps the whole body. Either way the Save button that had focus is gone. Without
    # JavaScript the refused form is a new page, whose summary a screen reader did not read
    # until it took focus as the page loads (autofocus).
    patient = open_page(java_script_enabled=javascript)
    lift.sign_up(patient)
    patient.goto("/checkin")
    patient.get_by_role("button", name="Save check-in").click()
    expect(patient.get_by_role("alert")).to_contain_text("Please check the 4 highlighted answers.")
    expect(patient.get_by_role("alert")).to_be_focused()

    patient.goto("/safety-plan")
    patient.get_by_label("Phone", exact=True).fill("call me")
    patient.get_by_role("button", name="Save safety plan").click()
    expect(patient.get_by_role("alert")).to_contain_text("Please check the highlighted steps.")
    expect(patient.get_by_role("alert")).to_be_focused()


def test_a_report_range_the_wrong_way_round_gives_focus_to_what_to_fix(patient, console):
    # The report's range form is a boosted GET: the refusal (422) swaps the body, and the summary
    # takes focus there as it does on a full page load; the To date says what to fix.
    patient.goto("/report")
    patient.get_by_label("From", exact=True).fill("2026-03-10")
    patient.get_by_label("To", exact=True).fill("2026-03-01")
    patient.get_by_role("button", name="Show this period").click()
    summary = patient.get_by_role("alert")
    expect(summary).to_have_text("Those dates didn't work, so the report shows the last 30 days. "
                                 "Check the dates below.")
    expect(summary).to_be_focused()
    expect(patient.get_by_label("To", exact=True)).to_have_accessible_description(
        "Enter a To date on or after the From date, or leave it empty to go up to the latest entry.")
    expect(patient.get_by_label("From", exact=True)).to_have_value("2026-03-10")
    patient.get_by_label("To", exact=True).fill("2026-03-31")
    patient.get_by_role("button", name="Show this period").click()
    expect(patient.get_by_role("heading", level=1)).to_contain_text("10 Mar 2026 to")
    expect(patient.get_by_role("alert")).to_have_count(0)
    assert console.errors(expected_statuses=(422,)) == []


def test_a_boosted_form_sent_back_with_errors_keeps_its_own_address(patient):
    # /account/password answers only POST: had htmx put it in the address bar and the history,
    # reloading or coming back would show "This page can't be used that way".
    patient.goto("/checkins")
    patient.goto("/account")
    patient.get_by_role("button", name="Change password").click()
    expect(patient.locator("#current_password-error")).to_have_text("Enter your current password.")
    expect(patient).to_have_url(re.compile(r"/account$"))
    patient.reload()
    expect(patient.get_by_role("heading", name="Change password")).to_be_visible()
    patient.go_back()
    expect(patient).to_have_url(re.compile(r"/checkins$"))


@pytest.mark.parametrize("typed, saved", [("6,5", "6.5 h"), ("7h", "7 h")])
def test_sleep_typed_with_a_decimal_comma_or_an_h_is_saved_as_meant(patient, lift, typed, saved):
    patient.goto("/checkin")
    lift.fill_checkin(patient, sleep=None)
    # Key by key, as a person types: a number field would have dropped the comma (65) or the h.
    patient.get_by_label("Sleep last night").press_sequentially(typed)
    patient.get_by_role("button", name="Save check-in").click()
    expect(patient.get_by_role("heading", name="Check-in saved")).to_be_visible()
    expect(patient.get_by_role("main")).to_contain_text(f"Sleep{saved}")


def test_a_note_in_a_right_to_left_language_reads_right_to_left(patient, lift):
    # Read left to right, the sentence's closing "!" would land on the wrong side of it.
    note = "نمت جيدا اليوم!"
    patient.goto("/checkin")
    lift.fill_checkin(patient, note=note)
    assert patient.get_by_label("Note").evaluate("el => getComputedStyle(el).direction") == "rtl"
    patient.get_by_role("button", name="Save check-in").click()
    saved = patient.locator(".note-text")
    expect(saved).to_have_text(note)
    assert saved.evaluate("el => getComputedStyle(el).direction") == "rtl"


def test_the_console_watch_would_notice_a_csp_violation(page, console):
    """Guards the checks above: an inline script is refused by the CSP and must be reported."""
    page.goto("/help")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true";
        document.head.append(script);
    }""")
    for _ in range(20):
        if console.csp_violations:
            break
        page.wait_for_timeout(50)
    assert console.csp_violations, console.messages
    assert page.evaluate("() => window.__inlineRan") is None


def test_the_0_to_10_chips_stay_44px_on_a_320px_screen_and_at_200_percent_text(patient):
    """Six chips a row with their gap: on the narrowest phone, or with the text doubled (the gap
    grows with it), each must still be a 44 px target."""
    patient.goto("/checkin")
    chips = patient.locator(".scale__options label")
    devtools = patient.context.new_cdp_session(patient)
    for width, text in ((320, 16), (390, 32)):
        patient.set_viewport_size({"width": width, "height": 844})
        devtools.send("Page.setFontSizes", {"fontSizes": {"standard": text, "fixed": round(text * 13 / 16)}})
        sizes = chips.evaluate_all("els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
        assert len(sizes) == 22
        assert all(w >= 44 and h >= 44 for w, h in sizes), (width, text, sizes[:6])


# How far each PHQ-9 and GAD-7 card's heading sits below the top of the card's content box.
HEADING_GAPS = """() => [...document.querySelectorAll('.progress-grid .card')].map((card) => {
  const style = getComputedStyle(card);
  const top = card.getBoundingClientRect().top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
  return card.querySelector('h3').getBoundingClientRect().top - top;
})"""


@pytest.mark.parametrize("media", ["screen", "print"])
def test_the_phq9_and_gad7_cards_start_with_their_heading_on_screen_and_on_paper(patient, media):
    # The card's padding is the space above its heading; the h3's own top margin left a gap.
    patient.emulate_media(media=media)
    for size in ({"width": 390, "height": 844}, {"width": 1280, "height": 800}):
        patient.set_viewport_size(size)
        patient.goto("/report")
        gaps = patient.evaluate(HEADING_GAPS)
        assert len(gaps) == 2 and all(abs(gap) < 1 for gap in gaps), (size, gaps)
