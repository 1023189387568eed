"""Sharing over HTTP: invitations (link and code, single use, 7 days, hashed), invitee sign-up
and accept, the Sharing page, stopping sharing (asked first) with immediate effect, a caregiver or clinician
ending their own access, and the audit log."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from lift.domain.dates import day_text
from lift.web import sharing as web_sharing

from tests.integration.conftest import BASE_URL, PASSWORD, slowed_password_hashes
from tests.integration.sharing_helpers import caregiver, clinician, invite, join, shared_with, user_id  # noqa: F401

DEAD_PAGE = "<h1>This invitation can't be used</h1>"


async def test_it_creates_an_invitation_with_a_link_and_a_short_code_stored_only_as_hashes(patient, database):
    path, code = await invite(patient, "caregiver", label="Sam")
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 40 and len(code) == 9 and code[4] == "-"
    row = database.execute("SELECT * FROM share_invitations").fetchone()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    dump = "\n".join(database.iterdump())
    assert token not in dump and code.replace("-", "") not in dump
    created, expires = (datetime.fromisoformat(row[name]) for name in ("created_at", "expires_at"))
    assert expires - created == timedelta(days=7)
    assert row["role"] == "caregiver" and row["include_notes"] == 0 and row["include_thoughts"] == 0


async def test_the_invitation_page_says_who_invited_and_what_will_be_shared(patient, stranger):
    path, _ = await invite(patient, "caregiver", notes=True)
    page = await stranger.get(path)
    assert page.status_code == 200
    assert "pat@example.com" in page.text and "Create your caregiver account" in page.text
    # Said to the person invited, about the patient: "their notes", never "your notes".
    sees, hidden = page.text.split("What you won")
    assert "Whether they checked in each day" in sees and "Their check-in notes" in sees
    assert "Their answers about thoughts of death or suicide" in hidden
    assert "Your mood" not in page.text and "Your check-in notes" not in page.text
    # They don't check in: the sign-up's time zone field makes no claim about check-ins.
    assert "your check-ins follow your local day" not in page.text


async def test_a_caregiver_signs_up_through_the_invitation_and_lands_on_the_summary(patient, people, database):
    path, _ = await invite(patient, "caregiver")
    carer = people("carer@example.com")
    response = await join(carer, path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/caregiver/patients/{user_id(database, 'pat@example.com')}"
    assert database.execute("SELECT role FROM users WHERE email = 'carer@example.com'").fetchone()[0] == "caregiver"
    summary = await carer.get(response.headers["location"])
    assert summary.status_code == 200 and "pat@example.com" in summary.text
    assert (await carer.get("/")).headers["location"] == "/caregiver"
    account = (await carer.get("/account")).text
    assert 'name="timezone"' in account and "your check-ins follow your local day" not in account


async def test_the_invitation_page_shows_the_patients_own_name_for_it_as_theirs(patient, stranger):
    """The name is the patient's label for the person ("My sister"): said to that person, it is
    quoted as the patient's, not shown bare as if it were the invitee's own words."""
    path, _ = await invite(patient, "caregiver", label="My sister")
    page = (await stranger.get(path)).text
    assert "invited you as their caregiver (they named the invitation “My sister”)." in page
    assert "(My sister)" not in page


async def test_the_footer_speaks_to_a_caregiver_or_clinician_about_the_patients_care(patient, caregiver, clinician):
    """Every page's footer says whose care Lift supports: the patient's own ("your care"), but not
    a caregiver's or a clinician's, who are not the ones being treated."""
    for person, page in ((caregiver, "/caregiver"), (clinician, "/clinician"), (caregiver, "/account")):
        html = (await person.get(page)).text
        assert "Lift is a journal that supports a patient's care." in html.replace("&#39;", "'"), (person.email, page)
        assert "supports your care" not in html, (person.email, page)
    assert "Lift is a journal that supports your care." in (await patient.get("/")).text


async def test_an_invitation_seen_signed_out_speaks_of_a_patients_care(patient, stranger):
    """Whoever opens an invitation, signed in or not, is asked to help with someone else's care."""
    path, _ = await invite(patient, "caregiver")
    for page in (path, "/invite", "/invite/ZZZZZZZZ"):
        html = (await stranger.get(page)).text.replace("&#39;", "'")
        assert "Lift is a journal that supports a patient's care." in html, page
        assert "supports your care" not in html, page


async def test_an_invitation_offers_places_and_still_takes_the_alias_a_browser_sends(patient, people, database):
    """Chrome names India's zone Asia/Calcutta, which the list no longer offers but still accepts."""
    path, _ = await invite(patient, "caregiver")
    carer = people("carer@example.com")
    page = (await carer.get(path)).text
    assert '<option value="Asia/Kolkata">Kolkata — Asia (UTC+05:30)</option>' in page
    assert 'value="Asia/Calcutta"' not in page and 'value="Etc/GMT+5"' not in page
    assert (await join(carer, path, timezone="Asia/Calcutta")).status_code == 303
    assert database.execute("SELECT timezone FROM users WHERE email = 'carer@example.com'").fetchone()[0] == (
        "Asia/Calcutta")


async def test_an_invitee_cannot_sign_up_with_a_tzdata_name_that_is_no_place(patient, people, database):
    path, _ = await invite(patient, "caregiver")
    response = await join(people("carer@example.com"), path, timezone="localtime")
    assert response.status_code == 422 and 'id="timezone-error"' in response.text
    assert "Choose your time zone from the list." in response.text
    assert database.execute("SELECT count(*) FROM users WHERE email = 'carer@example.com'").fetchone()[0] == 0


async def test_the_short_code_opens_the_same_invitation_however_it_is_typed(patient, people):
    _, code = await invite(patient, "clinician")
    doctor = people("doctor@example.com")
    typed = await doctor.post("/invite", {"code": code.lower().replace("-", " ")})
    assert typed.status_code == 200 and "pat@example.com" in typed.text
    assert f'action="/invite/{code.replace("-", "")}/signup"' in typed.text
    response = await join(doctor, f"/invite/{code.replace('-', '')}")
    assert response.status_code == 303 and response.headers["location"].startswith("/clinician/patients/")
    assert (await doctor.get("/")).headers["location"] == "/clinician"


async def test_a_code_in_a_link_is_never_looked_up_by_the_get(patient, stranger):
    """A GET counts no failure, so it must not answer whether a 40-bit code exists either: the
    code form comes back filled in, the same for a real code and a made-up one."""
    _, code = await invite(patient)
    real, made_up = await stranger.get(f"/invite/{code.replace('-', '')}"), await stranger.get("/invite/ZZZZZZZZ")
    assert real.status_code == made_up.status_code == 200
    assert f'value="{code}"' in real.text and 'value="ZZZZ-ZZZZ"' in made_up.text
    assert 'method="post" action="/invite"' in real.text and "pat@example.com" not in real.text


async def test_an_invitation_works_once(patient, people, database):
    path, _ = await invite(patient)
    assert (await join(people("first@example.com"), path)).status_code == 303
    second = people("second@example.com")
    response = await join(second, path)
    assert response.status_code == 410 and "already been used" in response.text
    assert "pat@example.com" not in response.text
    assert database.execute("SELECT count(*) FROM users WHERE email = 'second@example.com'").fetchone()[0] == 0
    assert (await second.get(path)).status_code == 410


async def test_an_expired_invitation_gives_a_clear_page_and_nothing_about_the_patient(patient, stranger, database):
    path, code = await invite(patient)
    database.execute("UPDATE share_invitations SET expires_at = '2020-01-01T00:00:00Z'")
    database.commit()
    for page in (await stranger.get(path), await stranger.post("/invite", {"code": code})):
        assert page.status_code == 410 and "has expired" in page.text and DEAD_PAGE in page.text
        assert "pat@example.com" not in page.text
    assert (await join(stranger, path)).status_code == 410


async def test_a_withdrawn_invitation_stops_working(patient, stranger, database):
    path, _ = await invite(patient)
    invitation_id = database.execute("SELECT id FROM share_invitations").fetchone()[0]
    assert (await patient.post(f"/sharing/invitations/{invitation_id}/withdraw")).status_code == 303
    page = await stranger.get(path)
    assert page.status_code == 410 and "withdrawn" in page.text and "pat@example.com" not in page.text


@pytest.mark.parametrize("key", ["not-a-real-token-at-all-0000000000000000000", "x" * 500])
async def test_a_forged_token_or_code_is_unknown(patient, stranger, key):
    await invite(patient)
    page = await stranger.get(f"/invite/{key}")
    assert page.status_code == 404 and DEAD_PAGE in page.text and "pat@example.com" not in page.text
    assert 'href="/invite"' in page.text  # the way to enter a code instead
    for page in (await stranger.post("/invite", {"code": "ZZZZ-ZZZZ"}),
                 await stranger.post(f"/invite/{key}/signup", {"email": stranger.email, "password": PASSWORD,
                                                               "timezone": "UTC"})):
        assert page.status_code == 404 and DEAD_PAGE in page.text and "pat@example.com" not in page.text


@pytest.mark.parametrize("guess", ["code form", "sign-up", "accept"])
async def test_guessing_codes_is_throttled(app, patient, stranger, caregiver, guess):
    """Every POST that names an invitation counts an unknown key; at the limit even a right one is refused."""
    _, code = await invite(patient)

    async def try_code(key: str):
        if guess == "code form":
            return await stranger.post("/invite", {"code": key})
        if guess == "sign-up":
            return await stranger.post(f"/invite/{key}/signup", {"email": stranger.email, "password": PASSWORD,
                                                                 "timezone": "UTC"})
        return await caregiver.post(f"/invite/{key}/accept")

    for n in range(app.state.settings.signin_ip_limit):
        assert (await try_code(f"ZZZZ{n:04d}")).status_code == 404
    response = await try_code(code.replace("-", ""))
    assert response.status_code == 429 and "Too many invitation codes" in response.text


async def test_a_burst_of_guessed_codes_sent_at_once_gets_no_more_look_ups_than_the_limit(
        app, patient, people, database, monkeypatch):
    """Counted only after the look-up, a burst of codes sent together all passed a limit none of
    them had counted yet: 181 of 200 sent at once to a served Lift were looked up, against 20."""
    looked_up: list[str] = []
    look_up = web_sharing.invitation_for_key

    async def slow_look_up(request, key):
        looked_up.append(key)
        await asyncio.sleep(0.2)  # while the rest of the burst arrives
        return await look_up(request, key)

    monkeypatch.setattr(web_sharing, "invitation_for_key", slow_look_up)
    limit = app.state.settings.signin_ip_limit
    guessers = [people(f"guesser{n}@example.com") for n in range(limit + 10)]
    answers = await asyncio.gather(*(guesser.post("/invite", {"code": f"ZZZZ{n:04d}"})
                                     for n, guesser in enumerate(guessers)))
    assert sorted(answer.status_code for answer in answers) == [404] * limit + [429] * 10
    assert len(looked_up) == limit
    assert database.execute("SELECT count(*) FROM invitation_failures").fetchone()[0] == limit


async def test_an_invitation_sign_up_counts_toward_its_addresss_sign_ups_and_the_invitation_waits(
        signup_limit, patient, people, database):
    """A caregiver's or clinician's sign-up costs the same hash as a patient's: they share the
    address's hour. The refused form keeps what was typed, and the invitation stays unused."""
    path, _ = await invite(patient)  # the patient's own sign-up was the first from 127.0.0.1
    for n in range(signup_limit - 1):
        assert (await people(f"patient{n}@example.com").sign_up()).status_code == 303
    carer = people("carer@example.com")
    refused = await carer.post(f"{path}/signup", {"email": carer.email, "password": PASSWORD,
                                                  "timezone": "Europe/London"})
    assert refused.status_code == 429
    page = unescape(refused.text)
    assert "Too many accounts were asked for from this network in the last hour" in page
    assert "Create your caregiver account" in page and 'value="carer@example.com"' in refused.text
    assert PASSWORD not in refused.text
    assert database.execute("SELECT count(*) FROM users WHERE email = ?", (carer.email,)).fetchone()[0] == 0
    assert database.execute("SELECT count(*) FROM share_grants").fetchone()[0] == 0
    # From another network (the carer's home), the same link still works.
    assert (await join(people("carer@example.com", "198.51.100.9"), path)).status_code == 303


async def test_a_burst_of_invitation_sign_ups_sent_at_once_hashes_no_more_passwords_than_the_limit(
        signup_limit, patient, people, database, monkeypatch):
    """Sent together to one invitation link, all would be hashed and all but one refused after."""
    hashed = slowed_password_hashes(monkeypatch, web_sharing)
    path, _ = await invite(patient)
    answers = await asyncio.gather(*(join(people(f"carer{n}@example.com"), path) for n in range(10)))
    left = signup_limit - 1  # the patient's sign-up counted too
    assert len(hashed) == left
    assert sorted(answer.status_code for answer in answers) == [303] + [410] * (left - 1) + [429] * (10 - left)
    assert database.execute("SELECT count(*) FROM signup_attempts").fetchone()[0] == signup_limit


async def test_a_key_that_names_an_invitation_counts_no_failure(patient, stranger, database):
    """Each key is counted before it is looked up, and the count is taken back when it names an
    invitation, even one that can no longer be used."""
    _, code = await invite(patient)
    assert (await stranger.post("/invite", {"code": code})).status_code == 200
    database.execute("UPDATE share_invitations SET expires_at = '2000-01-01T00:00:00Z'")
    database.commit()
    assert (await stranger.post("/invite", {"code": code})).status_code == 410
    assert database.execute("SELECT count(*) FROM invitation_failures").fetchone()[0] == 0


async def test_any_number_of_get_requests_cannot_lock_out_a_real_invitation(app, patient, stranger, people):
    """Any web page can make a browser GET (<img src=".../invite/xxx">), so GETs count nothing:
    a clinic's shared address keeps its budget, and the real link and code still work."""
    path, code = await invite(patient)
    for n in range(app.state.settings.signin_ip_limit + 5):
        assert (await stranger.get(f"/invite/not-a-real-token-{n:027d}")).status_code == 404
        await stranger.get(f"/invite/ZZZZ{n:04d}")
    assert (await stranger.get(path)).status_code == 200
    assert (await stranger.post("/invite", {"code": code})).status_code == 200
    assert (await join(people("carer@example.com"), path)).status_code == 303


async def test_a_patient_account_cannot_accept_an_invitation(patient, other_patient, database):
    path, _ = await invite(patient)
    page = await other_patient.get(path)
    assert "signed in with a patient account" in page.text
    response = await other_patient.post(f"{path}/accept")
    assert response.status_code == 409
    assert database.execute("SELECT count(*) FROM share_grants").fetchone()[0] == 0


async def test_an_existing_caregiver_signs_in_and_accepts_a_second_patients_invitation(
        patient, other_patient, caregiver, database):
    path, _ = await invite(other_patient)
    response = await caregiver.post(f"{path}/accept")
    assert response.status_code == 303
    assert response.headers["location"] == f"/caregiver/patients/{user_id(database, 'other@example.com')}"
    people = (await caregiver.get("/caregiver")).text.replace("<wbr>", "")  # an address may wrap after its @
    assert "pat@example.com" in people and "other@example.com" in people


async def test_an_invitee_signed_out_before_pressing_accept_comes_back_to_the_invitation(
        patient, other_patient, caregiver, database):
    path, _ = await invite(other_patient)
    await caregiver.get(path)
    await caregiver.post("/signout")
    # The session ended in another tab: Accept, pressed on the page still open, asks to sign in.
    response = await caregiver.post(f"{path}/accept", headers={"referer": f"{BASE_URL}{path}"})
    assert response.status_code == 303 and response.headers["location"] == f"/signin?next={path}"
    back = await caregiver.post("/signin", {"email": caregiver.email, "password": PASSWORD, "next": path})
    assert back.headers["location"] == path
    page = await caregiver.get(path)
    assert page.status_code == 200 and "Accept the invitation" in page.text
    # Without a Referer there is no page to return to: home, never the accept route itself.
    await caregiver.post("/signout")
    response = await caregiver.post(f"{path}/accept")
    assert response.headers["location"] == "/signin?next=/"


async def test_a_caregiver_invitation_cannot_make_a_clinician_of_an_existing_clinician(patient, clinician):
    path, _ = await invite(patient, "caregiver")
    assert (await clinician.post(f"{path}/accept")).status_code == 409


async def test_an_invitee_with_a_taken_email_is_told_to_sign_in_instead(patient, other_patient, people, database):
    path, _ = await invite(patient)
    # Signed in already: sign-up is not offered, the invitation page is.
    assert (await join(other_patient, path)).headers["location"] == path
    response = await join(people("other@example.com"), path)
    assert response.status_code == 422 and "already exists" in response.text
    assert database.execute("SELECT used_at FROM share_invitations").fetchone()[0] is None


async def test_the_sharing_page_lists_active_grants_and_pending_invitations(patient, caregiver):
    await invite(patient, "clinician", label="Dr Rivera")
    page = await patient.get("/sharing")
    assert "carer@example.com" in page.text and "Summary only" in page.text
    assert "Invitations not used yet" in page.text and "Dr Rivera" in page.text
    assert "Stop sharing with carer@example.com" in page.text


async def test_stop_sharing_asks_first_saying_who_and_what_they_will_stop_seeing(patient, people, database):
    """One tap on "Stop sharing with …" ended a caregiver's access at once: a mis-tap cost them it."""
    await shared_with(patient, people("carer@example.com"), "caregiver", label="Alex (partner)", notes=True)
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    page = (await patient.get("/sharing")).text
    assert f'href="/sharing/grants/{grant_id}/revoke">Stop sharing with Alex (partner)</a>' in page
    assert f'action="/sharing/grants/{grant_id}/revoke"' not in page
    confirm = await patient.get(f"/sharing/grants/{grant_id}/revoke")
    assert confirm.status_code == 200
    text = unescape(confirm.text)
    assert "<h1>Stop sharing your journal?</h1>" in text
    assert re.search(r'<p class="shared-name"><strong><bdi class="patient-name">Alex \(partner\)</bdi>'
                     r' <span class="patient-email">carer@(<wbr>)?example.com</span>', text)
    assert "They will stop seeing" in text and "Your check-in notes" in text and "Your mood and anxiety trend" in text
    assert "They lose access at once" in text and "Nothing in your journal is deleted" in text
    assert re.search(rf'<form method="post" action="/sharing/grants/{grant_id}/revoke">\s*'
                     r'<input type="hidden" name="_csrf_token" value="[^"]+">', text)
    assert '<button class="button button--danger" type="submit">Stop sharing</button>' in text
    assert '<a class="button" href="/sharing">Keep sharing</a>' in text
    # Asking changes nothing: the share goes on until the button is pressed.
    assert database.execute("SELECT revoked_at FROM share_grants").fetchone()[0] is None
    response = await patient.post(f"/sharing/grants/{grant_id}/revoke")
    assert response.status_code == 303 and response.headers["location"] == "/sharing?notice=revoked"
    assert database.execute("SELECT revoked_at FROM share_grants").fetchone()[0] is not None
    # Once ended, there is nothing left to confirm.
    assert (await patient.get(f"/sharing/grants/{grant_id}/revoke")).status_code == 404


async def test_the_stop_sharing_page_of_another_patients_share_is_missing(patient, other_patient, caregiver,
                                                                          database):
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    response = await other_patient.get(f"/sharing/grants/{grant_id}/revoke")
    assert response.status_code == 404 and "carer@example.com" not in response.text
    assert (await caregiver.get(f"/sharing/grants/{grant_id}/revoke")).status_code == 404
    assert (await patient.get("/sharing/grants/99999/revoke")).status_code == 404


async def test_stopping_sharing_refuses_the_grantees_next_request(patient, caregiver, database):
    pid = user_id(database, "pat@example.com")
    assert (await caregiver.get(f"/caregiver/patients/{pid}")).status_code == 200
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    response = await patient.post(f"/sharing/grants/{grant_id}/revoke")
    assert response.status_code == 303 and response.headers["location"] == "/sharing?notice=revoked"
    after = await caregiver.get(f"/caregiver/patients/{pid}")
    assert after.status_code == 404 and "pat@example.com" not in after.text
    assert "pat@example.com" not in (await caregiver.get("/caregiver")).text
    assert (await patient.post(f"/sharing/grants/{grant_id}/revoke")).status_code == 404


async def test_a_caregiver_whose_access_ended_is_told_so_kindly_and_learns_nothing(patient, caregiver, database):
    pid = user_id(database, "pat@example.com")
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    await patient.post(f"/sharing/grants/{grant_id}/revoke")
    ended = await caregiver.get(f"/caregiver/patients/{pid}")
    assert ended.status_code == 404 and "Not shared with you now" in ended.text
    assert "not yours to see" not in ended.text
    # Word for word what a journal that never existed gets: the page reveals nothing.
    never = await caregiver.get("/caregiver/patients/99999")
    main = re.compile(r"<main.*</main>", re.DOTALL)
    assert main.search(ended.text).group() == main.search(never.text).group()


async def test_another_patient_cannot_revoke_or_change_a_grant_that_is_not_theirs(patient, other_patient,
                                                                                  caregiver, database):
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    assert (await other_patient.post(f"/sharing/grants/{grant_id}/revoke")).status_code == 404
    assert (await other_patient.post(f"/sharing/grants/{grant_id}/scope", {"include_notes": "true"})).status_code == 404
    assert database.execute("SELECT revoked_at, include_notes FROM share_grants").fetchone()[:] == (None, 0)


async def test_the_patient_switches_notes_on_for_a_caregiver(patient, caregiver, database):
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    response = await patient.post(f"/sharing/grants/{grant_id}/scope", {"include_notes": "true"})
    assert response.status_code == 303
    assert database.execute("SELECT include_notes, include_thoughts FROM share_grants").fetchone()[:] == (1, 0)
    pid = user_id(database, "pat@example.com")
    assert (await caregiver.get(f"/caregiver/patients/{pid}/notes")).status_code == 200


async def test_an_invalid_invitation_form_is_shown_again_with_its_errors(patient):
    response = await patient.post("/sharing/invitations", {"role": "friend", "label": "x" * 81})
    assert response.status_code == 422
    assert "Choose a caregiver or a clinician." in response.text
    assert "Keep the name to 80 characters or fewer." in response.text


# --- The audit log --------------------------------------------------------------------------


def audit_rows(database, email: str) -> list[sqlite3.Row]:
    return database.execute(
        "SELECT a.* FROM audit_log a JOIN audit_subjects s ON s.subject = a.subject"
        " JOIN users u ON u.id = s.user_id WHERE u.email = ? ORDER BY a.id", (email,),
    ).fetchall()


async def test_each_view_and_export_by_someone_else_writes_one_entry(patient, caregiver, clinician, database):
    pid = user_id(database, "pat@example.com")
    before = len(audit_rows(database, "pat@example.com"))
    requests = [
        (caregiver, f"/caregiver/patients/{pid}", "view", "summary"),
        (clinician, "/clinician", "view", "panel"),
        (clinician, f"/clinician/patients/{pid}", "view", "timeline"),
        (clinician, f"/clinician/patients/{pid}/report", "view", "report"),
        (clinician, f"/clinician/patients/{pid}/export?kind=checkins", "export", "checkins"),
        (clinician, "/clinician/export?kind=scales&start=2026-01-01", "export", "scales"),
    ]
    for n, (person, url, action, what) in enumerate(requests, start=1):
        assert (await person.get(url)).status_code == 200
        rows = audit_rows(database, "pat@example.com")
        assert len(rows) == before + n, url
        assert (rows[-1]["action"], rows[-1]["what"], rows[-1]["actor_email"]) == (action, what, person.email)
    # A HEAD is logged like its GET: its headers (a length, say) still tell something of the page.
    person, url, action, what = requests[2]
    assert (await person.http.head(url)).status_code == 200
    rows = audit_rows(database, "pat@example.com")
    assert len(rows) == before + len(requests) + 1 and (rows[-1]["action"], rows[-1]["what"]) == (action, what)
    # The patient's own use of their journal is not logged as someone looking.
    await patient.get("/report")
    await patient.get("/export?kind=checkins")
    assert len(audit_rows(database, "pat@example.com")) == before + len(requests) + 1


async def test_grants_and_revocations_are_logged_and_shown_as_who_saw_what(patient, caregiver, database):
    pid = user_id(database, "pat@example.com")
    await caregiver.get(f"/caregiver/patients/{pid}")
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    await patient.post(f"/sharing/grants/{grant_id}/revoke")
    actions = [row["action"] for row in audit_rows(database, "pat@example.com")]
    assert actions == ["invite", "grant", "view", "revoke"]
    page = await patient.get("/sharing/audit")
    assert page.status_code == 200
    for sentence in ("You invited a caregiver.", "carer@example.com accepted your invitation",
                     "carer@example.com (caregiver) looked at your summary.",
                     "You stopped sharing with carer@example.com."):
        assert sentence in page.text
    assert page.text.index("You stopped sharing") < page.text.index("You invited a caregiver")


async def test_the_audit_log_names_people_as_the_patient_labelled_them(patient, people, database):
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician", label="Dr Patel")
    await doctor.get(f"/clinician/patients/{user_id(database, 'pat@example.com')}")
    page = (await patient.get("/sharing/audit")).text
    assert "Dr Patel (doctor@example.com, clinician) looked at your timeline." in page


async def test_the_log_names_whom_the_patient_stopped_sharing_with_as_the_sharing_page_does(patient, people,
                                                                                            database):
    """It said "You stopped sharing with carer@example.com" where the lines above it said "Alex (partner)"."""
    carer = await shared_with(patient, people("carer@example.com"), "caregiver", label="Alex (partner)")
    await carer.get(f"/caregiver/patients/{user_id(database, 'pat@example.com')}")
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    await patient.post(f"/sharing/grants/{grant_id}/scope", {"include_notes": "true"})
    await patient.post(f"/sharing/grants/{grant_id}/revoke")
    # Shared again under another name: the earlier lines keep the name they had then.
    path, _ = await invite(patient, "caregiver", label="Alex")
    assert (await carer.post(f"{path}/accept")).status_code == 303
    lines = re.findall(r'<span class="audit__what">([^<]*)</span>', unescape((await patient.get("/sharing/audit")).text))
    assert lines[1:5] == [
        "You invited a caregiver (Alex).",
        "You stopped sharing with Alex (partner) (carer@example.com).",
        "You changed what Alex (partner) (carer@example.com) can see: Summary with notes.",
        "Alex (partner) (carer@example.com, caregiver) looked at your summary.",
    ]


async def test_a_clinician_sorting_their_list_is_every_look_stored_and_one_line_on_the_log(
        patient, clinician, database):
    sorts = ("patient", "phq9", "attention")
    partial = {"HX-Request": "true", "HX-Target": "clinician-panel"}
    for sort in sorts:
        response = await clinician.get(f"/clinician?sort={sort}", headers=partial)
        assert response.status_code == 200 and "<html" not in response.text
    views = [row for row in audit_rows(database, "pat@example.com") if row["action"] == "view"]
    assert [row["what"] for row in views] == ["panel"] * len(sorts)
    page = (await patient.get("/sharing/audit")).text
    assert page.count("looked at your row in their list of patients") == 1
    assert "looked at your row in their list of patients 3 times, the first at" in page


async def test_a_clinician_opening_the_timeline_through_a_day_is_one_line_on_the_log(patient, clinician, database,
                                                                                     monkeypatch):
    """Each look at the timeline more than ten minutes after the last was a line of its own: a
    clinician who came back to it through the day filled the patient's log with one sentence."""
    from lift.db import audit as audit_store

    pid = user_id(database, "pat@example.com")
    new_york = ZoneInfo("America/New_York")  # the patient's time zone
    day = [datetime(2026, 5, 20, hour, minute, tzinfo=new_york) for hour, minute in ((9, 5), (11, 40), (16, 20))]
    for at in [*day, datetime(2026, 5, 21, 8, 0, tzinfo=new_york)]:
        monkeypatch.setattr(audit_store, "utc_now", lambda at=at: at.astimezone(UTC))
        assert (await clinician.get(f"/clinician/patients/{pid}")).status_code == 200
    views = [row for row in audit_rows(database, "pat@example.com") if row["action"] == "view"]
    assert [row["what"] for row in views] == ["timeline"] * 4
    lines = re.findall(r'<span class="audit__what">([^<]*)</span>', (await patient.get("/sharing/audit")).text)
    assert lines[:2] == ["doctor@example.com (clinician) looked at your timeline.",
                         "doctor@example.com (clinician) looked at your timeline 3 times, the first at 09:05."]


LOG_LINE = re.compile(r'<span class="audit__what">([^<]*)</span>')


def looked(database, email: str, role: str, what: str, instants: list[datetime]) -> None:
    """Looks written as the app writes them (one entry each, oldest first); a page of them by
    HTTP would take a request each."""
    subject = database.execute("SELECT subject FROM audit_subjects WHERE user_id = ?",
                               (user_id(database, "pat@example.com"),)).fetchone()[0]
    database.executemany(
        "INSERT INTO audit_log (at, subject, actor_role, actor_email, action, what) VALUES (?, ?, ?, ?, 'view', ?)",
        [(at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), subject, role, email, what) for at in instants])
    database.commit()


async def test_a_days_looks_by_two_people_taking_turns_fold_into_one_line_each(patient, caregiver, clinician,
                                                                               database, monkeypatch):
    """Only looks with no other line between them were folded: a caregiver and a clinician looking
    in turn through one day left a line per look."""
    from lift.db import audit as audit_store

    pid = user_id(database, "pat@example.com")
    day = (datetime.now(UTC) + timedelta(days=2)).astimezone(ZoneInfo("America/New_York")).date()
    # 20:00 to 23:30 in New York, the patient's zone, is the next day in UTC.
    for hour, minute, person, path in ((8, 10, caregiver, "caregiver"), (9, 0, clinician, "clinician"),
                                       (12, 30, caregiver, "caregiver"), (20, 0, clinician, "clinician"),
                                       (23, 30, caregiver, "caregiver")):
        at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("America/New_York"))
        monkeypatch.setattr(audit_store, "utc_now", lambda at=at: at.astimezone(UTC))
        assert (await person.get(f"/{path}/patients/{pid}")).status_code == 200
    lines = LOG_LINE.findall((await patient.get("/sharing/audit")).text)
    assert lines[:2] == ["carer@example.com (caregiver) looked at your summary 3 times, the first at 08:10.",
                         "doctor@example.com (clinician) looked at your timeline 2 times, the first at 09:00."]
    assert sum("looked at" in line for line in lines) == 2


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Lord_Howe", "America/Havana",
                                  "Asia/Kathmandu", "Pacific/Kiritimati"])
async def test_the_logs_days_are_the_patients_days_across_every_clock_change_of_a_year(patient, clinician, database,
                                                                                      app, zone):
    """The log is paged by the patient's days, which SQL finds from the zone's offset changes over
    the log's span (SQLite knows no time zones). Through a year of looks, on both sides of every
    change (by an hour, by half an hour on Lord Howe, at midnight in Havana) and of every local
    midnight, each day holds exactly the looks the patient's zone puts on it."""
    from collections import Counter

    from lift.db import audit as audit_store

    await patient.post("/account/timezone", {"timezone": zone})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    looked(database, "doctor@example.com", "clinician", "timeline",
           [start + timedelta(minutes=111 * n) for n in range(365 * 24 * 60 // 111)])
    stored = database.execute("SELECT at FROM audit_log").fetchall()  # the sharing's own entries too
    local_days = Counter(datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
                         .astimezone(ZoneInfo(zone)).date() for row in stored)
    days = await audit_store.log_days(app.state.db, user_id(database, "pat@example.com"), zone)
    assert {day.day: day.entries for day in days} == {day: count for day, count in local_days.items()}


async def test_a_day_is_never_split_across_two_pages_of_the_log(patient, clinician, database):
    """Pages held 50 entries: 30 looks one day and 30 the next were "30 times" on the first page,
    then "20 times" of the older day, and its first 10 on the second page as "10 times"."""
    new_york = ZoneInfo("America/New_York")
    today = datetime.now(UTC).astimezone(new_york).date()
    older, newer = today + timedelta(days=2), today + timedelta(days=3)
    # The older day's looks, from 20:00 on, fall on the newer day in UTC: the patient's zone decides.
    looked(database, "doctor@example.com", "clinician", "timeline",
           [datetime(older.year, older.month, older.day, 20, 0, tzinfo=new_york) + timedelta(minutes=6 * i)
            for i in range(30)])
    looked(database, "doctor@example.com", "clinician", "timeline",
           [datetime(newer.year, newer.month, newer.day, 8, 0, tzinfo=new_york) + timedelta(minutes=6 * i)
            for i in range(30)])
    first = (await patient.get("/sharing/audit")).text
    assert LOG_LINE.findall(first) == ["doctor@example.com (clinician) looked at your timeline 30 times,"
                                       " the first at 08:00."]
    assert "Page 1 of 2" in first
    second = (await patient.get("/sharing/audit?page=2")).text
    lines = LOG_LINE.findall(second)
    assert lines[0] == "doctor@example.com (clinician) looked at your timeline 30 times, the first at 20:00."
    assert lines[-1] == "You invited a clinician."
    assert "Page 2 of 2" in second


@pytest.fixture
def logged_on_1_march_2027(monkeypatch) -> None:
    """The log's entries for the sharing set up after it (the invitation, its acceptance) dated 1
    March 2027, before the looks a test adds around that month's clock change: dated now, they
    were the newest from 15 March 2027 on and took the first page."""
    monkeypatch.setattr("lift.db.audit.utc_now", lambda: datetime(2027, 3, 1, 12, 0, tzinfo=UTC))


async def test_the_days_of_the_log_follow_the_patients_clock_change(logged_on_1_march_2027, patient, caregiver,
                                                                   database):
    """New York moves to summer time on 14 March 2027: a look at 00:05 on the 15th is 04:05 UTC,
    which winter's offset would put on the 14th, and the page with it."""
    new_york = ZoneInfo("America/New_York")
    looked(database, "carer@example.com", "caregiver", "summary",
           [datetime(2027, 3, 14, 12, 0, tzinfo=new_york) + timedelta(minutes=i) for i in range(20)])
    looked(database, "carer@example.com", "caregiver", "summary",
           [datetime(2027, 3, 15, 0, 5, tzinfo=new_york) + timedelta(minutes=i) for i in range(40)])
    first = (await patient.get("/sharing/audit")).text
    assert LOG_LINE.findall(first) == ["carer@example.com (caregiver) looked at your summary 40 times,"
                                       " the first at 00:05."]
    second = LOG_LINE.findall((await patient.get("/sharing/audit?page=2")).text)
    assert second[0] == "carer@example.com (caregiver) looked at your summary 20 times, the first at 12:00."


async def test_a_page_of_the_log_past_the_end_is_its_last_page_with_the_pager(patient, caregiver, database):
    """A page past the end showed an empty list, and a bookmark to it nothing at all; then the last
    page under the address asked for, so the address and the pager disagreed."""
    new_york = ZoneInfo("America/New_York")
    today = datetime.now(UTC).astimezone(new_york).date()
    # One entry a day for 60 days: two pages of whole days.
    looked(database, "carer@example.com", "caregiver", "summary",
           [datetime(today.year, today.month, today.day, 9, 0, tzinfo=new_york) + timedelta(days=i)
            for i in range(1, 61)])
    last = (await patient.get("/sharing/audit?page=2")).text
    lines = LOG_LINE.findall(last)
    assert len(lines) == 12 and lines[-1] == "You invited a caregiver."  # 10 days, the grant, the invitation
    nav = re.search(r'<nav class="pager" aria-label="Pages">.*?</nav>', last, re.S).group(0)
    assert '<a class="button" href="/sharing/audit?page=1" rel="prev">Newer</a>' in nav and "Older" not in nav
    assert "<span>Page 2 of 2</span>" in nav
    for asked in ("3", "999", str(10**30)):
        response = await patient.get(f"/sharing/audit?page={asked}")
        assert response.status_code == 303 and response.headers["location"] == "/sharing/audit?page=2"
        response = await patient.get(f"/sharing/audit?page={asked}", follow_redirects=True)
        assert LOG_LINE.findall(response.text) == lines
        assert re.search(r'<nav class="pager" aria-label="Pages">.*?</nav>', response.text, re.S).group(0) == nav
    # A page that is no number (edited by hand, a mangled link) was a 400: it is the first page.
    for asked in ("0", "-4", "abc", "", "%EF%BC%92", "1.5", "9" * 5000 + "x"):
        response = await patient.get(f"/sharing/audit?page={asked}", follow_redirects=True)
        assert str(response.url).endswith("/sharing/audit?page=1") and "Page 1 of 2" in response.text


async def test_the_audit_table_refuses_update_and_delete(patient, caregiver, database):
    assert database.execute("SELECT count(*) FROM audit_log").fetchone()[0] >= 2
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("UPDATE audit_log SET actor_email = 'someone-else@example.com'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        database.execute("DELETE FROM audit_log")
    database.rollback()
    assert database.execute("SELECT count(*) FROM audit_log WHERE actor_email = 'carer@example.com'").fetchone()[0] == 1


async def test_if_the_audit_entry_cannot_be_written_nothing_is_shown(patient, caregiver, clinician, database):
    pid = user_id(database, "pat@example.com")
    await patient.check_in(note="Only for me")
    # Any failure to append (a full disk, say) stands in: the audit table refuses new rows.
    database.execute("CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'down'); END")
    database.commit()
    summary = await caregiver.get(f"/caregiver/patients/{pid}")
    timeline = await clinician.get(f"/clinician/patients/{pid}")
    export = await clinician.get(f"/clinician/patients/{pid}/export?kind=checkins")
    for response in (summary, timeline, export):
        assert response.status_code >= 500, response.request.url
        assert "chart--mood" not in response.text and "Only for me" not in response.text
        assert "local_date" not in response.text  # no CSV header either
    database.execute("DROP TRIGGER audit_down")
    database.commit()
    assert (await caregiver.get(f"/caregiver/patients/{pid}")).status_code == 200


async def test_a_patient_sees_only_their_own_log(patient, other_patient, caregiver):
    page = await other_patient.get("/sharing/audit")
    assert "carer@example.com" not in page.text and "Nothing yet" in page.text


async def test_a_second_invitation_accepted_by_the_same_caregiver_updates_their_scope(patient, caregiver, database):
    path, _ = await invite(patient, "caregiver", thoughts=True)
    assert (await caregiver.post(f"{path}/accept")).status_code == 303
    rows = database.execute("SELECT include_notes, include_thoughts, revoked_at FROM share_grants").fetchall()
    assert [tuple(r) for r in rows] == [(0, 1, None)]


async def test_a_second_clinician_can_be_linked_without_disturbing_the_first(patient, clinician, people, database):
    await shared_with(patient, people("second-doctor@example.com"), "clinician")
    assert database.execute("SELECT count(*) FROM share_grants WHERE revoked_at IS NULL").fetchone()[0] == 2


# --- A caregiver or clinician ending their own access ---------------------------------------


def grant_state(database) -> list[tuple]:
    return [tuple(row) for row in database.execute(
        "SELECT u.email, g.revoked_at IS NOT NULL, g.ended_by FROM share_grants g"
        " JOIN users u ON u.id = g.grantee_id ORDER BY g.id")]


async def test_a_clinician_removes_a_discharged_patient_from_their_list_and_loses_access_at_once(
        patient, clinician, database):
    pid = user_id(database, "pat@example.com")
    timeline = await clinician.get(f"/clinician/patients/{pid}")
    assert f'href="/clinician/patients/{pid}/stop">Remove from my list</a>' in timeline.text
    confirm = await clinician.get(f"/clinician/patients/{pid}/stop")
    assert confirm.status_code == 200 and "Remove this patient from your list?" in confirm.text
    for fact in ("You lose access at once", "Only they can share it with you again",
                 "Nothing in their journal is deleted"):
        assert fact in confirm.text
    response = await clinician.post(f"/clinician/patients/{pid}/stop")
    assert response.status_code == 303 and response.headers["location"] == "/clinician?notice=ended"
    assert (await clinician.get(f"/clinician/patients/{pid}")).status_code == 404
    assert (await clinician.get(f"/clinician/patients/{pid}/export?kind=checkins")).status_code == 404
    panel = await clinician.get("/clinician?notice=ended")
    assert "Removed from your list" in panel.text and "pat@example.com" not in panel.text
    assert grant_state(database) == [("doctor@example.com", 1, "grantee")]
    # Nothing of the journal went with it.
    assert (await patient.get("/checkins")).status_code == 200
    assert (await clinician.post(f"/clinician/patients/{pid}/stop")).status_code == 404


async def test_a_caregiver_stops_seeing_a_journal(patient, caregiver, database):
    pid = user_id(database, "pat@example.com")
    summary = await caregiver.get(f"/caregiver/patients/{pid}")
    assert f'href="/caregiver/patients/{pid}/stop">Stop seeing this journal</a>' in summary.text
    assert "Stop seeing this journal?" in (await caregiver.get(f"/caregiver/patients/{pid}/stop")).text
    response = await caregiver.post(f"/caregiver/patients/{pid}/stop")
    assert response.status_code == 303 and response.headers["location"] == "/caregiver?notice=ended"
    assert (await caregiver.get(f"/caregiver/patients/{pid}")).status_code == 404
    people_page = await caregiver.get("/caregiver?notice=ended")
    assert "You no longer see their journal" in people_page.text and "pat@example.com" not in people_page.text
    assert grant_state(database) == [("carer@example.com", 1, "grantee")]


async def test_only_the_grantee_of_the_active_grant_can_end_it(patient, other_patient, caregiver, clinician, people,
                                                               stranger, database):
    pid = user_id(database, "pat@example.com")
    other_doctor = await shared_with(other_patient, people("other-doctor@example.com"), "clinician")
    other_carer = await shared_with(other_patient, people("other-carer@example.com"))
    attempts = [
        (other_doctor, f"/clinician/patients/{pid}/stop"),
        (other_carer, f"/caregiver/patients/{pid}/stop"),
        (caregiver, f"/clinician/patients/{pid}/stop"),
        (clinician, f"/caregiver/patients/{pid}/stop"),
        (patient, f"/clinician/patients/{pid}/stop"),
        (patient, f"/caregiver/patients/{pid}/stop"),
        (other_patient, f"/clinician/patients/{pid}/stop"),
    ]
    for person, path in attempts:
        assert (await person.get(path)).status_code == 404, (person.email, path)
        assert (await person.post(path)).status_code == 404, (person.email, path)
    assert (await stranger.post(f"/clinician/patients/{pid}/stop")).headers["location"].startswith("/signin")
    assert [state for state in grant_state(database) if state[0] in ("carer@example.com", "doctor@example.com")] == [
        ("carer@example.com", 0, None), ("doctor@example.com", 0, None)]


async def test_ending_ones_own_access_needs_the_csrf_token(patient, clinician, database):
    pid = user_id(database, "pat@example.com")
    response = await clinician.post(f"/clinician/patients/{pid}/stop", csrf=False)
    assert response.status_code == 403
    assert grant_state(database) == [("doctor@example.com", 0, None)]
    assert (await clinician.get(f"/clinician/patients/{pid}")).status_code == 200


async def test_the_patient_is_told_that_they_ended_their_own_access_not_that_they_deleted_an_account(
        patient, people, database):
    pid = user_id(database, "pat@example.com")
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician", label="Dr Patel")
    carer = await shared_with(patient, people("carer@example.com"))
    await patient.post(f"/sharing/grants/{database.execute('SELECT max(id) FROM share_grants').fetchone()[0]}/revoke")
    assert (await doctor.post(f"/clinician/patients/{pid}/stop")).status_code == 303
    last = audit_rows(database, "pat@example.com")[-1]
    assert (last["action"], last["what"], last["actor_role"], last["actor_email"]) == (
        "revoke", "ended_by_grantee", "clinician", "doctor@example.com")
    log = (await patient.get("/sharing/audit")).text
    assert "Dr Patel (doctor@example.com, clinician) ended their own access to your journal" in log
    assert "deleted their Lift account" not in log
    sharing_page = (await patient.get("/sharing")).text
    ended = sharing_page[sharing_page.index("Sharing they ended"):]
    assert "Dr Patel" in ended and "ended by them on" in ended
    # The caregiver the patient stopped sharing with is not listed as having ended it themselves.
    assert carer.email not in ended
    assert "Stop sharing with Dr Patel" not in sharing_page


async def test_the_patient_sees_on_sharing_that_a_caregiver_or_clinician_deleted_their_account(
        patient, people, database):
    """Their grant goes with their account, so it vanished from the Sharing page without a word;
    the entry it left on the patient's log is listed with the shares they ended, under the name
    the patient gave them, and said the same way in the log."""
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician", label="Dr Patel")
    carer = await shared_with(patient, people("carer@example.com"))
    stayed = await shared_with(patient, people("friend@example.com"), label="Alex")
    for person in (doctor, carer):
        assert (await person.post("/account/delete", {"password": PASSWORD, "confirm": "true"})).status_code == 200
    page = (await patient.get("/sharing")).text
    ended = page[page.index("Sharing they ended"):page.index("Invite someone")]
    patient_day = datetime.now(ZoneInfo("America/New_York")).date()  # the patient's own day
    today = day_text(patient_day, patient_day)
    assert "<strong>Dr Patel</strong> <span class=\"hint\">doctor@example.com</span>" in ended
    assert f"Clinician · deleted their Lift account on {today}" in ended
    assert "<strong>carer@example.com</strong>" in ended and "Caregiver · deleted their Lift account on" in ended
    assert ended.count("They deleted their Lift account, so their access ended") == 2
    assert "ended by them on" not in ended and stayed.email not in ended
    log = (await patient.get("/sharing/audit")).text
    assert "Dr Patel (doctor@example.com, clinician) deleted their Lift account" in log
    assert "carer@example.com (caregiver) deleted their Lift account" in log


async def test_someone_who_ended_their_access_and_then_deleted_their_account_is_still_listed_as_having_ended_it(
        patient, people, database):
    """Their ended grant went with the account, and the deletion wrote nothing for a share already
    ended, so the "ended by them" line vanished from Sharing within its 30 days. The deletion now
    leaves one entry (under the address the share had when it ended, and the invitation's id for
    the name the patient gave them); a share the patient ended, or one ended over 30 days ago,
    leaves none."""
    pid = user_id(database, "pat@example.com")
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician", label="Dr Patel")
    carer = await shared_with(patient, people("carer@example.com"))
    friend = await shared_with(patient, people("friend@example.com"), label="Alex")
    kim = await shared_with(patient, people("kim@example.com"), label="Kim")
    for person, role in ((doctor, "clinician"), (friend, "caregiver"), (kim, "caregiver")):
        assert (await person.post(f"/{role}/patients/{pid}/stop")).status_code == 303
    # Kim then signs in with another address, which the patient's log never held: it must not
    # reach that log, so Kim's entry is written under the address her share had when it ended.
    assert (await kim.post("/account/email", {"current_password": PASSWORD,
                                              "new_email": "kim@new.example"})).status_code == 303
    carer_grant = database.execute("SELECT g.id FROM share_grants g JOIN users u ON u.id = g.grantee_id"
                                   " WHERE u.email = 'carer@example.com'").fetchone()[0]
    assert (await patient.post(f"/sharing/grants/{carer_grant}/revoke")).status_code in (200, 303)
    # The friend ended it 31 days ago: the Sharing page no longer lists it.
    old = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ")
    database.execute("UPDATE share_grants SET revoked_at = ? WHERE grantee_id = ?",
                     (old, user_id(database, "friend@example.com")))
    database.commit()
    before = len(audit_rows(database, "pat@example.com"))
    for person in (doctor, carer, friend, kim):
        assert (await person.post("/account/delete", {"password": PASSWORD, "confirm": "true"})).status_code == 200
    added = audit_rows(database, "pat@example.com")[before:]
    assert [(e["action"], e["actor_email"], e["detail"], e["invitation_id"] is not None) for e in added] == [
        ("delete_account", "doctor@example.com", "", True), ("delete_account", "kim@example.com", "", True)]
    page = (await patient.get("/sharing")).text
    ended = page[page.index("Sharing they ended"):page.index("Invite someone")]
    patient_day = datetime.now(ZoneInfo("America/New_York")).date()
    today = day_text(patient_day, patient_day)
    assert "<strong>Dr Patel</strong> <span class=\"hint\">doctor@example.com</span>" in ended
    assert f"Clinician · ended by them, then deleted their Lift account on {today}" in ended
    assert "They ended their own access, then deleted their Lift account" in ended
    assert '<strong>Kim</strong> <span class="hint">kim@example.com</span>' in ended
    assert "carer@example.com" not in ended and "friend@example.com" not in ended
    log = (await patient.get("/sharing/audit")).text
    assert "kim@new.example" not in page + log
    assert ("Dr Patel (doctor@example.com, clinician) deleted their Lift account, after ending their own "
            "access to your journal.") in log


async def test_a_deleted_account_leaves_the_sharing_page_after_30_days_or_once_shared_with_again(
        patient, people, database):
    carer = await shared_with(patient, people("carer@example.com"))
    await carer.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    assert "deleted their Lift account on" in (await patient.get("/sharing")).text
    # Back with a new account through a new invitation: listed as sharing, not as gone.
    again = await shared_with(patient, people("carer@example.com"))
    page = (await patient.get("/sharing")).text
    assert "Sharing they ended" not in page and "Stop sharing with carer@example.com" in page
    # An entry from 31 days ago (the log refuses updates, so one is written as it would have been).
    await again.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    subject = database.execute("SELECT subject FROM audit_subjects WHERE user_id = ?",
                               (user_id(database, "pat@example.com"),)).fetchone()[0]
    old = (datetime.now(UTC) - timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ")
    database.execute("INSERT INTO audit_log (at, subject, actor_role, actor_email, action, what)"
                     " VALUES (?, ?, 'caregiver', 'old@example.com', 'revoke', 'account_deleted')", (old, subject))
    database.commit()
    page = (await patient.get("/sharing")).text
    assert "carer@example.com" in page and "old@example.com" not in page
    assert "old@example.com (caregiver) deleted their Lift account" in (await patient.get("/sharing/audit")).text


async def test_sharing_again_takes_someone_off_the_list_of_shares_they_ended(patient, clinician, database):
    pid = user_id(database, "pat@example.com")
    await clinician.post(f"/clinician/patients/{pid}/stop")
    assert "Sharing they ended" in (await patient.get("/sharing")).text
    path, _ = await invite(patient, "clinician")
    assert (await clinician.post(f"{path}/accept")).status_code == 303
    page = (await patient.get("/sharing")).text
    assert "Sharing they ended" not in page and "Stop sharing with doctor@example.com" in page


async def new_address(person, email: str) -> None:
    """They change the address they sign in with (their browser stays signed in)."""
    response = await person.post("/account/email", {"current_password": PASSWORD, "new_email": email})
    assert response.status_code == 303, response.text


async def archive_of(person) -> dict:
    return json.loads((await person.get("/account/data/archive.json")).content)


async def test_a_share_they_ended_shows_the_address_it_had_when_it_ended(patient, people, database):
    """A caregiver or clinician who ended their own access and then changed the address they sign
    in with: the patient's Sharing page and archive showed the new address, telling the patient
    of a change made after the share ended. They show the address the patient knew."""
    pid = user_id(database, "pat@example.com")
    mum = await shared_with(patient, people("carer@example.com"), label="Mum")
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    for person, role, address in ((mum, "caregiver", "mum@new.example"), (doctor, "clinician", "dr@new.example")):
        assert (await person.post(f"/{role}/patients/{pid}/stop")).status_code == 303
        await new_address(person, address)
    page = (await patient.get("/sharing")).text
    ended = page[page.index("Sharing they ended"):page.index("Invite someone")]
    assert '<strong>Mum</strong> <span class="hint">carer@example.com</span>' in ended
    assert "<strong>doctor@example.com</strong>" in ended and ended.count("ended by them on") == 2
    assert "new.example" not in page
    assert "new.example" not in (await patient.get("/sharing/audit")).text
    archive = await archive_of(patient)
    assert [(g["viewer_email"], g["ended_by"]) for g in archive["shared_with"]] == [
        ("carer@example.com", "grantee"), ("doctor@example.com", "grantee")]
    assert "new.example" not in json.dumps(archive)


async def test_a_share_the_patient_ended_keeps_the_address_it_had_when_it_ended(patient, people, database):
    carer = await shared_with(patient, people("carer@example.com"), label="Mum")
    grant_id = database.execute("SELECT id FROM share_grants").fetchone()[0]
    assert (await patient.post(f"/sharing/grants/{grant_id}/revoke")).status_code in (200, 303)
    await new_address(carer, "mum@new.example")
    assert "new.example" not in (await patient.get("/sharing")).text
    log = (await patient.get("/sharing/audit")).text
    assert "You stopped sharing with Mum (carer@example.com)." in log and "new.example" not in log
    archive = await archive_of(patient)
    assert [(g["viewer_email"], g["ended_by"]) for g in archive["shared_with"]] == [("carer@example.com", "patient")]
    assert "new.example" not in json.dumps(archive)


async def test_a_share_ended_before_lift_kept_its_address_names_them_without_one(patient, people, database):
    """Migration 0014 leaves the address unknown where the log cannot tell it: such a share is
    shown by the patient's name for them, or as "A caregiver", never by today's address."""
    pid = user_id(database, "pat@example.com")
    mum = await shared_with(patient, people("carer@example.com"), label="Mum")
    friend = await shared_with(patient, people("friend@example.com"))
    for person in (mum, friend):
        assert (await person.post(f"/caregiver/patients/{pid}/stop")).status_code == 303
        await new_address(person, person.email.replace("example.com", "new.example"))
    database.execute("UPDATE share_grants SET ended_email = NULL")
    database.commit()
    page = (await patient.get("/sharing")).text
    ended = page[page.index("Sharing they ended"):page.index("Invite someone")]
    assert '<strong>Mum</strong></p>' in ended and "<strong>A caregiver</strong></p>" in ended
    assert "@" not in ended
    archive = await archive_of(patient)
    assert [g["viewer_email"] for g in archive["shared_with"]] == ["", ""]


async def test_an_active_share_shows_the_address_they_sign_in_with_now(patient, people, database):
    """While the patient shares with them, a new address is theirs to know: the change is on
    their log. A share ended before keeps its old address, the one shared with again the new."""
    pid = user_id(database, "pat@example.com")
    carer = await shared_with(patient, people("carer@example.com"), label="Mum")
    await new_address(carer, "mum@new.example")
    page = (await patient.get("/sharing")).text
    assert '<strong>Mum</strong> <span class="hint">mum@new.example</span>' in page
    assert "Stop sharing with Mum" in page and "carer@example.com" not in page
    archive = await archive_of(patient)
    assert [(g["viewer_email"], g["revoked_at"]) for g in archive["shared_with"]] == [("mum@new.example", None)]
    # She ends it, changes address again, and the patient shares with her again.
    assert (await carer.post(f"/caregiver/patients/{pid}/stop")).status_code == 303
    await new_address(carer, "mum@third.example")
    path, _ = await invite(patient, label="Mum")
    assert (await carer.post(f"{path}/accept")).status_code == 303
    page = (await patient.get("/sharing")).text
    assert '<strong>Mum</strong> <span class="hint">mum@third.example</span>' in page
    assert "Sharing they ended" not in page
    archive = await archive_of(patient)
    assert [(g["viewer_email"], g["ended_by"]) for g in archive["shared_with"]] == [
        ("mum@new.example", "grantee"), ("mum@third.example", None)]


def grant_of(database, email: str) -> int:
    return database.execute("SELECT g.id FROM share_grants g JOIN users u ON u.id = g.grantee_id"
                            " WHERE u.email = ?", (email,)).fetchone()[0]


async def test_a_share_that_ended_keeps_the_patients_address_as_it_was_then(patient, people, database):
    """The reverse leak: a patient who stopped sharing with someone, or whom they left, and then
    changed address had the new one shown in that person's archive (shared_with_me). An ended
    share keeps the patient's address at its end; an active one shows the address now."""
    pid = user_id(database, "pat@example.com")
    mum = await shared_with(patient, people("carer@example.com"), label="Mum")
    doctor = await shared_with(patient, people("doctor@example.com"), "clinician")
    friend = await shared_with(patient, people("friend@example.com"))
    assert (await patient.post(f"/sharing/grants/{grant_of(database, 'carer@example.com')}/revoke")).status_code in (
        200, 303)
    assert (await doctor.post(f"/clinician/patients/{pid}/stop")).status_code == 303
    await new_address(patient, "pat@new.example")
    for person, ended_by in ((mum, "patient"), (doctor, "grantee")):
        archive = await archive_of(person)
        assert [(g["patient_email"], g["ended_by"]) for g in archive["shared_with_me"]] == [
            ("pat@example.com", ended_by)]
        assert "new.example" not in json.dumps(archive)
    archive = await archive_of(friend)
    assert [(g["patient_email"], g["revoked_at"]) for g in archive["shared_with_me"]] == [("pat@new.example", None)]
    # Shares ended before Lift kept the patient's address (migration 0014) show none.
    database.execute("UPDATE share_grants SET ended_patient_email = NULL")
    database.commit()
    assert [g["patient_email"] for g in (await archive_of(mum))["shared_with_me"]] == [""]


async def test_a_share_that_ended_keeps_its_name_on_the_log_after_someone_else_takes_the_address(
        patient, people, database):
    """Mum ended her share (or the patient ended Dr Patel's), then changed address: no entry told
    the patient, as they no longer share. Someone else then signed up with the old address and
    was shared with. The earlier entries were named after the newcomer, whose grant now held that
    address; each entry is named by the grant it was written under."""
    pid = user_id(database, "pat@example.com")
    mum = await shared_with(patient, people("carer@example.com"), label="Mum")
    patel = await shared_with(patient, people("doctor@example.com"), "clinician", label="Dr Patel")
    await mum.get(f"/caregiver/patients/{pid}")
    await patel.get(f"/clinician/patients/{pid}")
    assert (await mum.post(f"/caregiver/patients/{pid}/stop")).status_code == 303
    assert (await patient.post(f"/sharing/grants/{grant_of(database, 'doctor@example.com')}/revoke")).status_code in (
        200, 303)
    await new_address(mum, "mum@new.example")
    await new_address(patel, "patel@new.example")
    joe = await shared_with(patient, people("carer@example.com"), label="Uncle Joe")
    lee = await shared_with(patient, people("doctor@example.com"), "clinician", label="Dr Lee")
    await joe.get(f"/caregiver/patients/{pid}")
    await lee.get(f"/clinician/patients/{pid}")
    log = unescape((await patient.get("/sharing/audit")).text)
    for sentence in ("Mum (carer@example.com) accepted your invitation",
                     "Mum (carer@example.com, caregiver) looked at your summary.",
                     "Mum (carer@example.com, caregiver) ended their own access to your journal",
                     "Dr Patel (doctor@example.com) accepted your invitation",
                     "Dr Patel (doctor@example.com, clinician) looked at your timeline.",
                     "You stopped sharing with Dr Patel (doctor@example.com).",
                     "Uncle Joe (carer@example.com) accepted your invitation",
                     "Uncle Joe (carer@example.com, caregiver) looked at your summary.",
                     "Dr Lee (doctor@example.com) accepted your invitation",
                     "Dr Lee (doctor@example.com, clinician) looked at your timeline."):
        assert log.count(sentence) == 1, sentence
    assert "new.example" not in log


async def test_someone_who_ended_their_share_then_changed_address_and_deleted_their_account_is_still_listed(
        patient, people, database):
    """Their deletion wrote nothing, as the patient's log never held their new address, so the
    share they ended dropped off "Sharing they ended". The entry is written under the address the
    share had when it ended, and the line stays, even once someone else has that address."""
    pid = user_id(database, "pat@example.com")
    mum = await shared_with(patient, people("carer@example.com"), label="Mum")
    patel = await shared_with(patient, people("doctor@example.com"), "clinician", label="Dr Patel")
    for person, role, address in ((mum, "caregiver", "mum@new.example"), (patel, "clinician", "patel@new.example")):
        assert (await person.post(f"/{role}/patients/{pid}/stop")).status_code == 303
        await new_address(person, address)
    # Someone else now signs in with Dr Patel's old address, and the patient shares with them.
    await shared_with(patient, people("doctor@example.com"), "clinician", label="Dr Lee")
    for person in (mum, patel):
        assert (await person.post("/account/delete", {"password": PASSWORD, "confirm": "true"})).status_code == 200
    page = (await patient.get("/sharing")).text
    ended = page[page.index("Sharing they ended"):page.index("Invite someone")]
    assert '<strong>Mum</strong> <span class="hint">carer@example.com</span>' in ended
    assert '<strong>Dr Patel</strong> <span class="hint">doctor@example.com</span>' in ended
    assert ended.count("ended by them, then deleted their Lift account on") == 2
    assert "Dr Lee" not in ended and "Stop sharing with Dr Lee" in page
    log = unescape((await patient.get("/sharing/audit")).text)
    assert ("Mum (carer@example.com, caregiver) deleted their Lift account, after ending their own access to"
            " your journal.") in log
    assert ("Dr Patel (doctor@example.com, clinician) deleted their Lift account, after ending their own access"
            " to your journal.") in log
    assert "new.example" not in page + log


async def test_invitation_dates_are_the_patients_days_not_utc_ones(patient, stranger, database):
    # An invitation ending at 03:00 UTC ends the evening before in New York.
    ends = datetime.now(UTC).replace(hour=3, minute=0, second=0, microsecond=0) + timedelta(days=3)
    path, _ = await invite(patient, "caregiver")
    database.execute("UPDATE share_invitations SET expires_at = ?", (ends.strftime("%Y-%m-%dT%H:%M:%SZ"),))
    database.commit()
    new_york_day = day_text(ends.date() - timedelta(days=1), datetime.now(ZoneInfo("America/New_York")).date())
    assert f"works until {new_york_day}" in (await patient.get("/sharing")).text
    assert f"The invitation works once, until {new_york_day}." in (await stranger.get(path)).text


async def test_an_empty_log_is_page_one_whatever_page_is_asked_for(patient):
    response = await patient.get("/sharing/audit?page=5", follow_redirects=True)
    assert response.status_code == 200 and str(response.url).endswith("/sharing/audit?page=1")
    assert len(response.history) == 1
