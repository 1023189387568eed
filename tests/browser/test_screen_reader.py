"""What a screen reader hears that axe cannot check: what is announced as a page or a result
arrives (where focus goes), and what controls are called (docs/accessibility.md)."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Lift, OpenPage
from tests.browser.test_accessibility import session_row, user_id, write
from tests.browser.test_crisis_no_answer import answer_like_a_proxy, answer_phq9
from tests.browser.test_sharing import accept, invitation_link, seed_logged_sessions

pytestmark = pytest.mark.browser


def read_out(page: Page) -> list[dict]:
    """Chromium's accessibility tree in reading order, as a screen reader walks it: the nodes it
    does not ignore, each as {"role", "name", "level"} (level for a heading)."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    by_id = {node["nodeId"]: node for node in nodes}
    order, stack = [], [next(node for node in nodes if "parentId" not in node)]
    while stack:
        node = stack.pop()
        if not node.get("ignored"):
            properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            order.append({"role": node.get("role", {}).get("value"), "level": properties.get("level"),
                          "name": node.get("name", {}).get("value", "")})
        stack.extend(by_id[child] for child in reversed(node.get("childIds", [])) if child in by_id)
    return order


def outline(page: Page) -> list[tuple[int, str]]:
    """The headings a screen reader lists, in order: (level, name)."""
    return [(node["level"], node["name"]) for node in read_out(page) if node["role"] == "heading"]


def assert_get_help_now_heads_the_outline(page: Page, title: str) -> None:
    headings = outline(page)
    assert headings[0] == (1, "Get help now"), headings
    assert [name for level, name in headings if level == 1] == ["Get help now"], headings
    assert all(level <= before + 1 for (before, _), (level, _) in zip(headings, headings[1:])), headings
    assert (2, title) in headings, headings


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


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize(("form", "saved"), [("check-in", "Check-in saved"), ("phq9", "PHQ-9 saved")])
def test_get_help_now_is_the_first_thing_a_screen_reader_says_and_heads_the_page(open_page, lift: Lift,
                                                                                 form, saved, javascript):
    # Without JavaScript the answer is a new page: a screen reader announced "Check-in saved"
    # and read on from the top of the page, past the header, before reaching Get help now.
    # Then, with or without it, the page's headings began with Get help now as an h2, before
    # the page's h1: now the panel's title is the page's one h1, and "… saved" an h2 below it.
    page = open_page(java_script_enabled=javascript)
    lift.sign_up(page)
    send_the_crisis_answer(page, lift, form)
    expect(page).to_have_title(f"Get help now · {saved} · Lift")
    expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_focused()
    assert_get_help_now_heads_the_outline(page, saved)
    if javascript:
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Call 988, Suicide & Crisis Lifeline", exact=True)).to_be_focused()


@pytest.mark.parametrize(("form", "title"), [("check-in", "Saved on this phone, will sync"),
                                             ("phq9", "PHQ-9 weekly depression questionnaire")])
def test_get_help_now_shown_by_the_page_itself_heads_it_too(patient: Page, lift: Lift, form, title):
    # With no answer from Lift (here a proxy's error page), offline.js shows the copy the form
    # page keeps: it came first as an h2, above the page's h1 ("Daily check-in", "PHQ-9"), or
    # above the h1 of the check-in kept on the phone.
    def proxy_answers_the_form(route: Route) -> None:
        answer_like_a_proxy(route) if route.request.method == "POST" else route.continue_()

    for form_address in ("**/checkin", "**/scales/phq9"):
        patient.route(form_address, proxy_answers_the_form)
    send_the_crisis_answer(patient, lift, form)
    expect(patient.get_by_role("heading", name="Get help now", level=1)).to_be_focused()
    expect(patient.get_by_role("heading", name=title, exact=True)).to_be_visible()
    assert_get_help_now_heads_the_outline(patient, title)
    # Drawn as the page's title always was: 1.6rem, as an h1.
    expect(patient.get_by_role("heading", name=title, exact=True)).to_have_css("font-size", "25.6px")


CRISIS_LINKS = ["Call 988, Suicide & Crisis Lifeline", "Text 988, Suicide & Crisis Lifeline",
                "Text HOME to 741741, Crisis Text Line", "Call 911, Emergency services"]


def words(text: str) -> str:
    """Text compared as axe's label-in-name rule does: lower case, no punctuation, single spaces."""
    return " ".join(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("where", ["/help", "check-in"])
def test_each_crisis_link_says_its_number_once_and_every_word_it_shows(patient: Page, lift: Lift, where):
    # "Call 988" over its line's name "988 Suicide & Crisis Lifeline" read as one name: "Call 988
    # 988 Suicide & Crisis Lifeline". The name under it now leaves out the number just given, and
    # a voice-control user says what they see: what each link shows, in order, is in its name
    # (WCAG 2.5.3 label in name), which starts with its first line and gives the number once.
    if where == "/help":
        patient.goto("/help")
    else:
        send_the_crisis_answer(patient, lift, "check-in")
    region = patient.get_by_role("region", name="Get help now")
    links = region.locator("a.button")
    expect(links).to_have_count(len(CRISIS_LINKS))
    names = [node["name"] for node in read_out(patient) if node["role"] == "link"]
    assert [name for name in names if name in CRISIS_LINKS] == CRISIS_LINKS
    for link in links.all():
        name = link.get_attribute("aria-label")
        shown = link.inner_text()
        first_line = shown.splitlines()[0]
        assert name.startswith(first_line) and words(shown) in words(name), (name, shown)
        number = re.search(r"\d+", first_line).group()
        assert words(name).split().count(number) == words(shown).split().count(number) == 1, (name, shown)


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
    for name in [*CRISIS_LINKS, "Write a safety plan"]:
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


def assert_each_chart_is_read_once(page: Page, charts: int) -> None:
    figures = page.locator("figure.chart")
    expect(figures).to_have_count(charts)
    for details in page.locator("details.chart__table").all():
        details.evaluate("(element) => { element.open = true; }")
    heard = [node for node in read_out(page) if node["role"] != "InlineTextBox"]
    pictures = [node for node in heard if node["role"] in ("image", "img", "graphics-document")]
    assert not pictures, pictures
    for figure in figures.all():
        title = figure.locator(".chart__title").inner_text()
        summary = figure.locator(".chart__summary").inner_text()
        assert [node["role"] for node in heard if summary in node["name"]] == ["StaticText"], summary
        expect(figure).to_have_accessible_name(title.replace("\n", " "))
    # The numbers are there, once, in the table the figure holds.
    tables = [node["name"] for node in heard if node["role"] == "table"]
    assert len([name for name in tables if name.startswith("Mood, ")]) == 1, tables


def test_each_chart_is_read_once_its_summary_in_words_and_its_numbers_in_its_table(patient: Page, lift: Lift):
    # The picture was an image named by the chart's title and summary, right after the caption
    # that shows both, inside a figure named by that caption: the summary was heard three times.
    lift.check_in(patient, mood=4, days_ago=2)
    lift.check_in(patient, mood=6)
    patient.goto("/trends")
    assert_each_chart_is_read_once(patient, 5)


def heard_between(page: Page, start: tuple[str, str], end: str) -> list[tuple[str, str]]:
    """What a screen reader meets after the first node start, (role, name), up to the next
    node whose role is end: (role, name) of each node it does not ignore, text boxes left out."""
    nodes = [(node["role"], node["name"]) for node in read_out(page) if node["role"] != "InlineTextBox"]
    first = nodes.index(start) + 1
    last = next(i for i in range(first, len(nodes)) if nodes[i][0] == end)
    return nodes[first:last]


def days_heard(page: Page, strip: tuple[str, str]) -> list[list[tuple[str, str]]]:
    """What each day of a week strip (the list at or after the node strip) says, as heard_between
    gives it: a list item each."""
    days: list[list[tuple[str, str]]] = []
    for role, name in heard_between(page, strip, "paragraph"):
        if role == "listitem":
            days.append([])
        elif days:
            days[-1].append((role, name))
    return days


def test_todays_last_7_days_say_each_mood_once_in_words(patient: Page, lift: Lift):
    # Each mood was a span labelled "Mood 4 of 10" holding "4": heard as both, or (a span's
    # label is not read by every screen reader) as a bare number.
    lift.check_in(patient, mood=4, days_ago=2)
    lift.check_in(patient, mood=6)
    patient.goto("/")
    days = days_heard(patient, ("StaticText", "The last 7 days"))
    assert len(days) == 7, days
    two_days_ago = datetime.now(UTC).date() - timedelta(days=2)
    assert days[4] == [("StaticText", f"{two_days_ago:%a}"), ("StaticText", "Mood 4 of 10")], days
    assert days[6] == [("StaticText", "Today"), ("StaticText", "Mood 6 of 10")], days
    expect(patient.locator(".week__day--done .week__value [aria-hidden]")).to_have_text(["4", "6"])


def seed_a_session_with_only_mood_before(database: Path, patient: Page) -> None:
    """Yesterday's session, logged with the mood before it only, and one side effect."""
    me = user_id(database, patient.locator("main strong").first.inner_text())
    write(database, [
        session_row(me, datetime.now(UTC).date() - timedelta(days=1), "done"),
        ("INSERT INTO treatment_session_logs (session_id, mood_before, created_at, updated_at)"
         " SELECT max(id), 3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM treatment_sessions"
         " WHERE user_id = ?", (me,)),
        ("INSERT INTO treatment_side_effects (session_id, effect, severity) SELECT max(id), 'nausea', 'mild'"
         " FROM treatment_sessions WHERE user_id = ?", (me,)),
    ])


def test_a_sessions_mood_before_and_after_is_read_once_in_its_caption(patient: Page, served_database):
    # The bars were an image named "Mood before 4, after 6, out of 10", then their own "Before"
    # and "After" were read, then the caption said it all again. Now the bars are hidden, the
    # figure is named by what it shows, and the caption is read once; a mood not given is said
    # as such, where a dash said nothing.
    seed_logged_sessions(served_database, patient)  # leaves the patient on /account
    seed_a_session_with_only_mood_before(served_database, patient)
    with closing(sqlite3.connect(served_database)) as conn:
        sessions = conn.execute(
            "SELECT s.id FROM treatment_sessions s JOIN treatment_session_logs l ON l.session_id = s.id"
            " JOIN users u ON u.id = s.user_id WHERE u.email = ? ORDER BY s.starts_at",
            (patient.locator("main strong").first.inner_text(),)).fetchall()
    captions = ["Mood before: 4 / 10 · after: 6 / 10 · up 2", "Mood before: 4 / 10 · after: 6 / 10 · up 2",
                "Mood before: 3 / 10 · after: not given"]
    assert len(sessions) == len(captions)
    for (session,), caption in zip(sessions, captions):
        patient.goto(f"/treatment/sessions/{session}")
        heard = heard_between(patient, ("StaticText", "How it went"), "heading")
        assert [(role, name) for role, name in heard if name and role != "StaticText"] == [
            ("figure", "Mood before and after")], heard
        assert " ".join(name for role, name in heard if role == "StaticText").split() == caption.split(), heard
        shown = patient.locator("figure.mood-change figcaption").evaluate(
            "(caption) => { const copy = caption.cloneNode(true);"
            " copy.querySelectorAll('.visually-hidden').forEach((hidden) => hidden.remove()); return copy.textContent; }")
        assert shown.split() == caption.replace("not given", "– / 10").split(), shown  # what the eye reads


def test_a_caregiver_hears_each_day_once_and_every_shared_chart_is_read_once(patient: Page, open_page: OpenPage,
                                                                            served_database):
    # A caregiver's week strip read "Tue, check mark, checked in on Tue 24 Nov": the weekday and
    # the mark shown are now hidden from a screen reader, which hears the day once, whole. The
    # caregiver's, the clinician's and the report's charts share the Trends partial: each read once.
    seed_logged_sessions(served_database, patient)  # a fortnight: no check-in today or 4 days ago
    patient.goto("/report")
    assert_each_chart_is_read_once(patient, 5)
    carer, doctor = open_page(), open_page()
    accept(carer, invitation_link(patient, "caregiver"))
    expect(carer.get_by_role("figure", name=re.compile("^Mood"))).to_be_visible()
    days = days_heard(carer, ("list", "The last 7 days"))
    assert [len(day) for day in days] == [1] * 7, days
    heard = [day[0][1] for day in days]
    assert [name.split(" on ")[0] for name in heard] == ["checked in"] * 2 + ["no check-in"] + [
        "checked in"] * 3 + ["no check-in"], heard
    assert all(re.fullmatch(r"(checked in|no check-in) on \w{3} \d{1,2} \w{3}( \d{4})?", name) for name in heard), heard
    expect(carer.locator(".week__value [aria-hidden]")).to_have_text(["✓", "✓", "–", "✓", "✓", "✓", "–"])
    assert_each_chart_is_read_once(carer, 2)
    accept(doctor, invitation_link(patient, "clinician"))
    expect(doctor.get_by_role("figure", name=re.compile("^Mood"))).to_be_visible()
    assert_each_chart_is_read_once(doctor, 5)
    doctor.goto(doctor.url + "/report")
    assert_each_chart_is_read_once(doctor, 5)
