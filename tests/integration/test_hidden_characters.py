"""An email address with a bidirectional control or another invisible character would look
like a different address (or like nothing) wherever Lift shows it: sign-up, invitation sign-up
and a change of address refuse it with a message on the form, which keeps what was typed but
the password."""

from __future__ import annotations

from html import unescape

import pytest

from lift.domain.accounts import HIDDEN_CHARACTER
from tests.integration.conftest import PASSWORD
from tests.integration.sharing_helpers import invite

# "pat@example.com" reversed on screen after its U+202E, and one with a zero-width space; then
# default-ignorable characters that are neither format nor control: a Hangul filler (a blank),
# a variation selector and the combining grapheme joiner (nothing at all).
TYPED = ["moc.elpmaxe@\u202etap", "pat\u200b@example.com", "pat@example.com\u2066", "pat\x00@example.com",
         "pat\u3164@example.com", "pat@example.com\ufe0f", "pa\u034ft@example.com"]


def refused_with_typed_address(response, field: str, typed: str) -> None:
    assert response.status_code == 422
    page = unescape(response.text)
    assert HIDDEN_CHARACTER in page and f'id="{field}-error"' in response.text
    assert f'value="{typed}"' in response.text  # kept as typed, for the person to see and retype
    assert PASSWORD not in response.text


@pytest.mark.parametrize("typed", TYPED)
async def test_sign_up_refuses_an_address_with_a_hidden_character(stranger, database, typed):
    response = await stranger.post("/signup", {"email": typed, "password": PASSWORD, "timezone": "Europe/Paris"})
    refused_with_typed_address(response, "email", typed)
    assert 'value="Europe/Paris" selected' in response.text
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == 0


async def test_sign_up_says_so_even_when_the_password_is_wrong_too(stranger, database):
    response = await stranger.post("/signup", {"email": TYPED[0], "password": "short", "timezone": "UTC"})
    assert response.status_code == 422
    assert HIDDEN_CHARACTER in unescape(response.text) and "at least 10 characters" in response.text


@pytest.mark.parametrize("typed", TYPED)
async def test_an_invitation_sign_up_refuses_it_and_the_invitation_waits(patient, people, database, typed):
    path, _ = await invite(patient)
    carer = people("carer@example.com")
    response = await carer.post(f"{path}/signup", {"email": typed, "password": PASSWORD, "timezone": "UTC"})
    refused_with_typed_address(response, "email", typed)
    assert "Create your caregiver account" in response.text
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == 1  # the patient
    assert database.execute("SELECT count(*) FROM share_grants").fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM signup_attempts").fetchone()[0] == 1  # the patient's
    assert (await carer.post(f"{path}/signup", {"email": carer.email, "password": PASSWORD,
                                                "timezone": "UTC"})).status_code == 303


@pytest.mark.parametrize("typed", TYPED)
async def test_a_new_sign_in_address_with_a_hidden_character_is_refused(patient, database, typed):
    response = await patient.post("/account/email", {"current_password": PASSWORD, "new_email": typed})
    refused_with_typed_address(response, "new_email", typed)
    assert database.execute("SELECT email FROM users").fetchone()[0] == "pat@example.com"
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


async def test_signing_in_with_such_an_address_is_an_ordinary_wrong_address(stranger):
    """Sign-in keeps its rule (an account made before may have one): no account has it, no 500."""
    response = await stranger.post("/signin", {"email": TYPED[1], "password": PASSWORD})
    assert response.status_code == 401
