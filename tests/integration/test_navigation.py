"""A patient's tab bar marks the tab they are in, on every page under it."""

import re

import pytest

CURRENT = re.compile(r'<a href="(/[a-z]*)" aria-current="page">')


def current_tabs(html: str) -> list[str]:
    return CURRENT.findall(html.split('<nav class="tabbar"', 1)[1].split("</nav>", 1)[0])


@pytest.mark.parametrize(("path", "tab"), [
    ("/", "/"), ("/checkin", "/checkin"), ("/trends", "/trends"), ("/checkins", "/checkins"),
    ("/account", "/account"), ("/account/data", "/account"), ("/scales", "/account"),
    ("/scales/phq9", "/account"), ("/safety-plan", "/account"), ("/treatment", "/account"),
    ("/learn", "/account"), ("/reminders", "/account"), ("/sharing", "/account"),
    ("/sharing/audit", "/account"),
])
async def test_it_marks_the_tab_that_holds_the_page(patient, path, tab):
    response = await patient.get(path)
    assert response.status_code == 200
    assert current_tabs(response.text) == [tab]


async def test_it_marks_no_tab_on_get_help(patient):
    assert current_tabs((await patient.get("/help")).text) == []


async def test_a_check_in_saved_without_javascript_stays_on_the_check_in_tab(patient):
    # The save lands on /checkins/{id}?saved=new, under History's address, but it is the check-in
    # form's answer: with JavaScript the tab bar is not redrawn and stays on Check in.
    saved = await patient.check_in()
    assert saved.url.path.startswith("/checkins/") and saved.url.params["saved"] == "new"
    assert current_tabs(saved.text) == ["/checkin"]
    updated = await patient.check_in(mood=7)
    assert updated.url.params["saved"] == "updated" and current_tabs(updated.text) == ["/checkin"]
    # The same check-in opened from History is History's.
    assert current_tabs((await patient.get(saved.url.path)).text) == ["/checkins"]


async def test_a_questionnaire_saved_without_javascript_stays_on_the_tab_of_its_form(patient):
    form = {f"phq9_{item}": "1" for item in range(1, 10)} | {"phq9_9": "0"}
    saved = await patient.post("/scales/phq9", form, follow_redirects=True)
    assert saved.url.path.startswith("/scales/results/") and saved.url.params["saved"] == "1"
    assert current_tabs(saved.text) == current_tabs((await patient.get("/scales/phq9")).text) == ["/account"]
