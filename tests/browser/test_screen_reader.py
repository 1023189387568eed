"""What a screen reader hears that axe cannot check: what is announced as a page or a result
arrives (where focus goes), and what controls are called (docs/accessibility.md)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Lift
from tests.browser.test_crisis_no_answer import answer_like_a_proxy, answer_phq9

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


def test_each_chart_is_read_once_its_summary_in_words_and_its_numbers_in_its_table(patient: Page, lift: Lift):
    # The picture was an image named by the chart's title and summary, right after the caption
    # that shows both, inside a figure named by that caption: the summary was heard three times.
    lift.check_in(patient, mood=4, days_ago=2)
    lift.check_in(patient, mood=6)
    patient.goto("/trends")
    figures = patient.locator("figure.chart")
    expect(figures).to_have_count(5)
    for details in patient.locator("details.chart__table").all():
        details.evaluate("(element) => { element.open = true; }")
    heard = [node for node in read_out(patient) if node["role"] != "InlineTextBox"]
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
