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
