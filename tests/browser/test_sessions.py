"""Being signed in: every page knows who the patient is, whatever ran on the server before."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, answers_health, unique_email

pytestmark = pytest.mark.browser

# More probes than reader connections (4 by default), so every reader has served one.
HEALTH_PROBES = 12


def test_it_knows_the_new_patient_right_after_signup_even_after_health_checks(page, live_server):
    page.goto("/signup")
    page.get_by_label("Email").fill(unique_email())
    page.get_by_label("Password").fill(PASSWORD)
    # A container health check can run at any moment; here it runs just before the sign-up.
    for _ in range(HEALTH_PROBES):
        assert answers_health(live_server)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible(timeout=15_000)


def test_it_keeps_the_signed_in_shell_on_a_page_that_does_not_exist(patient):
    assert patient.goto("/no-such-page").status == 404
    expect(patient.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(patient.get_by_role("navigation", name="Main")).to_be_visible(timeout=1_000)
