"""A person who forgot their password finds out what to do from sign-in, opens the link the
clinic made for them, chooses a new password and is signed in; their other devices are not."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, REPO_ROOT
from tests.browser.test_accessibility import problems_on

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lantern meadow copper 58"


def clinic_makes_a_reset_link(data_dir: Path, base_url: str, email: str) -> str:
    """What the operator runs on the server: `python -m lift reset-link EMAIL`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIFT_")}
    env.update(PYTHONPATH="backend", LIFT_DATA_DIR=str(data_dir), LIFT_PUBLIC_URL=base_url)
    done = subprocess.run([str(REPO_ROOT / ".venv" / "bin" / "python"), "-m", "lift", "reset-link", email],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.splitlines()[-1]


def test_a_person_opens_the_clinics_link_sets_a_password_and_lands_signed_in(
        open_page, lift, live_server, live_data_dir):
    old_phone = open_page()
    email = lift.sign_up(old_phone)

    page = open_page()
    page.goto("/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Lift doesn't send email")
    expect(page.get_by_role("banner").get_by_role("link", name="Get help")).to_be_visible()

    page.goto(clinic_makes_a_reset_link(live_data_dir, live_server, email))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password").fill("password123")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#new_password-error")).to_contain_text("one of the most common ones")
    assert problems_on(page, "/reset/… (a common password refused)") == []
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    # argon2id: slow on purpose.
    expect(page.get_by_role("status")).to_contain_text("Your new password is set and you're signed in",
                                                       timeout=15_000)
    expect(page).to_have_url(re.compile(r"/account\?notice=password-reset$"))
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()

    # The session from before the reset is over; the new password signs in.
    old_phone.goto("/account")
    expect(old_phone).to_have_url(re.compile(r"/signin\?next="))
    old_phone.get_by_label("Email").fill(email)
    old_phone.get_by_label("Password").fill(PASSWORD)
    old_phone.get_by_role("button", name="Sign in").click()
    expect(old_phone.get_by_role("alert")).to_contain_text("don't match")
    old_phone.get_by_label("Password").fill(NEW_PASSWORD)
    old_phone.get_by_role("button", name="Sign in").click()
    expect(old_phone.get_by_role("heading", name="More")).to_be_visible(timeout=15_000)
    assert open_page.console(page).errors(expected_statuses=(422,)) == []
