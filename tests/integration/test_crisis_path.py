"""The safety-critical path: any thoughts answer above "none" brings up Get help now at once."""

import logging
import re

import pytest

from lift.domain.crisis import Thoughts
from tests.integration.sharing_helpers import shared_with

CRISIS_MARK = 'aria-labelledby="crisis-title"'


def shown(html: str) -> str:
    """The page without its inert <template>s: the check-in page keeps copies of Get help now
    there for use with no signal, and they show only when offline.js puts them on the page."""
    return re.sub(r"<template\b.*?</template>", "", html, flags=re.S)


def has_crisis_region(html: str) -> bool:
    html = shown(html)
    return CRISIS_MARK in html and re.search(r'<h[12] id="crisis-title"', html) and "Get help now" in html


def crisis_before(html: str, marker: str) -> bool:
    html = shown(html)
    return html.index(CRISIS_MARK) < html.index(marker)


@pytest.mark.parametrize("level", [Thoughts.PASSING, Thoughts.ENDING_LIFE, Thoughts.PLAN_OR_INTENT])
async def test_it_shows_crisis_panel_above_the_confirmation_for_any_thoughts(patient, level):
    response = await patient.check_in(thoughts=int(level))
    assert response.status_code == 200
    assert has_crisis_region(response.text)
    assert crisis_before(response.text, "id=\"saved-title\"")


async def test_it_shows_no_crisis_panel_for_no_thoughts(patient):
    response = await patient.check_in(thoughts=0)
    assert response.status_code == 200
    assert not has_crisis_region(response.text)


@pytest.mark.parametrize("level", [1, 2, 3])
async def test_it_includes_every_crisis_resource(patient, level):
    html = (await patient.check_in(thoughts=level)).text
    assert 'href="tel:988"' in html
    assert 'href="sms:988"' in html
    assert 'href="sms:741741?&amp;body=HOME"' in html
    assert 'href="tel:911"' in html
    assert "not monitored in real time" in html
    assert 'href="/safety-plan"' in html


async def test_it_words_a_plan_or_intent_most_directly(patient):
    html = (await patient.check_in(thoughts=3)).text
    assert "If you might act on these thoughts, call 911 or 988 now" in html
    passing = (await patient.check_in(thoughts=1)).text
    assert "If you might act on these thoughts" not in passing


async def test_it_shows_crisis_panel_in_the_htmx_fragment_first(patient):
    token = await patient.csrf_token()
    response = await patient.http.post(
        "/checkin",
        data={"local_date": patient.today().isoformat(), "mood": "2", "anxiety": "8",
              "sleep_hours": "4", "thoughts": "2"},
        headers={"HX-Request": "true", "x-csrftoken": token},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    body = response.text.split("</title>", 1)[1].lstrip()
    assert body.startswith("<section class=\"crisis")


async def test_it_shows_crisis_panel_even_when_other_answers_are_invalid(patient, database):
    response = await patient.check_in(thoughts=2, mood="")
    assert response.status_code == 422
    assert has_crisis_region(response.text)
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


async def test_it_shows_crisis_panel_even_when_the_save_fails(patient, database):
    database.execute("CREATE TRIGGER refuse BEFORE INSERT ON checkins BEGIN SELECT RAISE(ABORT, 'x'); END")
    database.commit()
    response = await patient.check_in(thoughts=3)
    assert response.status_code == 503
    assert has_crisis_region(response.text)
    assert "call 911 or 988 now" in response.text


async def test_it_does_not_show_crisis_panel_for_a_bogus_thoughts_value(patient):
    response = await patient.check_in(thoughts=7)
    assert response.status_code == 422
    assert not has_crisis_region(response.text)


async def test_it_shows_the_patients_own_safety_plan_and_care_team_in_the_panel(patient):
    await patient.post("/safety-plan", {"warning_signs": "Not sleeping, pulling away",
                                        "people": "Sam 555 0100", "care_team_name": "Dr Rivera",
                                        "care_team_phone": "+1 (555) 010-0199"})
    html = (await patient.check_in(thoughts=1)).text
    panel = html[html.index(CRISIS_MARK):html.index("id=\"saved-title\"")]
    assert "My safety plan" in panel and "Not sleeping, pulling away" in panel
    assert 'href="tel:+15550100199"' in panel and "Dr Rivera" in panel


async def test_it_never_shows_another_patients_safety_plan(patient, other_patient):
    await patient.post("/safety-plan", {"warning_signs": "secret signs"})
    html = (await other_patient.check_in(thoughts=2)).text
    assert has_crisis_region(html)
    assert "secret signs" not in html


async def test_get_help_shows_the_resources_even_when_lift_cannot_read_its_database(patient, stranger, database):
    """A signed-in person's session is read from the database on every page: when it cannot be
    read (locked, an I/O error; here its table is gone), /help was a bare 503 "Something went
    wrong" with no number on it. Someone signed out never met it (their page reads nothing)."""
    database.execute("ALTER TABLE sessions RENAME TO unreadable")
    database.commit()
    response = await patient.get("/help")
    assert response.status_code == 503
    assert has_crisis_region(response.text) and 'href="tel:988"' in response.text
    assert "Something went wrong on our side" in response.text
    assert not has_crisis_region((await patient.get("/trends")).text)  # other pages stay as they were


async def test_the_get_help_page_is_open_to_everyone(stranger, patient):
    for person in (stranger, patient):
        response = await person.get("/help")
        assert response.status_code == 200
        assert has_crisis_region(response.text)
        assert 'href="tel:988"' in response.text


@pytest.mark.parametrize("path", ["/help", "/offline/help"])
async def test_the_get_help_page_has_its_panel_title_as_its_one_main_heading(stranger, patient, path):
    """Get help is the panel itself: a screen reader listing headings finds one level-1
    heading there, Get help now, as on every other page."""
    for person in (stranger, patient):
        html = shown((await person.get(path)).text)
        assert re.findall(r"<h1\b[^>]*>([^<]*)</h1>", html) == ["Get help now"], (path, person.email)


def outline(html: str) -> list[tuple[int, str]]:
    """The page's headings as a screen reader lists them: level and words, in order."""
    return [(int(level), re.sub(r"<[^>]+>", "", words).strip())
            for level, words in re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", shown(html), flags=re.S)]


async def test_wherever_get_help_now_comes_first_it_heads_the_page(patient):
    """Get help now came first as an h2, before the page's own h1 ("Check-in saved"): a screen
    reader's list of headings started one level down, the page's title after it. Where the panel
    comes first its title is the page's one h1, the page's title an h2, and no level is skipped."""
    phq9 = {f"phq9_{item}": "1" for item in range(1, 10)} | {"difficulty": "1"}
    token = await patient.csrf_token()
    htmx = {"HX-Request": "true", "x-csrftoken": token}
    pages = {
        "check-in saved": await patient.check_in(thoughts=1),
        "check-in refused": await patient.check_in(thoughts=2, mood=""),
        "check-in saved with htmx": await patient.http.post("/checkin", headers=htmx, data={
            "local_date": patient.today().isoformat(), "mood": "2", "anxiety": "8", "sleep_hours": "4",
            "thoughts": "3"}),
        "PHQ-9 saved": await patient.post("/scales/phq9", phq9, follow_redirects=True),
        "PHQ-9 refused": await patient.post("/scales/phq9", phq9 | {"phq9_1": ""}),
        "form expired": await patient.post("/checkin", {"thoughts": "2"}, csrf=False),
    }
    for name, response in pages.items():
        headings = outline(response.text)
        assert headings[0] == (1, "Get help now"), (name, headings)
        assert [words for level, words in headings if level == 1] == ["Get help now"], (name, headings)
        steps = zip(headings, headings[1:])
        assert all(level <= before + 1 for (before, _), (level, _) in steps), (name, headings)
    assert (2, "Check-in saved") in outline(pages["check-in saved"].text)
    assert (2, "PHQ-9 saved") in outline(pages["PHQ-9 saved"].text)
    assert (3, "PHQ-9 since your baseline") in outline(pages["PHQ-9 saved"].text)
    assert (2, "This form had expired") in outline(pages["form expired"].text)


@pytest.mark.parametrize(("role", "words"), [
    ("caregiver", "for yourself, or for advice on how to support them. If their mood or thoughts change"),
    ("clinician", "so can your patients and the people who support them"),
])
async def test_get_help_speaks_to_a_caregiver_or_clinician_about_the_patient_not_their_own_mood(
        patient, people, role, words):
    """Opened by a caregiver or clinician, the page said what it says to a patient: "Your
    prescriber or clinic can also help if your mood or thoughts change between treatment
    sessions", and to a clinician "nobody sees your answers as you send them"."""
    viewer = await shared_with(patient, people(f"{role}@example.com"), role)
    html = shown((await viewer.get("/help")).text)
    assert words in html
    assert "your mood or thoughts" not in html and "your answers" not in html
    own = shown((await patient.get("/help")).text)
    assert "Your prescriber or clinic can also help if your mood or thoughts change" in own
    assert "nobody sees your answers as you send them" in own


async def test_every_page_links_to_get_help(patient):
    for path in ("/", "/checkin", "/checkins", "/safety-plan", "/account", "/no-such-page"):
        html = (await patient.get(path)).text
        assert re.search(r'<a class="help-link" href="/help">Get help</a>', html), path


async def test_the_crisis_resources_come_from_the_data_file(tmp_path, people):
    from litestar.testing import AsyncTestClient

    from lift.app import create_app
    from lift.settings import Settings

    resources = tmp_path / "resources.toml"
    resources.write_text(
        'emergency_number = "112"\n[[lines]]\nname = "Samaritans"\ncall = "116123"\n'
    )
    settings = Settings(data_dir=str(tmp_path / "d"), cookie_secure=False, secret_key="k" * 40,
                        crisis_resources=str(resources))
    async with AsyncTestClient(app=create_app(settings)) as client:
        html = (await client.get("/help")).text
    assert 'href="tel:116123"' in html and 'href="tel:112"' in html
    assert "tel:911" not in html


async def test_it_shows_crisis_resources_when_a_signed_out_check_in_arrives(stranger):
    response = await stranger.post("/checkin", {"thoughts": "3", "mood": "1"})
    assert response.status_code == 401
    assert has_crisis_region(response.text) and 'href="tel:988"' in response.text
    assert "this check-in was not saved" in response.text


@pytest.mark.parametrize(("method", "path"), [("get", "/checkin"), ("get", "/scales/phq9"),
                                             ("get", "/checkins/1"), ("post", "/safety-plan")])
async def test_signed_out_only_answers_sent_to_a_crisis_question_get_the_page_with_help(stranger, method, path):
    """The "not saved" page with Get help now is for a check-in or questionnaire sent while signed
    out, which may have reported thoughts. Opening those pages, or sending another form, goes to
    sign-in as everywhere else and comes back to the page after it."""
    response = await (stranger.get(path) if method == "get" else stranger.post(path, {"coping": "Walk"}))
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/signin?next=")


async def test_it_shows_crisis_resources_when_a_check_in_form_has_expired(patient):
    response = await patient.post("/checkin", {"thoughts": "3"}, csrf=False)
    assert response.status_code == 403
    assert has_crisis_region(response.text) and 'href="tel:988"' in response.text


@pytest.mark.parametrize("raw", ["3.0", " 2 ", "1.0"])
async def test_it_shows_crisis_panel_for_every_spelling_the_form_accepts(patient, raw):
    response = await patient.check_in(thoughts=raw)
    assert response.status_code == 200
    assert has_crisis_region(response.text)


async def test_a_safety_plan_that_cannot_be_read_never_holds_back_the_check_in_or_its_panel(patient, database,
                                                                                            caplog):
    """The plan is read only for a crisis answer: when it cannot be read (here its table is
    gone), such a check-in is still saved and answered with Get help now worded for it, and the
    server's log (Lift's own logger, which the server writes) says the panel went without it."""
    database.execute("ALTER TABLE safety_plans RENAME TO unreadable")
    database.commit()
    response = await patient.check_in(thoughts=3, note="kept as typed")
    assert response.status_code == 200
    assert crisis_before(response.text, 'id="saved-title"')
    assert "call 911 or 988 now" in response.text
    assert [tuple(row) for row in database.execute("SELECT thoughts, note FROM checkins")] == [(3, "kept as typed")]
    assert {(r.name, r.getMessage()) for r in caplog.records if "unreadable" in r.getMessage()} == {
        ("lift", "safety plan unreadable; Get help now shown without it")}


async def test_a_failed_save_whose_plan_cannot_be_read_either_keeps_the_answers_and_the_panel(patient, database):
    database.execute("ALTER TABLE safety_plans RENAME TO unreadable")
    database.execute("CREATE TRIGGER refuse BEFORE INSERT ON checkins BEGIN SELECT RAISE(ABORT, 'x'); END")
    database.commit()
    for path in ("/checkin", "/scales/phq9", "/help"):
        page = await patient.get(path)
        # Nothing is handed to the phone, which keeps the copy of the plan it already has.
        assert page.status_code == 200 and "data-offline-plan" not in page.text
    for thoughts in (0, 2):
        response = await patient.check_in(thoughts=thoughts, note="kept as typed")
        assert response.status_code == 503
        assert has_crisis_region(response.text) == (thoughts > 0)
        assert ">kept as typed</textarea>" in response.text


async def test_a_panel_whose_plan_was_not_read_links_to_the_plan_instead_of_asking_to_write_one(patient, database):
    """A patient with a plan, on a page that could not read it (a stale form's error page, a
    database that would not give it), is not told to write one: the link is to their plan."""
    await patient.post("/safety-plan", {"warning_signs": "Not sleeping"})
    form = {"local_date": "2026-01-05", "mood": "2", "anxiety": "8", "sleep_hours": "4", "thoughts": "2"}
    refused_form = await patient.post("/checkin", {**form, "_csrf_token": "stale"}, csrf=False)
    assert refused_form.status_code == 403
    database.execute("ALTER TABLE safety_plans RENAME TO unreadable")
    database.commit()
    unread_plan = await patient.get("/help")
    for html in (refused_form.text, unread_plan.text):
        panel = shown(html).split('id="crisis"', 1)[1]
        assert '<a href="/safety-plan">Your safety plan</a>' in panel
        assert "Write a safety plan" not in panel


# Without JavaScript, a check-in or PHQ-9 that Lift does not let in (signed out: 401; the form's
# token stale or gone: 403) shows Get help now worded for the answer it carried, read by the
# same rules as a saved one, not a generic panel.
PANEL_CLASS = re.compile(r'<section class="crisis(?: crisis--(\w+))?" role="region"')


def panel_level(html: str) -> str | None:
    """The level the shown panel is worded for ("support", "urgent", "immediate"), or None for
    the generic one."""
    found = PANEL_CLASS.search(shown(html))
    assert found, "no Get help now on the page"
    return found.group(1)


async def refused(refusal: str, stranger, patient, path: str, form: dict):
    if refusal == "signed-out":
        response = await stranger.post(path, form)
        assert response.status_code == 401
    else:
        response = await patient.post(path, {**form, "_csrf_token": "stale"}, csrf=False)
        assert response.status_code == 403
    return response


@pytest.mark.parametrize("refusal", ["signed-out", "expired-form"])
@pytest.mark.parametrize(("thoughts", "level"), [(0, None), (1, "support"), (2, "urgent"), (3, "immediate")])
async def test_a_check_in_not_let_in_shows_help_worded_for_its_thoughts_answer(stranger, patient, refusal,
                                                                               thoughts, level):
    form = {"local_date": "2026-01-05", "mood": "2", "anxiety": "8", "sleep_hours": "4", "thoughts": str(thoughts)}
    response = await refused(refusal, stranger, patient, "/checkin", form)
    assert panel_level(response.text) == level
    if level == "immediate":
        assert "If you might act on these thoughts, call 911 or 988 now" in shown(response.text)


@pytest.mark.parametrize("refusal", ["signed-out", "expired-form"])
@pytest.mark.parametrize(("item9", "level"), [(0, None), (1, "support"), (2, "urgent"), (3, "urgent")])
async def test_a_phq9_not_let_in_shows_help_worded_for_its_item_9(stranger, patient, refusal, item9, level):
    form = {f"phq9_{item}": "0" for item in range(1, 9)} | {"phq9_9": str(item9)}
    response = await refused(refusal, stranger, patient, "/scales/phq9", form)
    assert panel_level(response.text) == level
    assert ("better off dead, or of hurting yourself" in shown(response.text)) == (item9 > 0)


@pytest.mark.parametrize("refusal", ["signed-out", "expired-form"])
@pytest.mark.parametrize("body", ["unread", "no-choice", "gad7"])
async def test_a_refused_form_whose_answer_cannot_be_read_keeps_the_generic_panel(stranger, patient, refusal, body,
                                                                                  caplog):
    """A form Lift had not read when it refused it (its token sent as a header, as htmx does:
    offline.js words that panel), a thoughts answer that is none of the choices, a question 9 sent to another
    questionnaire: nothing to word the panel for, and never an error of Lift's own. Nor a warning
    in the log: that one is for a form Lift read and could not make out."""
    person = stranger if refusal == "signed-out" else patient
    status = 401 if refusal == "signed-out" else 403
    token = await person.csrf_token() if refusal == "signed-out" else "stale"
    if body == "unread":
        response = await person.http.post("/checkin", data={"thoughts": "3"}, headers={"x-csrftoken": token})
    elif body == "no-choice":
        response = await refused(refusal, stranger, patient, "/checkin", {"thoughts": "a plan"})
    else:
        response = await refused(refusal, stranger, patient, "/scales/gad7", {"phq9_9": "3", "gad7_1": "3"})
    assert response.status_code == status
    assert panel_level(response.text) is None
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize("as_sent", ["htmx", "json", "plain"])
async def test_a_resend_of_the_same_key_with_a_lower_answer_still_shows_get_help_now(patient, as_sent):
    # A second tap after changing "plan or intent" to "none", with the first tap's key: Lift
    # keeps the first answer (a key is stored once), so Get help now is worded for that one,
    # not taken away by the resend's "none".
    key = "5b0c1e9e-8f3a-4c57-9d3e-2f61a0b7c4d8"
    form = {"local_date": patient.today().isoformat(), "mood": "2", "anxiety": "8", "sleep_hours": "4",
            "client_uuid": key}
    token = await patient.csrf_token()
    headers = {"x-csrftoken": token, **({"HX-Request": "true"} if as_sent == "htmx" else {}),
               **({"Accept": "application/json"} if as_sent == "json" else {})}
    first = await patient.http.post("/checkin", data={**form, "thoughts": "3"}, headers=headers)
    assert first.status_code == 200
    again = await patient.http.post("/checkin", data={**form, "thoughts": "0"}, headers=headers,
                                    follow_redirects=True)
    assert again.status_code == 200
    if as_sent == "json":
        assert again.json()["crisis"] is True
        assert again.json()["checkin"]["thoughts"] == 3
    else:
        assert has_crisis_region(again.text)
        assert "If you might act on these thoughts, call 911 or 988 now" in shown(again.text)


def panels(html: str) -> list[str]:
    """Every Get help now on the page: the one shown, and each copy kept for no signal."""
    return re.findall(r'<section class="crisis.*?</section>', html, flags=re.S)


async def test_get_help_now_offers_the_esketamine_card_only_to_a_patient_having_esketamine(patient):
    """A patient on IV ketamine was offered "Read: esketamine, anxiety and suicidal thoughts";
    no card speaks of suicidal thoughts with IV ketamine, so they are offered none."""
    from tests.integration.test_treatment import create_plan

    reading = 'href="/learn/suicidal-thoughts"'

    async def offered() -> list[bool]:
        phq9 = {f"phq9_{item}": "0" for item in range(1, 9)} | {"phq9_9": "2"}
        pages = [(await patient.check_in(thoughts=2)).text, (await patient.post("/scales/phq9", phq9)).text,
                 (await patient.get("/help")).text, (await patient.get("/checkin")).text,
                 (await patient.get("/scales/phq9")).text]
        found = [reading in panel for html in pages for panel in panels(html)]
        assert len(found) == 2 + 1 + 3 + 3  # the two shown, /help, and each form's three copies
        return found

    # No plan yet: the treatment is not known, and the card's title says whom it is about.
    assert all(await offered())
    assert (await create_plan(patient, medication="iv_ketamine", template="iv_ketamine")).status_code == 303
    assert not any(await offered())
    assert (await patient.post("/treatment/plan/edit", {"medication": "esketamine"})).status_code == 303
    assert all(await offered())


async def test_a_treatment_plan_that_cannot_be_read_never_holds_back_get_help_now(patient, database, caplog):
    """The treatment is read only to choose the card the panel offers: unread, the panel offers
    what it offers when the treatment is not known, and the check-in is saved as ever. The
    server's log says the panel went without it."""
    database.execute("ALTER TABLE treatment_plans RENAME TO unreadable")
    database.commit()
    response = await patient.check_in(thoughts=3)
    assert response.status_code == 200
    assert crisis_before(response.text, 'id="saved-title"')
    assert 'href="/learn/suicidal-thoughts"' in panels(response.text)[0]
    for path in ("/help", "/checkin"):
        assert (await patient.get(path)).status_code == 200
    assert {(r.name, r.getMessage()) for r in caplog.records if "unreadable" in r.getMessage()} == {
        ("lift", "treatment plan unreadable; Get help now shown without it")}


SAVED_STATES = {
    "nothing": {},
    "a care team's number only": {"care_team_name": "Dr Lee", "care_team_phone": "555 0100"},
    "steps only": {"warning_signs": "Not sleeping", "care_team_name": "Dr Lee"},  # a name dials nothing
    "steps and a care team's number": {"warning_signs": "Not sleeping", "care_team_name": "Dr Lee",
                                       "care_team_phone": "555 0100"},
}


@pytest.mark.parametrize("state", SAVED_STATES)
async def test_get_help_now_names_only_the_plan_and_care_team_the_patient_saved(patient, state):
    """Get help now told a patient with no plan to "turn to your safety plan" and one with no
    care team's number to "contact your care team", and showed an empty "My safety plan" for a
    plan with a number but no steps. Where there is no plan it offers to write one."""
    if SAVED_STATES[state]:
        assert (await patient.post("/safety-plan", SAVED_STATES[state])).status_code == 303
    steps, care_team = "warning_signs" in SAVED_STATES[state], "care_team_phone" in SAVED_STATES[state]
    phq9 = {f"phq9_{item}": "0" for item in range(1, 9)}
    passing = [panels((await patient.check_in(thoughts=1)).text)[0],
               panels((await patient.post("/scales/phq9", phq9 | {"phq9_9": "1"})).text)[0],
               *(panel for panel in panels((await patient.get("/checkin")).text) if "crisis--support" in panel)]
    ending = [panels((await patient.check_in(thoughts=2)).text)[0],
              panels((await patient.post("/scales/phq9", phq9 | {"phq9_9": "2"})).text)[0],
              *(panel for panel in panels((await patient.get("/checkin")).text) if "crisis--urgent" in panel)]
    everywhere = [*passing, *ending, panels((await patient.get("/help")).text)[0]]
    assert len(passing) == len(ending) == 3
    for panel in passing:
        assert ("at any hour, or turn to your safety plan." in panel) == steps
        assert ("at any hour." in panel) != steps
    for panel in ending:
        assert ("or contact your care team." in panel) == care_team
        assert ("care team" in panel) == care_team
    for panel in everywhere:
        assert ("My safety plan" in panel) == steps
        assert ('<a href="/safety-plan">Write a safety plan</a>' in panel) != steps
        assert ('href="tel:5550100"' in panel) == care_team


@pytest.mark.parametrize("state", SAVED_STATES)
async def test_the_phone_keeps_only_the_plan_and_care_team_the_patient_saved(patient, state):
    """What a patient's page hands the phone for Get help now with no signal (offline.js adds it
    to the kept pages' panel): no empty "My safety plan" for a plan of a number alone."""
    if SAVED_STATES[state]:
        assert (await patient.post("/safety-plan", SAVED_STATES[state])).status_code == 303
    steps, care_team = "warning_signs" in SAVED_STATES[state], "care_team_phone" in SAVED_STATES[state]
    html = (await patient.get("/help")).text
    kept = re.search(r'<template data-offline-plan="(\w+)">(.*?)</template>', html, flags=re.S)
    assert kept.group(1) == ("saved" if steps or care_team else "none")
    assert ('class="crisis__plan"' in kept.group(2)) == steps
    assert ("data-plan-call" in kept.group(2)) == care_team


async def test_where_lift_does_not_know_what_the_patient_saved_its_words_hold_either_way(patient, database):
    """The kept check-in (made for nobody), a refused form's page and a plan Lift could not read:
    the wording is true whether or not the patient has a plan or a care team's number."""
    kept = (await patient.get("/offline/checkin")).text
    refused = (await patient.post("/checkin", {"thoughts": "1", "_csrf_token": "stale"}, csrf=False)).text
    database.execute("ALTER TABLE safety_plans RENAME TO unreadable")
    database.commit()
    unread = (await patient.check_in(thoughts=1)).text
    for html in (kept, refused, unread):
        assert any("at any hour, or turn to your safety plan if you have one." in panel for panel in panels(html))
    assert any("or contact your care team." in panel for panel in panels(kept))
