"""Forgot your password, over HTTP on a real SQLite file: the page that says what to do, and
the operator's reset link (made here as `python -m lift reset-link` makes it), which sets a new
password once, ends every session of the account and signs the person in."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from lift.app import create_app
from lift.db.clock import utc_now
from lift.db.password_resets import create_reset_link, use_reset_link
from tests.integration.conftest import PASSWORD

NEW_PASSWORD = "a quiet river at dawn 7"


async def reset_path(app, email: str = "pat@example.com", hours_ago: float = 0) -> str:
    token, _ = await create_reset_link(app.state.db, email, utc_now() - timedelta(hours=hours_ago))
    return f"/reset/{token}"


def password_hash(database, email: str = "pat@example.com") -> str:
    return database.execute("SELECT password_hash FROM users WHERE email = ?", (email,)).fetchone()[0]


def session_count(database, email: str = "pat@example.com") -> int:
    return database.execute("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id"
                            " WHERE u.email = ?", (email,)).fetchone()[0]


@pytest.fixture
async def forgetful(people, patient):
    """The patient's own phone, where they are signed out and cannot sign in again."""
    return people("pat@example.com")


async def test_sign_in_links_to_a_page_that_says_to_ask_the_clinic(stranger):
    assert 'href="/reset">Forgot your password?</a>' in (await stranger.get("/signin")).text
    page = await stranger.get("/reset")
    assert page.status_code == 200
    for fact in ("Lift doesn't send email", "Ask your clinic, or whoever runs Lift for you",
                 "Your journal is kept as it is", "works once, within 24 hours"):
        assert fact in page.text
    # Get help is in the header of every page, and said again in the page for someone distressed.
    assert page.text.count('href="/help"') == 2


async def test_a_reset_link_sets_the_password_and_signs_the_person_in(app, patient, forgetful, database):
    path = await reset_path(app)
    form = await forgetful.get(path)
    assert form.status_code == 200 and "Choose a new password" in form.text
    assert "pat@<wbr>example.com" in form.text
    response = await forgetful.post(path, {"new_password": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/account?notice=password-reset"
    account = await forgetful.get(response.headers["location"])
    assert account.status_code == 200 and "Your new password is set and you&#39;re signed in" in account.text
    assert database.execute("SELECT used_at IS NOT NULL FROM password_resets").fetchone()[0] == 1
    await forgetful.post("/signout")
    assert (await forgetful.sign_in(PASSWORD)).status_code == 401
    assert (await forgetful.sign_in(NEW_PASSWORD)).status_code == 303


async def test_every_earlier_session_of_the_account_ends(app, patient, people, forgetful, database):
    laptop = people("pat@example.com")
    assert (await laptop.sign_in()).status_code == 303
    assert session_count(database) == 2
    await forgetful.post(await reset_path(app), {"new_password": NEW_PASSWORD})
    # Only the session just made for the browser that reset it is left.
    assert session_count(database) == 1
    for device in (patient, laptop):
        assert (await device.get("/account")).status_code == 303
    assert (await forgetful.get("/account")).status_code == 200


async def test_it_signs_in_a_browser_someone_else_was_signed_in_on_as_the_reset_account(app, patient,
                                                                                        other_patient):
    response = await other_patient.post(await reset_path(app), {"new_password": NEW_PASSWORD})
    assert response.status_code == 303
    account = await other_patient.get("/account")
    assert account.status_code == 200 and "Signed in as <strong>pat@example.com</strong>" in account.text


async def test_it_forgets_the_failed_sign_ins_that_locked_the_account(app, patient, forgetful):
    for _ in range(5):
        await forgetful.sign_in("a wrong guess at it")
    assert (await forgetful.sign_in(PASSWORD)).status_code == 429
    await forgetful.post(await reset_path(app), {"new_password": NEW_PASSWORD})
    await forgetful.post("/signout")
    assert (await forgetful.sign_in(NEW_PASSWORD)).status_code == 303


@pytest.mark.parametrize("new_password, error", [
    ("too short", "Use at least 10 characters"),
    ("password123", "one of the most common ones"),
    ("aaaaaaaaaaaaaaaa", "repeats too few characters"),
    ("", "Use at least 10 characters"),
])
async def test_a_weak_password_is_refused_in_place_and_changes_nothing(app, patient, forgetful, database,
                                                                       new_password, error):
    before = password_hash(database)
    path = await reset_path(app)
    response = await forgetful.post(path, {"new_password": new_password})
    assert response.status_code == 422
    assert 'id="new_password-error"' in response.text and error in response.text.replace("&#39;", "'")
    assert "Choose a new password" in response.text and f'action="{path}"' in response.text
    assert password_hash(database) == before and session_count(database) == 1
    assert database.execute("SELECT used_at FROM password_resets").fetchone()[0] is None
    assert (await forgetful.get(path)).status_code == 200


async def test_an_expired_link_says_so_and_changes_nothing(app, patient, forgetful, database):
    before = password_hash(database)
    path = await reset_path(app, hours_ago=24)
    page = await forgetful.get(path)
    assert page.status_code == 410 and "This link has expired: reset links work for 24 hours" in page.text
    assert "Ask your clinic" in page.text
    assert (await forgetful.post(path, {"new_password": NEW_PASSWORD})).status_code == 410
    assert password_hash(database) == before and session_count(database) == 1


async def test_a_link_works_for_just_under_a_day(app, patient, forgetful):
    path = await reset_path(app, hours_ago=23.9)
    assert (await forgetful.get(path)).status_code == 200


async def test_a_link_works_once(app, patient, forgetful, people, database):
    path = await reset_path(app)
    assert (await forgetful.post(path, {"new_password": NEW_PASSWORD})).status_code == 303
    after = password_hash(database)
    again = people("someone-later@example.com")
    for response in (await again.get(path), await again.post(path, {"new_password": "another password 9x"})):
        assert response.status_code == 410 and "already been used" in response.text
    assert password_hash(database) == after
    assert (await again.get("/account")).status_code == 303


async def test_a_link_spent_while_its_form_was_open_is_not_spent_twice(app, patient, database):
    token, _ = await create_reset_link(app.state.db, "pat@example.com", utc_now())
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert await use_reset_link(app.state.db, digest, "first", utc_now()) is not None
    assert await use_reset_link(app.state.db, digest, "second", utc_now()) is None
    assert password_hash(database) == "first"


@pytest.mark.parametrize("token", ["not-a-link-lift-made", "x" * 65, "%00"])
async def test_an_unknown_link_says_it_cannot_be_used(stranger, token):
    page = await stranger.get(f"/reset/{token}")
    assert page.status_code == 404 and "This link can't be used" in page.text
    assert (await stranger.post(f"/reset/{token}", {"new_password": NEW_PASSWORD})).status_code == 404


async def test_changing_the_password_on_the_account_page_ends_an_unused_link(app, patient, people, database):
    """A link is a second key to the account: someone who changes their password (perhaps
    because another person knew it) must not leave a link in a message that still sets it."""
    path = await reset_path(app)
    changed = await patient.post("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 303
    after = password_hash(database)
    finder = people("found-the-message@example.com")
    page = await finder.get(path)
    assert page.status_code == 404
    assert "ended when the account&#39;s password or email address was changed" in page.text
    assert (await finder.post(path, {"new_password": "another password 9x"})).status_code == 404
    assert password_hash(database) == after
    assert (await finder.get("/account")).status_code == 303


async def test_a_new_link_replaces_the_earlier_one(app, patient, forgetful, database):
    first, second = await reset_path(app), await reset_path(app)
    assert (await forgetful.get(first)).status_code == 404
    assert (await forgetful.post(second, {"new_password": NEW_PASSWORD})).status_code == 303
    assert database.execute("SELECT count(*) FROM password_resets").fetchone()[0] == 1


async def test_a_link_for_an_email_with_no_account_is_not_made(app):
    assert await create_reset_link(app.state.db, "nobody@example.com", utc_now()) is None


async def test_setting_the_password_needs_the_form_token(app, patient, forgetful, database):
    before = password_hash(database)
    path = await reset_path(app)
    response = await forgetful.post(path, {"new_password": NEW_PASSWORD}, csrf=False)
    assert response.status_code == 403
    assert password_hash(database) == before
    assert (await forgetful.get(path)).status_code == 200


async def test_only_a_hash_of_the_link_is_stored(app, patient, settings, database):
    path = await reset_path(app)
    token = path.removeprefix("/reset/")
    assert len(token) >= 43  # 32 random bytes: 256 bits
    stored = database.execute("SELECT token_hash FROM password_resets").fetchone()[0]
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    database.execute("PRAGMA wal_checkpoint(FULL)")
    for suffix in ("", "-wal"):
        file = settings.database_path.with_name(settings.database_path.name + suffix)
        if file.exists():
            assert token.encode() not in file.read_bytes()


async def test_the_reset_pages_are_never_kept_and_never_name_the_link_to_other_sites(app, patient, forgetful):
    path = await reset_path(app)
    for response in (await forgetful.get(path), await forgetful.post(path, {"new_password": "short"}),
                     await forgetful.get("/reset")):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "same-origin"


async def test_a_link_dead_for_over_a_week_is_purged_at_the_next_start(app, patient, other_patient, settings,
                                                                       database):
    """A dead link still says why for a week ("expired", "already used"); after that it goes."""
    await reset_path(app, "pat@example.com", hours_ago=24 + 8 * 24)
    await reset_path(app, "other@example.com", hours_ago=24 + 6 * 24)
    async with AsyncTestClient(app=create_app(settings)):
        pass
    kept = database.execute("SELECT u.email FROM password_resets r JOIN users u ON u.id = r.user_id").fetchall()
    assert [row[0] for row in kept] == ["other@example.com"]


async def test_the_account_page_shows_a_link_waiting_until_it_is_used_or_ended(app, patient, forgetful):
    """Its owner learns a link exists (they may not have asked the clinic for one), and how to end it."""
    notice = "A password reset link for this account was made on"
    assert notice not in (await patient.get("/account")).text
    await reset_path(app)
    page = (await patient.get("/account")).text
    assert notice in page and "change your password below: that ends the link" in page
    await patient.post("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert notice not in (await patient.get("/account")).text
    # A link used to choose a password is not waiting either.
    used = await reset_path(app)
    await forgetful.post(used, {"new_password": "another password 9x"})
    assert notice not in (await forgetful.get("/account")).text
