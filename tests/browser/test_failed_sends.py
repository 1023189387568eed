"""Every form a person fills in keeps what was typed when sending it fails, and says so.

Two failures: an error page in place of Lift's answer (a reverse proxy's 503 while Lift restarts),
and no signal at all, with the service worker installed as on a phone that has used Lift. The
check-in, the questionnaires and the safety plan have their own tests (test_offline.py,
test_crisis_no_answer.py); these cover the other forms, which htmx sends as boosted forms.
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import PASSWORD, OpenPage, unique_email, wait_for_worker_control

pytestmark = pytest.mark.browser

PROXY_503 = ("<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
             "<h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>")
# As in test_screenshots.py: set FULL_PAGE_SCREENSHOTS_DIR to see each failure as the phone shows it.
SCREENSHOTS = os.environ.get("FULL_PAGE_SCREENSHOTS_DIR")
# The radio buttons and boxes ticked on the page, which must stay ticked.
CHECKED = "() => [...document.querySelectorAll('main input:checked')].map((box) => box.id)"


def post(page: Page, path: str, form: dict) -> str:
    """A form sent from the page's context, as its page would send it; returns where it led."""
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == "csrftoken")
    response = page.context.request.post(path, form={**form, "_csrf_token": token}, max_redirects=0)
    assert response.status == 303, response.text()[:300]
    return response.headers["location"]


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def session_today(page: Page) -> int:
    page.goto("/treatment")  # a form token for the posts below
    post(page, "/treatment/plan", {"medication": "esketamine", "clinic_name": "Riverside Clinic",
                                   "template": "none", "maintenance": "none"})
    added = post(page, "/treatment/sessions", {"session_date": today(), "session_time": "00:05"})
    return int(added.rsplit("/", 1)[1])


def open_and_fill(page: Page, path: str, typed: dict[str, str]) -> dict[str, str]:
    page.goto(path)
    for field, value in typed.items():
        control = page.locator(field)
        if control.evaluate("(node) => node.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    return typed


# Each form: open it, fill it in, and give back the form and the fields with what was typed.
def phq9(page: Page, lift, open_page):
    """Question 9 above 0: Get help now must stay on the page."""
    page.goto("/scales/phq9")
    for item in range(1, 9):
        page.locator(f'label[for="phq9_{item}-1"]').click()
    page.locator('label[for="phq9_9-2"]').click()
    return "form.scale-form", {}


def gad7(page: Page, lift, open_page):
    page.goto("/scales/gad7")
    for item in range(1, 8):
        page.locator(f'label[for="gad7_{item}-2"]').click()
    return "form.scale-form", {}


def safety_plan(page: Page, lift, open_page):
    return 'form[action="/safety-plan"]', open_and_fill(page, "/safety-plan", {
        "#warning_signs": "Staying in bed all day"})


def plan_form(page: Page, lift, open_page):
    page.goto("/treatment/plan/new")
    page.get_by_role("radio", name="Esketamine nasal spray (Spravato)").check()
    page.get_by_role("textbox", name="Clinic optional", exact=True).fill("Lakeside Clinic")
    page.get_by_label("Clinic phone").fill("+1 555 010 0199")
    return "form.plan-form", {"#clinic_name": "Lakeside Clinic", "#clinic_phone": "+1 555 010 0199"}


def new_session(page: Page, lift, open_page):
    session_today(page)
    page.goto("/treatment/sessions/new")
    page.get_by_label("Date").fill(in_days(3))
    page.get_by_label("Time").fill("13:45")
    return 'form[action="/treatment/sessions"]', {"#session_date": in_days(3), "#session_time": "13:45"}


def session_move(page: Page, lift, open_page):
    session_id = session_today(page)
    page.goto(f"/treatment/sessions/{session_id}/move")
    page.get_by_label("Date").fill(in_days(2))
    page.get_by_label("Time").fill("16:15")
    return f'form[action="/treatment/sessions/{session_id}/move"]', {"#session_date": in_days(2),
                                                                      "#session_time": "16:15"}


def session_log(page: Page, lift, open_page):
    session_id = session_today(page)
    page.goto(f"/treatment/sessions/{session_id}/log")
    page.get_by_role("radio", name="I had the session").check()
    page.get_by_label("Dissociation").select_option("moderate")
    page.get_by_label("Before", exact=True).fill("128/82")
    page.get_by_label("Note").fill("Felt far away for an hour.")
    return "form.session-log", {"#effect_dissociation": "moderate", "#bp_before": "128/82",
                                "#note": "Felt far away for an hour."}


def reminder_settings(page: Page, lift, open_page):
    page.goto("/reminders")
    page.get_by_label("Remind me to check in").check()
    page.get_by_label("Check-in reminder time").fill("21:40")
    return 'form[action="/reminders/settings"]', {"#checkin_time": "21:40"}


def invitation(page: Page, lift, open_page):
    page.goto("/sharing")
    page.locator("#role-clinician").check()
    page.get_by_label("Their name").fill("Dr Rivera")
    return "form.invite-form", {"#label": "Dr Rivera"}


def time_zone(page: Page, lift, open_page):
    return 'form[action="/account/timezone"]', open_and_fill(page, "/account", {"#timezone": "Europe/Paris"})


def times(page: Page, lift, open_page):
    page.goto("/account")
    page.locator("#clock-24").check()
    return 'form[action="/account/clock"]', {}


def email(page: Page, lift, open_page):
    return 'form[action="/account/email"]', open_and_fill(page, "/account", {
        "#new_email": "new-address@example.com", "#email_password": PASSWORD})


def password(page: Page, lift, open_page):
    return 'form[action="/account/password"]', open_and_fill(page, "/account", {
        "#current_password": PASSWORD, "#new_password": "a brand new long password"})


def name_for_a_patient(page: Page, lift, open_page):
    """The page becomes a clinician's, who accepted this patient's invitation."""
    page.goto("/sharing")
    page.locator("#role-clinician").check()
    page.get_by_role("button", name="Create invitation").click()
    link = page.get_by_label("Invitation link").input_value()
    page.context.clear_cookies()
    page.goto(link)
    page.get_by_label("Email").fill(unique_email("clinician"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account and accept").click()
    page.get_by_text("Give this person a name only you see").click()
    page.get_by_label("Your name for this person").fill("Jane Doe · MRN 0042")
    return "form.name-form", {"#patient-name": "Jane Doe · MRN 0042"}


FORMS = [phq9, gad7, safety_plan, plan_form, new_session, session_move, session_log, reminder_settings,
         invitation, time_zone, times, email, password, name_for_a_patient]


def answer_like_a_proxy(route: Route) -> None:
    if route.request.method == "POST":
        route.fulfill(status=503, content_type="text/html", body=PROXY_503)
    else:
        route.continue_()


@pytest.mark.parametrize("failure", ["proxy-503", "no-signal"])
@pytest.mark.parametrize("fill_in", FORMS, ids=lambda fill_in: fill_in.__name__)
def test_a_form_whose_send_fails_keeps_what_was_typed_and_says_nothing_was_saved(
        patient: Page, lift, open_page: OpenPage, fill_in, failure):
    page = patient
    selector, typed = fill_in(page, lift, open_page)
    form = page.locator(selector)
    address = page.url
    if failure == "no-signal":
        wait_for_worker_control(page)
        page.context.set_offline(True)
    else:
        page.route("**/*", answer_like_a_proxy)
    checked = page.evaluate(CHECKED)

    form.locator('button[type="submit"]').last.click()

    alert = page.get_by_role("alert").filter(has_text="still here")
    expect(alert).to_be_visible()
    expect(alert).to_have_text(re.compile("wasn't sent|not saved|may not be saved|nothing was saved"))
    # Focus goes to the message, or to Get help now before it where the answers call for it.
    if fill_in is phq9:
        help_now = page.get_by_role("region", name="Get help now")
        expect(help_now.get_by_role("heading", level=1).first).to_be_focused()
    else:
        expect(alert).to_be_focused()
    expect(page.get_by_text("503 Service Temporarily Unavailable")).to_have_count(0)
    assert page.url == address
    for field, value in typed.items():
        expect(page.locator(field)).to_have_value(value)
    assert page.evaluate(CHECKED) == checked
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / f"failed-send-{fill_in.__name__}-{failure}.png")


def test_reminder_settings_lift_could_not_save_come_back_chosen_with_the_device_card_working(
        patient: Page, served_database):
    """The settings form is sent by htmx now: Lift's own answer that it could not save them is
    swapped in, and the device card in it is set up again (its page's script does not run again)."""
    patient.goto("/reminders")
    patient.get_by_label("Remind me to check in").check()
    patient.get_by_label("Check-in reminder time").fill("21:40")
    with closing(sqlite3.connect(served_database, timeout=10)) as conn:
        conn.execute("CREATE TRIGGER refuse_reminder_preferences BEFORE INSERT ON reminder_preferences"
                     " BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        conn.commit()
        try:
            patient.get_by_role("button", name="Save reminder settings").click()
            summary = patient.get_by_role("alert").filter(has_text="Nothing was saved because of a problem")
            expect(summary).to_be_focused()
        finally:
            conn.execute("DROP TRIGGER refuse_reminder_preferences")
            conn.commit()
    expect(patient.get_by_label("Check-in reminder time")).to_have_value("21:40")
    expect(patient.locator("[data-push-status]")).not_to_contain_text("hasn't checked this device yet")
    patient.get_by_role("button", name="Save reminder settings").click()
    expect(patient.get_by_role("status").filter(has_text="saved")).to_be_visible()
    expect(patient.locator("[data-push-status]")).not_to_contain_text("hasn't checked this device yet")


def lose_the_answer(route: Route) -> None:
    """Lift gets the form and does what it asks; its answer never reaches the phone."""
    if route.request.method == "POST":
        route.fetch(max_redirects=0)
        route.abort("connectionreset")
    else:
        route.continue_()


def rows_with_key(database: Path, table: str, key: str) -> int:
    with closing(sqlite3.connect(database, timeout=10)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table} WHERE client_uuid = ?", (key,)).fetchone()[0]


@pytest.mark.parametrize("fill_in, table, answer", [
    (new_session, "treatment_sessions", re.compile(r"/treatment/sessions/\d+$")),
    (session_move, "treatment_sessions", re.compile(r"/treatment/sessions/\d+\?notice=moved$")),
    (invitation, "share_invitations", "Invitation ready"),
], ids=["new_session", "session_move", "invitation"])
def test_a_form_whose_answer_was_lost_after_lift_did_it_says_sending_again_is_safe_and_is_done_once(
        patient: Page, lift, open_page: OpenPage, served_database, fill_in, table, answer):
    page = patient
    selector, typed = fill_in(page, lift, open_page)
    form = page.locator(selector)
    key = form.locator('input[name="client_uuid"]').input_value()
    page.route("**/*", lose_the_answer)

    form.locator('button[type="submit"]').last.click()

    alert = page.get_by_role("alert").filter(has_text="Nothing was lost")
    expect(alert).to_be_focused()
    expect(alert).to_contain_text("sending it again is safe")
    for field, value in typed.items():
        expect(page.locator(field)).to_have_value(value)
    assert rows_with_key(served_database, table, key) == 1
    if SCREENSHOTS:
        page.screenshot(path=Path(SCREENSHOTS) / f"answer-lost-{fill_in.__name__}.png")
    page.unroute("**/*", lose_the_answer)
    form.locator('button[type="submit"]').last.click()
    if isinstance(answer, str):
        expect(page.get_by_role("heading", level=1)).to_have_text(answer)
    else:
        expect(page).to_have_url(answer)
    assert rows_with_key(served_database, table, key) == 1


def test_a_form_that_cannot_be_sent_twice_says_to_look_before_sending_again_when_its_answer_is_lost(
        patient: Page, lift, open_page: OpenPage):
    """A new password sent again would be refused (the current one changed): no promise."""
    selector, typed = password(patient, lift, open_page)
    patient.route("**/*", lose_the_answer)
    patient.locator(selector).locator('button[type="submit"]').click()
    alert = patient.get_by_role("alert").filter(has_text="may not be saved")
    expect(alert).to_be_focused()
    expect(alert).to_contain_text("to see whether it changed")
    expect(alert).not_to_contain_text("safe")
    for field, value in typed.items():
        expect(patient.locator(field)).to_have_value(value)


def test_a_keyed_form_changed_after_its_answer_was_lost_is_sent_as_a_new_one(
        patient: Page, lift, open_page: OpenPage, served_database):
    """A key stands for one set of answers: with the first key, Lift would answer with the
    invitation the first send made, to the name typed first."""
    selector, _ = invitation(patient, lift, open_page)
    form = patient.locator(selector)
    first_key = form.locator('input[name="client_uuid"]').input_value()
    patient.route("**/*", lose_the_answer)
    form.get_by_role("button", name="Create invitation").click()
    expect(patient.get_by_role("alert").filter(has_text="Nothing was lost")).to_be_focused()
    patient.unroute("**/*", lose_the_answer)
    patient.get_by_label("Their name").fill("Dr Rivera-Lee")
    form.get_by_role("button", name="Create invitation").click()
    expect(patient.get_by_text("Send Dr Rivera-Lee the link or the code.")).to_be_visible()
    assert rows_with_key(served_database, "share_invitations", first_key) == 1
