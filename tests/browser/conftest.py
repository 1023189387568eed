"""Browser tests drive Debian's Chromium against the real app, served as a subprocess.

The app runs exactly as `python -m lift run` would in production, on a fresh data directory,
so these tests see the same middleware, headers (CSP included) and templates a patient does.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, expect, sync_playwright

from lift.domain.dates import day_month

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
# A mid-size phone: the layout every patient screen is designed for first.
PHONE = {"width": 390, "height": 844}
PASSWORD = "violet kettle harbour 41"
SECRET_KEY = "browser-tests-fixed-secret-key-not-for-production"
# The served app's sign-up limit: every browser test signs up from 127.0.0.1 into one database.
BROWSER_SIGNUPS = "100000"
# A ceiling, not a wait: Lift answers in ~1 s, but a start on a machine loaded ~12x its cores
# (two test workers beside other runs) was seen to pass 20 s.
START_TIMEOUT_S = 60
# How long an action or an expectation may wait. A passing test never waits this long; the
# margin is for a loaded 2-core CI machine (CI fails as a whole on one flake).
WAIT_MS = 10_000
expect.set_options(timeout=WAIT_MS)


# Installing the service worker precaches the shell, the help page and every education card:
# on a busy 2-core machine that can take longer than the usual wait.
WORKER_INSTALL_MS = 20_000


def wait_for_worker_control(page: Page, timeout_ms: int = WORKER_INSTALL_MS) -> None:
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=timeout_ms)


# Drops a script from the service worker's caches, so the worker fetches it from the network,
# where the browser context's routes (not the page's) see a worker's requests.
FORGET_SCRIPT = """(path) => caches.keys().then((names) => Promise.all(names.map(
    (name) => caches.open(name).then((cache) => cache.delete(path, {ignoreSearch: true})))))"""


@contextmanager
def held_until_first_paint(page: Page, script: str) -> Iterator[list[str]]:
    """While open, the page's loads get `script` (a path under /static/) only once they have drawn
    their first content, as on a slow connection. Yields the list of the requests held back."""
    held: list[str] = []

    def after_first_paint(route: Route) -> None:
        page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0")
        held.append(route.request.url)
        route.continue_()

    page.evaluate(FORGET_SCRIPT, script)
    page.context.route(f"**{script}*", after_first_paint)
    try:
        yield held
    finally:
        page.context.unroute(f"**{script}*")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The served app's data directory, for tests that run `python -m lift` commands on it."""
    return tmp_path_factory.mktemp("lift-data")


@pytest.fixture(scope="session")
def live_server(live_data_dir: Path) -> Iterator[str]:
    """The real app on a free port and a fresh data directory; always stopped at the end."""
    data_dir = live_data_dir
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIFT_")}
    env.update(
        PYTHONPATH="backend", LIFT_DATA_DIR=str(data_dir), LIFT_PORT=str(port), LIFT_HOST="127.0.0.1",
        LIFT_COOKIE_SECURE="false", LIFT_SECRET_KEY=SECRET_KEY, LIFT_SIGNUP_IP_LIMIT=BROWSER_SIGNUPS,
    )
    python = REPO_ROOT / ".venv" / "bin" / "python"
    log_path = data_dir / "server.log"
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(python), "-m", "lift", "run"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not answers_health(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Lift did not start on {url}:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.1)
            yield url
        finally:
            stop(process)


@pytest.fixture
def served_database(live_server: str, live_data_dir: Path) -> Path:
    """The served app's SQLite file, for a test that seeds rows or changes them behind the
    server's back."""
    return live_data_dir / "lift.db"


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[Browser]:
    # Depends on live_server so the browser closes before the server is asked to stop.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class ConsoleWatch:
    """Console errors and uncaught exceptions on one page. Chromium reports CSP violations
    as console errors ("Refused to ... Content Security Policy"), so they land here too."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(f"console: {message.text} ({message.location.get('url', '')})")

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]

    def errors(self, expected_statuses: tuple[int, ...] = ()) -> list[str]:
        """Every error, except Chromium's note about a response whose status the test expects
        (a 404 page, a 422 form re-render): that note is the status, not a fault."""
        expected = tuple(f"responded with a status of {status} " for status in expected_statuses)
        return [m for m in self.messages if not any(note in m for note in expected)]


class OpenPage:
    """Opens pages in fresh phone-sized contexts, each with its console watched."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.contexts: list[BrowserContext] = []
        self.watches: dict[int, ConsoleWatch] = {}

    def __call__(self, **options) -> Page:
        options = {"viewport": PHONE, "color_scheme": "light", "locale": "en-US", "timezone_id": "UTC",
                   **options}
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(WAIT_MS)
        self.contexts.append(context)
        page = context.new_page()
        self.watches[id(page)] = ConsoleWatch(page)
        return page

    def console(self, page: Page) -> ConsoleWatch:
        return self.watches[id(page)]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def open_page(browser: Browser, live_server: str) -> Iterator[OpenPage]:
    opener = OpenPage(browser, live_server)
    try:
        yield opener
    finally:
        opener.close()


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """A page in a fresh 390x844 context: no cookies, no storage from any other test."""
    return open_page()


@pytest.fixture
def context(page: Page) -> BrowserContext:
    return page.context


@pytest.fixture
def console(open_page: OpenPage, page: Page) -> ConsoleWatch:
    return open_page.console(page)


def unique_email(label: str = "patient") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}@example.com"


def newest_account_joined_days_ago(database: Path, days: int) -> date:
    """Date the newest account `days` days back (UTC, as the browsers' zone), after its check-ins
    went through the form so their days are the form's own. Returns the day it joined."""
    joined = datetime.now(UTC).date() - timedelta(days=days)
    conn = sqlite3.connect(database, timeout=10)
    try:
        conn.execute("UPDATE users SET created_at = ? WHERE id = (SELECT max(id) FROM users)",
                     (f"{joined}T12:00:00Z",))
        conn.commit()
    finally:
        conn.close()
    return joined


def axis_day(day: date, today: date) -> str:
    """A chart's first day as its axis writes it on screen: "29 Dec" in today's year, "29 Dec 2026"
    in another (a patient who joined 3 days before 2 January), where the ends carry their years."""
    return day_month(day) if day.year == today.year else f"{day_month(day)} {day.year}"


class Lift:
    """What a patient does, step by step, through the real UI."""

    def sign_up(self, page: Page) -> str:
        email = unique_email()
        page.goto("/signup")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        # Hashing the password with argon2id is slow on purpose: on a loaded 2-core machine it
        # can take longer than the time allowed for everything else.
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible(timeout=15_000)
        return email

    def sign_up_by_post(self, context: BrowserContext) -> str:
        """A new patient, signed up with the post the sign-up form makes, sent from the context
        (whose cookies its pages share) without opening the form: for a test about what comes
        after. sign_up fills in the form itself, as a patient does."""
        email = unique_email()
        context.request.get("/signin")
        token = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "csrftoken")
        signed_up = context.request.post("/signup", form={
            "email": email, "password": PASSWORD, "timezone": "UTC", "_csrf_token": token,
        }, max_redirects=0)
        assert signed_up.status == 303, signed_up.text()[:500]
        return email

    def new_patient_on_today(self, page: Page) -> str:
        """The page signed in as a new patient (in UTC, the pages' zone), opened on Today."""
        email = self.sign_up_by_post(page.context)
        page.goto("/")
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        return email

    def sign_in(self, page: Page, email: str) -> None:
        page.goto("/signin")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # argon2id again: as slow as signing up.
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible(timeout=15_000)

    def fill_checkin(self, page: Page, mood: int | None = 6, anxiety: int | None = 4,
                     sleep: str | None = "7.5", thoughts: str | None = "None", note: str | None = None,
                     days_ago: int = 0) -> None:
        if days_ago:
            # By date, not position: the picker leaves out days already checked in.
            page.get_by_label("Day").select_option((datetime.now(UTC).date() - timedelta(days=days_ago)).isoformat())
        if mood is not None:
            page.locator(f'label[for="mood-{mood}"]').click()
        if anxiety is not None:
            page.locator(f'label[for="anxiety-{anxiety}"]').click()
        if sleep is not None:
            page.get_by_label("Sleep last night").fill(sleep)
        if thoughts is not None:
            page.get_by_role("radio", name=thoughts, exact=True).check()
        if note is not None:
            page.get_by_label("Note").fill(note)

    def check_in(self, page: Page, **answers) -> None:
        page.goto("/checkin")
        self.fill_checkin(page, **answers)
        page.get_by_role("button", name="Save check-in").click()
        expect(page.get_by_role("heading", name="Check-in saved")).to_be_visible()

    def write_safety_plan(self, page: Page, steps: dict[str, str], care_team_name: str,
                          care_team_phone: str) -> None:
        page.goto("/safety-plan")
        for label, text in steps.items():
            page.get_by_label(label).fill(text)
        page.get_by_label("Name", exact=True).fill(care_team_name)
        page.get_by_label("Phone", exact=True).fill(care_team_phone)
        page.get_by_role("button", name="Save safety plan").click()
        expect(page.get_by_role("status")).to_contain_text("Your safety plan is saved")


@pytest.fixture(scope="session")
def lift() -> Lift:
    return Lift()


@pytest.fixture
def patient(page: Page, lift: Lift) -> Page:
    """A page signed in as a brand-new patient, on Today."""
    lift.new_patient_on_today(page)
    return page
