"""Get help now when Lift's answer is slow or never comes: a connection that drops, a request
that hangs, or a reverse proxy's own error page while Lift restarts. The panel comes from the
page itself, at once, for the check-in's thoughts question and for PHQ-9 item 9.

The service worker is blocked in these contexts so that Playwright's routes see every request
(offline behaviour with the worker is in test_offline.py)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing, contextmanager

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.servers import wait_until

pytestmark = pytest.mark.browser

PROXY_ERROR = ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
               "</center><hr><center>nginx</center></body></html>")
PLAN_OR_INTENT = "Thoughts with a plan or intent to act"
NOT_SAVED = "Lift didn't answer, so this may not be saved. Your answers are still here"


def crisis_region(page: Page):
    return page.get_by_role("region", name="Get help now")


@pytest.fixture
def patient(open_page, lift) -> Page:
    page = open_page(service_workers="block")
    lift.new_patient_on_today(page)
    return page


def answer_like_a_proxy(route: Route) -> None:
    route.fulfill(status=502, content_type="text/html", body=PROXY_ERROR)


def answer_like_a_firewall(route: Route) -> None:
    """A web application firewall or CDN in front of Lift, refusing with a page of its own."""
    route.fulfill(status=429, content_type="text/html",
                  body="<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>")


def drop_the_connection(route: Route) -> None:
    route.abort("internetdisconnected")


def never_answer(route: Route) -> None:
    """Leaves the request pending: the network neither answers nor fails."""


# How long the check-in form waits for Lift in the test of an answer that never comes: long enough
# to see Get help now while the request is still pending, far shorter than the 15 s Lift ships.
SHORT_WAIT_MS = 5_000


def give_up_after(form, milliseconds: int) -> None:
    """The form's htmx timeout (its hx-request attribute, read as each request is made)."""
    form.evaluate("(form, ms) => form.setAttribute('hx-request', JSON.stringify({timeout: ms}))", milliseconds)


def answer_phq9(page: Page, item9: int) -> None:
    page.goto("/scales/phq9")
    for item in range(1, 9):
        page.locator(f'label[for="phq9_{item}-0"]').click()
    page.locator(f'label[for="phq9_9-{item9}"]').click()


def test_a_proxy_error_page_never_replaces_a_check_in_reporting_a_plan(patient, lift):
    patient.goto("/checkin")
    lift.fill_checkin(patient, thoughts=PLAN_OR_INTENT, note="typed before the proxy failed")
    patient.route("**/checkin", answer_like_a_proxy)
    patient.get_by_role("button", name="Save check-in").click()

    region = crisis_region(patient)
    expect(region).to_be_visible()
    expect(region).to_contain_text("call 911 or 988 now")
    expect(region.get_by_role("heading", level=1).first).to_be_focused()
    # Kept on this phone rather than lost, and the proxy's page is nowhere.
    expect(patient.get_by_role("heading", name="Saved on this phone, will sync")).to_be_visible()
    expect(patient.get_by_text("Bad Gateway")).to_have_count(0)

    # Lift is back: the kept check-in goes (at once, or on the next open), with the note typed.
    patient.unroute("**/checkin")
    patient.goto("/")
    wait_until(patient, "() => LiftQueue.all().then((entries) => entries.length === 0)")
    patient.goto("/checkin")
    expect(patient.get_by_label("Note")).to_have_value("typed before the proxy failed")


@pytest.mark.parametrize("failure", [drop_the_connection, answer_like_a_proxy, answer_like_a_firewall],
                         ids=["dropped", "proxy-502", "firewall-429"])
def test_a_phq9_reporting_item_9_shows_help_and_keeps_the_answers_when_lift_cannot_answer(patient, lift, failure):
    lift.write_safety_plan(patient, {"Warning signs": "Staying in bed all day"}, "Dr Rivera", "(312) 555-0142")
    answer_phq9(patient, item9=3)
    patient.route("**/scales/phq9", failure)
    patient.get_by_role("button", name="Save my answers").click()

    region = crisis_region(patient)
    expect(region).to_be_visible()
    expect(region).to_contain_text("better off dead, or of hurting yourself")
    expect(region.locator('a[href="tel:988"]')).to_have_count(1)
    expect(region.locator('a[href="tel:3125550142"]')).to_have_count(1)  # the care team, from the plan
    expect(region).to_contain_text("Staying in bed all day")
    expect(patient.get_by_role("alert").filter(has_text=NOT_SAVED)).to_be_visible()
    expect(patient.locator("#phq9_9-3")).to_be_checked()
    expect(patient.get_by_text(re.compile("Bad Gateway|Too Many Requests"))).to_have_count(0)

    patient.unroute("**/scales/phq9")
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    expect(crisis_region(patient)).to_be_visible()


def test_a_phq9_saved_by_lift_whose_answer_was_lost_is_stored_once_when_sent_again(patient):
    def save_then_drop(route: Route) -> None:
        assert route.fetch().status == 200  # Lift saved it; the phone never hears so
        route.abort("connectionreset")

    answer_phq9(patient, item9=2)
    patient.route("**/scales/phq9", save_then_drop)
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.get_by_role("alert").filter(has_text=NOT_SAVED)).to_be_visible()
    patient.unroute("**/scales/phq9")
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    patient.goto("/scales")
    expect(patient.locator("a.history__item")).to_have_count(1)


def test_a_phq9_without_item_9_keeps_the_answers_and_says_why_without_a_panel(patient):
    answer_phq9(patient, item9=0)
    patient.route("**/scales/phq9", answer_like_a_proxy)
    patient.get_by_role("button", name="Save my answers").click()
    alert = patient.get_by_role("alert").filter(has_text=NOT_SAVED)
    expect(alert).to_be_visible()
    expect(alert).to_be_focused()
    expect(crisis_region(patient)).to_have_count(0)
    expect(patient.locator("#phq9_1-0")).to_be_checked()


def test_get_help_now_shows_while_a_check_in_is_still_on_its_way_and_it_is_kept_when_none_comes(patient, lift):
    patient.goto("/checkin")
    lift.fill_checkin(patient, thoughts="Thoughts of ending my life")
    patient.route("**/checkin", never_answer)
    # The form gives Lift 15 s before it gives up (test_offline_sync.py checks the pages say so);
    # here it gives up sooner, through the same htmx timeout, so the test does not sit out 15 s.
    give_up_after(patient.locator("form.checkin"), SHORT_WAIT_MS)
    patient.get_by_role("button", name="Save check-in").click()
    # The request is still pending, and help is there.
    region = crisis_region(patient)
    expect(region).to_be_visible(timeout=SHORT_WAIT_MS)
    expect(region).to_contain_text("Please reach out to someone now")
    expect(region.get_by_role("heading", level=1).first).to_be_focused()
    expect(patient.get_by_role("heading", name="Saved on this phone, will sync")).to_have_count(0)
    # The wait passes with no answer: the check-in is kept on the phone, help still first and focused.
    expect(patient.get_by_role("heading", name="Saved on this phone, will sync")).to_be_visible(timeout=20_000)
    expect(region).to_contain_text("Please reach out to someone now")
    expect(region.get_by_role("heading", level=1).first).to_be_focused()
    assert patient.evaluate("LiftQueue.all().then((entries) => entries.length)") == 1


def test_get_help_now_shows_while_a_phq9_is_still_on_its_way(patient):
    answer_phq9(patient, item9=1)
    patient.route("**/scales/phq9", never_answer)
    patient.get_by_role("button", name="Save my answers").click()
    region = crisis_region(patient)
    expect(region).to_be_visible(timeout=5_000)
    expect(region).to_contain_text("You don't have to carry these thoughts alone")


def test_a_check_in_without_thoughts_shows_no_panel_while_it_is_on_its_way(patient, lift):
    patient.goto("/checkin")
    lift.fill_checkin(patient, thoughts="None")
    patient.route("**/checkin", never_answer)
    patient.get_by_role("button", name="Save check-in").click()
    expect(patient.get_by_role("button", name="Save check-in")).to_be_visible()
    patient.wait_for_timeout(500)
    expect(crisis_region(patient)).to_have_count(0)


@pytest.mark.parametrize("expired", ["lift_session", "csrftoken"], ids=["signed-out", "form-expired"])
def test_a_check_in_sent_as_the_session_or_form_expires_is_kept_and_goes_later(open_page, lift, expired):
    page = open_page(service_workers="block")
    email = lift.sign_up(page)
    page.goto("/checkin")
    lift.fill_checkin(page, thoughts=PLAN_OR_INTENT, note="kept through the expiry")
    page.context.clear_cookies(name=expired)
    page.get_by_role("button", name="Save check-in").click()

    # Help at the level of the answer, and the check-in kept, not lost with an error page.
    region = crisis_region(page)
    expect(region).to_contain_text("call 911 or 988 now")
    expect(page.get_by_role("heading", name="Saved on this phone, will sync")).to_be_visible()

    if expired == "lift_session":
        # It waits for this person to sign in again, then goes.
        expect(page.locator("#offline-queue")).to_contain_text("you're signed out")
        lift.sign_in(page, email)
    # An expired form needs nothing from the patient: the sender fetches a fresh token.
    expect(page.get_by_role("status").filter(has_text="Sent to Lift")).to_be_visible()
    page.goto("/checkin")
    expect(page.get_by_label("Note")).to_have_value("kept through the expiry")


def test_a_check_in_with_no_day_chosen_is_not_kept_without_one(patient, lift):
    """The form sent back after midnight offers "Choose a day", which sends no day."""
    patient.goto("/checkin")
    lift.fill_checkin(patient, thoughts="Thoughts of ending my life")
    patient.evaluate("""() => {
        const days = document.getElementById("local_date");
        days.prepend(new Option("Choose a day", "", true, true));
        days.options[0].disabled = true;
    }""")
    patient.context.set_offline(True)
    patient.get_by_role("button", name="Save check-in").click()
    expect(crisis_region(patient)).to_be_visible()
    expect(patient.get_by_role("alert").filter(has_text="answer the day")).to_be_visible()
    assert patient.evaluate("LiftQueue.all().then((entries) => entries.length)") == 0


def test_a_questionnaire_sent_with_an_expired_form_is_sent_again_with_a_fresh_one(patient):
    answer_phq9(patient, item9=0)
    patient.context.clear_cookies(name="csrftoken")
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    patient.goto("/scales")
    expect(patient.locator("a.history__item")).to_have_count(1)


def test_a_safety_plan_sent_with_an_expired_form_is_saved_with_a_fresh_one_and_nothing_typed_is_lost(patient):
    # Signing out and in again in another tab gives a new form token: minutes of typing in
    # this tab must not be replaced by an error page.
    patient.goto("/safety-plan")
    patient.get_by_label("1. Warning signs").fill("Not answering my sister's calls")
    patient.context.clear_cookies(name="csrftoken")
    patient.get_by_role("button", name="Save safety plan").click()
    expect(patient.get_by_role("status").filter(has_text="Your safety plan is saved")).to_be_visible()
    patient.goto("/safety-plan")
    expect(patient.get_by_label("1. Warning signs")).to_have_value("Not answering my sister's calls")


@pytest.mark.parametrize("form", ["safety-plan", "phq9"])
def test_a_form_with_an_expired_token_is_never_sent_again_to_someone_else_who_signed_in(open_page, lift, form):
    """On a shared phone, one person signs out in another tab and someone else signs in: the
    first person's safety plan or answers must not be sent again, with the new token, into the
    second person's journal."""
    page = open_page(service_workers="block")
    email = lift.sign_up(page)
    if form == "safety-plan":
        page.goto("/safety-plan")
        page.get_by_label("1. Warning signs").fill("Not answering my sister's calls")
        save = page.get_by_role("button", name="Save safety plan")
    else:
        answer_phq9(page, item9=0)
        save = page.get_by_role("button", name="Save my answers")
    other = page.context.new_page()
    page.context.clear_cookies()  # signed out in the other tab: the session and the form token go
    lift.sign_up(other)
    save.click()

    expect(page.get_by_role("alert").filter(has_text="Someone else is signed in")).to_be_visible()
    if form == "safety-plan":
        expect(page.get_by_label("1. Warning signs")).to_have_value("Not answering my sister's calls")
        other.goto("/safety-plan")
        expect(other.get_by_label("1. Warning signs")).to_have_value("")
    else:
        expect(page.locator("#phq9_1-0")).to_be_checked()
        other.goto("/scales")
        expect(other.locator("a.history__item")).to_have_count(0)

    # Back as themselves, the same Save sends the kept answers into their own journal.
    page.context.clear_cookies()
    lift.sign_in(other, email)
    save.click()
    expect(page.get_by_role("status").filter(has_text="saved").or_(
        page.get_by_role("heading", name="PHQ-9 saved"))).to_be_visible()


def test_a_safety_plan_whose_answer_never_comes_keeps_what_was_typed(patient):
    patient.goto("/safety-plan")
    patient.get_by_label("1. Warning signs").fill("Staying in bed all day")
    patient.route("**/safety-plan", lambda route: answer_like_a_proxy(route) if route.request.method == "POST"
                  else route.continue_())
    patient.get_by_role("button", name="Save safety plan").click()
    expect(patient.get_by_role("alert").filter(has_text=NOT_SAVED)).to_be_visible()
    expect(patient.get_by_label("1. Warning signs")).to_have_value("Staying in bed all day")


def test_a_questionnaire_sent_while_signed_out_keeps_its_answers_and_goes_after_sign_in(open_page, lift):
    page = open_page(service_workers="block")
    email = lift.sign_up(page)
    answer_phq9(page, item9=3)
    page.context.clear_cookies(name="lift_session")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("alert").filter(has_text="You're signed out, so this wasn't saved")).to_be_visible()
    expect(crisis_region(page)).to_contain_text("better off dead, or of hurting yourself")
    expect(page.locator("#phq9_9-3")).to_be_checked()

    lift.sign_in(page.context.new_page(), email)  # "sign in from another tab"

    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()


def test_a_gad7_whose_answer_never_comes_keeps_every_answer_and_sends_them_again(patient):
    patient.goto("/scales/gad7")
    for item in range(1, 8):
        patient.locator(f'label[for="gad7_{item}-2"]').click()
    patient.get_by_role("group", name="how difficult have these problems").get_by_label("Very difficult").check()
    patient.route("**/scales/gad7", drop_the_connection)
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.get_by_role("alert").filter(has_text=NOT_SAVED)).to_be_visible()
    expect(patient.locator("#gad7_7-2")).to_be_checked()
    expect(patient.locator("#difficulty-2")).to_be_checked()
    expect(crisis_region(patient)).to_have_count(0)

    # With a signal again, the same answers go, the last question's with them.
    patient.unroute("**/scales/gad7")
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.get_by_role("heading", name="GAD-7 saved")).to_be_visible()
    patient.get_by_role("link", name="See my answers").click()
    expect(patient.get_by_text("Very difficult", exact=True)).to_be_visible()


def test_a_keyboard_user_who_tabbed_into_help_before_the_answer_came_stays_on_that_link(patient, lift):
    """Get help now shows as the form is sent; Lift's answer replaces it with the same panel.
    Someone who already moved to "Call 988" must not be thrown back to the heading."""
    held: list[Route] = []
    patient.goto("/checkin")
    lift.fill_checkin(patient, thoughts="Thoughts of ending my life")
    patient.route("**/checkin", lambda route: held.append(route))
    patient.get_by_role("button", name="Save check-in").click()
    expect(patient.get_by_role("heading", name="Get help now")).to_be_focused()
    patient.keyboard.press("Tab")
    call = crisis_region(patient).locator('a[href="tel:988"]')
    expect(call).to_be_focused()
    for _ in range(100):  # the held request reaches the route (Playwright dispatches it while waiting)
        if held:
            break
        patient.wait_for_timeout(100)
    assert len(held) == 1
    held[0].continue_()  # now Lift's answer arrives
    expect(patient.get_by_role("heading", name="Check-in saved")).to_be_visible()
    expect(call).to_be_focused()


def saved_but_slow(first_sends: list[Route]):
    """Lift stores the first send of the form, and its answer is held on the way back (a slow
    network); any later send goes straight through."""
    def handle(route: Route) -> None:
        if route.request.method != "POST" or first_sends:
            route.continue_()
            return
        assert route.fetch().status == 200  # stored; the phone has not heard yet
        first_sends.append(route)
    return handle


@pytest.mark.parametrize("form", ["checkin", "phq9"])
def test_an_answer_raised_and_saved_again_while_the_first_save_is_on_its_way_shows_help_and_is_kept(
        patient, lift, form):
    """Someone presses Save, then changes their answer to thoughts of suicide and presses Save
    again before Lift's answer to the first came. htmx used to hold the second send until the
    first was answered, and then drop it (its form was gone): no Get help now, ever, and the
    journal kept the first answer. Now the second goes at once, with a new key, and a
    questionnaire's names the first key, so Lift keeps one result: the corrected one."""
    first_sends: list[Route] = []
    if form == "checkin":
        patient.goto("/checkin")
        lift.fill_checkin(patient, thoughts="None")
        save = patient.get_by_role("button", name="Save check-in")
        path = "**/checkin"
    else:
        answer_phq9(patient, item9=0)
        save = patient.get_by_role("button", name="Save my answers")
        path = "**/scales/phq9"
    patient.route(path, saved_but_slow(first_sends))
    save.click()
    for _ in range(100):  # until Lift has stored the first send
        if first_sends:
            break
        patient.wait_for_timeout(100)
    assert len(first_sends) == 1

    if form == "checkin":
        patient.get_by_role("radio", name=PLAN_OR_INTENT, exact=True).check()
    else:
        patient.locator('label[for="phq9_9-3"]').click()
    save.click()

    region = crisis_region(patient)
    if form == "checkin":
        expect(region).to_contain_text("call 911 or 988 now")
        expect(patient.get_by_role("heading", name="Check-in updated")).to_be_visible()
        patient.goto("/checkin")  # the day as Lift keeps it
        expect(patient.get_by_role("radio", name=PLAN_OR_INTENT, exact=True)).to_be_checked()
    else:
        expect(region).to_contain_text("better off dead, or of hurting yourself")
        expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
        expect(patient.locator(".score__total")).to_have_text("3")  # question 9's 3, not the first send's 0
        # One result, the corrected one: the second send named the first, which Lift had stored.
        patient.goto("/scales")
        expect(patient.locator(".history__item")).to_have_count(1)
        expect(patient.locator(".history__item")).to_contain_text("PHQ-9 3 of 27")


@contextmanager
def unreadable(database, table: str):
    """Lift cannot read a table (a locked database, an I/O error; here the table is gone) until
    it is back. Without `sessions`, every page of a signed-in person's is Lift's own 503 error
    page; without `safety_plans`, pages show Get help now without the plan."""
    with closing(sqlite3.connect(database, timeout=10)) as conn:
        conn.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
        try:
            yield
        finally:
            conn.execute(f"ALTER TABLE {table}_away RENAME TO {table}")


def test_a_check_in_answered_by_lifts_error_page_instead_of_the_form_is_kept_with_help_for_its_answer(
        patient, lift, served_database):
    """Lift's own error page ('Something went wrong on our side') has the panel, but not for the
    answer given (no 'call 911 or 988 now' for a plan), and not the answers: they were lost. Only a
    proxy's page counted as no answer; Lift's error page in place of the form now does too."""
    patient.goto("/checkin")
    lift.fill_checkin(patient, thoughts=PLAN_OR_INTENT, note="sent while Lift could not read")
    with unreadable(served_database, "sessions"):
        with patient.expect_response(lambda r: r.request.method == "POST") as posted:
            patient.get_by_role("button", name="Save check-in").click()
        assert posted.value.status == 503
        region = crisis_region(patient)
        expect(region).to_contain_text("call 911 or 988 now")
        expect(region.get_by_role("heading", level=1).first).to_be_focused()
        expect(patient.get_by_role("heading", name="Saved on this phone, will sync")).to_be_visible()
        expect(patient.get_by_text("Something went wrong on our side")).to_have_count(0)
        # The phone had a signal: the page says Lift could not be reached, not that there is none.
        expect(patient.get_by_text("Lift couldn't be reached just now")).to_be_visible()
        expect(patient.get_by_text("no connection", exact=False)).to_have_count(0)

    # Lift reads again: the kept check-in goes, note and all.
    patient.goto("/")
    wait_until(patient, "() => LiftQueue.all().then((entries) => entries.length === 0)")
    patient.goto("/checkin")
    expect(patient.get_by_label("Note")).to_have_value("sent while Lift could not read")


def test_a_check_in_lift_could_not_save_comes_back_filled_in_with_help_and_is_not_kept_on_the_phone(
        patient, lift, served_database):
    """Lift's own answer to a failed save is the form, filled in as typed, with Get help now and
    why: that is swapped in as Lift sent it, unlike an error page in place of the form."""
    patient.goto("/checkin")
    lift.fill_checkin(patient, thoughts=PLAN_OR_INTENT, note="typed once")
    with closing(sqlite3.connect(served_database, timeout=10)) as conn:
        conn.execute("CREATE TRIGGER refuse_checkins BEFORE INSERT ON checkins BEGIN SELECT RAISE(ABORT, 'x'); END")
        try:
            with patient.expect_response(lambda r: r.request.method == "POST") as posted:
                patient.get_by_role("button", name="Save check-in").click()
            assert posted.value.status == 503
            expect(patient.get_by_role("alert").filter(has_text="was not saved because of a problem on our side")
                   ).to_be_visible()
        finally:
            conn.execute("DROP TRIGGER refuse_checkins")
    expect(crisis_region(patient)).to_contain_text("call 911 or 988 now")
    expect(patient.get_by_label("Note")).to_have_value("typed once")
    assert patient.evaluate("LiftQueue.all().then((entries) => entries.length)") == 0


def check_in_with_no_answer_on_a_page_made_without_the_plan(page: Page, lift, database) -> None:
    """Lift could not read the safety plan when it made the check-in page, then did not answer
    the check-in (a proxy's error page): Get help now comes from the page's own copies."""
    with unreadable(database, "safety_plans"):
        page.goto("/checkin")
    expect(page.locator("template[data-offline-plan]")).to_have_count(0)  # nothing handed to the phone
    lift.fill_checkin(page, thoughts=PLAN_OR_INTENT)
    page.route("**/checkin", answer_like_a_proxy)
    page.get_by_role("button", name="Save check-in").click()
    expect(crisis_region(page)).to_contain_text("call 911 or 988 now")
    expect(page.get_by_role("heading", name="Saved on this phone, will sync")).to_be_visible()
    page.unroute("**/checkin")


def test_get_help_now_on_a_page_made_without_the_plan_shows_the_one_kept_on_this_phone_for_its_owner_only(
        open_page, lift, served_database):
    """The page's Get help now held no plan, as Lift could not read it: the panel shows the copy
    this phone kept for the patient, with their care team's number, not 'Write a safety plan'.
    On a shared phone, someone else signed in since never sees it."""
    page = open_page(service_workers="block")
    lift.sign_up(page)
    lift.write_safety_plan(page, {"1. Warning signs": "Staying in bed all day"}, "Dr Rivera", "(312) 555-0142")
    wait_until(page, "() => LiftQueue.plan().then((plan) => Boolean(plan))")

    check_in_with_no_answer_on_a_page_made_without_the_plan(page, lift, served_database)
    region = crisis_region(page)
    expect(region).to_contain_text("Staying in bed all day")
    expect(region.locator('a[href="tel:3125550142"]')).to_have_count(1)
    expect(region.get_by_role("link", name="Write a safety plan")).to_have_count(0)

    # Signed out in another tab, so this phone keeps the first patient's copy; someone else signs in.
    page.context.clear_cookies()
    lift.sign_up(page)
    check_in_with_no_answer_on_a_page_made_without_the_plan(page, lift, served_database)
    assert page.evaluate("LiftQueue.plan().then((plan) => Boolean(plan))")  # still kept, for its owner
    region = crisis_region(page)
    # Their own plan could not be read either: a link to it, not the other patient's copy.
    expect(region.get_by_role("link", name="Your safety plan")).to_have_count(1)
    expect(region).not_to_contain_text("Staying in bed all day")
    expect(region.locator('a[href="tel:3125550142"]')).to_have_count(0)
