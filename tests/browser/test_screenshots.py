"""Phone-sized screenshots of the main screens, kept in docs/screenshots/ for review.

They double as a visual check: a person looks at them when the layout changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, REPO_ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
# Set FULL_PAGE_SCREENSHOTS_DIR to a directory to also get whole-page captures there.
FULL_PAGE_DIR = os.environ.get("FULL_PAGE_SCREENSHOTS_DIR")


def capture(page: Page, name: str) -> None:
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, animations="disabled", caret="hide")
    if FULL_PAGE_DIR:
        page.screenshot(path=Path(FULL_PAGE_DIR) / f"{name}.png", full_page=True, animations="disabled",
                        caret="hide")
    # The PNG header holds width and height: the capture is exactly one phone screen.
    size = path.read_bytes()[16:24]
    width, height = int.from_bytes(size[:4], "big"), int.from_bytes(size[4:], "big")
    assert (width, height) == (PHONE["width"], PHONE["height"])


def test_it_captures_the_checkin_home_and_crisis_screens(patient, lift, console):
    patient.get_by_role("navigation", name="Main").locator('a[href="/checkin"]').click()
    expect(patient.get_by_role("heading", name="Daily check-in")).to_be_visible()
    capture(patient, "checkin")

    lift.fill_checkin(patient, mood=6, anxiety=4, sleep="7.5", thoughts="None",
                      note="Slept well, walked at lunch.")
    patient.get_by_role("button", name="Save check-in").click()
    patient.get_by_role("link", name="Done").click()
    expect(patient.get_by_role("heading", name="Today's check-in is done")).to_be_visible()
    capture(patient, "home")

    patient.goto("/checkin")
    lift.fill_checkin(patient, mood=2, anxiety=8, sleep="4", thoughts="Thoughts of ending my life")
    patient.get_by_role("button", name="Save check-in").click()
    expect(patient.get_by_role("region", name="Get help now")).to_be_visible()
    expect(patient.get_by_role("heading", name="Get help now")).to_be_focused()
    capture(patient, "crisis")
    assert console.errors() == []
