"""Lift with no signal, in Chromium: the shell, the check-in form and Get help now open offline;
a check-in made offline shows Get help now at once when it reports suicidal thoughts, is kept
on the phone, and arrives exactly once when the signal returns; refusals, expired sessions and
conflicts are shown and settled by the patient; signing out leaves nothing of the patient behind.

"No signal" is tested two ways: Playwright's context.set_offline, and this module's own server
stopped outright (a refused connection reaches the service worker's fetches too).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import (
    PASSWORD,
    REPO_ROOT,
    Lift,
    OpenPage,
    wait_for_worker_control,
)
from tests.browser.servers import StoppableServer, wait_until
from tests.browser.test_accessibility import LAYOUT_SHIFT, set_text_size

pytestmark = pytest.mark.browser

SCREENSHOT = REPO_ROOT / "docs" / "screenshots" / "offline.png"
ENDING_LIFE = "Thoughts of ending my life"
SAVED_OFFLINE = "Saved on this phone, will sync"
QUEUE_LENGTH = "() => LiftQueue.all().then((entries) => entries.length)"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoppableServer]:
    lift_server = StoppableServer(tmp_path_factory.mktemp("lift-offline"))
    lift_server.start()
    try:
        yield lift_server
    finally:
        lift_server.stop()


@pytest.fixture
def opener(browser: Browser, server: StoppableServer) -> Iterator[OpenPage]:
    pages = OpenPage(browser, server.url)
    try:
        yield pages
    finally:
        pages.close()
        # A test that stopped the server always leaves it running for the next one.
        if not server.running:
            server.start()


@pytest.fixture
def phone(opener: OpenPage) -> Page:
    return opener()


def sign_up_with_worker(page: Page, lift: Lift) -> str:
    """A new patient, on a page the service worker controls with everything precached."""
    email = lift.sign_up(page)
    wait_for_worker_control(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    return email


def user_id(server: StoppableServer, email: str) -> int:
    return server.query("SELECT id FROM users WHERE email = ?", (email,))[0][0]


def checkins_of(server: StoppableServer, email: str) -> list[tuple]:
    return server.query(
        "SELECT local_date, mood, sleep_hours, thoughts, note, client_uuid FROM checkins WHERE user_id = ?",
        (user_id(server, email),),
    )


def crisis_region(page: Page):
    return page.get_by_role("region", name="Get help now")


def assert_crisis_links(page: Page) -> None:
    region = crisis_region(page)
    expect(region).to_be_visible()
    # 988 to call and to text, the Crisis Text Line with its keyword, the emergency number.
    expect(region.locator('a[href="tel:988"]')).to_have_count(1)
    expect(region.locator('a[href="sms:988"]')).to_have_count(1)
    expect(region.locator('a[href="sms:741741?&body=HOME"]')).to_have_count(1)
    expect(region.locator('a[href="tel:911"]')).to_have_count(1)
    expect(region).to_contain_text("not monitored in real time")


def assert_opens_offline(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="You're offline")).to_be_visible()
    expect(page.get_by_role("link", name="Get help now")).to_be_visible()

    page.goto("/checkin")
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Check in as usual")).to_be_visible()
    days = page.get_by_label("Day").locator("option")
    expect(days).to_have_count(8)
    expect(days.first).to_have_text(re.compile(r"^Today, "))

    page.goto("/help")
    expect(page.get_by_role("heading", name="Get help now")).to_be_visible()
    assert_crisis_links(page)

    page.goto("/learn")
    expect(page.get_by_role("heading", name="Learn")).to_be_visible()
    page.get_by_role("link").filter(has_text=re.compile("suicid", re.I)).first.click()
    expect(page.get_by_text(re.compile(r"^Source: "))).to_be_visible()


def test_a_page_the_worker_did_not_claim_asks_and_is_controlled(phone, lift):
    # activate's clients.claim() skips a page still loading at that moment (the page a new
    # patient lands on after signing up, now and then); a hard reload leaves a page
    # uncontrolled the same way, on demand. The page asks the worker to claim it.
    sign_up_with_worker(phone, lift)
    phone.context.new_cdp_session(phone).send("Page.reload", {"ignoreCache": True})
    phone.wait_for_load_state("load")
    wait_for_worker_control(phone, timeout_ms=10_000)
    phone.context.set_offline(True)
    assert_opens_offline(phone)


def test_it_opens_home_the_check_in_form_get_help_now_and_the_cards_with_the_connection_off(phone, lift):
    sign_up_with_worker(phone, lift)
    phone.context.set_offline(True)
    assert_opens_offline(phone)


def test_it_opens_them_with_the_server_unreachable_too(phone, lift, server):
    sign_up_with_worker(phone, lift)
    server.stop()
    assert_opens_offline(phone)


PROXY_ERROR = ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
               "</center><hr><center>nginx</center></body></html>")


def test_a_proxys_error_page_never_stands_in_for_get_help_or_the_check_in(phone, lift):
    """While Lift restarts behind its reverse proxy, the proxy answers "502 Bad Gateway". The
    worker passed that page on as if it were Lift's: Get help (typed, or tapped in the top bar)
    and the check-in showed a bare error page with no help on it. They open the kept copies."""
    sign_up_with_worker(phone, lift)
    lift.write_safety_plan(phone, {"1. Warning signs": "Staying in bed all day"}, "Dr Rivera", "(312) 555-0142")
    wait_until(phone, "() => LiftQueue.plan().then((plan) => Boolean(plan))")
    # The context's routes see the worker's own fetches.
    for path in ("/help", "/checkin", "/trends"):
        phone.context.route(f"**{path}", lambda route: route.fulfill(status=502, content_type="text/html",
                                                                      body=PROXY_ERROR))

    phone.goto("/help")
    assert_crisis_links(phone)
    expect(crisis_region(phone)).to_contain_text("Staying in bed all day")  # the plan kept on the phone

    phone.goto("/checkin")
    expect(phone.get_by_role("heading", name="Daily check-in")).to_be_visible()
    expect(phone.get_by_role("status").filter(has_text="Check in as usual")).to_be_visible()

    phone.goto("/trends")  # no kept copy: the offline page, with its way to help
    expect(phone.get_by_role("heading", name="You're offline")).to_be_visible()
    phone.get_by_role("link", name="Get help", exact=True).click()  # the top bar's, a boosted link
    assert_crisis_links(phone)
    expect(phone.get_by_text("Bad Gateway")).to_have_count(0)


def test_a_check_in_made_offline_shows_help_at_once_and_arrives_exactly_once(phone, lift, server, opener):
    email = sign_up_with_worker(phone, lift)
    phone.goto("/checkin")
    phone.context.set_offline(True)
    lift.fill_checkin(phone, mood=2, anxiety=8, sleep="4.5", thoughts=ENDING_LIFE, note="On the night bus")
    phone.get_by_role("button", name="Save check-in").click()

    # Get help now first, from the page itself, before anything is sent.
    assert_crisis_links(phone)
    expect(crisis_region(phone)).to_contain_text("Please reach out to someone now")
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    assert phone.evaluate("document.activeElement.id") == "crisis-title"
    expect(phone.locator("#offline-queue")).to_contain_text("will sync")
    assert checkins_of(server, email) == []

    phone.context.set_offline(False)
    expect(phone.get_by_role("status").filter(has_text="Sent to Lift")).to_be_visible()
    expect(phone.locator("#offline-queue")).to_have_count(0)
    stored = checkins_of(server, email)
    assert [row[1:5] for row in stored] == [(2, 4.5, 2, "On the night bus")]
    key = stored[0][5]
    assert re.fullmatch(r"[0-9a-f-]{36}", key)

    # The same UUID replayed over HTTP three times (a lost response, a background sync racing
    # the page) still stores one check-in.
    session = phone.request.get("/offline/session").json()
    form = {"local_date": stored[0][0], "mood": "2", "anxiety": "8", "sleep_hours": "4.5", "thoughts": "2",
            "note": "On the night bus", "client_uuid": key, "on_conflict": "ask", "_csrf_token": session["csrf"]}
    for _ in range(3):
        response = phone.request.post("/checkin", form=form, headers={"accept": "application/json"})
        assert response.status == 200 and response.json()["status"] == "saved"
    assert checkins_of(server, email) == stored
    assert opener.console(phone).csp_violations == []


def test_with_the_server_stopped_the_kept_form_works_and_sends_on_the_next_open(phone, lift, server, opener):
    email = sign_up_with_worker(phone, lift)
    server.stop()
    phone.goto("/checkin")
    expect(phone.get_by_role("heading", name="Daily check-in")).to_be_visible()
    lift.fill_checkin(phone, mood=3, anxiety=7, sleep="5 hours", thoughts=ENDING_LIFE)
    phone.get_by_role("button", name="Save check-in").click()
    assert_crisis_links(phone)
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    # Hours typed with their unit (Lift reads "5 hours") are shown once with "h".
    expect(phone.locator("main dl.summary").first.locator("dd").nth(2)).to_have_text("5 h")
    phone.evaluate("window.scrollTo(0, 0)")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOT))

    # Still no signal: opening Lift again keeps it waiting, and still shows it.
    phone.goto("/")
    expect(phone.locator("#offline-queue")).to_contain_text("will sync")
    assert phone.evaluate(QUEUE_LENGTH) == 1

    server.start()
    phone.goto("/")
    expect(phone.get_by_role("status").filter(has_text="Sent to Lift")).to_be_visible()
    assert [row[1:4] for row in checkins_of(server, email)] == [(3, 5.0, 2)]
    assert phone.evaluate(QUEUE_LENGTH) == 0
    assert [m for m in opener.console(phone).messages if m.startswith("pageerror")] == []


def test_a_refused_check_in_is_kept_with_the_reason_and_can_be_fixed_and_resent(phone, lift, server):
    email = sign_up_with_worker(phone, lift)
    server.stop()
    phone.goto("/checkin")
    lift.fill_checkin(phone, sleep="7.3", days_ago=1)
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    expect(crisis_region(phone)).to_have_count(0)

    server.start()
    phone.goto("/")
    queued = phone.locator("#offline-queue")
    expect(queued).to_contain_text("Lift couldn't save it")
    expect(queued).to_contain_text("in half hours")
    assert checkins_of(server, email) == []
    # Never dropped: it is still there after another open.
    phone.reload()
    expect(queued).to_contain_text("in half hours")

    queued.get_by_role("link", name="Fix and resend").click()
    expect(phone.get_by_role("alert")).to_contain_text("in half hours")
    expect(phone.get_by_label("Sleep last night")).to_have_value("7.3")
    phone.get_by_label("Sleep last night").fill("7.5")
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name="Check-in saved")).to_be_visible()
    expect(phone.locator("#offline-queue")).to_have_count(0)
    assert [row[2] for row in checkins_of(server, email)] == [7.5]
    assert phone.evaluate(QUEUE_LENGTH) == 0


def test_a_check_in_queued_when_the_session_expired_waits_for_sign_in_then_goes(phone, lift, server):
    email = sign_up_with_worker(phone, lift)
    phone.goto("/checkin")
    phone.context.set_offline(True)
    lift.fill_checkin(phone, mood=7)
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    server.execute("DELETE FROM sessions WHERE user_id = ?", (user_id(server, email),))

    phone.context.set_offline(False)
    queued = phone.locator("#offline-queue")
    expect(queued).to_contain_text("you're signed out")
    assert checkins_of(server, email) == []

    queued.get_by_role("link", name="Sign in").click()
    phone.get_by_label("Email").fill(email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("status").filter(has_text="Sent to Lift")).to_be_visible()
    assert [row[1] for row in checkins_of(server, email)] == [7]


def phone_and_laptop_disagree(phone: Page, lift: Lift, opener: OpenPage, on_phone: dict,
                              on_laptop: dict) -> tuple[str, Locator]:
    """Today checked in offline on the phone, then differently on a laptop; the phone's signal
    comes back. The patient's email and the phone's queue, showing the conflict."""
    email = sign_up_with_worker(phone, lift)
    phone.goto("/checkin")
    phone.context.set_offline(True)
    lift.fill_checkin(phone, **on_phone)
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    laptop = opener()
    lift.sign_in(laptop, email)
    lift.check_in(laptop, **on_laptop)
    phone.context.set_offline(False)
    queued = phone.locator("#offline-queue")
    expect(queued).to_contain_text("already has a different check-in")
    return email, queued


def test_a_day_already_checked_in_from_another_device_shows_both_and_the_patient_chooses(
    phone, lift, server, opener
):
    email, queued = phone_and_laptop_disagree(phone, lift, opener, {"mood": 2, "note": "From my phone"},
                                              {"mood": 8, "note": "From my laptop"})
    expect(queued).to_contain_text("From my phone")
    expect(queued).to_contain_text("From my laptop")
    expect(queued.locator("[data-thoughts-warning]")).to_have_count(0)  # neither reports thoughts
    assert [row[1] for row in checkins_of(server, email)] == [8]

    queued.get_by_role("button", name="Keep the one from this phone").click()
    expect(phone.get_by_role("status").filter(has_text="Sent to Lift")).to_be_visible()
    assert [(row[1], row[4]) for row in checkins_of(server, email)] == [(2, "From my phone")]
    assert phone.evaluate(QUEUE_LENGTH) == 0


def test_a_conflict_says_when_only_the_phone_holds_a_thoughts_answer(phone, lift, server, opener):
    _, queued = phone_and_laptop_disagree(phone, lift, opener, {"mood": 2, "thoughts": ENDING_LIFE},
                                          {"mood": 8})  # thoughts "None" on the laptop
    expect(queued.locator("[data-thoughts-warning]")).to_contain_text(
        "Keeping the saved one would leave that answer out of your journal")


def test_keeping_the_saved_check_in_removes_the_one_on_the_phone(phone, lift, server, opener):
    email = sign_up_with_worker(phone, lift)
    lift.check_in(phone, mood=8, note="Saved first")
    phone.context.set_offline(True)
    phone.goto("/checkin")
    lift.fill_checkin(phone, mood=1)
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    phone.context.set_offline(False)
    queued = phone.locator("#offline-queue")
    queued.get_by_role("button", name="Keep the saved one").click()
    expect(queued).to_have_count(0)
    assert [(row[1], row[4]) for row in checkins_of(server, email)] == [(8, "Saved first")]
    assert phone.evaluate(QUEUE_LENGTH) == 0


def cached_text(page: Page) -> str:
    """Every response body in every cache this origin has, as one string."""
    return page.evaluate(
        """async () => {
            const texts = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) {
                    const response = await cache.match(request);
                    texts.push(request.url + "\\n" + await response.clone().text());
                }
            }
            return texts.join("\\n");
        }"""
    )


def plan_kept_then_no_signal(phone: Page, lift: Lift, server: StoppableServer, steps: dict[str, str]) -> None:
    """A new patient writes a plan (these steps, and Dr Rivera's number), which the phone keeps;
    then the signal goes."""
    sign_up_with_worker(phone, lift)
    lift.write_safety_plan(phone, steps, "Dr Rivera", "(312) 555-0142")
    wait_until(phone, "() => LiftQueue.plan().then((plan) => Boolean(plan))")
    server.stop()


def expect_call_dr_rivera(region: Locator) -> None:
    expect(region.get_by_role("link", name=re.compile("Call Dr Rivera"))).to_have_attribute("href", "tel:3125550142")


def test_the_patients_own_safety_plan_opens_with_no_signal(phone, lift, server):
    """The kept pages are made for nobody; the plan comes from the phone, where the patient's
    own page left it (and sign-out deletes it: the next test)."""
    plan_kept_then_no_signal(phone, lift, server, {"1. Warning signs": "Staying in bed all day"})

    phone.goto("/help")
    region = crisis_region(phone)
    assert_crisis_links(phone)
    expect_call_dr_rivera(region)
    expect(region).to_contain_text("Staying in bed all day")

    phone.goto("/safety-plan")
    expect(phone.get_by_role("heading", name="My safety plan", level=1)).to_be_visible()
    expect(phone.get_by_text("Staying in bed all day")).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Call Dr Rivera"))).to_be_visible()

    phone.goto("/checkin")
    lift.fill_checkin(phone, thoughts=ENDING_LIFE)
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    region = crisis_region(phone)
    expect(region).to_contain_text("Staying in bed all day")
    expect_call_dr_rivera(region)


def test_with_no_signal_a_care_teams_number_alone_is_a_button_never_an_empty_plan(phone, lift, server):
    """A plan saved with the care team's number and no steps: Get help now with no signal showed
    an empty "My safety plan" under the call button, and the kept plan page an empty plan."""
    plan_kept_then_no_signal(phone, lift, server, {})

    phone.goto("/help")
    region = crisis_region(phone)
    assert_crisis_links(phone)
    expect_call_dr_rivera(region)
    expect(region.get_by_text("My safety plan")).to_have_count(0)

    phone.goto("/safety-plan")
    expect(phone.get_by_text("Your plan has no steps written yet")).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Call Dr Rivera"))).to_be_visible()

    phone.goto("/checkin")
    lift.fill_checkin(phone, thoughts="Passing thoughts of death or of not wanting to be here")
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    region = crisis_region(phone)
    # Made for nobody, the kept page's words hold with a plan or without one.
    expect(region).to_contain_text("or turn to your safety plan if you have one.")
    expect_call_dr_rivera(region)
    expect(region.get_by_text("My safety plan")).to_have_count(0)


def test_signing_out_empties_the_queue_and_nothing_personal_is_ever_cached_or_served(phone, lift, server):
    email = sign_up_with_worker(phone, lift)
    lift.write_safety_plan(phone, {"2. Things I can do on my own": "Walk the dog with Sam"}, "Dr Rivera", "555 0100")
    lift.check_in(phone, note="A private note")
    for path in ("/", "/checkin", "/checkins", "/help", "/account"):
        phone.goto(path)
    # A check-in the server refuses stays queued until sign-out.
    phone.context.set_offline(True)
    phone.goto("/checkin")
    lift.fill_checkin(phone, sleep="7.3", days_ago=2, note="Queued and private")
    phone.get_by_role("button", name="Save check-in").click()
    phone.context.set_offline(False)
    expect(phone.locator("#offline-queue")).to_contain_text("Lift couldn't save it")

    private = (email, "Walk the dog", "555 0100", "A private note", "Queued and private", "Dr Rivera")
    cached = cached_text(phone)
    assert "/help" in cached and all(text not in cached for text in private)

    phone.goto("/account")
    phone.get_by_role("button", name="Sign out", exact=True).click()
    expect(phone.get_by_role("status").filter(has_text="You're signed out")).to_be_visible()
    wait_until(phone, "() => LiftQueue.all().then((entries) => entries.length === 0)")
    assert all(text not in cached_text(phone) for text in private)

    # With no signal, nobody's pages come back: only the public copies.
    phone.context.set_offline(True)
    for path in ("/", "/checkin", "/checkins", "/help", "/account", "/safety-plan"):
        phone.goto(path)
        html = phone.content()
        assert all(text not in html for text in private), path


def test_a_page_opened_to_the_signed_out_notice_alone_deletes_nothing(phone, lift, server):
    email = sign_up_with_worker(phone, lift)
    phone.context.set_offline(True)
    phone.goto("/checkin")
    lift.fill_checkin(phone, sleep="7.3")
    # The session runs out (no sign-out here) before the check-in is kept: whoever tries to
    # send it first (the page, or Background Sync in the service worker, which the page's
    # offline switch does not cover) is told "signed out", so it can only stay queued.
    server.execute("DELETE FROM sessions WHERE user_id = ?", (user_id(server, email),))
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    phone.context.set_offline(False)
    # Wait until the page has reached Lift again: Chromium lifts the service worker's offline
    # switch a moment after the page's, and a navigation in between gets the offline page.
    expect(phone.locator("#offline-queue")).to_contain_text("you're signed out")
    # A link to the signed-out page must not empty the queue.
    phone.goto("/signin?notice=signed-out")
    expect(phone.get_by_role("status").filter(has_text="You're signed out")).to_be_visible()
    phone.goto("/")
    expect(phone.locator("#offline-queue")).to_contain_text("you're signed out")
    assert phone.evaluate(QUEUE_LENGTH) == 1


def test_a_phone_with_no_storage_left_says_so_and_keeps_the_answers(phone, lift, server):
    # A full phone, from the start: Chromium applies a quota override to storage made after it.
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": f"{server.url}/", "quotaSize": 1000})
    lift.sign_up(phone)
    phone.goto("/checkin")
    phone.context.set_offline(True)
    lift.fill_checkin(phone, thoughts=ENDING_LIFE, note="Typed on a full phone")
    phone.get_by_role("button", name="Save check-in").click()
    # Get help now shows all the same: it needs no storage.
    assert_crisis_links(phone)
    expect(phone.get_by_role("alert").filter(has_text="no storage space left")).to_be_visible()
    expect(phone.get_by_label("Note")).to_have_value("Typed on a full phone")
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_have_count(0)


def test_a_check_in_made_while_another_account_was_signed_in_never_goes_to_this_one(phone, lift, server):
    first = sign_up_with_worker(phone, lift)
    phone.goto("/checkin")
    phone.context.set_offline(True)
    lift.fill_checkin(phone, mood=1)
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    # The first account's session ends without a sign-out on this phone; someone else signs in.
    server.execute("DELETE FROM sessions WHERE user_id = ?", (user_id(server, first),))
    phone.context.set_offline(False)
    expect(phone.locator("#offline-queue")).to_contain_text("you're signed out")
    phone.context.clear_cookies()
    second = lift.sign_up(phone)
    expect(phone.locator("#offline-queue")).to_contain_text("a different account")
    assert checkins_of(server, second) == [] and checkins_of(server, first) == []
    uuid.UUID(phone.evaluate("LiftQueue.all().then((entries) => entries[0].uuid)"))


@pytest.mark.parametrize(("text_size", "scheme"), [(1.0, "light"), (2.0, "dark")])
def test_check_ins_that_only_wait_to_be_sent_appear_at_the_page_end_and_move_nothing(phone, lift, server, opener,
                                                                                      text_size, scheme):
    # The list needs the phone's storage, so it may come after Today is drawn. Offline, the page
    # and its scripts come from the service worker, which a test cannot slow down, so the test
    # checks where the list lands (below the footer: nothing drawn above it can move) and the shift.
    phone.emulate_media(color_scheme=scheme)
    sign_up_with_worker(phone, lift)
    server.stop()
    phone.goto("/checkin")
    lift.fill_checkin(phone)
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    set_text_size(phone.context.new_cdp_session(phone), text_size)
    phone.goto("/")
    expect(phone.locator("#offline-queue")).to_contain_text("will sync")
    shift = phone.evaluate(LAYOUT_SHIFT)
    assert shift == 0, f"Today moved by {shift:.4f} as the list appeared"
    # Last on the page, after the footer and before the tab bar, where Tab reaches it.
    assert phone.evaluate("""() => document.querySelector("#offline-queue")
        .compareDocumentPosition(document.querySelector("footer")) === Node.DOCUMENT_POSITION_PRECEDING""")
    assert opener.console(phone).csp_violations == []


def test_a_check_in_that_needs_the_patient_is_shown_at_the_top_where_it_is_seen_at_once(phone, lift, server, opener):
    # Refused by Lift: only this phone holds it, so it is not left below the footer.
    sign_up_with_worker(phone, lift)
    server.stop()
    phone.goto("/checkin")
    lift.fill_checkin(phone, sleep="7.3")
    phone.get_by_role("button", name="Save check-in").click()
    expect(phone.get_by_role("heading", name=SAVED_OFFLINE)).to_be_visible()
    server.start()
    phone.goto("/")
    queue = phone.locator("#offline-queue")
    expect(queue).to_contain_text("Lift couldn't save it")
    assert phone.evaluate("""() => document.querySelector("#offline-queue")
        .compareDocumentPosition(document.querySelector("main h1")) === Node.DOCUMENT_POSITION_FOLLOWING""")
    assert queue.bounding_box()["y"] < phone.viewport_size["height"] / 2
    assert opener.console(phone).csp_violations == []
