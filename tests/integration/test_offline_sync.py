"""Check-ins sent from the offline queue: the phone's UUID is an idempotency key, a different
check-in already saved for the day is a conflict the patient settles, refusals say why; and the
pieces an installed app needs (manifest, worker config, the offline pages) hold no personal data."""

from __future__ import annotations

import json
from html import unescape
import re
import struct
import uuid

import pytest

from lift.settings import Settings
from lift.web.pwa import asset_version
from tests.integration.test_crisis_path import outline

JSON = {"accept": "application/json"}


def checkin_form(person, **fields) -> dict:
    form = {"local_date": person.today().isoformat(), "mood": "3", "anxiety": "6", "sleep_hours": "5.5",
            "thoughts": "0", "note": "Written on the train"}
    form.update({name: str(value) for name, value in fields.items()})
    return form


def rows(database, user_email: str = "pat@example.com") -> list:
    return database.execute(
        "SELECT c.mood, c.anxiety, c.sleep_hours, c.thoughts, c.note, c.client_uuid FROM checkins c"
        " JOIN users u ON u.id = c.user_id WHERE u.email = ?", (user_email,)
    ).fetchall()


async def test_it_stores_exactly_one_check_in_when_the_same_uuid_is_replayed_three_times(patient, database):
    key = str(uuid.uuid4())
    responses = [await patient.post("/checkin", checkin_form(patient, client_uuid=key), follow_redirects=True)
                 for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert all("Check-in saved" in r.text for r in responses)
    assert [tuple(row) for row in rows(database)] == [(3, 6, 5.5, 0, "Written on the train", key)]


async def test_it_answers_every_replay_of_a_queued_check_in_with_the_same_result(patient, database):
    key = str(uuid.uuid4())
    form = checkin_form(patient, client_uuid=key, on_conflict="ask", thoughts=2)
    responses = [await patient.post("/checkin", form, headers=JSON) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json()["status"] == "saved"
    assert responses[0].json()["crisis"] is True
    assert responses[0].json()["checkin"]["mood"] == 3
    assert responses[1].json() == responses[0].json() == responses[2].json()
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1


async def test_a_replay_with_other_answers_changes_nothing_already_stored(patient, database):
    key = str(uuid.uuid4())
    await patient.post("/checkin", checkin_form(patient, client_uuid=key, mood=3))
    response = await patient.post("/checkin", checkin_form(patient, client_uuid=key, mood=9), headers=JSON)
    assert response.status_code == 200
    assert response.json()["checkin"]["mood"] == 3
    assert [row["mood"] for row in rows(database)] == [3]


async def test_the_same_uuid_from_two_patients_makes_two_separate_check_ins(patient, other_patient, database):
    key = str(uuid.uuid4())
    await patient.post("/checkin", checkin_form(patient, client_uuid=key, mood=2))
    response = await other_patient.post("/checkin", checkin_form(other_patient, client_uuid=key, mood=8),
                                        follow_redirects=True)
    assert response.status_code == 200 and "Check-in saved" in response.text
    assert [row["mood"] for row in rows(database)] == [2]
    assert [row["mood"] for row in rows(database, "other@example.com")] == [8]


async def test_it_explains_a_conflict_with_a_check_in_saved_from_another_device(patient, database):
    await patient.post("/checkin", checkin_form(patient, client_uuid=str(uuid.uuid4()), mood=7, note="From the laptop"))
    response = await patient.post(
        "/checkin", checkin_form(patient, client_uuid=str(uuid.uuid4()), on_conflict="ask"), headers=JSON
    )
    assert response.status_code == 409
    answer = response.json()
    assert answer["status"] == "conflict"
    assert (answer["saved"]["mood"], answer["saved"]["note"]) == (7, "From the laptop")
    assert [(row["mood"], row["note"]) for row in rows(database)] == [(7, "From the laptop")]


async def test_it_shows_both_check_ins_and_lets_the_patient_keep_either(patient, database):
    await patient.check_in(mood=7, note="From the laptop")
    key = str(uuid.uuid4())
    page = await patient.post("/checkin", checkin_form(patient, client_uuid=key, on_conflict="ask", thoughts=1))
    assert page.status_code == 409
    assert "already has a check-in" in page.text
    assert "From the laptop" in page.text and "Written on the train" in page.text
    assert 'name="on_conflict" value="replace"' in page.text and f'value="{key}"' in page.text
    # The queued answer reported passing thoughts: Get help now comes first, even here.
    assert page.text.index('aria-labelledby="crisis-title"') < page.text.index("already has a check-in")
    # It heads the page, the page's title and its two cards a level below it.
    headings = [(level, words) for level, words in outline(page.text) if words != "My safety plan"]
    assert headings[0] == (1, "Get help now")
    assert headings[1][0] == 2 and headings[1][1].endswith("already has a check-in")
    assert headings[2:] == [(3, "Waiting to be sent"), (3, "Already saved")]
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    assert f'href="/checkins/{checkin_id}"' in page.text

    kept = await patient.post("/checkin", checkin_form(patient, client_uuid=key, on_conflict="replace", thoughts=1))
    assert kept.status_code == 200
    assert [tuple(row) for row in rows(database)] == [(3, 6, 5.5, 1, "Written on the train", key)]


async def test_the_same_answers_from_another_device_are_not_a_conflict(patient, database):
    await patient.post("/checkin", checkin_form(patient))
    response = await patient.post(
        "/checkin", checkin_form(patient, client_uuid=str(uuid.uuid4()), on_conflict="ask"), headers=JSON
    )
    assert response.status_code == 200
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1


# A fixed upper-case UUID: keys are lower-case, and every worker must collect the same test ids.
@pytest.mark.parametrize("bad_key", ["not-a-uuid", "A" * 36, "FC977CE9-D7B1-406B-A5CF-98C58B295E0A"])
async def test_it_refuses_an_unreadable_key_and_stores_nothing(patient, database, bad_key):
    response = await patient.post("/checkin", checkin_form(patient, client_uuid=bad_key), headers=JSON)
    assert response.status_code == 422
    assert "key" in response.json()["errors"]["form"]
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


async def test_it_says_which_answers_a_queued_check_in_got_wrong(patient, database):
    response = await patient.post(
        "/checkin", checkin_form(patient, client_uuid=str(uuid.uuid4()), mood="12", sleep_hours="7.3"), headers=JSON
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["status"] == "invalid"
    assert set(answer["errors"]) == {"mood", "sleep_hours"}
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


async def test_a_page_sent_back_with_errors_keeps_the_same_key(patient):
    key = str(uuid.uuid4())
    response = await patient.post("/checkin", checkin_form(patient, client_uuid=key, mood=""))
    assert response.status_code == 422
    assert f'name="client_uuid" value="{key}"' in response.text


async def test_a_queued_check_in_from_a_signed_out_phone_is_refused_with_401(stranger, database):
    response = await stranger.post("/checkin", checkin_form(stranger, client_uuid=str(uuid.uuid4())), headers=JSON)
    assert response.status_code == 401
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


async def test_the_queue_session_names_the_account_and_gives_a_working_token(patient, database):
    session = await patient.get("/offline/session")
    assert session.status_code == 200
    answer = session.json()
    user_id = database.execute("SELECT id FROM users WHERE email = 'pat@example.com'").fetchone()[0]
    assert answer["owner"] == str(user_id)
    form = checkin_form(patient, client_uuid=str(uuid.uuid4()))
    response = await patient.http.post("/checkin", data=form, headers={**JSON, "x-csrftoken": answer["csrf"]})
    assert response.status_code == 200


async def test_the_queue_session_is_401_when_signed_out(stranger):
    response = await stranger.get("/offline/session")
    assert response.status_code == 401
    assert response.json() == {"status": "signed-out"}


async def test_the_pages_kept_for_offline_use_hold_no_personal_data(patient):
    await patient.post("/safety-plan", {"coping": "Walk the dog with Sam", "care_team_phone": "555 0100"})
    await patient.check_in(note="A private note")
    for path in ("/offline", "/offline/checkin", "/offline/help", "/offline/safety-plan"):
        response = await patient.get(path)
        assert response.status_code == 200
        for private in ("pat@example.com", "Walk the dog", "555 0100", "A private note", "data-owner",
                        "data-offline-plan="):
            assert private not in response.text, (path, private)
        assert "data-kept-copy" in response.text, path
    form = await patient.get("/offline/checkin")
    assert "data-offline-days" in form.text
    # No option at all: offline.js lists the days from the phone's calendar only into an empty picker.
    assert re.search(r'<select id="local_date"[^>]*>\s*</select>', form.text)
    assert 'hx-post' not in form.text
    # Get help now for every thoughts answer above "none", ready to show with no signal.
    for level in (1, 2, 3):
        assert f'data-offline-crisis="{level}"' in form.text
    assert 'href="tel:988"' in form.text


@pytest.mark.parametrize("path", ["/checkin", "/scales/phq9", "/help", "/safety-plan"])
async def test_a_patients_own_pages_hand_their_plan_to_the_phone(patient, path):
    """offline.js keeps it for the pages kept for use with no signal, which are made for nobody.
    A page that says which plan it read ("none" too) also keeps offline.js from putting the
    copy kept on the phone in its own Get help now, which only a page that could not read it gets."""
    page = await patient.get(path)
    assert '<template data-offline-plan="none"></template>' in page.text  # no plan yet: the phone forgets any
    await patient.post("/safety-plan", {"coping": "Walk the dog with Sam", "care_team_name": "Dr Lee",
                                        "care_team_phone": "555 0100"})
    page = (await patient.get(path)).text
    kept = page[page.index('<template data-offline-plan="saved">'):]
    kept = kept[:kept.index("</template>")]
    assert "Walk the dog with Sam" in kept and 'href="tel:5550100"' in kept and "data-plan-call" in kept
    assert "data-kept-copy" not in page


@pytest.mark.parametrize("path", ["/checkin", "/scales/phq9", "/scales/gad7"])
async def test_the_forms_wait_15_seconds_for_lift_before_keeping_the_answers_on_the_phone(patient, path):
    """htmx gives up on Lift's answer after the form's own timeout, and offline.js then keeps the
    answers (the browser test of an answer that never comes sets a shorter one on its page)."""
    form = re.search(r'<form [^>]*hx-post="[^"]*"[^>]*>', (await patient.get(path)).text).group(0)
    assert """hx-request='{"timeout": 15000}'""" in form


async def test_a_safety_plan_form_sent_back_with_errors_hands_nothing_to_the_phone(patient):
    response = await patient.post("/safety-plan", {"coping": "x" * 2001})
    assert response.status_code == 422 and "data-offline-plan" not in response.text


async def test_only_patients_pages_hand_a_plan_to_the_phone(stranger):
    assert "data-offline-plan" not in (await stranger.get("/help")).text


async def test_the_online_check_in_page_keeps_the_patients_own_plan_for_offline_use(patient):
    await patient.post("/safety-plan", {"coping": "Walk the dog with Sam"})
    page = await patient.get("/checkin")
    template = page.text[page.text.index('<template data-offline-crisis="2">'):]
    assert "Walk the dog with Sam" in template[:template.index("</template>")]
    assert page.headers["cache-control"] == "no-store"


async def test_the_manifest_makes_lift_installable(patient):
    response = await patient.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["name"] and manifest["short_name"] == "Lift"
    assert manifest["theme_color"] and manifest["background_color"]
    icons = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert icons == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    for image in [*manifest["icons"], *manifest["screenshots"]]:
        png = await patient.get(image["src"])
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png.content[16:24])
        assert f"{width}x{height}" == image["sizes"]
    apple = await patient.get("/static/icons/apple-touch-icon.png")
    assert struct.unpack(">II", apple.content[16:24]) == (180, 180)
    home = await patient.get("/")
    assert '<link rel="manifest" href="/manifest.webmanifest">' in home.text
    assert 'rel="apple-touch-icon"' in home.text


async def test_the_worker_precaches_help_the_cards_and_the_shell_and_every_file_exists(app, patient):
    script = await patient.get("/sw-config.js")
    assert script.headers["content-type"].startswith("application/javascript")
    config = json.loads(script.text.removeprefix("self.LIFT_OFFLINE = ").rstrip().rstrip(";"))
    assert config["version"] == app.state.asset_version
    assert {"/offline/help", "/offline/safety-plan", "/offline", "/offline/checkin", "/learn"} <= set(config["pages"])
    assert {f"/learn/{slug}" for slug in app.state.education} <= set(config["pages"])
    assert any("htmx.min.js" in url for url in config["assets"])
    assert all(url.endswith(f"?v={config['version']}") for url in config["assets"])
    for url in [*config["assets"], *config["pages"]]:
        assert (await patient.http.get(url)).status_code == 200, url
    worker = await patient.get("/sw.js")
    assert worker.status_code == 200
    assert 'importScripts("/static/js/sw-push.js")' in worker.text
    assert "/sw-config.js" in worker.text


async def test_static_files_on_pages_carry_the_version_so_a_deploy_never_mixes_old_and_new(app, patient):
    page = (await patient.get("/")).text
    version = app.state.asset_version
    for path in ("css/app.css", "vendor/htmx.min.js", "js/app.js", "js/offline.js"):
        assert f'/static/{path}?v={version}"' in page
    # push.js reads words and places from its page: an older copy would not fit a newer page.
    assert f'/static/js/push.js?v={version}"' in (await patient.get("/reminders")).text


def test_the_version_changes_with_each_release_label(tmp_path):
    first = asset_version(Settings(data_dir=str(tmp_path), release="2026-11-01"))
    assert first == asset_version(Settings(data_dir=str(tmp_path), release="2026-11-01"))
    assert first != asset_version(Settings(data_dir=str(tmp_path), release="2026-11-02"))


async def test_signing_out_asks_the_browser_to_clear_its_cache_and_cookies(patient):
    response = await patient.post("/signout")
    assert response.status_code == 303
    assert response.headers["clear-site-data"] == '"cache", "cookies"'
    page = await patient.get(response.headers["location"])
    assert "data-signed-out" in page.text


async def test_the_conflict_page_keeps_the_history_page_the_check_in_was_sent_from(patient, database):
    """Both ways out of the conflict page led to History's start, not the month the form came from."""
    await patient.check_in(mood=7, note="From the laptop")
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    month = f"/checkins?month={patient.today():%Y-%m}"
    key = str(uuid.uuid4())
    page = await patient.post("/checkin", checkin_form(patient, client_uuid=key, on_conflict="ask", back=month))
    assert page.status_code == 409
    assert f'<input type="hidden" name="back" value="{month}">' in page.text
    saved_one = re.search(r'<a class="button" href="([^"]*)">Keep the saved one</a>', page.text).group(1)
    assert unescape(saved_one) == f"/checkins/{checkin_id}?back={month.replace('?', '%3F').replace('=', '%3D')}"
    assert f'href="{month}"' in (await patient.get(unescape(saved_one))).text  # its way back is the month
    kept = await patient.post("/checkin", checkin_form(patient, client_uuid=key, on_conflict="replace", back=month))
    assert kept.status_code == 303 and kept.headers["location"].endswith(
        f"?saved=updated&back={month.replace('?', '%3F').replace('=', '%3D')}")


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                  '/checkins?month=2026-09"><b>x</b>', "/checkins?month=2026-09\nSet-Cookie: x"])
async def test_the_conflict_page_carries_no_way_back_that_is_not_a_history_page(patient, database, back):
    await patient.check_in(mood=7)
    checkin_id = database.execute("SELECT id FROM checkins").fetchone()[0]
    page = await patient.post("/checkin", checkin_form(patient, client_uuid=str(uuid.uuid4()), on_conflict="ask",
                                                       back=back))
    assert page.status_code == 409 and 'name="back"' not in page.text
    assert "evil" not in page.text and "<b>x" not in page.text and "Set-Cookie" not in page.text
    assert f'<a class="button" href="/checkins/{checkin_id}">Keep the saved one</a>' in page.text
