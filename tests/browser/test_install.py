"""Installing Lift, in Chromium: the manifest parses and the install criteria are met, the
service worker controls the page, "Add to home screen" appears when the browser offers it,
a new version is offered with a reload banner (never swapped in under the patient) and its
old cache goes, and the check-in page is light enough for a weak signal."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    WAIT_MS,
    Lift,
    OpenPage,
    newest_account_joined_days_ago,
    wait_for_worker_control,
)
from tests.browser.servers import StoppableServer, wait_until
from tests.browser.test_accessibility import LAYOUT_SHIFT, NARROWEST, scale_rows, set_text_size, user_id, write
from tests.browser.test_reflow import BROKEN_WORDS

pytestmark = pytest.mark.browser

# The whole first load of the check-in page, gzip-compressed as a server or proxy sends it.
PAGE_WEIGHT_BUDGET = 60 * 1024
CACHES = "() => caches.keys()"


@pytest.fixture
def installable(browser: Browser, live_server: str, tmp_path) -> Iterator[BrowserContext]:
    """A normal (not incognito) profile, where Chromium judges installability, with the
    engagement checks that delay the install prompt for real visitors turned off."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, base_url=live_server,
        viewport=PHONE, args=[*CHROMIUM_ARGS, "--bypass-app-banner-engagement-checks"],
    )
    context.set_default_timeout(WAIT_MS)
    try:
        yield context
    finally:
        context.close()


def test_it_meets_the_install_criteria_with_a_parsed_manifest_and_a_controlling_worker(installable, lift):
    page = installable.new_page()
    lift.sign_up(page)
    wait_for_worker_control(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")

    cdp = installable.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    parsed = manifest["manifest"]
    assert parsed["display"] == "kStandalone"
    assert parsed["startUrl"] == parsed["scope"] == page.evaluate("location.origin") + "/"
    assert {icon["sizes"] for icon in parsed["icons"]} == {"192x192", "512x512"}
    assert parsed["screenshots"][0]["formFactor"] == "kNarrow"
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []


def test_it_offers_add_to_home_screen_only_when_the_browser_can_install(installable, lift, page):
    phone = installable.new_page()
    lift.sign_up(phone)
    hint = phone.get_by_role("region", name="Keep Lift on your home screen")
    # The browser fires beforeinstallprompt once the worker controls the page.
    wait_for_worker_control(phone)
    phone.reload()
    expect(hint).to_be_visible()
    hint.get_by_role("button", name="Add to home screen").click()
    expect(hint).to_be_hidden()

    # An incognito window can't install: no prompt, so no button.
    lift.sign_up(page)
    wait_for_worker_control(page)
    page.reload()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Keep Lift on your home screen")).to_have_count(0)


@pytest.fixture
def deploy_server(tmp_path) -> Iterator[StoppableServer]:
    server = StoppableServer(tmp_path / "lift-deploys", release="first")
    server.data_dir.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_new_version_is_offered_with_a_reload_banner_and_its_old_cache_is_deleted(
    browser: Browser, deploy_server: StoppableServer, lift: Lift
):
    opener = OpenPage(browser, deploy_server.url)
    try:
        page = opener()
        lift.sign_up(page)
        wait_for_worker_control(page)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        old_caches = page.evaluate(CACHES)
        assert len(old_caches) == 1 and old_caches[0].startswith("lift-")

        page.goto("/checkin")
        lift.fill_checkin(page, note="Half-way through typing")
        page.evaluate("() => { window.__liftSamePage = true; }")

        deploy_server.stop()
        deploy_server.start(release="second")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        banner = page.get_by_role("status").filter(has_text="New version")
        expect(banner).to_be_visible(timeout=10_000)
        # Offered, not swapped in: the page and what the patient typed are untouched, and the
        # old version (and its cache) still serve this page.
        assert page.evaluate("window.__liftSamePage") is True
        expect(page.get_by_label("Note")).to_have_value("Half-way through typing")
        assert page.evaluate("navigator.serviceWorker.controller !== null")
        assert old_caches[0] in page.evaluate(CACHES)
        # "Reload" reads whole, beside the sentence on a phone and under it on a 320px screen at 200%
        # text: the sentence used to keep its line and squeeze it into "Reloa/d" and "R/eload".
        for screen, text_size in ((PHONE, 1.0), (NARROWEST, 2.0)):
            page.set_viewport_size(screen)
            set_text_size(page.context.new_cdp_session(page), text_size)
            broken = page.evaluate(BROKEN_WORDS)
            assert [word["where"] for word in broken if word["fits"] or word["word"] == "Reload"] == [], screen

        banner.get_by_role("button", name="Reload").click()
        page.wait_for_function("() => window.__liftSamePage === undefined")
        wait_until(page, f"() => caches.keys().then((names) => !names.includes({old_caches[0]!r}))")
        new_caches = page.evaluate(CACHES)
        assert len(new_caches) == 1 and new_caches != old_caches
        expect(page.get_by_role("status").filter(has_text="New version")).to_have_count(0)
    finally:
        opener.close()


def test_the_check_in_page_first_load_is_at_most_60_kb_compressed_including_htmx(page: Page, lift: Lift, capsys):
    lift.sign_up_by_post(page.context)

    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/checkin", wait_until="networkidle")
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()

    origin = page.evaluate("location.origin")
    sizes = {}
    for response in responses:
        body = response.body()
        sizes[response.url.split("?")[0].removeprefix(origin)] = (
            len(body), len(gzip.compress(body, compresslevel=6)),
        )
    assert any(url.endswith("/htmx.min.js") for url in sizes)
    total = sum(compressed for _, compressed in sizes.values())
    with capsys.disabled():
        print("\ncheck-in page, first load (bytes: raw -> gzip):")
        for url, (raw, compressed) in sorted(sizes.items(), key=lambda item: -item[1][1]):
            print(f"  {url:<40} {raw:>8} -> {compressed:>7}")
        print(f"  {'total':<40} {'':>8}    {total:>7}  (budget {PAGE_WEIGHT_BUDGET})")
    assert total <= PAGE_WEIGHT_BUDGET


def a_returning_patients_today(page: Page, lift: Lift, database) -> None:
    """Today as it is most days after the first two weeks: checked in, questionnaires done, no
    first steps left. Short enough that the footer is on the screen as it opens."""
    email = lift.sign_up(page)
    lift.check_in(page, days_ago=1)
    me, today = user_id(database, email), datetime.now(UTC).date()
    # That check-in moved three weeks back: the journal is past its first two weeks.
    weeks_ago = (today - timedelta(days=20)).isoformat()
    write(database, [("UPDATE checkins SET local_date = ? WHERE user_id = ?", (weeks_ago, me))]
          + scale_rows(me, "phq9", {today: 5}) + scale_rows(me, "gad7", {today: 4}))
    newest_account_joined_days_ago(database, 20)
    lift.check_in(page)


@pytest.mark.parametrize(("text_size", "scheme"), [(1.0, "light"), (1.0, "dark"), (2.0, "light")])
def test_add_to_home_screen_appearing_moves_nothing_on_today(open_page, lift, served_database,
                                                             text_size, scheme):
    # The browser offers to install whenever it likes, often well after Today is drawn. The event
    # is dispatched here by hand, after the first paint, so the moment is the same on every run.
    page = open_page(color_scheme=scheme)
    a_returning_patients_today(page, lift, served_database)
    set_text_size(page.context.new_cdp_session(page), text_size)
    page.goto("/")
    expect(page.get_by_role("heading", name="Today's check-in is done")).to_be_visible()
    page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0")
    page.evaluate("() => window.dispatchEvent(new Event('beforeinstallprompt'))")
    expect(page.get_by_role("region", name="Keep Lift on your home screen")).to_be_visible()
    shift = page.evaluate(LAYOUT_SHIFT)
    assert shift == 0, f"Today moved by {shift:.4f} as the card appeared"
    # At the page's end, before the tab bar only: Tab reaches it after everything else.
    assert page.evaluate("""() => document.querySelector("[data-install-hint]")
        .compareDocumentPosition(document.querySelector("footer")) === Node.DOCUMENT_POSITION_PRECEDING""")
    assert open_page.console(page).errors() == []
