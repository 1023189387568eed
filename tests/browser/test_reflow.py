"""Reflow and text resize (WCAG 2.2 1.4.10 and 1.4.4) on every page each role reaches: on a
320 px screen with the browser's text at 200 %, no page scrolls sideways, no box cuts off text
it hides the overflow of, and no word breaks mid-word where it would fit on a line of its own.

test_accessibility.py checks a 320 px screen and 200 % text each alone. Together a line holds
what 160 px holds at the usual size, and a long word ("questionnaires", a clinic's name) is wider
than it: where a flex box took its width from its longest word, the word ran past the screen.
Breaking such words keeps the page on the screen; side padding doubled with the text broke
shorter ones too ("Turn on remin/ders on this devic/e"). The pages are test_accessibility.py's
lists. Data is made with the posts the forms send, so the walk is nearly all of the test's time.
Every <details> on a page is opened first: a chart's table, once opened, widened the report and
the clinician's timeline past the screen.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PASSWORD, Lift, OpenPage, unique_email
from tests.browser.test_accessibility import (
    NARROWEST, PATIENT_PAGES, SIGNED_OUT_PAGES, STAMP, caregiver_pages, checkin_pages, clinician_pages, details_open,
    plan_pages, result_pages, set_text_size, sideways_scrolling, user_id, write,
)

pytestmark = pytest.mark.browser

# Each box that hides what overflows it (overflow hidden or clip) and holds more than it shows.
# Not a form field (a long value scrolls inside it, as it should), nor a box of 1px or less (the
# visually hidden text screen readers get).
CUT_OFF = """() => {
    const hides = (value) => value === "hidden" || value === "clip";
    const cut = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (!(el instanceof HTMLElement) || el.matches("input, select, textarea")) continue;
        if (el.clientWidth <= 1 || el.clientHeight <= 1) continue;
        const style = getComputedStyle(el);
        const wide = hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
        const tall = hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
        if (wide || tall) {
            cut.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}"`
                     + ` shows ${el.clientWidth}x${el.clientHeight} of ${el.scrollWidth}x${el.scrollHeight}`);
        }
    }
    return cut;
}"""


# Each word broken across lines, with whether it would fit on a line of its own: no wider than the
# box that holds it (a card, a list's row, the page's column), where a button's, a link's or a
# label's own padding gives way first, less the least that what sits beside it on a flex row that
# never wraps can take (a box there may be squeezed narrower than its words, by its neighbours). A
# word is letters and digits, maybe in brackets or with punctuation after; a line may break after
# a hyphen, a dash or a slash. An address or a link ("name@example.com") may break anywhere.
BROKEN_WORDS = r"""() => {
    const pieces = /[^\s\-\u2010\u2013\u2014\/]+[\-\u2010\u2013\u2014\/]*/g;
    const word = /^[(\[\u201c"']*[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*[)\]\u201d"'.,;:!?\u2026\-\u2010\u2013\u2014\/]*$/u;
    const controls = "a, button, label, summary, .button";
    const px = (style, ...sides) => sides.reduce((total, side) => total + (parseFloat(style[side]) || 0), 0);
    const flexRow = (el) => {
        const style = getComputedStyle(el);
        return style.display.endsWith("flex") && !style.flexDirection.startsWith("column");
    };
    // The narrowest an item of a row can be (its longest word, or its min-width): measured on an
    // unseen copy beside it, out of the row's flow.
    const narrowest = (el) => {
        const copy = el.cloneNode(true);
        copy.removeAttribute("id");
        copy.style.cssText += "; position: absolute; visibility: hidden; width: min-content";
        el.after(copy);
        const width = copy.getBoundingClientRect().width;
        copy.remove();
        return width;
    };
    const room = (block) => {
        let box = block.closest(controls) ?? block, beside = 0;
        while (box.matches(controls) || flexRow(box.parentElement)) {
            const row = getComputedStyle(box.parentElement);
            if (flexRow(box.parentElement) && row.flexWrap === "nowrap") {
                for (const other of box.parentElement.children) {
                    const style = getComputedStyle(other);
                    if (other === box || !other.getClientRects().length || ["absolute", "fixed"].includes(style.position)) continue;
                    beside += narrowest(other) + px(style, "marginLeft", "marginRight") + (parseFloat(row.columnGap) || 0);
                }
            }
            box = box.parentElement;
        }
        return box.clientWidth - px(getComputedStyle(box), "paddingLeft", "paddingRight") - beside;
    };
    const range = document.createRange();
    const rectsOf = (node, start, end) => {
        range.setStart(node, start);
        range.setEnd(node, end);
        return [...range.getClientRects()].filter((rect) => rect.width > 0);
    };
    const broken = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!node.data.trim() || parent.closest("script, style, noscript, template, svg, select, textarea")) continue;
        if (getComputedStyle(parent).visibility !== "visible") continue;
        let block = parent;
        while (["inline", "contents"].includes(getComputedStyle(block).display)) block = block.parentElement;
        for (const piece of node.data.matchAll(pieces)) {
            if (!word.test(piece[0])) continue;
            const start = piece.index, end = start + piece[0].length;
            const rects = rectsOf(node, start, end);
            const below = (rect) => rect !== undefined && rect.top > rects[0].top + rects[0].height / 2;
            if (!rects.some(below)) continue;
            let at = start + 1;
            while (at < end && !below(rectsOf(node, at, at + 1)[0])) at++;
            const width = rects.reduce((total, rect) => total + rect.width, 0), fits = room(block);
            broken.push({
                where: `"${node.data.slice(start, at)}/${node.data.slice(at, end)}" in `
                       + `${block.tagName.toLowerCase()}.${[...block.classList].join(".")} `
                       + `(${Math.round(width)}px, room for ${Math.round(fits)}px)`,
                word: piece[0], fits: width <= fits - 1, title: parent.closest("h1") !== null,
            });
        }
    }
    return broken;
}"""


def problems_at(page: Page, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status in (200, 404, 422), f"{path}: {response and response.status}"
        problems += problems_here(page, path)
    return problems


def problems_here(page: Page, where: str) -> list[str]:
    """The page's problems with every <details> open (a chart's table, a "more" section)."""
    with details_open(page):
        return (sideways_scrolling(page, where) + [f"{where} cuts off {box}" for box in page.evaluate(CUT_OFF)]
                + [f"{where} breaks {word['where']}" for word in page.evaluate(BROKEN_WORDS) if word["fits"]])


def narrow_with_large_text(open_page: OpenPage) -> Page:
    # No service worker: installing it precaches every card, work for nothing in a test of layout.
    page = open_page(viewport=NARROWEST, service_workers="block")
    set_text_size(page.context.new_cdp_session(page), 2.0)
    return page


def post(context: BrowserContext, path: str, form: dict[str, str]) -> str:
    """What a form on `path` sends, from the context: the address it answers with, else its page."""
    if not any(cookie["name"] == "csrftoken" for cookie in context.cookies()):
        context.request.get("/signin")  # signing up ends the token; a page gives a new one
    token = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "csrftoken")
    response = context.request.post(path, form={**form, "_csrf_token": token}, max_redirects=0)
    assert response.status in (200, 303), f"{path}: {response.status} {response.text()[:300]}"
    return response.headers.get("location") or response.text()


def invite(patient: BrowserContext, role: str, **scope: str) -> str:
    """A new invitation's link, as a path."""
    created = post(patient, "/sharing/invitations", {"role": role, "label": f"My {role}", **scope})
    return re.search(r'id="invite-link"[^>]* value="https?://[^/"]+(/invite/[^"]+)"', created).group(1)


def accept(invitee: BrowserContext, link: str) -> str:
    """A new caregiver or clinician account made from the link: the page of the patient they see."""
    return post(invitee, f"{link}/signup", {"email": unique_email("invitee"), "password": PASSWORD,
                                           "timezone": "UTC"})


def test_the_check_notices_text_cut_off(open_page: OpenPage):
    # Sideways scrolling is test_accessibility.py's check, tested there.
    page = narrow_with_large_text(open_page)
    page.goto("/help")
    assert problems_here(page, "/help") == []
    page.evaluate("""() => {
        const box = document.createElement("div");       // too small for its text, hiding the rest
        box.className = "clipped";
        box.style.cssText = "overflow: hidden; width: 4rem; height: 2rem";
        box.textContent = "Weekly questionnaires";
        document.querySelector("main").append(box);
    }""")
    problems = problems_here(page, "/help")
    assert len(problems) == 1 and 'cuts off div.clipped "Weekly questionnaires" shows' in problems[0], problems


def test_the_check_measures_what_a_closed_details_holds(open_page: OpenPage):
    page = narrow_with_large_text(open_page)
    page.goto("/help")
    page.evaluate("""() => {
        const more = document.createElement("details");  // closed, a word in it too wide to fit
        more.innerHTML = "<summary>More</summary><p class='folded'>Esketamine</p>";
        more.querySelector("p").style.cssText = "white-space: nowrap; font-size: 4rem";
        document.querySelector("main").append(more);
    }""")
    problems = problems_here(page, "/help")
    assert len(problems) == 1 and 'p.folded "Esketamine"' in problems[0], problems
    expect(page.locator("details")).not_to_have_attribute("open", "")


def test_the_check_notices_a_word_broken_where_it_would_fit_on_a_line(open_page: OpenPage):
    page = narrow_with_large_text(open_page)
    page.goto("/help")
    assert problems_here(page, "/help") == []
    page.evaluate("""() => {
        const card = document.createElement("div");      // padding too wide for the button's words
        card.className = "card";
        const button = document.createElement("button");
        button.className = "button";
        button.style.cssText = "padding: 0 2.5rem";
        button.textContent = "Turn on reminders";
        const long = document.createElement("p");         // each longer than a line: they must break
        long.textContent = "Pneumonoultramicroscopicsilicovolcanoconiosis someone.with.a.long.name@example.com";
        card.append(button, long);
        document.querySelector("main").prepend(card);
    }""")
    problems = problems_here(page, "/help")
    broken = re.match(r'/help breaks "(\w+)/(\w+)" in button\.button ', problems[0]) if len(problems) == 1 else None
    assert broken and "".join(broken.groups()) == "reminders", problems


def test_no_page_scrolls_sideways_cuts_off_text_or_breaks_a_word_that_fits_at_320px_with_text_at_200_percent(
        open_page: OpenPage, lift: Lift, served_database: Path):
    patient = narrow_with_large_text(open_page)
    journal = patient.context
    email = lift.sign_up_by_post(journal)
    day = datetime.now(UTC).date()
    today = day.isoformat()
    # Thoughts answered: the check-in's saved page has Get help now, with the safety plan's care team.
    post(journal, "/checkin", {"local_date": today, "mood": "4", "anxiety": "6", "sleep_hours": "6.5",
                               "thoughts": "2", "note": "A long walk, then a quiet evening"})
    # And the 20 days before: the history has two pages, and a pager on each.
    write(served_database, [
        ("INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
         " updated_at) VALUES (?, ?, 5, 5, 7, 0, '', ?, ?)",
         (user_id(served_database, email), (day - timedelta(days=n)).isoformat(), STAMP, STAMP))
        for n in range(1, 21)
    ])
    result = post(journal, "/scales/phq9", {**{f"phq9_{n}": "1" for n in range(1, 9)}, "phq9_9": "0",
                                            "difficulty": "1"}).removesuffix("?saved=1")
    post(journal, "/treatment/plan", {
        "medication": "esketamine", "template": "esketamine", "start_date": today, "session_time": "10:00",
        "induction_weeks": "3", "maintenance": "none", "clinic_name": "Riverside Interventional Psychiatry",
        "clinic_phone": "555 0100"})
    post(journal, "/safety-plan", {"warning_signs": "Sleeping all day", "care_team_name": "Dr Rivera",
                                   "care_team_phone": "555 0100"})
    carer, doctor, invitee = (narrow_with_large_text(open_page) for _ in range(3))
    summary = accept(carer.context, invite(journal, "caregiver", include_notes="true", include_thoughts="true"))
    timeline = accept(doctor.context, invite(journal, "clinician"))
    # Left open: the patient's Sharing page lists it, and a signed-out invitee opens it.
    unused_link = invite(journal, "caregiver")

    patient.goto("/checkins")
    checkin = patient.locator("a.history__item").first.get_attribute("href")
    patient.goto(f"{checkin}?saved=new")
    expect(patient.get_by_role("region", name="Get help now")).to_be_visible()
    patient.goto("/treatment")
    session = patient.locator("a.sessions__item").first.get_attribute("href")
    patient.goto("/learn")
    card = patient.locator("main a[href^='/learn/']").first.get_attribute("href")

    problems = problems_at(patient, [
        *PATIENT_PAGES, "/checkins?page=2", *checkin_pages(checkin), *plan_pages(session), *result_pages(result), card,
        "/report?start=2026-03-10&end=2026-03-01", "/export?kind=checkins&start=2026-03-10&end=2026-03-01",
    ])
    problems += problems_at(carer, [*caregiver_pages(summary), f"{summary}/notes"])
    problems += problems_at(doctor, clinician_pages(timeline))
    problems += problems_at(invitee, [*SIGNED_OUT_PAGES, card, unused_link])
    assert problems == [], "\n".join(problems)


# The pages a patient opens most, whose titles are a word or three.
MAIN_PAGES = ["/", "/checkin", "/reminders", "/account", "/treatment", "/help"]


def test_the_main_pages_titles_read_in_whole_words_at_320px_with_text_at_200_percent(open_page: OpenPage,
                                                                                      lift: Lift):
    # At a title's full 1.6rem a line there held only about 8 letters of it: "Reminder/s", "Treatmen/t".
    page = narrow_with_large_text(open_page)
    lift.sign_up_by_post(page.context)
    broken = []
    for path in MAIN_PAGES:
        page.goto(path)
        broken += [f"{path}: {word['where']}" for word in page.evaluate(BROKEN_WORDS) if word["title"]]
    assert broken == [], broken
