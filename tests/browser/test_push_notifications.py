"""Reminders in Chromium: the Reminders page asks for permission only after a tap, and the
service worker's push and notificationclick handlers, driven with the DevTools protocol's
ServiceWorker.deliverPushMessage (headless Chromium cannot subscribe to a real push service)."""

from __future__ import annotations

import json
import re
import sqlite3
import time as walltime
import uuid
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from lift.domain import reminders as rules
from tests.browser.conftest import FORGET_SCRIPT, PASSWORD, PHONE, held_until_first_paint, wait_for_worker_control
from tests.browser.test_accessibility import LAYOUT_SHIFT, NARROWEST, set_text_size

pytestmark = pytest.mark.browser

# Counts permission requests, so a test can tell whether the page asked on its own.
COUNT_PERMISSION_REQUESTS = """
window.__permissionRequests = 0;
if (window.Notification) {
  const original = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { window.__permissionRequests += 1; return original(...args); };
}
"""


def checkin_push(day: date) -> str:
    """Exactly what the server sends for a check-in reminder, by the server's own rules."""
    ctx = rules.PatientContext(user_id=1, timezone="UTC")
    occ = next(o for o in rules.checkin_occurrences(ctx, datetime.combine(day, time(12), tzinfo=UTC))
               if o.local_date == day)
    return rules.payload(rules.notification_for(occ, ctx))


def service_worker_registration(context: BrowserContext, page: Page, origin: str) -> str:
    """Register /sw.js as the page would, wait until it controls the page, return its CDP id."""
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.evaluate("navigator.serviceWorker.register('/sw.js', {scope: '/'}).then(() => navigator.serviceWorker.ready)"
                  ".then(() => true)")
    wait_for_worker_control(page)
    deadline = walltime.monotonic() + 5
    while walltime.monotonic() < deadline:
        live = [r for r in registrations if r["scopeURL"] == origin + "/" and not r["isDeleted"]]
        if live:
            page.cdp = cdp  # keep the session (and its listener) alive with the page
            return live[-1]["registrationId"]
        page.wait_for_timeout(50)
    raise AssertionError("the service worker registration never showed up")


def push(page: Page, origin: str, registration_id: str, data: str) -> None:
    page.cdp.send("ServiceWorker.deliverPushMessage", {"origin": origin, "registrationId": registration_id,
                                                        "data": data})


def shown_notifications(page: Page) -> list[dict]:
    return page.evaluate("navigator.serviceWorker.ready.then((r) => r.getNotifications())"
                         ".then((all) => all.map((n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))")


def wait_for_notifications(page: Page, count: int = 1) -> list[dict]:
    deadline = walltime.monotonic() + 5
    while walltime.monotonic() < deadline:
        found = shown_notifications(page)
        if len(found) >= count:
            return found
        page.wait_for_timeout(50)
    raise AssertionError("no notification was shown")


def test_the_reminders_page_asks_for_permission_only_after_a_tap(patient: Page, console):
    patient.context.add_init_script(COUNT_PERMISSION_REQUESTS)
    patient.goto("/account")
    patient.get_by_role("link", name="Reminders").click()
    expect(patient.get_by_role("heading", name="Reminders", level=1)).to_be_visible()
    turn_on = patient.get_by_role("button", name="Turn on reminders on this device")
    expect(turn_on).to_be_visible()
    expect(patient.locator("[data-push-status]")).to_have_text("This device doesn't get reminders yet.")
    assert patient.evaluate("window.__permissionRequests") == 0

    # Headless Chromium refuses, as a patient who taps Block does. The page said "Reminders are
    # still off" and kept a button that could no longer do anything, and only after a reload
    # that notifications were blocked and how to allow them.
    turn_on.click()
    expect(patient.locator("[data-push-status]")).to_have_text("Notifications from Lift are blocked.")
    expect(patient.locator("[data-push-advice]")).to_have_text(
        "To get reminders, allow them in this browser's settings, then reload this page. Or use the calendar link below.")
    expect(turn_on).to_be_hidden()
    expect(patient.locator("[data-push-status]")).to_be_focused()
    assert patient.evaluate("window.__permissionRequests") == 1
    assert console.csp_violations == []
    assert console.errors() == []


def test_a_push_shows_the_generic_notification_and_a_tap_opens_the_checkin(patient: Page, live_server: str):
    context = patient.context
    context.grant_permissions(["notifications"], origin=live_server)
    patient.goto("/reminders")
    registration = service_worker_registration(context, patient, live_server)
    day = date.today() - timedelta(days=1)

    push(patient, live_server, registration, checkin_push(day))

    [shown] = wait_for_notifications(patient)
    assert shown["title"] == "Lift: time for your check-in"
    assert shown["body"] == "Open Lift to see it."
    assert shown["tag"] == f"checkin-{day.isoformat()}"
    assert shown["data"]["url"] == f"{live_server}/checkin?day={day.isoformat()}"

    # DevTools cannot click a notification, so the worker is handed the event a click fires.
    [worker] = context.service_workers
    worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications();
        self.dispatchEvent(new NotificationEvent("notificationclick", {notification}));
    }""")
    expect(patient).to_have_url(re.compile(rf"/checkin\?day={day.isoformat()}$"))
    expect(patient.get_by_role("heading", name="Daily check-in")).to_be_visible()
    assert shown_notifications(patient) == []  # the tap closed it


def test_the_same_reminder_arriving_twice_shows_once(patient: Page, live_server: str):
    context = patient.context
    context.grant_permissions(["notifications"], origin=live_server)
    patient.goto("/reminders")
    registration = service_worker_registration(context, patient, live_server)
    data = checkin_push(date.today())
    push(patient, live_server, registration, data)
    wait_for_notifications(patient)
    push(patient, live_server, registration, data)
    patient.wait_for_timeout(300)
    assert len(shown_notifications(patient)) == 1


def test_a_push_it_cannot_read_still_shows_a_generic_note_and_never_leaves_the_site(patient: Page, live_server: str):
    context = patient.context
    context.grant_permissions(["notifications"], origin=live_server)
    patient.goto("/reminders")
    registration = service_worker_registration(context, patient, live_server)

    push(patient, live_server, registration, "not json")
    push(patient, live_server, registration, json.dumps({"title": "Lift: x", "url": "https://evil.example/", "tag": "x"}))

    shown = {n["title"]: n for n in wait_for_notifications(patient, count=2)}
    assert shown["Lift: you have a reminder"]["data"]["url"] == f"{live_server}/"
    assert shown["Lift: x"]["data"]["url"] == f"{live_server}/"


def fake_push_service(endpoint: str) -> str:
    """Headless Chromium cannot reach a push service, so its PushManager is replaced by one
    that hands out a subscription with real keys (the server checks them) and records whether
    the page unsubscribed (the next subscription gets a new endpoint). The state lives in sessionStorage so it survives navigations."""
    import base64
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    p256dh = b64url(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    subscription = {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": p256dh, "auth": b64url(os.urandom(16))}}
    return """
(() => {
  const json = %s;
  // The server key the subscription was made with, kept as a list of bytes.
  const key = () => Uint8Array.from(JSON.parse(sessionStorage.getItem("fake-push-key") || "[]")).buffer;
  // As a real push service does, a subscription made after unsubscribing has a new endpoint.
  const generation = () => Number(sessionStorage.getItem("fake-push-generation") || "0");
  const current = () => ({ ...json, endpoint: json.endpoint + (generation() ? "/" + generation() : "") });
  const fake = {
    get endpoint() { return current().endpoint; },
    get options() { return { applicationServerKey: key() }; },
    toJSON: current,
    unsubscribe: async () => {
      sessionStorage.setItem("fake-push", "unsubscribed");
      sessionStorage.setItem("fake-push-generation", String(generation() + 1));
      return true;
    },
  };
  PushManager.prototype.getSubscription = async function () {
    return sessionStorage.getItem("fake-push") === "subscribed" ? fake : null;
  };
  PushManager.prototype.subscribe = async function (options) {
    sessionStorage.setItem("fake-push", "subscribed");
    sessionStorage.setItem("fake-push-key", JSON.stringify([...new Uint8Array(options.applicationServerKey)]));
    return fake;
  };
})();
""" % json.dumps(subscription)


def test_a_device_subscribed_with_a_replaced_server_key_is_offered_reminders_again(page: Page, live_server: str,
                                                                                     lift, console):
    # After the VAPID keys are rotated, this browser's subscription still names the old key:
    # no message Lift sends can reach it, so the page must not say the device gets reminders.
    lift.sign_up(page)
    page.context.grant_permissions(["notifications"], origin=live_server)
    page.context.add_init_script(fake_push_service("https://push.example.com/lift-rotated-key-test"))
    page.goto("/reminders")
    page.get_by_role("button", name="Turn on reminders on this device").click()
    expect(page.locator("[data-push-status]")).to_have_text("This device gets your reminders.")

    page.evaluate("sessionStorage.setItem('fake-push-key', JSON.stringify([4, 1, 2, 3]))")  # the old key
    page.reload()
    expect(page.get_by_role("button", name="Turn on reminders on this device")).to_be_visible()
    expect(page.get_by_role("button", name="Turn off reminders on this device")).to_be_hidden()
    expect(page.locator(".device__this")).to_be_hidden()
    assert console.errors() == []


def test_signing_out_stops_this_phones_reminders(page: Page, live_server: str, lift, console):
    email = lift.sign_up(page)
    page.context.grant_permissions(["notifications"], origin=live_server)
    page.context.add_init_script(fake_push_service("https://push.example.com/lift-sign-out-test"))
    page.goto("/reminders")
    page.get_by_role("button", name="Turn on reminders on this device").click()
    expect(page.locator(".device")).to_have_count(1)
    expect(page.locator(".device__this")).to_be_visible()  # the page knows it is this phone

    page.goto("/account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="You're signed out")).to_be_visible()
    page.wait_for_function("() => sessionStorage.getItem('fake-push') === 'unsubscribed'")

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    page.goto("/reminders")
    expect(page.get_by_text("No device gets reminders yet.")).to_be_visible()  # the server forgot it too
    assert console.csp_violations == []
    assert console.errors() == []


def device_endpoints(database: Path, email: str) -> list[str]:
    with closing(sqlite3.connect(database, timeout=10)) as conn:
        return [row[0] for row in conn.execute(
            "SELECT s.endpoint FROM push_subscriptions s JOIN users u ON u.id = s.user_id WHERE u.email = ?",
            (email,))]


def test_a_device_lift_dropped_is_told_so_and_turning_on_again_makes_a_new_subscription(
        page: Page, live_server: str, lift, console, served_database: Path):
    # The push service answered 404/410 to a reminder, so Lift deleted this device; the browser
    # may still hold that dead subscription. Sending it again would look like success on the
    # page while every reminder went nowhere.
    endpoint = "https://push.example.com/lift-gone-test"
    email = lift.sign_up(page)
    page.context.grant_permissions(["notifications"], origin=live_server)
    page.context.add_init_script(fake_push_service(endpoint))
    page.goto("/reminders")
    page.get_by_role("button", name="Turn on reminders on this device").click()
    expect(page.locator("[data-push-status]")).to_have_text("This device gets your reminders.")
    with closing(sqlite3.connect(served_database, timeout=10)) as conn:  # what a 410 makes the sender do
        conn.execute("DELETE FROM push_subscriptions WHERE endpoint = ?", (endpoint,))
        conn.commit()

    page.reload()
    expect(page.locator("[data-push-status]")).to_have_text("Reminders are off on this device.")
    expect(page.locator("[data-push-advice]")).to_have_text(
        "It may have been removed from your list, or this browser stopped them.")
    page.get_by_role("button", name="Turn on reminders on this device").click()
    expect(page.locator("[data-push-status]")).to_have_text("This device gets your reminders.")
    assert device_endpoints(served_database, email) == [endpoint + "/1"]
    assert console.errors() == []


PERMISSION_HINT = "Your browser asks for permission only after you tap the button."


def test_the_permission_hint_shows_only_while_the_browser_has_not_asked(patient: Page, live_server: str):
    # Once notifications are allowed, a tap asks nothing, yet the hint said it would, beside
    # both "Turn on" and "Turn off". Its place says where the browser stands instead.
    patient.context.add_init_script(fake_push_service("https://push.example.com/lift-hint-test"))
    patient.goto("/reminders")
    status = patient.locator("[data-push-status]")
    expect(status).to_have_text("This device doesn't get reminders yet.")
    expect(patient.get_by_text(PERMISSION_HINT)).to_be_visible()

    patient.context.grant_permissions(["notifications"], origin=live_server)
    patient.reload()
    expect(status).to_have_text("This device doesn't get reminders yet.")
    expect(patient.get_by_role("button", name="Turn on reminders on this device")).to_be_visible()
    expect(patient.get_by_text(PERMISSION_HINT)).to_be_hidden()
    expect(patient.get_by_text("Notifications from Lift are already allowed in this browser.")).to_be_visible()

    patient.get_by_role("button", name="Turn on reminders on this device").click()
    expect(status).to_have_text("This device gets your reminders.")
    expect(patient.get_by_text(PERMISSION_HINT)).to_be_hidden()
    expect(patient.get_by_text("Notifications from Lift are already allowed")).to_be_hidden()
    expect(patient.get_by_text("To see how a reminder looks here, send a test from the list below.")).to_be_visible()


# What Chromium's subscribe answers in a private (incognito) window, with notifications allowed.
PRIVATE_WINDOW_PUSH = """
PushManager.prototype.subscribe = async function () {
  throw new DOMException("Registration failed - permission denied", "NotAllowedError");
};
"""


def test_a_browser_that_cannot_get_reminders_is_told_so_in_plain_words(patient: Page, live_server: str, console):
    # The page said "Lift couldn't turn reminders on. Try again in a moment. (Registration
    # failed - permission denied)": the browser's own words, and a retry that fails for good.
    patient.context.grant_permissions(["notifications"], origin=live_server)
    patient.context.add_init_script(PRIVATE_WINDOW_PUSH)
    patient.goto("/reminders")
    patient.get_by_role("button", name="Turn on reminders on this device").click()
    expect(patient.locator("[data-push-status]")).to_have_text("This browser couldn't turn reminders on.")
    expect(patient.locator("[data-push-advice]")).to_have_text(
        "Private or incognito windows, and some browsers, can't get reminders. Try a regular window, or use the calendar link below.")
    card = patient.locator("#push-device")
    expect(card).not_to_contain_text("Registration failed")
    expect(card).not_to_contain_text("Try again")
    assert console.errors() == []


def test_turning_reminders_on_without_a_connection_says_to_try_again(patient: Page, live_server: str):
    patient.context.grant_permissions(["notifications"], origin=live_server)
    patient.context.add_init_script(fake_push_service("https://push.example.com/lift-no-signal-test"))
    patient.goto("/reminders")
    patient.context.route("**/reminders/subscriptions", lambda route: route.abort("internetdisconnected"))
    patient.get_by_role("button", name="Turn on reminders on this device").click()
    expect(patient.locator("[data-push-status]")).to_have_text("Lift couldn't turn reminders on.")
    expect(patient.locator("[data-push-advice]")).to_have_text("Check your internet connection, then try again.")
    expect(patient.get_by_role("button", name="Turn on reminders on this device")).to_be_enabled()
    patient.context.unroute("**/reminders/subscriptions")


def reminders_on(patient: Page, live_server: str, endpoint: str) -> None:
    patient.context.grant_permissions(["notifications"], origin=live_server)
    patient.context.add_init_script(fake_push_service(endpoint))
    patient.goto("/reminders")
    patient.get_by_role("button", name="Turn on reminders on this device").click()
    expect(patient.locator("[data-push-status]")).to_have_text("This device gets your reminders.")


# What a browser says when it cannot read its own push subscription (its storage failed).
UNREADABLE_SUBSCRIPTION = """
PushManager.prototype.getSubscription = async function () {
  throw new DOMException("Failed to read the push subscription: storage error", "AbortError");
};
"""


def test_turning_reminders_off_without_a_connection_says_to_try_again(patient: Page, live_server: str, console):
    # The page said "Try again in a moment. (Failed to fetch)": the browser's own words.
    reminders_on(patient, live_server, "https://push.example.com/lift-off-no-signal-test")
    patient.context.route("**/reminders/subscriptions/remove", lambda route: route.abort("internetdisconnected"))
    patient.get_by_role("button", name="Turn off reminders on this device").click()
    expect(patient.locator("[data-push-status]")).to_have_text("Lift couldn't turn reminders off.")
    expect(patient.locator("[data-push-advice]")).to_have_text("Check your internet connection, then try again.")
    expect(patient.locator("#push-device")).not_to_contain_text("Failed to fetch")
    expect(patient.get_by_role("button", name="Turn off reminders on this device")).to_be_enabled()
    patient.context.unroute("**/reminders/subscriptions/remove")


def test_a_browser_that_cannot_turn_reminders_off_is_told_so_in_plain_words(patient: Page, live_server: str,
                                                                            console):
    reminders_on(patient, live_server, "https://push.example.com/lift-off-unreadable-test")
    patient.evaluate(f"() => {{ {UNREADABLE_SUBSCRIPTION} }}")
    patient.get_by_role("button", name="Turn off reminders on this device").click()
    expect(patient.locator("[data-push-status]")).to_have_text("This browser couldn't turn reminders off.")
    expect(patient.locator("[data-push-advice]")).to_have_text(
        "Reload the page and try again, or tap Remove beside this device in the list below.")
    expect(patient.locator("#push-device")).not_to_contain_text("storage error")
    assert console.errors() == []


def test_turning_reminders_off_says_they_are_off_once_lift_has_forgotten_the_device(
        patient: Page, live_server: str, console):
    # Lift removed the device, then the browser failed to drop its own copy: the page said
    # "Lift couldn't turn reminders off. Try again in a moment. (…)" though none would come.
    reminders_on(patient, live_server, "https://push.example.com/lift-off-browser-keeps-test")
    patient.evaluate("""async () => {
        const registration = await navigator.serviceWorker.getRegistration("/");
        const subscription = await registration.pushManager.getSubscription();
        subscription.unsubscribe = async () => { throw new DOMException("Unsubscription failed", "AbortError"); };
    }""")
    patient.get_by_role("button", name="Turn off reminders on this device").click()
    expect(patient.get_by_text("No device gets reminders yet.")).to_be_visible()
    expect(patient.locator("[data-push-status]")).to_have_text("Reminders are off on this device.")
    expect(patient.get_by_role("button", name="Turn on reminders on this device")).to_be_visible()
    assert console.errors() == []


def test_a_device_lift_cannot_check_is_told_so_in_plain_words(patient: Page, console):
    # The page said "Reload the page to try again. (…)" with the browser's own words.
    patient.goto("/reminders")
    patient.wait_for_function("async () => Boolean(await navigator.serviceWorker.getRegistration('/'))")
    patient.context.add_init_script(UNREADABLE_SUBSCRIPTION)
    patient.reload()
    expect(patient.locator("[data-push-status]")).to_have_text("Lift couldn't check this device.")
    expect(patient.locator("[data-push-advice]")).to_have_text(
        "Reload the page to try again, or use the calendar link below.")
    expect(patient.locator("#push-device")).not_to_contain_text("storage error")
    assert console.errors() == []


IPHONE_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 16_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                "Version/16.2 Mobile/15E148 Safari/604.1")


def iphone_without_web_push(installed: bool) -> str:
    """Safari on an iPhone offers no Web Push in a tab, nor before iOS 16.4 even on the Home
    Screen; navigator.standalone is Safari's own flag for a page opened from the Home Screen."""
    return """
delete window.PushManager;
delete window.Notification;
Object.defineProperty(Navigator.prototype, "standalone", { get: () => %s });
""" % ("true" if installed else "false")


@pytest.mark.parametrize(("installed", "words", "advice"), [
    (False, "Add Lift to your Home Screen first.",
     "An iPhone or iPad gets reminders only from web apps opened there: see “On an iPhone or iPad?” below."),
    (True, "This needs a newer iOS or iPadOS.",
     "Reminders need version 16.4 or later. Until then, the calendar link below can put your treatment days in "
     "your calendar."),
])
def test_an_iphone_without_web_push_is_told_what_would_make_it_work(open_page, lift, installed, words, advice):
    phone = open_page(user_agent=IPHONE_AGENT)
    phone.context.add_init_script(iphone_without_web_push(installed))
    lift.sign_up(phone)
    phone.goto("/reminders")
    expect(phone.locator("[data-push-status]")).to_have_text(words)
    expect(phone.locator("[data-push-advice]")).to_have_text(advice)
    expect(phone.get_by_role("button", name="Turn on reminders on this device")).to_be_hidden()


def block_notifications(page: Page, origin: str) -> None:
    """The browser's own "Block" for this site, as its settings would set it."""
    context_id = page.context.new_cdp_session(page).send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
    page.context.browser.new_browser_cdp_session().send("Browser.setPermission", {
        "permission": {"name": "notifications"}, "setting": "denied", "origin": origin,
        "browserContextId": context_id})


def device_in(outcome: str, open_page, lift, origin: str, database: Path, scheme: str = "light") -> Page:
    """A signed-in patient's browser in which the Reminders page will find this outcome:
    off, on, dropped (on, then deleted by Lift), blocked, unsupported (no Web Push),
    iPhone (Safari in a tab), old iPhone (on the Home Screen, before iOS 16.4) or unchecked
    (the browser cannot read its own subscription)."""
    iphone = outcome in ("iPhone", "old iPhone")
    page = open_page(color_scheme=scheme, **({"user_agent": IPHONE_AGENT} if iphone else {}))
    if iphone:
        page.context.add_init_script(iphone_without_web_push(installed=outcome == "old iPhone"))
    if outcome == "unsupported":
        page.context.add_init_script("delete window.PushManager;")
    lift.sign_up(page)
    if outcome in ("on", "dropped"):
        endpoint = f"https://push.example.com/lift-shift-test-{uuid.uuid4().hex}"
        page.context.grant_permissions(["notifications"], origin=origin)
        page.context.add_init_script(fake_push_service(endpoint))
        page.goto("/reminders")
        page.get_by_role("button", name="Turn on reminders on this device").click()
        expect(page.locator(".device__this")).to_be_visible()
        if outcome == "dropped":
            with closing(sqlite3.connect(database, timeout=10)) as conn:
                conn.execute("DELETE FROM push_subscriptions WHERE endpoint = ?", (endpoint,))
                conn.commit()
        page.goto("/account")
    if outcome == "blocked":
        block_notifications(page, origin)
    if outcome == "unchecked":
        page.goto("/reminders")
        page.wait_for_function("async () => Boolean(await navigator.serviceWorker.getRegistration('/'))")
        page.context.add_init_script(UNREADABLE_SUBSCRIPTION)
        page.goto("/account")
    return page


# What the device status says until push.js replaces it.
WAITING = "Lift hasn't checked this device yet."


def layout_shift_as_the_status_arrives(page: Page, path: str) -> tuple[float, str]:
    """Opens path with push.js held back until the page is drawn, as on a slow connection, then
    sums every layout shift from the start of the load until the device status is in."""
    with held_until_first_paint(page, "/static/js/push.js") as held:
        page.goto(path)
        status = page.locator("[data-push-status]")
        expect(status).not_to_have_text(re.compile(rf"^$|^{re.escape(WAITING)}$"))
        shift = page.evaluate(LAYOUT_SHIFT)
    assert held, "push.js was not held back"
    return shift, status.inner_text()


# How much taller the status's place is than what it says, in lines of its text.
STATUS_ROOM_TO_SPARE = """() => {
    const status = document.querySelector("[data-push-status]");
    const words = document.createRange();
    words.selectNodeContents(status);
    const line = parseFloat(getComputedStyle(status).lineHeight);
    return (status.parentElement.getBoundingClientRect().height - words.getBoundingClientRect().height) / line;
}"""


# "#push-device" opens the page at this device's card, as Turn on and Turn off leave it (they
# reload the page, which keeps its scroll position); "#devices-title" at the list, where
# "(this device)" appears beside this phone. A 320px screen at 200% text halves the card's
# padding (app.css), which changes the room the status's sentences have.
@pytest.mark.parametrize(("outcome", "text_size", "screen", "scheme", "where", "words"), [
    ("off", 1.0, PHONE, "light", "#push-device", "This device doesn't get reminders yet."),
    ("off", 2.0, PHONE, "dark", "#push-device", "This device doesn't get reminders yet."),
    ("off", 2.0, NARROWEST, "light", "#push-device", "This device doesn't get reminders yet."),
    ("on", 1.0, PHONE, "dark", "#push-device", "This device gets your reminders."),
    ("on", 2.0, PHONE, "light", "#push-device", "This device gets your reminders."),
    ("on", 2.0, NARROWEST, "dark", "#push-device", "This device gets your reminders."),
    ("on", 1.0, PHONE, "light", "#devices-title", "This device gets your reminders."),
    ("on", 2.0, PHONE, "dark", "#devices-title", "This device gets your reminders."),
])
def test_the_device_status_arriving_moves_nothing_on_the_page(open_page, lift, live_server: str, served_database,
                                                             outcome, text_size, screen, scheme, where, words):
    # Off and on are what nearly every patient sees: the room kept for them must fit at the
    # text size the person chose (at 200% lines wrap sooner as well as growing taller), and
    # be no bigger than that, or the card opens on a blank gap.
    page = device_in(outcome, open_page, lift, live_server, served_database, scheme)
    page.set_viewport_size(screen)
    set_text_size(page.context.new_cdp_session(page), text_size)

    shift, status = layout_shift_as_the_status_arrives(page, "/reminders" + where)

    assert status == words
    expect(page.get_by_text("If this doesn't change in a moment")).to_have_count(0)
    assert shift == 0, f"the page moved by {shift:.4f} when push.js said: {status}"
    assert page.evaluate(STATUS_ROOM_TO_SPARE) < 1.01, "the status keeps more than a line of blank room"
    assert open_page.console(page).errors() == []


# What the accessibility checks allow any page while it loads (test_accessibility.py). The
# rarer outcomes add advice in the place of the hint, or of the buttons and the hint when
# neither can be used: written to fit there, it moves the page only where it runs a line over
# at 200% (0.0044 at most today), and a wordier message would break this bound.
RARE_SHIFT_BOUND = 0.01


@pytest.mark.parametrize("text_size", [1.0, 2.0])
@pytest.mark.parametrize(("outcome", "words", "advice"), [
    ("dropped", "Reminders are off on this device.", "removed from your list"),
    ("blocked", "Notifications from Lift are blocked.", "allow them in this browser's settings"),
    ("unsupported", "This browser can't show reminders.", "Try another browser"),
    ("iPhone", "Add Lift to your Home Screen first.", "only from web apps opened there"),
    ("old iPhone", "This needs a newer iOS or iPadOS.", "version 16.4"),
    ("unchecked", "Lift couldn't check this device.", "Reload the page to try again"),
])
def test_rarer_advice_moves_the_page_only_a_little(open_page, lift, live_server: str, served_database,
                                                  outcome, words, advice, text_size):
    page = device_in(outcome, open_page, lift, live_server, served_database, "dark" if text_size > 1 else "light")
    set_text_size(page.context.new_cdp_session(page), text_size)

    shift, status = layout_shift_as_the_status_arrives(page, "/reminders#push-device")

    assert status == words
    expect(page.locator("[data-push-advice]")).to_contain_text(advice)
    assert shift <= RARE_SHIFT_BOUND, f"the page moved by {shift:.4f} when push.js said: {status}"
    assert open_page.console(page).errors() == []


def test_without_push_js_the_card_says_what_to_do(patient: Page):
    # JavaScript on, but push.js never arrives (blocked, or its download failed): the card says
    # where it stands and what to try, in place of a blank status and a hint about a button.
    patient.evaluate(FORGET_SCRIPT, "/static/js/push.js")
    patient.context.route("**/static/js/push.js*", lambda route: route.abort())
    patient.goto("/reminders")
    expect(patient.locator("[data-push-status]")).to_have_text(WAITING)
    expect(patient.get_by_text("If this doesn't change in a moment, reload the page.")).to_be_visible()
    expect(patient.get_by_text("Your browser asks for permission")).to_be_hidden()
    expect(patient.get_by_role("button", name="Turn on reminders on this device")).to_be_hidden()
    patient.context.unroute("**/static/js/push.js*")


def test_without_javascript_the_card_says_it_is_needed(open_page, lift):
    page = open_page(java_script_enabled=False)
    lift.sign_up(page)
    page.goto("/reminders")
    # Read as drawn: Playwright's text matchers leave out a <noscript>.
    assert page.locator("[data-push-status]").inner_text() == (
        "Turning reminders on needs JavaScript, which is off in this browser.")
    expect(page.get_by_text("Your browser asks for permission")).to_be_hidden()  # no button will come


def scale_push() -> str:
    """What the server sends for a weekly questionnaire reminder, by the server's own rules."""
    today = date.today()
    ctx = rules.PatientContext(user_id=1, timezone="UTC", scales_taken=(("phq9", today - timedelta(days=7)),))
    occ = next(o for o in rules.scale_occurrences(ctx, datetime.combine(today, time(12), tzinfo=UTC)))
    return rules.payload(rules.notification_for(occ, ctx))


def test_tapping_a_reminder_never_takes_away_a_page_with_typed_answers(patient: Page, live_server: str):
    context = patient.context
    context.grant_permissions(["notifications"], origin=live_server)
    patient.goto("/checkin")
    registration = service_worker_registration(context, patient, live_server)
    patient.get_by_label("Note").fill("Slept badly, started writing this before the reminder came")
    push(patient, live_server, registration, scale_push())
    wait_for_notifications(patient)

    # DevTools cannot click a notification: the worker is handed the event a click fires, and
    # the test waits for what its handler does (it may well fail to open a window here).
    [worker] = context.service_workers
    worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications();
        const event = new NotificationEvent("notificationclick", {notification});
        let handled = Promise.resolve();
        event.waitUntil = (promise) => { handled = promise; };
        self.dispatchEvent(event);
        await handled.catch(() => {});
    }""")
    expect(patient).to_have_url(re.compile(r"/checkin$"))
    expect(patient.get_by_label("Note")).to_have_value("Slept badly, started writing this before the reminder came")


def test_a_new_calendar_link_opens_the_page_where_the_link_is(patient: Page):
    # Shown once and never again, far down the page: opened at the top, a patient on a phone saw
    # the Reminders page as before, with no sign that the link was made or where to copy it.
    patient.goto("/reminders")
    patient.get_by_role("button", name="Make a calendar link").click()
    expect(patient.get_by_text("Your private calendar link is ready.")).to_be_in_viewport()
    expect(patient.get_by_label("Calendar link")).to_be_in_viewport()


def test_reloading_after_making_a_calendar_link_keeps_that_link_working(patient: Page, live_server: str):
    # The page showing the link was the form's answer, at /reminders/calendar: a reload sent the
    # form again and silently replaced the link just added to the phone's calendar.
    patient.goto("/reminders")
    patient.get_by_role("button", name="Make a calendar link").click()
    link = patient.get_by_label("Calendar link")
    expect(link).to_be_in_viewport()
    url = link.input_value()
    expect(patient).to_have_url(f"{live_server}/reminders#calendar")
    patient.reload()
    expect(patient.get_by_role("button", name="Make a new calendar link")).to_be_in_viewport()
    expect(patient.get_by_label("Calendar link")).to_have_count(0)  # shown once
    assert patient.request.get(url).status == 200
    # Back and forward again neither make a link nor bring the old one back.
    patient.go_back()
    patient.go_forward()
    expect(patient.get_by_label("Calendar link")).to_have_count(0)
    assert patient.request.get(url).status == 200


def test_refused_reminder_settings_open_at_a_summary_that_takes_focus_and_names_each_one(patient: Page,
                                                                                        console):
    # The page came back at its top with focus on the body, and the summary said only "Please
    # check the highlighted answers": the form is several screens below on a phone.
    patient.goto("/reminders")
    patient.get_by_label("Check-in reminder time").fill("")
    patient.get_by_label("Until").fill("")
    patient.get_by_role("button", name="Save reminder settings").click()
    summary = patient.get_by_role("alert").filter(has_text="Nothing was saved yet")
    expect(summary).to_have_text("Please check the check-in reminder time and when quiet hours end. "
                                 "Nothing was saved yet.")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    summary.get_by_role("link", name="when quiet hours end").click()
    expect(patient.get_by_label("Until")).to_be_in_viewport()
    expect(patient.locator("#quiet_end-error")).to_be_in_viewport()
    assert console.errors(expected_statuses=(422,)) == []
