"""What a screen reader hears that axe cannot check: what is announced as a page or a result
arrives (where focus goes), and what controls are called (docs/accessibility.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Lift
from tests.browser.test_crisis_no_answer import answer_phq9

pytestmark = pytest.mark.browser


def test_a_page_reached_by_a_link_gives_focus_to_its_heading(patient: Page, lift: Lift):
    # Links are boosted: htmx swaps the body without loading a page, so a screen reader heard
    # nothing, and focus was left on the page itself, on whatever the person had been reading.
    tabs = patient.get_by_role("navigation", name="Main")
    for tab, heading in [("Check in", "Daily check-in"), ("History", "Your check-ins"), ("Trends", "Trends"),
                         ("More", "More"), ("Today", "Today")]:
        tabs.get_by_role("link", name=tab, exact=True).click()
        expect(patient.get_by_role("heading", name=heading, exact=True, level=1)).to_be_focused()

    # A part of a page swapped in place is not a new page: focus stays on the range chosen.
    lift.check_in(patient)
    patient.goto("/trends")
    patient.get_by_role("link", name="3 months").click()
    expect(patient.locator("#range-90d")).to_have_attribute("aria-current", "true")
    expect(patient.get_by_role("link", name="3 months")).to_be_focused()



def test_the_mood_and_anxiety_scales_say_what_their_ends_mean(patient: Page):
    # Each chip's name was its number alone: the legend is read on entering the group, and then
    # arrowing to 0 or 10 said nothing of which end was the good one.
    patient.goto("/checkin")
    for group, low, high in [("Mood", "0, the lowest", "10, the best"), ("Anxiety", "0, none", "10, the most")]:
        scale = patient.get_by_role("group", name=group)
        expect(scale).to_have_accessible_name(f"{group} 0 is {low[3:]}, 10 is {high[4:]}")
        names = [radio.evaluate("(el) => el.labels[0].textContent") for radio in scale.get_by_role("radio").all()]
        assert names == [str(n) for n in range(11)], names  # what the eye reads stays the number
        expect(scale.get_by_role("radio").first).to_have_accessible_name(low)
        expect(scale.get_by_role("radio").nth(5)).to_have_accessible_name("5")
        expect(scale.get_by_role("radio").last).to_have_accessible_name(high)


def send_the_crisis_answer(page: Page, lift: Lift, form: str) -> None:
    if form == "check-in":
        page.goto("/checkin")
        lift.fill_checkin(page, thoughts="Thoughts of ending my life")
        page.get_by_role("button", name="Save check-in").click()
    else:
        answer_phq9(page, item9=1)
        page.get_by_role("button", name="Save my answers").click()


@pytest.mark.parametrize(("form", "saved"), [("check-in", "Check-in saved"), ("phq9", "PHQ-9 saved")])
def test_without_javascript_get_help_now_is_the_first_thing_a_screen_reader_says(open_page, lift: Lift,
                                                                                  form, saved):
    # Without JavaScript the answer is a new page: a screen reader announced "Check-in saved"
    # and read on from the top of the page, past the header, before reaching Get help now.
    page = open_page(java_script_enabled=False)
    lift.sign_up(page)
    send_the_crisis_answer(page, lift, form)
    expect(page).to_have_title(f"Get help now · {saved} · Lift")
    expect(page.get_by_role("heading", name="Get help now", level=2)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Call 988 988 Suicide & Crisis Lifeline")).to_be_focused()


@pytest.mark.parametrize("javascript", [True, False])
def test_the_get_help_page_starts_at_its_heading_with_call_988_the_first_tab(open_page, lift: Lift,
                                                                              javascript):
    page = open_page(java_script_enabled=javascript)
    lift.sign_up(page)
    page.get_by_role("banner").get_by_role("link", name="Get help").click()
    expect(page).to_have_title("Get help now · Lift")
    expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_focused()
    if javascript:
        # htmx gives the heading focus as it swaps and again once settled: a Tab in between
        # would be undone (never at a person's pace).
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    for name in ["Call 988 988 Suicide & Crisis Lifeline", "Text 988 988 Suicide & Crisis Lifeline",
                 "Text HOME to 741741 Crisis Text Line", "Call 911 Emergency services", "Write a safety plan"]:
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name=name, exact=True)).to_be_focused()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_saved_form_gives_focus_to_the_message_saying_it_is_saved(open_page, lift: Lift, javascript):
    # Saving loads the page again (a redirect, which htmx follows as a full load): the message
    # is in the page from the start, so a screen reader never read it as a status, and went on
    # from the top of the page as if nothing had been saved.
    page = open_page(java_script_enabled=javascript)
    lift.sign_up(page)
    lift.write_safety_plan(page, {"1. Warning signs": "Not answering messages"}, "Dr Rivera", "555 0100")
    expect(page.get_by_role("status")).to_be_focused()



def test_arranging_the_ride_home_says_what_changed_where_the_button_was(patient: Page):
    # The checklist is swapped whole: the button pressed went with it, and focus fell to the
    # page, so a screen reader said nothing and a keyboard started again from the top.
    hour = f"{datetime.now(UTC):%H}:00"
    patient.goto("/treatment")
    patient.get_by_role("link", name="Set up my treatment").click()
    patient.get_by_role("radio", name="Esketamine nasal spray (Spravato)").check()
    patient.get_by_role("radio", name="twice a week for 4 weeks").check()
    patient.get_by_label("First session").fill(datetime.now(UTC).date().isoformat())
    patient.get_by_label("Time of day").fill(hour)
    patient.get_by_role("button", name="Save my plan").click()
    expect(patient.get_by_role("status")).to_contain_text("Your treatment plan is saved")
    patient.goto("/")
    checklist = patient.get_by_role("region", name=f"Treatment day: {hour}")
    checklist.get_by_role("button", name="My ride is arranged").click()
    ride = checklist.get_by_role("listitem").filter(has_text="A ride home")
    expect(ride).to_contain_text("✓ Arranged")
    expect(ride).to_be_focused()
    ride.get_by_role("button", name="Undo the ride choice").click()
    expect(ride).to_contain_text("Not arranged yet")
    expect(ride).to_be_focused()
