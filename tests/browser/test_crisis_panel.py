"""The safety-critical path: answers that report suicidal thoughts bring up Get help now
in the same response, before anything else on the page (design.md section 2)."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, unique_email
from tests.browser.test_crisis_no_answer import answer_phq9

pytestmark = pytest.mark.browser

MARK_PAGE = "() => { window.__liftSamePage = 'still here'; }"
PAGE_MARK = "() => window.__liftSamePage"


def crisis_region(page: Page):
    return page.get_by_role("region", name="Get help now")


def assert_above(page: Page, upper, lower) -> None:
    """`upper` ends on screen before `lower` starts: a patient reads it first."""
    upper_box, lower_box = upper.bounding_box(), lower.bounding_box()
    assert upper_box and lower_box
    assert upper_box["y"] + upper_box["height"] <= lower_box["y"], (upper_box, lower_box)


def is_before_in_document(page: Page, first_selector: str, second_selector: str) -> bool:
    return page.evaluate(
        """([a, b]) => Boolean(document.querySelector(a).compareDocumentPosition(document.querySelector(b))
                              & Node.DOCUMENT_POSITION_FOLLOWING)""",
        [first_selector, second_selector],
    )


def assert_crisis_links(region) -> None:
    expect(region.locator('a[href="tel:988"]')).to_have_count(1)
    expect(region.locator('a[href^="sms:988"]')).to_have_count(1)
    crisis_text_line = region.locator('a[href^="sms:741741"]')
    expect(crisis_text_line).to_have_count(1)
    expect(crisis_text_line).to_have_attribute("href", re.compile(r"^sms:741741\?&?body=HOME$"))
    expect(region.locator('a[href="tel:911"]')).to_have_count(1)


def test_it_shows_get_help_now_first_when_a_new_patient_reports_thoughts_of_ending_their_life(open_page):
    page = open_page(timezone_id="America/Chicago")
    page.goto("/signup")
    # app.js pre-selects the browser's zone; the server's default is America/New_York.
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("America/Chicago")
    page.get_by_label("Email").fill(unique_email())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()

    page.goto("/account")
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("America/Chicago")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check in").click()
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()
    page.locator('label[for="mood-2"]').click()
    page.locator('label[for="anxiety-8"]').click()
    page.get_by_label("Sleep last night").fill("7.5")
    page.get_by_role("radio", name="Thoughts of ending my life", exact=True).check()
    page.evaluate(MARK_PAGE)

    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/checkin")) as posted:
        page.get_by_role("button", name="Save check-in").click()
    response = posted.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"

    region = crisis_region(page)
    expect(region).to_be_visible()
    assert_crisis_links(region)
    # A new patient has no plan yet: the way to write one is a 44 px target like every other
    # action in the panel, not a line of small print.
    write_plan = region.get_by_role("link", name="Write a safety plan")
    expect(write_plan).to_have_attribute("href", "/safety-plan")
    assert write_plan.bounding_box()["height"] >= 44, write_plan.bounding_box()
    expect(region).to_contain_text("Please reach out to someone now")
    expect(region).to_contain_text("not monitored in real time")
    saved = page.get_by_role("heading", name="Check-in saved")
    expect(saved).to_be_visible()
    assert_above(page, region, saved)
    assert is_before_in_document(page, "#crisis", "#saved-title")
    expect(page.get_by_role("heading", name="Get help now")).to_be_focused()
    # The form was swapped in place by htmx, not posted as a full navigation, and the page took
    # the saved check-in's own address (see the test below).
    assert page.evaluate(PAGE_MARK) == "still here"
    expect(page).to_have_url(re.compile(r"/checkins/\d+\?saved=new$"))


def test_it_shows_get_help_now_without_javascript_for_a_plan_or_intent(open_page):
    page = open_page(java_script_enabled=False)
    page.goto("/signup")
    page.get_by_label("Email").fill(unique_email())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("combobox", name="Time zone").select_option("America/Denver")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    page.goto("/account")
    expect(page.get_by_role("combobox", name="Time zone")).to_have_value("America/Denver")

    page.goto("/checkin")
    page.locator('label[for="mood-1"]').click()
    page.locator('label[for="anxiety-9"]').click()
    page.get_by_label("Sleep last night").fill("4")
    page.get_by_role("radio", name="Thoughts with a plan or intent to act", exact=True).check()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save check-in").click()
    assert navigation.value.status == 200
    assert navigation.value.request.headers.get("hx-request") is None
    # In the answer to the form itself: no redirect, no second trip before the panel.
    assert navigation.value.request.method == "POST" and navigation.value.request.redirected_from is None

    region = crisis_region(page)
    expect(region).to_be_visible()
    expect(region.locator('a[href="tel:988"]')).to_have_count(1)
    expect(region).to_contain_text("If you might act on these thoughts, call 911 or 988 now")
    saved = page.get_by_role("heading", name="Check-in saved")
    expect(saved).to_be_visible()
    assert_above(page, region, saved)


def test_with_htmx_back_after_a_check_in_shows_it_again_with_get_help_now_first(patient, lift):
    """htmx keeps no copy of a page to go back to (no history cache, on purpose: no journal in
    localStorage), so Back loads the address again. The save's answer takes the check-in's own
    address: Back from Today shows the saved check-in with Get help now first, not today's form,
    empty after a save for an earlier day and without the panel, as if nothing had been saved."""
    page = patient
    page.goto("/checkin")
    lift.fill_checkin(page, thoughts="Thoughts of ending my life", note="A hard evening", days_ago=1)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("heading", name="Check-in saved")).to_be_visible()
    expect(crisis_region(page)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/checkins/\d+\?saved=new$"))
    saved = page.url

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    page.go_back()
    assert page.url == saved
    region = crisis_region(page)
    expect(region).to_be_visible()
    expect(region).to_contain_text("Please reach out to someone now")
    heading = page.get_by_role("heading", name="Check-in saved")
    expect(heading).to_be_visible()
    assert_above(page, region, heading)
    expect(page.get_by_text("A hard evening")).to_be_visible()
    expect(page.get_by_role("button", name="Save check-in")).to_have_count(0)

    # Loading that address again sends nothing: still one check-in.
    page.reload()
    expect(page.get_by_role("heading", name="Check-in saved")).to_be_visible()
    page.goto("/checkins")
    expect(page.locator(".history__item")).to_have_count(1)


def test_back_onto_a_check_ins_first_saved_page_shows_get_help_now_for_the_answer_changed_since(patient, lift):
    """Saved with thoughts "none", then changed to a higher answer: Back (twice, past the form)
    onto the first save's address loads it again, and the stored answer, not "none", which that
    address was made for, brings Get help now first."""
    page = patient
    lift.check_in(page, thoughts="None")
    expect(page).to_have_url(re.compile(r"/checkins/\d+\?saved=new$"))
    expect(crisis_region(page)).to_have_count(0)
    first = page.url

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check in").click()
    expect(page.get_by_role("button", name="Save check-in")).to_be_visible()
    page.get_by_role("radio", name="Thoughts of ending my life", exact=True).check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("heading", name="Check-in updated")).to_be_visible()
    expect(crisis_region(page)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/checkins/\d+\?saved=updated$"))

    page.go_back()  # htmx keeps no copies, so it reloads the form's address
    expect(page.get_by_role("button", name="Save check-in")).to_be_visible()
    page.go_back()  # maybe before htmx is set up: the test after this one holds it back
    assert page.url == first
    region = crisis_region(page)
    expect(region).to_be_visible()
    expect(region).to_contain_text("Please reach out to someone now")
    assert_above(page, region, page.get_by_role("heading", name="Check-in saved"))


def test_back_and_forward_pressed_before_htmx_is_set_up_show_the_page_of_the_address(open_page, lift):
    """On a slow phone the page Back reloaded is drawn before htmx (a deferred script) is set up.
    Back or Forward pressed then still shows the page of the address it goes to: the first saved
    page with Get help now for the answer changed since, not the form left under its address."""
    page = open_page(service_workers="block")  # the worker would serve htmx past the route
    lift.new_patient_on_today(page)
    lift.check_in(page, thoughts="None")
    expect(page).to_have_url(re.compile(r"/checkins/\d+\?saved=new$"))
    first = page.url
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check in").click()
    page.get_by_role("radio", name="Thoughts of ending my life", exact=True).check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("heading", name="Check-in updated")).to_be_visible()
    updated = page.url

    held = []  # every page loaded from now on waits for htmx until the test lets it go
    page.route("**/vendor/htmx.min.js*", lambda route: held.append(route))
    save_button = page.get_by_role("button", name="Save check-in")

    def press(go) -> None:
        assert page.evaluate("() => typeof window.htmx") == "undefined"  # htmx really held back
        go(wait_until="commit")

    page.go_back()  # htmx (set up on this page) reloads the form's address, and is then held
    expect(save_button).to_be_visible()
    press(page.go_back)
    expect(page).to_have_url(first)
    region = crisis_region(page)
    expect(region).to_be_visible()
    expect(region).to_contain_text("Please reach out to someone now")
    assert_above(page, region, page.get_by_role("heading", name="Check-in saved"))
    expect(save_button).to_have_count(0)

    press(page.go_forward)
    expect(page).to_have_url(re.compile(r"/checkin$"))
    expect(save_button).to_be_visible()
    press(page.go_forward)
    expect(page).to_have_url(updated)
    expect(page.get_by_role("heading", name="Check-in updated")).to_be_visible()
    expect(crisis_region(page)).to_be_visible()
    expect(save_button).to_have_count(0)

    held[-1].continue_()  # the page shown sets htmx up; it takes Back from here, once
    page.unroute("**/vendor/htmx.min.js*")
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/checkin$"))
    expect(save_button).to_be_visible()
    assert open_page.console(page).errors() == []


def test_it_shows_no_crisis_panel_when_there_are_no_thoughts(patient, lift, console):
    lift.check_in(patient, thoughts="None")
    expect(patient.get_by_role("heading", name="Check-in saved")).to_be_focused()
    expect(crisis_region(patient)).to_have_count(0)
    assert console.errors() == []


def test_it_shows_get_help_now_even_when_the_rest_of_the_form_has_errors(patient, lift):
    patient.goto("/checkin")
    lift.fill_checkin(patient, mood=None, thoughts="Passing thoughts of death or of not wanting to be here")
    with patient.expect_response(lambda r: r.request.method == "POST") as posted:
        patient.get_by_role("button", name="Save check-in").click()
    assert posted.value.status == 422

    region = crisis_region(patient)
    expect(region).to_be_visible()
    expect(region).to_contain_text("You don't have to carry these thoughts alone")
    assert_crisis_links(region)
    assert_above(patient, region, patient.get_by_role("heading", name="Daily check-in"))
    expect(patient.locator("#mood-error")).to_have_text("Choose your mood from 0 to 10.")
    expect(patient.get_by_role("heading", name="Get help now")).to_be_focused()


def test_it_shows_the_safety_plan_and_care_team_in_get_help_now(patient, lift):
    lift.write_safety_plan(
        patient,
        {"1. Warning signs": "Lying awake past 3 am",
         "2. Things I can do on my own": "Walk the dog round the park"},
        care_team_name="Dr. Rivera's clinic", care_team_phone="(312) 555-0142",
    )
    lift.check_in(patient, mood=3, thoughts="Passing thoughts of death or of not wanting to be here")

    region = crisis_region(patient)
    expect(region).to_be_visible()
    expect(region.get_by_text("My safety plan", exact=True)).to_be_visible()
    expect(region).to_contain_text("Walk the dog round the park")
    care_team = region.locator('a[href="tel:3125550142"]')
    expect(care_team).to_have_count(1)
    expect(care_team).to_contain_text("Call Dr. Rivera's clinic")
    # "Call" and the name read as one label, as "Call 988" does: the button stacks its parts
    # (label, then number), and a bare "Call" once stood on a line of its own above the name.
    call, name = care_team.evaluate("""(link) => {
        const range = document.createRange();
        range.selectNodeContents([...link.querySelectorAll('*')].map((el) => el.previousSibling)
            .find((node) => node && node.nodeType === Node.TEXT_NODE && node.textContent.trim() === 'Call'));
        return [range.getBoundingClientRect().top, link.querySelector('bdi').getBoundingClientRect().top];
    }""")
    assert abs(call - name) < 2, f"'Call' at {call}px, the care team's name at {name}px"


def test_every_crisis_button_stays_on_a_narrow_screen_whatever_the_care_team_is_called(patient, lift):
    """A name with no space to break at (a long compound word, an address) made the panel's
    grid as wide as that name: on a 320 px phone every button, 988 and 911 included, stretched
    off the screen, its label centred where nobody could see it."""
    lift.write_safety_plan(patient, {"1. Warning signs": "Not sleeping"},
                           care_team_name="rivera.psychiatry.team@mercy-behavioral-health.example.org",
                           care_team_phone="(312) 555-0142")
    patient.set_viewport_size({"width": 320, "height": 640})
    lift.check_in(patient, thoughts="Thoughts of ending my life")

    region = crisis_region(patient)
    expect(region).to_be_visible()
    for link in region.locator(".crisis__actions a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320, (link.get_attribute("href"), box)
    assert patient.evaluate("document.documentElement.scrollWidth") <= 320


def test_without_javascript_back_after_a_questionnaire_result_never_asks_to_send_it_again(open_page, lift):
    """The save lands on its result's own address (303), so Back from the next page shows the
    result again instead of asking to resend the form (Chromium's ERR_CACHE_MISS)."""
    page = open_page(java_script_enabled=False)
    lift.sign_up(page)
    answer_phq9(page, item9=0)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save my answers").click()
    assert navigation.value.request.method == "GET" and navigation.value.status == 200
    expect(page.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    expect(crisis_region(page)).to_have_count(0)
    result = page.url

    page.get_by_role("link", name="See my answers").click()
    expect(page.get_by_role("heading", name="Your answers")).to_be_visible()
    back = page.go_back()
    assert back is not None and back.request.method == "GET" and back.status == 200
    assert page.url == result
    expect(page.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    page.get_by_role("link", name="Done").click()
    expect(page.locator(".history__item")).to_have_count(1)


def test_without_javascript_back_after_a_check_in_never_asks_to_send_it_again(open_page, lift):
    """The save lands on the check-in's own address (303), so Back from Today shows it again
    instead of asking to resend the form (Chromium's ERR_CACHE_MISS)."""
    page = open_page(java_script_enabled=False)
    lift.sign_up(page)
    page.goto("/checkin")
    lift.fill_checkin(page, thoughts="None", note="A quiet day")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save check-in").click()
    assert navigation.value.request.method == "GET" and navigation.value.status == 200
    expect(page.get_by_role("heading", name="Check-in saved")).to_be_visible()
    expect(page.get_by_text("thank you for checking in")).to_be_visible()
    expect(crisis_region(page)).to_have_count(0)
    saved = page.url

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    back = page.go_back()
    assert back is not None and back.request.method == "GET" and back.status == 200
    assert page.url == saved
    expect(page.get_by_role("heading", name="Check-in saved")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Check-in saved")).to_be_visible()
    page.goto("/checkins")
    expect(page.locator(".history__item")).to_have_count(1)


@pytest.mark.parametrize("item9, wording", [(1, "You don't have to carry these thoughts alone"),
                                            (3, "Please reach out to someone now")])
def test_without_javascript_get_help_now_for_question_9_comes_in_the_answer_to_the_form(open_page, lift,
                                                                                         item9, wording):
    """No redirect on the crisis path: one trip, the panel worded for the answers as sent."""
    page = open_page(java_script_enabled=False)
    lift.sign_up(page)
    answer_phq9(page, item9=item9)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save my answers").click()
    assert navigation.value.request.method == "POST" and navigation.value.status == 200
    assert navigation.value.request.redirected_from is None
    region = crisis_region(page)
    expect(region).to_contain_text(wording)
    assert_above(page, region, page.get_by_role("heading", name="PHQ-9 saved"))


# Where "Call 988" starts, in px from the top of the screen, the screen's height, and what
# follows the panel's calls and texts.
CALL_988 = """() => ({
    screen: innerHeight,
    call: document.querySelector('#crisis a[href="tel:988"]').getBoundingClientRect().top,
    afterActions: document.querySelector('#crisis .crisis__actions').nextElementSibling.textContent,
})"""


@pytest.mark.parametrize("thoughts", ["Passing thoughts of death or of not wanting to be here",
                                      "Thoughts of ending my life", "Thoughts with a plan or intent to act"])
def test_with_text_at_200_percent_call_988_is_on_the_first_screen_of_get_help_now(open_page, lift, thoughts):
    """At 200% text on a 390 px phone, "Call 988" stood almost two screens down, below the
    paragraph saying Lift is not monitored. The calls and texts come first; that paragraph,
    still on the panel, follows them."""
    from tests.browser.test_accessibility import set_text_size

    page = open_page()
    lift.new_patient_on_today(page)
    set_text_size(page.context.new_cdp_session(page), 2.0)
    lift.check_in(page, thoughts=thoughts)
    region = crisis_region(page)
    expect(region.get_by_role("heading", name="Get help now")).to_be_focused()
    expect(region).to_contain_text("not monitored in real time")
    where = page.evaluate(CALL_988)
    assert 0 <= where["call"] < where["screen"], where
    assert where["afterActions"].startswith("Lift is not monitored in real time"), where


def test_today_keeps_get_help_now_in_sight_after_a_thoughts_check_in_for_the_rest_of_the_day(
        patient, lift, served_database):
    lift.check_in(patient, thoughts="None")
    patient.get_by_role("link", name="Done").click()
    expect(patient.get_by_role("heading", name="Today's check-in is done")).to_be_visible()
    expect(patient.locator("#thoughts-today")).to_have_count(0)

    # Today's check-in changed to report thoughts.
    patient.get_by_role("link", name="Change today's check-in").click()
    lift.fill_checkin(patient, thoughts="Thoughts of ending my life")
    patient.get_by_role("button", name="Save check-in").click()
    expect(patient.get_by_role("heading", name="Check-in updated")).to_be_visible()
    expect(crisis_region(patient)).to_be_visible()
    patient.get_by_role("link", name="Done").click()
    line = patient.get_by_role("note").filter(has_text="noted thoughts of ending your life")
    expect(line).to_be_visible()
    assert_above(patient, line, patient.get_by_role("heading", name="Today's check-in is done"))
    assert line.bounding_box()["y"] + line.bounding_box()["height"] <= 844  # on the first screen
    line.get_by_role("link", name="Get help now").click()
    expect(patient.get_by_role("heading", name="Get help now", level=1)).to_be_visible()

    # The next day the check-in is yesterday's, saved yesterday, and Today is as for any day.
    conn = sqlite3.connect(served_database, timeout=10)
    try:
        conn.execute("UPDATE checkins SET local_date = date(local_date, '-1 day'),"
                     " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', updated_at, '-1 day')"
                     " WHERE user_id = (SELECT max(id) FROM users)")
        conn.commit()
    finally:
        conn.close()
    patient.goto("/")
    expect(patient.get_by_role("heading", name="You haven't checked in today")).to_be_visible()
    expect(patient.locator("#thoughts-today")).to_have_count(0)
