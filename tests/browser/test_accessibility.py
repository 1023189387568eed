"""Accessibility, checked by machine on every screen a patient, caregiver or clinician reaches:

- axe-core's WCAG 2.0-2.2 A and AA rules (labels, names, roles, contrast, landmarks...) in light
  and in dark mode;
- tap targets at least 44x44 px (WCAG's inline-link exception applies);
- no sideways scrolling on a 320 px screen, nor with text at 200 % on a phone (both at once:
  test_reflow.py, over the same pages), with every <details> open (a chart's table);
- no layout shift while a page loads.

Machines catch regressions, not everything: docs/accessibility.md says what was checked by hand.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import CDPSession, Page, expect

from tests.browser.conftest import PASSWORD, PHONE, REPO_ROOT, Lift, OpenPage, unique_email

pytestmark = pytest.mark.browser

AXE_SCRIPT = REPO_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROWEST = {"width": 320, "height": 640}

RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.map((v) => `${v.id}: ${v.help} -> ` + v.nodes.map((n) => n.target.join(" ")).join(", "));
}"""

# Every visible control smaller than 44x44 px, counting an input's labels as part of it (a
# radio drawn as its label), except a link inside a line of text (WCAG 2.5.5's inline exception).
SMALL_TARGETS = """() => {
    const controls = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex='0']";
    const small = [];
    for (const control of document.querySelectorAll(controls)) {
        if (control.closest("[hidden], [inert], details:not([open]) > :not(summary)")) continue;
        const boxes = [control, ...(control.labels || [])].map((el) => el.getBoundingClientRect())
            .filter((box) => box.width > 1 && box.height > 1);
        if (boxes.length === 0) continue;  // not drawn (visually hidden until focused)
        const inLine = getComputedStyle(control).display === "inline"
            && [...control.parentElement.childNodes].some((node) => node !== control && node.textContent.trim());
        if (inLine) continue;
        if (!boxes.some((box) => box.width >= 43.5 && box.height >= 43.5)) {
            const box = boxes[0];
            small.push(`${control.outerHTML.slice(0, 90)} is ${Math.round(box.width)}x${Math.round(box.height)}`);
        }
    }
    return small;
}"""

# How far the page scrolls sideways, and the innermost elements that stick out: their box, or a
# line of their own text (a word too long for its line overflows a box that itself fits).
OVERFLOW = """() => {
    const width = window.innerWidth;
    const textSticksOut = (node) => {
        if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) return false;
        const range = document.createRange();
        range.selectNodeContents(node);
        return range.getBoundingClientRect().right > width + 0.5;
    };
    const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5
        || [...el.childNodes].some(textSticksOut);
    // Allowed: a wide table or the tab bar scrolling inside its own box.
    const scrollsOnItsOwn = (el) => {
        for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
            if (["auto", "scroll"].includes(getComputedStyle(box).overflowX)) return true;
        }
        return false;
    };
    const culprits = [...document.body.querySelectorAll("*")]
        .filter((el) => sticksOut(el) && !scrollsOnItsOwn(el) && ![...el.children].some(sticksOut))
        .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute("class") ?? ""} "${el.textContent.trim().slice(0, 30)}"`);
    return [document.documentElement.scrollWidth - width, culprits.slice(0, 5)];
}"""

# Every closed <details> opened (a chart's table, a "more" section), marked to be closed again.
OPEN_DETAILS = """() => {
    for (const details of document.querySelectorAll("details:not([open])")) {
        details.open = true;
        details.dataset.openedToMeasure = "";
    }
}"""
CLOSE_DETAILS = """() => {
    for (const details of document.querySelectorAll("details[data-opened-to-measure]")) {
        details.open = false;
        delete details.dataset.openedToMeasure;
    }
}"""

# The page's cumulative layout shift, from load until now (buffered entries included).
LAYOUT_SHIFT = """() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(total), 300);
})"""

# The same count, for problems_on: it starts before the other checks of the page and is read
# after them, at least 300 ms on, so the checks' time is not added to the wait.
WATCH_LAYOUT_SHIFT = """() => {
    const watch = {total: 0, started: performance.now()};
    watch.add = (entries) => {
        for (const entry of entries) if (!entry.hadRecentInput) watch.total += entry.value;
    };
    watch.observer = new PerformanceObserver((list) => watch.add(list.getEntries()));
    watch.observer.observe({type: "layout-shift", buffered: true});
    window.__liftLayoutShift = watch;
}"""
LAYOUT_SHIFT_WATCHED = """() => new Promise((resolve) => {
    const watch = window.__liftLayoutShift;
    setTimeout(() => {
        watch.add(watch.observer.takeRecords());
        watch.observer.disconnect();
        resolve(watch.total);
    }, Math.max(0, 300 - (performance.now() - watch.started)));
})"""


def axe_violations(page: Page) -> list[str]:
    # Evaluated through DevTools, so the page's CSP (which refuses inline script) is untouched.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text())
    return page.evaluate(RUN_AXE, WCAG_AA)


def problems_on(page: Page, path: str) -> list[str]:
    """Everything this module checks, for the page now open, in light and dark mode."""
    problems = []
    page.evaluate(WATCH_LAYOUT_SHIFT)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        problems += [f"{path} ({scheme}) {violation}" for violation in axe_violations(page)]
    page.emulate_media(color_scheme="light")
    problems += [f"{path} small target: {target}" for target in page.evaluate(SMALL_TARGETS)]
    shift = page.evaluate(LAYOUT_SHIFT_WATCHED)
    if shift > 0.01:
        problems.append(f"{path} layout shift {shift:.3f} while loading")
    with details_open(page):
        devtools = page.context.new_cdp_session(page)
        set_text_size(devtools, 2.0)
        problems += sideways_scrolling(page, f"{path} with text at 200%")
        set_text_size(devtools, 1.0)
        devtools.detach()
        page.set_viewport_size(NARROWEST)
        problems += sideways_scrolling(page, f"{path} on a 320px screen")
        page.set_viewport_size(PHONE)
    return problems


@contextmanager
def details_open(page: Page) -> Iterator[None]:
    """The page with every <details> open, then as it was: what one holds (a chart's table) must
    reflow too, and is on the screen once someone opens it."""
    page.evaluate(OPEN_DETAILS)
    try:
        yield
    finally:
        page.evaluate(CLOSE_DETAILS)


def set_text_size(devtools: CDPSession, scale: float) -> None:
    """The browser's own text size setting (what a person with low vision changes), which
    scales rem and em media queries alike; Chromium's default is 16 px, 13 px monospace."""
    fonts = {"standard": round(16 * scale), "fixed": round(13 * scale)}
    devtools.send("Page.setFontSizes", {"fontSizes": fonts})


def sideways_scrolling(page: Page, where: str) -> list[str]:
    overflow, culprits = page.evaluate(OVERFLOW)
    return [f"{where} scrolls sideways by {overflow}px: {culprits}"] if overflow > 0 else []


def visit(page: Page, path: str, *headings: str) -> list[str]:
    """One page in a given state: each heading named must be there, so the walk cannot silently
    stop visiting that state when the seeded data or the page changes."""
    page.goto(path)
    for heading in headings:
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    return problems_on(page, f"{path} ({', '.join(headings)})")


STAMP = "2026-01-01T00:00:00Z"


def write(database: Path, statements: list[tuple[str, tuple]]) -> None:
    """Rows straight into the served app's database (WAL lets it read them at once)."""
    with closing(sqlite3.connect(database, timeout=10)) as conn:
        for sql, values in statements:
            conn.execute(sql, values)
        conn.commit()


def user_id(database: Path, email: str) -> int:
    with closing(sqlite3.connect(database, timeout=10)) as conn:
        return conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]


def session_row(user: int, day: date, status: str) -> tuple[str, tuple]:
    """A session at 10:00 UTC on a day, in the patient's treatment plan."""
    return ("INSERT INTO treatment_sessions (plan_id, user_id, starts_at, requested_date, requested_time,"
            " phase, status, created_at, updated_at)"
            " VALUES ((SELECT id FROM treatment_plans WHERE user_id = ?), ?, ?, ?, '10:00', '', ?, ?, ?)",
            (user, user, f"{day.isoformat()}T10:00:00Z", day.isoformat(), status, STAMP, STAMP))


def scale_rows(user: int, instrument: str, totals: dict[date, int]) -> list[tuple[str, tuple]]:
    return [("INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band)"
             " VALUES (?, ?, ?, ?, ?, 'moderate')", (user, instrument, day.isoformat(), STAMP, total))
            for day, total in totals.items()]


# Every page each role reaches by its address, walked by the tests below and by test_reflow.py.
# A page's states that take more than an address (a form sent back, Get help now) the tests
# reach themselves.
SIGNED_OUT_PAGES = ["/", "/signin", "/signup", "/help", "/learn", "/invite", "/offline", "/offline/checkin",
                    "/no-such-page", "/reset", "/reset/not-a-link"]
ACCOUNT_PAGES = ["/account", "/account/data", "/account/delete"]
PATIENT_PAGES = ["/", "/checkin", "/checkins", "/trends", "/scales", "/scales/phq9", "/scales/gad7", "/treatment",
                 "/treatment/plan/new", "/safety-plan", "/sharing", "/sharing/audit", "/reminders", "/report",
                 *ACCOUNT_PAGES, "/learn", "/help", "/no-such-page"]


def checkin_pages(checkin: str) -> list[str]:
    """A check-in's pages, its delete page last."""
    return [checkin, f"{checkin}?saved=new", f"{checkin}/delete"]


def plan_pages(session: str) -> list[str]:
    """A treatment plan's pages, with one of its sessions."""
    return ["/treatment", session, f"{session}/log", f"{session}/move", "/treatment/sessions/new",
            "/treatment/plan/edit"]


def result_pages(result: str) -> list[str]:
    return [result, f"{result}?saved=1", f"{result}/change"]


def caregiver_pages(summary: str) -> list[str]:
    return ["/caregiver", summary, f"{summary}/stop", f"{summary}/name", *ACCOUNT_PAGES]


def clinician_pages(timeline: str) -> list[str]:
    return ["/clinician", timeline, f"{timeline}/report", f"{timeline}/stop", f"{timeline}/name", *ACCOUNT_PAGES]


def visit_all(page: Page, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status in (200, 404), f"{path}: {response and response.status}"
        problems += problems_on(page, path)
    return problems


def test_the_checks_notice_what_they_look_for(page):
    """Each check fails on a page made to break it, so a clean result elsewhere means something."""
    page.goto("/help")
    page.evaluate("""() => {
        const main = document.querySelector("main");
        const input = document.createElement("input");          // no label
        const tiny = document.createElement("button");           // 20x20, with a name
        tiny.textContent = "x"; tiny.style.cssText = "width:20px;height:20px;min-height:0;min-width:0;padding:0";
        const faint = document.createElement("p");               // grey on white
        faint.textContent = "Hard to read"; faint.style.color = "#ccc";
        const wide = document.createElement("div");              // wider than any phone
        wide.style.width = "1000px"; wide.textContent = "wide";
        const word = document.createElement("p");               // a box that fits, its word not
        word.style.display = "flex"; word.textContent = "Pneumonoultramicroscopicsilicovolcanoconiosis";
        const banner = document.createElement("div");            // pushes the page down, late
        banner.style.height = "300px";
        main.prepend(banner);
        main.append(input, tiny, faint, wide, word);
    }""")
    problems = "\n".join(problems_on(page, "/help"))
    expected_reports = ("label", "color-contrast", "small target: <button", "layout shift", "on a 320px screen",
                        "text at 200%", 'div. "wide"', 'p. "Pneumonoultramicroscopicsilico"')
    for expected in expected_reports:
        assert expected in problems, f"{expected!r} not reported:\n{problems}"


def test_the_reflow_checks_measure_what_a_closed_details_holds(page):
    page.goto("/help")
    page.evaluate("""() => {
        const more = document.createElement("details");          // closed, what it holds too wide
        more.innerHTML = "<summary class='details-summary'>More</summary><p>folded</p>";
        more.querySelector("p").style.width = "1000px";         // not in the markup: the CSP refuses that
        document.querySelector("main").append(more);
    }""")
    problems = problems_on(page, "/help")
    assert [re.sub(r" by \d+px", "", problem) for problem in problems] == [
        """/help with text at 200% scrolls sideways: ['p. "folded"']""",
        """/help on a 320px screen scrolls sideways: ['p. "folded"']"""], problems
    # Opened only to be measured: the page is left as it was.
    expect(page.locator("details")).not_to_have_attribute("open", "")


def test_signed_out_pages(page):
    page.goto("/learn")
    card = page.locator("main a[href^='/learn/']").first.get_attribute("href")
    problems = visit_all(page, [*SIGNED_OUT_PAGES, card])
    # A form sent back with errors.
    page.goto("/signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    problems += problems_on(page, "/signup (errors)")
    assert problems == [], "\n".join(problems)


def test_patient_pages(patient: Page, lift: Lift):
    lift.check_in(patient, mood=4, note="A quiet day", days_ago=1)
    lift.write_safety_plan(patient, {"2. Things I can do on my own": "Walk"}, "Dr Rivera", "555 0100")
    problems = []

    # The check-in with errors, then with Get help now at the top.
    patient.goto("/checkin")
    patient.get_by_label("Sleep last night").fill("31")
    patient.get_by_role("button", name="Save check-in").click()
    expect(patient.get_by_role("alert").first).to_be_visible()
    problems += problems_on(patient, "/checkin (errors)")
    patient.goto("/checkin")
    lift.fill_checkin(patient, mood=2, anxiety=8, thoughts="Thoughts of ending my life", note="A hard day")
    patient.get_by_role("button", name="Save check-in").click()
    expect(patient.get_by_role("region", name="Get help now")).to_be_visible()
    problems += problems_on(patient, "check-in saved with Get help now")

    patient.goto("/treatment/plan/new")
    patient.get_by_role("button", name=re.compile("Save")).first.click()
    problems += problems_on(patient, "/treatment/plan/new (sent)")

    patient.goto("/checkins")
    checkin = patient.locator("a.history__item").first.get_attribute("href")
    problems += visit_all(patient, [*PATIENT_PAGES, *checkin_pages(checkin)])
    # The last, the delete page, lists what would be lost, the note included.
    expect(patient.get_by_role("heading", name="Delete this check-in?")).to_be_visible()
    expect(patient.get_by_text("and your note")).to_be_visible()
    # A download refused for its dates comes back on its form.
    patient.goto("/export?kind=checkins&start=2026-03-10&end=2026-03-01")
    expect(patient.get_by_role("alert")).to_be_visible()
    problems += problems_on(patient, "/export (dates the wrong way round)")
    # And one whose address names no file Lift makes, nothing chosen, the choice marked.
    patient.goto("/export?kind=passwords")
    expect(patient.locator("#kind-error")).to_be_visible()
    problems += problems_on(patient, "/export (no such file)")
    # So does a report refused for its dates, each wrong date marked.
    patient.goto("/report?start=2026-03-10&end=2026-03-01")
    expect(patient.locator('input[aria-invalid="true"]').first).to_be_visible()
    problems += problems_on(patient, "/report (dates the wrong way round)")
    assert problems == [], "\n".join(problems)


def test_treatment_and_questionnaire_pages(page: Page, lift: Lift, served_database: Path):
    patient = page
    email = lift.sign_up(patient)
    # An empty journal: Trends is one card, not five empty charts.
    problems = visit(patient, "/trends", "Your trends start with your first check-in")

    patient.goto("/treatment/plan/new")
    patient.get_by_role("radio", name="Esketamine nasal spray (Spravato)").check()
    patient.get_by_role("radio", name="twice a week for 4 weeks").check()
    patient.get_by_label("First session").fill(datetime.now(UTC).date().isoformat())
    patient.get_by_label("Time of day").fill("23:30")
    patient.get_by_role("button", name="Save my plan").click()
    expect(patient.get_by_role("status")).to_contain_text("Your treatment plan is saved")
    session = patient.locator("a.sessions__item").first.get_attribute("href")
    problems += visit_all(patient, plan_pages(session))

    # Today after ten days away, in a journal younger than two weeks, with a past session
    # nobody logged: Welcome back, a week ago still to fill, How did it go, When you're ready.
    today, me = datetime.now(UTC).date(), user_id(served_database, email)
    joined, last = today - timedelta(days=20), today - timedelta(days=10)
    write(served_database, [
        ("UPDATE users SET created_at = ? WHERE id = ?", (f"{joined.isoformat()}T08:00:00Z", me)),
        ("INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
         " updated_at) VALUES (?, ?, 5, 5, 7, 0, '', ?, ?)", (me, last.isoformat(), STAMP, STAMP)),
        session_row(me, today - timedelta(days=2), "planned"),
    ])
    problems += visit(patient, "/", "Welcome back", "How did", "When you're ready")
    expect(patient.get_by_text("a week ago, until the end of today")).to_be_visible()

    patient.goto("/scales/phq9")
    expect(patient.get_by_role("group", name=DIFFICULTY)).to_be_visible()
    answer_every_question(patient)
    patient.get_by_role("button", name="Save my answers").click()
    # Every answer "several days", item 9 included: the result comes with Get help now.
    expect(patient.get_by_role("heading", name="PHQ-9 saved")).to_be_visible()
    expect(patient.get_by_role("region", name="Get help now")).to_be_visible()
    problems += problems_on(patient, "PHQ-9 result")
    result = patient.get_by_role("link", name="See my answers").get_attribute("href")
    problems += visit_all(patient, [*result_pages(result), "/scales", "/trends"])

    # The GAD-7 sent back for its difficulty answer alone (a value no radio offers).
    patient.goto("/scales/gad7")
    answer_every_question(patient)
    patient.locator("#difficulty-0").evaluate("(radio) => { radio.value = '7'; radio.checked = true; }")
    patient.get_by_role("button", name="Save my answers").click()
    expect(patient.locator("#difficulty-error")).to_contain_text("Choose one of the four answers")
    expect(patient.get_by_role("group", name=DIFFICULTY)).to_be_visible()
    problems += problems_on(patient, "/scales/gad7 (difficulty refused)")

    # Reminders after a push service ended a device, in a browser that still holds a subscription
    # Lift no longer lists (stubbed: headless Chromium cannot subscribe to a real push service).
    write(served_database, [("INSERT INTO gone_devices (user_id, label, gone_at) VALUES (?, 'Old phone', ?)",
                             (me, f"{(today - timedelta(days=1)).isoformat()}T09:00:00Z"))])
    patient.add_init_script(HELD_SUBSCRIPTION)
    patient.goto("/reminders")
    expect(patient.get_by_text("Old phone stopped taking reminders on")).to_be_visible()
    expect(patient.locator("[data-push-advice]")).to_contain_text("removed from your list")
    problems += problems_on(patient, "/reminders (a device gone, a subscription held)")

    # A moved session: its status is the way to the session it moved to, one link named for it.
    patient.goto(f"{session}/move")
    patient.get_by_label("Date").fill((today + timedelta(days=2)).isoformat())
    patient.get_by_label("Time").fill("10:00")
    patient.get_by_role("button", name="Move session").click()
    expect(patient.get_by_role("status")).to_contain_text("The session is moved")
    problems += visit(patient, session, "Session")
    expect(patient.get_by_role("link", name=re.compile(r"^the session on .+, 10:00 AM$"))).to_be_visible()
    assert problems == [], "\n".join(problems)


DIFFICULTY = re.compile("how difficult have these problems made it")

# The browser's push subscription, made with Lift's current key, for an endpoint on no list.
HELD_SUBSCRIPTION = """
navigator.serviceWorker.getRegistration = async () => ({pushManager: {getSubscription: async () => {
    const key = document.querySelector("#push-device").dataset.publicKey.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(key + "=".repeat((4 - key.length % 4) % 4)), (c) => c.charCodeAt(0));
    return {endpoint: "https://push.invalid/held", options: {applicationServerKey: bytes.buffer}};
}}});
"""


def answer_every_question(patient: Page) -> None:
    """The second answer to every question: 'several days', 'somewhat difficult'."""
    questions = patient.locator("fieldset.scale-item")
    for number in range(questions.count()):
        questions.nth(number).locator("label").nth(1).click()


def accept_invitation(patient: Page, other: Page, role: str) -> None:
    patient.goto("/sharing")
    patient.get_by_label("Their name").fill(role.title())
    patient.locator(f"#role-{role}").check()
    patient.get_by_role("button", name="Create invitation").click()
    link = patient.get_by_label("Invitation link").input_value()
    other.goto(link)
    other.get_by_label("Email").fill(unique_email(role))
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Create account and accept").click()
    expect(other).to_have_url(re.compile(f"/{role}"))


def test_caregiver_and_clinician_pages(page: Page, lift: Lift, open_page: OpenPage, served_database: Path):
    patient = page
    patient_email = lift.sign_up(patient)
    lift.check_in(patient, mood=6, note="Shared")
    patient.goto("/scales/phq9")
    problems = []

    carer, clinician = open_page(), open_page()
    accept_invitation(patient, carer, "caregiver")
    summary = carer.url
    problems += visit_all(carer, caregiver_pages(summary))
    # Named by the caregiver: the name with the address under it, and the name form open again.
    carer.goto(summary)
    carer.get_by_text("Give this person a name only you see").click()
    carer.get_by_label("Your name for this person").fill("Nana Rose")
    carer.get_by_role("button", name="Save name").click()
    expect(carer.get_by_role("status")).to_be_visible()
    carer.get_by_text("Change your name for this person").click()
    problems += problems_on(carer, "caregiver summary (named, the name form open)")
    problems += visit_all(carer, ["/caregiver", f"{summary}/name"])

    accept_invitation(patient, clinician, "clinician")
    # Everything the panel's Needs attention column can say at once: thoughts, a session to call
    # about, worse from baseline, a relapse from the lowest score, a missed session, gone quiet,
    # and a session whose day passed with no log.
    today = datetime.now(UTC).date()
    me = user_id(served_database, patient_email)

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    write(served_database, [
        ("UPDATE checkins SET local_date = ?, thoughts = 2 WHERE user_id = ?", (ago(6).isoformat(), me)),
        *scale_rows(me, "phq9", {ago(20): 10, ago(3): 16}),
        *scale_rows(me, "gad7", {ago(20): 15, ago(10): 4, ago(3): 10}),
        ("INSERT INTO treatment_plans (user_id, medication, created_at, updated_at) VALUES (?, 'esketamine', ?, ?)",
         (me, STAMP, STAMP)),
        session_row(me, ago(5), "planned"),
        session_row(me, ago(4), "missed"),
        session_row(me, ago(2), "done"),
        ("UPDATE scale_results SET difficulty = 2 WHERE user_id = ? AND local_date = ?", (me, ago(3).isoformat())),
        ("INSERT INTO treatment_session_logs (session_id, bp_after_systolic, bp_after_diastolic, created_at,"
         " updated_at) VALUES ((SELECT max(id) FROM treatment_sessions WHERE user_id = ?), 190, 110, ?, ?)",
         (me, STAMP, STAMP)),
        session_row(me, ago(-3), "planned"),
    ])
    clinician.goto("/clinician")
    attention = clinician.locator(".panel__attention")
    for concern in ("Thoughts reported", "BP after 190/110", "from baseline", "from its lowest", "Missed session",
                    "No check-in for 6 days", "not logged yet"):
        expect(attention).to_contain_text(concern)
    clinician.get_by_text("What puts a patient under Needs attention").click()
    expect(clinician.get_by_text("a recent planned session whose day passed")).to_be_visible()
    problems += problems_on(clinician, "/clinician (needs attention, its reasons open)")
    timeline = clinician.locator("main a[href^='/clinician/patients/']").first.get_attribute("href")
    # The timeline with a difficulty answer, the next planned session and one not logged yet.
    clinician.goto(timeline)
    main = clinician.get_by_role("main")
    for shown in ("Very difficult", "not answered", "Next planned: ", "Not logged yet"):
        expect(main).to_contain_text(shown)
    expect(clinician.get_by_role("columnheader", name="Difficulty")).to_be_visible()
    problems += problems_on(clinician, f"{timeline} (difficulty, next planned, not logged yet)")
    # A name refused (a tab in it) comes back on its own page; then named, the panel shows it.
    clinician.goto(f"{timeline}/name")
    clinician.get_by_label("Your name for this person").fill("Jane\tDoe")
    clinician.get_by_role("button", name="Save name").click()
    expect(clinician.locator(".alert--error")).to_be_focused()
    problems += problems_on(clinician, f"{timeline}/name (refused)")
    clinician.get_by_label("Your name for this person").fill("Jane Doe · MRN 0042")
    clinician.get_by_role("button", name="Save name").click()
    expect(clinician.get_by_role("status")).to_be_visible()
    problems += problems_on(clinician, f"{timeline} (named)")
    problems += visit_all(clinician, clinician_pages(timeline))

    # The caregiver stops seeing the journal; the patient's Sharing page says so.
    carer.goto(f"{summary}/stop")
    carer.locator("main form button[type=submit]").click()
    expect(carer.get_by_role("status")).to_be_visible()
    problems += problems_on(carer, "/caregiver (access ended)")
    problems += visit(patient, "/sharing", "Who can see your journal", "Sharing they ended")
    assert problems == [], "\n".join(problems)


# The focused element after each Tab: its name, where it is, and whether focus is drawn.
FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const drawn = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const box = el.getBoundingClientRect();
    const legend = el.type === "radio" && el.closest("fieldset")?.querySelector("legend");
    const label = legend || (el.labels && el.labels[0]);
    const name = label ? label.textContent : (el.getAttribute("aria-label") || el.textContent);
    return {name: name.trim().replace(/\\s+/g, " ").slice(0, 40),
            tag: el.tagName.toLowerCase(), type: el.type || "", top: box.top + window.scrollY,
            fixed: !!el.closest(".tabbar, .topbar"), drawn: drawn};
}"""


def tab_through(page: Page, most: int) -> list[dict]:
    """Every Tab stop from the top of the page to the last one (focus then leaves the page)."""
    stops = []
    for _ in range(most):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop["tag"] == "body":
            return stops
        stops.append(stop)
    raise AssertionError(f"still tabbing after {most} stops: {[stop['name'] for stop in stops[-5:]]}")


def test_the_keyboard_reaches_the_check_in_in_reading_order_with_focus_drawn(patient: Page):
    patient.goto("/checkin")
    stops = tab_through(patient, 80)
    names = [stop["name"] for stop in stops]
    # Skip link first, then the header (home, Get help), then the form.
    assert names[:3] == ["Skip to content", "Lift", "Get help"], names[:3]
    assert all(stop["drawn"] for stop in stops), [stop["name"] for stop in stops if not stop["drawn"]]
    form = [stop for stop in stops if not stop["fixed"]]
    tops = [stop["top"] for stop in form]
    assert tops == sorted(tops), f"focus jumps back up the page: {[(s['name'], round(s['top'])) for s in form]}"
    # Each radio group is one stop (arrows move within it), and every part of the form is reached.
    reached = " | ".join(names)
    for part in ("Day", "Sleep last night", "Note", "Save check-in"):
        assert part in reached, f"{part!r} never focused: {reached}"
    radio_stops = [stop for stop in form if stop["type"] == "radio"]
    assert len(radio_stops) == 3, radio_stops  # mood, anxiety, thoughts

    # The skip link moves focus past the header, to the page's own content.
    patient.goto("/checkin")
    patient.keyboard.press("Tab")
    patient.keyboard.press("Enter")
    patient.keyboard.press("Tab")
    assert not patient.evaluate(FOCUSED)["fixed"]


def test_after_a_check_in_with_thoughts_the_first_tab_reaches_the_call_button(patient: Page, lift: Lift):
    # Get help now takes focus as it appears (a screen reader reads it first); the very next
    # Tab is the call to 988, so a keyboard or switch user is one key from help.
    patient.goto("/checkin")
    lift.fill_checkin(patient, thoughts="Thoughts of ending my life")
    patient.get_by_role("button", name="Save check-in").click()
    # The server's answer settled first: the panel shown as the form is sent is then replaced,
    # and htmx gives the new heading focus at the swap, before the settle places it for good.
    # A Tab pressed in between would be undone; at the pace of a person it never is.
    expect(patient.get_by_role("heading", name="Check-in saved")).to_be_visible()
    patient.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    expect(patient.get_by_role("heading", name="Get help now")).to_be_focused()
    patient.keyboard.press("Tab")
    expect(patient.get_by_role("region", name="Get help now").locator('a[href="tel:988"]')).to_be_focused()


# How much of the screen the tab bar hides from the page, as a share of the screen's height.
BAR_SHARE = """() => {
    const bar = document.querySelector("nav.tabbar").getBoundingClientRect();
    return Math.max(0, Math.min(bar.bottom, innerHeight) - Math.max(bar.top, 0)) / innerHeight;
}"""

# The page's last control, scrolled as far down the page as it goes (to the end, then back up just
# enough to show its top): its box, and whether each corner is really there to tap, not under the bar.
LAST_CONTROL = """() => {
    const controls = [...document.querySelectorAll("main a[href], main button, main input, main summary")]
        .filter((el) => !el.closest("[hidden]") && el.getBoundingClientRect().height > 1);
    const last = controls.pop();
    window.scrollTo(0, document.documentElement.scrollHeight);
    window.scrollBy(0, Math.min(0, last.getBoundingClientRect().top));
    const box = last.getBoundingClientRect();
    const corners = [[box.left + 2, box.top + 2], [box.right - 2, box.top + 2],
                     [box.left + 2, box.bottom - 2], [box.right - 2, box.bottom - 2]];
    const uncovered = corners.every(([x, y]) => last.contains(document.elementFromPoint(x, y)));
    const name = last.textContent.trim().replace(/\\s+/g, " ").slice(0, 40);
    return {name: name, top: box.top, bottom: box.bottom, height: innerHeight, uncovered: uncovered};
}"""


def new_patient_at(open_page: OpenPage, lift: Lift, text_size: float, scheme: str) -> Page:
    """A page signed in as a brand-new patient, in a colour scheme, with the browser's text size set."""
    page = open_page(color_scheme=scheme)
    lift.sign_up(page)
    set_text_size(page.context.new_cdp_session(page), text_size)
    return page


@pytest.mark.parametrize(("text_size", "scheme", "most"), [
    (1.0, "light", 0.07), (1.5, "dark", 0.12), (2.0, "light", 0.12), (2.0, "dark", 0.12),
])
def test_the_tab_bar_leaves_the_screen_to_the_page_at_any_text_size(open_page: OpenPage, lift: Lift,
                                                                    text_size, scheme, most):
    # With text at 200% the bar's two rows of labels once hid a quarter of the screen.
    page = new_patient_at(open_page, lift, text_size, scheme)
    page.goto("/")
    expect(page.get_by_role("link", name="Check in now")).to_be_visible()
    share = page.evaluate(BAR_SHARE)
    assert share <= most, f"the tab bar hides {share:.0%} of the screen at {text_size:.0%} text"
    tabs = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(tabs).to_have_count(5)
    assert all(tabs.nth(i).bounding_box()["height"] >= 43.5 for i in range(5))
    # However long the page, its end scrolls fully into view, clear of the bar.
    last = page.evaluate(LAST_CONTROL)
    assert -0.5 <= last["top"] and last["bottom"] <= last["height"] + 0.5 and last["uncovered"], last


# How far the focused element lies under the tab bar, in px (0: clear of it).
FOCUS_UNDER_BAR = """() => {
    const box = document.activeElement.getBoundingClientRect();
    const bar = document.querySelector("nav.tabbar").getBoundingClientRect();
    return Math.max(0, Math.min(box.bottom, bar.bottom) - Math.max(box.top, bar.top));
}"""


@pytest.mark.parametrize("text_size", [1.0, 1.5, 2.0])
def test_tabbing_down_today_never_leaves_focus_under_the_tab_bar(patient: Page, text_size):
    # WCAG 2.4.11: a control that takes focus must not be hidden by the bar pinned over the page.
    set_text_size(patient.context.new_cdp_session(patient), text_size)
    patient.goto("/")
    hidden = []
    for _ in range(60):
        patient.keyboard.press("Tab")
        stop = patient.evaluate(FOCUSED)
        if stop["tag"] == "body" or (stop["fixed"] and stop["name"] == "Today"):
            break
        if not stop["fixed"] and patient.evaluate(FOCUS_UNDER_BAR) > 0:
            hidden.append(stop["name"])
    assert hidden == [], f"focused under the tab bar at {text_size:.0%} text: {hidden}"


def test_a_button_naming_what_the_patient_typed_stays_on_the_screen(open_page: OpenPage, lift: Lift,
                                                                    served_database: Path):
    """"Call <clinic>" and "Stop sharing with <name or address>" hold words as the patient typed
    them: one wider than the card ("Interventional" with text at 200%, an address shared with no
    name) pushed the button, and the page with it, sideways off the screen."""
    page = open_page()
    me = user_id(served_database, lift.sign_up(page))
    address = f"rivera.montgomery-featherstone.{me}@riversidepsychiatry.example.org"
    write(served_database, [
        ("INSERT INTO treatment_plans (user_id, medication, clinic_name, clinic_phone, created_at, updated_at)"
         " VALUES (?, 'esketamine', 'Riverside Interventional Psychiatry', '+1 617 555 0142', ?, ?)",
         (me, STAMP, STAMP)),
        ("INSERT INTO users (email, password_hash, role, timezone, created_at) VALUES (?, 'x', 'clinician', 'UTC', ?)",
         (address, STAMP)),
        ("INSERT INTO share_grants (patient_id, grantee_id, role, created_at, updated_at)"
         " VALUES (?, (SELECT id FROM users WHERE email = ?), 'clinician', ?, ?)", (me, address, STAMP, STAMP)),
    ])
    devtools = page.context.new_cdp_session(page)
    for path, role, name, text_size in (("/treatment", "link", "Call Riverside Interventional Psychiatry", 2.0),
                                        ("/sharing", "link", f"Stop sharing with {address}", 1.0)):
        page.goto(path)
        set_text_size(devtools, text_size)
        button = page.get_by_role(role, name=name)
        expect(button).to_be_visible()
        card = button.evaluate("(el) => el.closest('.card').getBoundingClientRect().right")
        assert button.bounding_box()["x"] + button.bounding_box()["width"] <= card + 0.5, path
        assert page.evaluate(OVERFLOW)[0] == 0, (path, page.evaluate(OVERFLOW))
        set_text_size(devtools, 1.0)


@pytest.mark.parametrize(("text_size", "scheme", "shown_unfocused"), [(2.0, "dark", True), (1.0, "light", False)])
def test_menu_in_the_top_bar_takes_the_keyboard_to_the_tab_bar(open_page: OpenPage, lift: Lift,
                                                               text_size, scheme, shown_unfocused):
    # At 200% text the bar is not pinned: it is the end of the page, and on a long page a keyboard
    # or screen-reader user had every link before it to go through. Menu is the fourth Tab stop,
    # after the top bar's own links; with the bar pinned it shows only when focused.
    page = new_patient_at(open_page, lift, text_size, scheme)
    page.goto("/learn")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.locator("header").get_by_role("link", name="Menu", exact=True)
    if shown_unfocused:
        expect(nav).not_to_be_in_viewport()
        expect(menu).to_be_in_viewport()
    else:
        expect(menu).not_to_be_in_viewport()
    names = []
    for _ in range(4):
        page.keyboard.press("Tab")
        names.append(page.evaluate(FOCUSED)["name"])
    assert names == ["Skip to content", "Lift", "Get help", "Menu"], names
    expect(menu).to_be_focused()
    expect(menu).to_be_in_viewport()
    assert page.evaluate(FOCUSED)["drawn"]
    box = menu.bounding_box()
    assert box is not None and box["width"] >= 43.5 and box["height"] >= 43.5, box
    assert page.evaluate(OVERFLOW)[0] == 0

    page.keyboard.press("Enter")
    expect(nav).to_be_focused()
    expect(nav).to_be_in_viewport()
    # The next Tab is the bar's first link, not the top of the page again.
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Today")).to_be_focused()
    expect(nav.get_by_role("link", name="Today")).to_be_in_viewport()


def cut_off_dates_and_times(page: Page, where: str) -> list[str]:
    """Each date or time field on the page that shows only part of its value. Chromium draws the
    value (its -webkit-datetime-edit-fields-wrapper) inside an edit box that clips it, in a
    shadow root scripts cannot reach, and reports scrollWidth equal to clientWidth even then:
    DevTools reads both boxes."""
    devtools = page.context.new_cdp_session(page)
    fields = devtools.send("Runtime.evaluate", {
        "expression": "[...document.querySelectorAll('input[type=date], input[type=time]')]"
                      ".filter((field) => field.getClientRects().length > 0)"})["result"]["objectId"]
    listed = devtools.send("Runtime.getProperties", {"objectId": fields, "ownProperties": True})["result"]
    cut = []
    for field in (item["value"] for item in listed if item["name"].isdigit()):
        node = devtools.send("DOM.describeNode",
                             {"objectId": field["objectId"], "depth": -1, "pierce": True})["node"]
        boxes = {part: box_of(devtools, inner) for part, inner in shadow_parts(node).items()}
        shown, value = boxes["-webkit-datetime-edit"], boxes["-webkit-datetime-edit-fields-wrapper"]
        if value[1] > shown[1] + 0.5:
            name = dict(zip(node["attributes"][::2], node["attributes"][1::2]))["id"]
            cut.append(f"{where} #{name} shows {shown[1] - shown[0]:.0f}px"
                       f" of its {value[1] - value[0]:.0f}px value")
    devtools.detach()
    return cut


def shadow_parts(node: dict) -> dict[str, int]:
    """The backend node id of each part of a field's user-agent shadow root, by its pseudo name."""
    parts = {}
    for inner in node.get("shadowRoots", []) + node.get("children", []):
        attributes = dict(zip(inner.get("attributes", [])[::2], inner.get("attributes", [])[1::2]))
        if "pseudo" in attributes:
            parts[attributes["pseudo"]] = inner["backendNodeId"]
        parts |= shadow_parts(inner)
    return parts


def box_of(devtools: CDPSession, backend_node_id: int) -> tuple[float, float]:
    """Left and right edges of a node's content box, in CSS px."""
    quad = devtools.send("DOM.getBoxModel", {"backendNodeId": backend_node_id})["model"]["content"]
    return quad[0], quad[2]


# Widest values: in en-US a date reads 12/30/2026 and a time 10:00 PM. Empty, a date shows its
# placeholder "mm/dd/yyyy", wider still.
FILL_EMPTY_DATES_AND_TIMES = """() => {
    for (const field of document.querySelectorAll('input[type=date], input[type=time]')) {
        if (!field.value) field.value = field.type === "date" ? "2026-12-30" : "22:00";
    }
}"""
EMPTY_DATES_AND_TIMES = """() => {
    for (const field of document.querySelectorAll('input[type=date], input[type=time]')) field.value = "";
}"""


def cut_off_empty_or_filled(page: Page, where: str) -> list[str]:
    """Each date or time field on the page cut off while empty, then while holding its widest value."""
    expect(page.locator("input[type=date], input[type=time]").first).to_be_visible()
    page.evaluate(EMPTY_DATES_AND_TIMES)
    cut = cut_off_dates_and_times(page, f"{where} (empty)")
    page.evaluate(FILL_EMPTY_DATES_AND_TIMES)
    return cut + cut_off_dates_and_times(page, where)


@pytest.mark.parametrize(("width", "text_size"), [(390, 2.0), (320, 1.0), (320, 2.0)])
def test_every_date_and_time_is_shown_whole_at_200_percent_text_and_on_a_320px_screen(patient: Page, open_page,
                                                                                      width, text_size):
    # Dates and times sat two to a row at any size: at 200% text the report's From and To showed
    # "12/" of 12/30/2026, and on a 320px screen the last digits were cut off. Every page with a
    # date or a time: the reminder times and quiet hours, the report's and the CSV's ranges (the
    # patient's, a refused one's and the clinician's), the plan, a new or moved session, and a
    # session's log ("If it was moved"). Each empty too: at 320px and 200% text an empty date
    # showed "mm/dd/yyy" of its placeholder.
    patient.set_viewport_size({"width": width, "height": 844})
    set_text_size(patient.context.new_cdp_session(patient), text_size)
    patient.goto("/treatment/plan/new")
    patient.get_by_role("radio", name="Esketamine nasal spray (Spravato)").check()
    patient.get_by_role("radio", name="twice a week for 4 weeks").check()
    cut = cut_off_empty_or_filled(patient, "/treatment/plan/new")
    patient.get_by_label("First session").fill(datetime.now(UTC).date().isoformat())
    patient.get_by_label("Time of day").fill("22:00")
    # 30 December (the widest date) of next year: a fixed 2026-12-30 came before the first session
    # (today) from 31 December 2026, and the plan was refused.
    patient.get_by_label("Last day").fill(f"{datetime.now(UTC).year + 1}-12-30")
    patient.get_by_role("button", name="Save my plan").click()
    expect(patient.get_by_role("status")).to_contain_text("Your treatment plan is saved")
    session = patient.locator("a.sessions__item").first.get_attribute("href")
    for path in ["/reminders", "/report", "/account/data", "/export?start=1900-01-01&end=1899-12-31",
                 "/treatment/sessions/new", f"{session}/move", f"{session}/log"]:
        patient.goto(path)
        cut += cut_off_empty_or_filled(patient, path)
    doctor = open_page(viewport={"width": width, "height": 844})
    accept_invitation(patient, doctor, "clinician")
    set_text_size(doctor.context.new_cdp_session(doctor), text_size)
    for path in ["/clinician", re.sub(r"^https?://[^/]+", "", doctor.url)]:
        doctor.goto(path)
        cut += cut_off_empty_or_filled(doctor, path)
    assert cut == [], "\n".join(cut)


def test_an_empty_pair_of_dates_is_shown_whole_at_every_phone_width(patient: Page):
    # Two dates share a row while each had 9.5em: at a few widths just above that (the report at
    # 348-351px, the data page at 384px) an empty date showed "mm/dd/yyy", 1-2px short. Resizing
    # sweeps every width from a 320px phone to a 430px one on the pages whose dates pair up.
    cut = []
    for path in ["/report", "/account/data"]:
        patient.goto(path)
        expect(patient.locator("input[type=date]").first).to_be_visible()
        patient.evaluate(EMPTY_DATES_AND_TIMES)
        for width in range(320, 431, 2):
            patient.set_viewport_size({"width": width, "height": 844})
            cut += cut_off_dates_and_times(patient, f"{path} at {width}px")
    assert cut == [], "\n".join(cut)
