"""The Reminders page over HTTP: devices, settings, test notifications, the service worker, and
the private calendar feed (parsed by a real iCalendar parser)."""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from lift.db import treatment
from lift.domain.dates import day_text
from lift.domain.schedule import SessionSlot, plan_sessions
from lift.domain.treatment import PlanForm
from lift.web import rendering

ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/device-1", **keys) -> dict:
    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": endpoint, "expirationTime": None,
            "keys": {"p256dh": keys.get("p256dh", b64url(public)), "auth": keys.get("auth", b64url(os.urandom(16)))}}


async def post_json(person, path: str, body, **headers):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await person.http.post(path, content=content, headers={
        "content-type": "application/json", "x-csrftoken": await person.csrf_token(), **headers})


async def subscribe(person, endpoint: str = "https://fcm.googleapis.com/fcm/send/device-1",
                    browser_subscription: dict | None = None) -> int:
    body = browser_subscription or subscription(endpoint)
    response = await post_json(person, "/reminders/subscriptions", body, **{"user-agent": ANDROID})
    assert response.status_code == 201, response.text
    return response.json()["id"]


# The page -------------------------------------------------------------------------------------

async def test_it_sends_signed_out_visitors_to_sign_in(stranger):
    response = await stranger.get("/reminders")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


async def test_it_explains_reminders_and_asks_permission_only_from_its_script(patient, app):
    page = (await patient.get("/reminders")).text
    assert "Lift: time for your check-in" in page  # what a locked phone will show
    assert "Home Screen" in page and "16.4" in page  # the iPhone note
    assert f'data-public-key="{app.state.vapid.public_key}"' in page
    assert re.search(r'<script src="/static/js/push\.js\?v=[^"]+" defer></script>', page)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None  # no inline script
    assert "No device gets reminders yet." in page


async def test_the_more_page_links_to_reminders(patient):
    page = (await patient.get("/account")).text
    assert '<a href="/reminders" hx-boost="false">Reminders</a>' in page


async def test_it_serves_the_service_worker_for_the_whole_site(stranger):
    response = await stranger.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert "importScripts(\"/static/js/sw-push.js\")" in response.text
    script = await stranger.get("/static/js/sw-push.js")
    assert script.status_code == 200 and "notificationclick" in script.text


# Devices ------------------------------------------------------------------------------------

async def test_it_stores_a_devices_subscription_and_lists_it(patient, database):
    await subscribe(patient)
    [row] = database.execute("SELECT endpoint, p256dh, auth, label FROM push_subscriptions").fetchall()
    assert row["endpoint"] == "https://fcm.googleapis.com/fcm/send/device-1"
    assert row["label"] == "Chrome on Android"
    page = (await patient.get("/reminders")).text
    assert "Chrome on Android" in page and "Send a test" in page


async def test_the_page_gives_dates_in_the_patients_time_zone(patient, database):
    # Evenings in New York (UTC-4 in March 2026) are already the next day in UTC.
    await subscribe(patient)
    await new_feed(patient)
    database.execute("UPDATE push_subscriptions SET created_at = '2026-03-11T02:30:00Z',"
                     " last_sent_at = '2026-03-12T03:00:00Z'")
    database.execute("UPDATE calendar_feeds SET created_at = '2026-03-13T01:00:00Z'")
    database.commit()
    page = (await patient.get("/reminders")).text
    today = patient.today()  # written as every other day on screen: the year only when it is not this one
    assert f"Added {day_text(date(2026, 3, 10), today)}." in page
    assert f"Last notification {day_text(date(2026, 3, 11), today)}." in page
    assert f"made {day_text(date(2026, 3, 12), today)}." in page
    assert "Tue 10 Mar" in page  # with its weekday, as on the Sharing page


def broken(**change) -> dict:
    body = subscription()
    body.update({k: v for k, v in change.items() if k != "keys"})
    body["keys"].update(change.get("keys", {}))
    return body


@pytest.mark.parametrize(("body", "words"), [
    (broken(endpoint="http://fcm.googleapis.com/fcm/send/x"), "https://"),
    (broken(endpoint="not a url"), "https://"),
    (broken(endpoint="https://127.0.0.1:8443/push/x"), "private"),
    (broken(endpoint="https://localhost/push/x"), "private"),
    (broken(endpoint="https://10.1.2.3/push/x"), "private"),
    (broken(endpoint="https://[::1]/push/x"), "private"),
    (broken(keys={"p256dh": b64url(b"\x04" + b"\x01" * 40)}), "65-byte"),
    (broken(keys={"auth": b64url(os.urandom(8))}), "16 bytes"),
    (broken(keys={"auth": "not base64!"}), "browser push subscription"),
    ({"endpoint": "https://fcm.googleapis.com/fcm/send/x"}, "browser push subscription"),
    (b"endpoint=https://example.org", "browser push subscription"),
    (broken(endpoint="https://push.example.org/" + "x" * 3000), "browser push subscription"),
])
async def test_it_refuses_a_malformed_subscription_with_a_message_and_stores_nothing(patient, database, body, words):
    response = await post_json(patient, "/reminders/subscriptions", body)
    assert response.status_code == 400
    assert words in response.json()["error"]
    assert database.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0] == 0


async def test_it_refuses_a_subscription_without_the_csrf_token(patient, database):
    response = await patient.http.post("/reminders/subscriptions", json=subscription())
    assert response.status_code == 403
    assert database.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0] == 0


async def test_it_caps_the_devices_one_patient_can_add(patient, database):
    for n in range(10):
        await subscribe(patient, f"https://fcm.googleapis.com/fcm/send/device-{n}")
    response = await post_json(patient, "/reminders/subscriptions", subscription("https://fcm.googleapis.com/fcm/send/11"))
    assert response.status_code == 400 and "Remove one" in response.json()["error"]
    await subscribe(patient, "https://fcm.googleapis.com/fcm/send/device-3")  # refreshing one it has is fine
    assert database.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0] == 10


async def test_a_browser_subscribed_by_another_account_moves_to_the_new_one(patient, other_patient, database):
    browser = subscription("https://fcm.googleapis.com/fcm/send/shared")  # the same browser: the same keys
    await subscribe(patient, browser_subscription=browser)
    await subscribe(other_patient, browser_subscription=browser)
    rows = database.execute("SELECT u.email FROM push_subscriptions s JOIN users u ON u.id = s.user_id").fetchall()
    assert [r["email"] for r in rows] == ["other@example.com"]


async def test_knowing_another_accounts_endpoint_alone_moves_nothing(patient, other_patient, database):
    """The push service knows every endpoint; only the browser (and Lift) know its auth secret."""
    endpoint = "https://fcm.googleapis.com/fcm/send/theirs"
    await subscribe(patient, endpoint)
    before = [tuple(r) for r in database.execute("SELECT user_id, p256dh, auth FROM push_subscriptions")]
    response = await post_json(other_patient, "/reminders/subscriptions", subscription(endpoint))
    assert response.status_code == 409 and "another Lift account" in response.json()["error"]
    assert [tuple(r) for r in database.execute("SELECT user_id, p256dh, auth FROM push_subscriptions")] == before


async def test_it_queues_a_generic_test_notification_for_that_device(patient, database):
    device_id = await subscribe(patient)
    response = await patient.post(f"/reminders/devices/{device_id}/test")
    assert response.status_code == 303 and response.headers["location"] == "/reminders?notice=test-sent"
    # Only the test notification: from 20:00 in the patient's zone, subscribing also queues the
    # day's check-in reminder, which has a reminder_id.
    [row] = database.execute("SELECT payload, urgency, topic, status, reminder_id FROM push_deliveries"
                             " WHERE reminder_id IS NULL").fetchall()
    assert json.loads(row["payload"])["title"] == "Lift: test notification"
    assert (row["urgency"], row["topic"], row["status"], row["reminder_id"]) == ("high", "r5", "pending", None)


async def test_it_removes_a_device(patient, database):
    device_id = await subscribe(patient)
    response = await patient.post(f"/reminders/devices/{device_id}/delete")
    assert response.headers["location"] == "/reminders?notice=device-removed"
    assert database.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0] == 0


async def test_it_turns_off_the_device_in_hand_by_its_endpoint(patient, other_patient, database):
    await subscribe(patient, "https://fcm.googleapis.com/fcm/send/mine")
    await subscribe(other_patient, "https://fcm.googleapis.com/fcm/send/theirs")
    # Someone else's endpoint is not removed by this patient, even if they know it.
    await post_json(patient, "/reminders/subscriptions/remove", {"endpoint": "https://fcm.googleapis.com/fcm/send/theirs"})
    response = await post_json(patient, "/reminders/subscriptions/remove", {"endpoint": "https://fcm.googleapis.com/fcm/send/mine"})
    assert response.status_code == 204
    rows = database.execute("SELECT endpoint FROM push_subscriptions").fetchall()
    assert [r["endpoint"] for r in rows] == ["https://fcm.googleapis.com/fcm/send/theirs"]


async def test_another_patient_cannot_test_or_remove_my_device(patient, other_patient, database):
    device_id = await subscribe(patient)
    assert (await other_patient.post(f"/reminders/devices/{device_id}/test")).status_code == 404
    assert (await other_patient.post(f"/reminders/devices/{device_id}/delete")).status_code == 404
    assert database.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0] == 1
    assert database.execute("SELECT count(*) FROM push_deliveries WHERE reminder_id IS NULL").fetchone()[0] == 0


# Settings -----------------------------------------------------------------------------------

SETTINGS = {"checkin_enabled": "true", "checkin_time": "21:15", "eve_enabled": "true", "eve_time": "18:30",
            "lead_minutes": "90", "scale_enabled": "true", "scale_time": "09:00", "quiet_start": "23:00",
            "quiet_end": "06:30", "detailed_text": "true"}


async def test_it_saves_reminder_settings(patient, database):
    response = await patient.post("/reminders/settings", SETTINGS)  # lead_enabled unticked
    assert response.headers["location"] == "/reminders?notice=saved"
    row = database.execute("SELECT * FROM reminder_preferences").fetchone()
    assert (row["checkin_time"], row["eve_time"], row["lead_enabled"], row["lead_minutes"]) == ("21:15", "18:30", 0, 90)
    assert (row["quiet_start"], row["quiet_end"], row["detailed_text"]) == ("23:00", "06:30", 1)
    page = (await patient.get("/reminders?notice=saved")).text
    assert 'value="21:15"' in page and "Your reminder settings are saved." in page


async def test_the_page_says_which_reminder_quiet_hours_hold_back_and_which_they_stop(patient):
    await patient.post("/reminders/settings", {**SETTINGS, "checkin_time": "23:30", "scale_time": "06:00"})
    page = (await patient.get("/reminders")).text
    assert "Your check-in reminder, set for 23:30, falls in your quiet hours (23:00 to 06:30). By 06:30" in page
    assert "so it is never sent" in page
    assert "Your weekly questionnaire reminder, set for 06:00, falls in your quiet hours (23:00 to 06:30), so it " \
           "comes when they end, at 06:30." in page
    assert "evening-before reminder" not in page  # 18:30 is outside them


async def test_saving_settings_plans_that_patients_reminders(patient, database):
    await subscribe(patient)
    await patient.post("/reminders/settings", {**SETTINGS, "checkin_time": "20:45", "quiet_start": "", "quiet_end": ""})
    kinds = {r["kind"] for r in database.execute("SELECT kind FROM reminders WHERE status = 'pending'")}
    assert "checkin" in kinds


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"checkin_time": "25:00"}, "checkin_time", "like 20:00"),
    ({"eve_time": ""}, "eve_time", "like 19:00"),
    ({"lead_minutes": "7"}, "lead_minutes", "how long before"),
    ({"quiet_end": ""}, "quiet_end", "both times"),
    ({"quiet_end": "23:00"}, "quiet_end", "different time"),
])
async def test_it_keeps_what_was_typed_and_explains_a_wrong_setting(patient, database, change, field, words):
    response = await patient.post("/reminders/settings", {**SETTINGS, **change})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and words.lower() in response.text.lower()
    assert 'value="09:00"' in response.text  # the other answers are still there
    assert database.execute("SELECT count(*) FROM reminder_preferences").fetchone()[0] == 0


async def test_a_time_typed_on_the_12_hour_clock_is_saved(patient, database):
    # A browser showing a text box for the time sent "8:30 pm", as the form's message asks for
    # a time ("like 8:00 PM"), and it was refused.
    sent = {**SETTINGS, "checkin_time": "8:30 pm", "eve_time": " 7 PM ", "quiet_start": "11pm",
            "quiet_end": "6:30 AM"}
    response = await patient.post("/reminders/settings", sent)
    assert response.headers["location"] == "/reminders?notice=saved"
    row = database.execute("SELECT * FROM reminder_preferences").fetchone()
    assert (row["checkin_time"], row["eve_time"], row["quiet_start"], row["quiet_end"]) == \
        ("20:30", "19:00", "23:00", "06:30")


async def test_a_refused_time_keeps_what_was_typed(patient, database):
    response = await patient.post("/reminders/settings", {**SETTINGS, "checkin_time": "13:00 PM"})
    assert response.status_code == 422
    assert 'id="checkin_time-error"' in response.text and 'value="13:00 PM"' in response.text
    assert database.execute("SELECT count(*) FROM reminder_preferences").fetchone()[0] == 0


async def test_every_wrong_setting_is_explained_at_once(patient, database):
    # Quiet hours with one end and a lead no choice offers were explained only once every time
    # had the right shape: the patient fixed one answer and was sent back for the others.
    sent = {**SETTINGS, "checkin_time": "25:00", "quiet_end": "", "lead_minutes": "7"}
    response = await patient.post("/reminders/settings", sent)
    assert response.status_code == 422
    for field in ("checkin_time", "quiet_end", "lead_minutes"):
        assert f'id="{field}-error"' in response.text
    assert database.execute("SELECT count(*) FROM reminder_preferences").fetchone()[0] == 0


@pytest.mark.parametrize("lead", ["²", "٣٠", "３０", "1_5", "9" * 5000])
async def test_a_lead_in_digits_other_than_0_to_9_is_refused_not_a_server_error(patient, database, lead):
    # "²" is a digit to str.isdigit() but not to int(): the settings page answered 500.
    response = await patient.post("/reminders/settings", {**SETTINGS, "lead_minutes": lead})
    assert response.status_code == 422
    assert 'id="lead_minutes-error">Choose how long before the session.' in response.text
    assert database.execute("SELECT count(*) FROM reminder_preferences").fetchone()[0] == 0


async def test_the_summary_names_each_setting_to_fix_as_a_link_to_it(patient):
    # It said only "Please check the highlighted answers", at the top of a page several screens
    # long on a phone, far from the form.
    response = await patient.post("/reminders/settings",
                                  {**SETTINGS, "checkin_time": "25:00", "quiet_end": ""})
    summary = re.search(r'<div class="alert alert--error" role="alert" tabindex="-1" autofocus><p>(.*?)</p>',
                        response.text).group(1)
    assert summary == ('Please check <a href="#checkin_time">the check-in reminder time</a> and '
                       '<a href="#quiet_end">when quiet hours end</a>. Nothing was saved yet.')
    assert response.text.index(summary) > response.text.index('id="settings-title"')
    three = (await patient.post("/reminders/settings", {**SETTINGS, "eve_time": "", "scale_time": "x",
                                                          "quiet_end": "23:00"})).text
    assert ('<a href="#eve_time">the evening reminder time</a>, <a href="#scale_time">the weekly reminder '
            'time</a> and <a href="#quiet_end">when quiet hours end</a>.') in three


async def test_a_reminder_turned_off_needs_no_time(patient, database):
    # Turning the check-in reminder off and clearing its time was refused with "Enter a time like
    # 20:00" for a reminder that would never be sent. Its stored time (or the default) stays.
    off = {**SETTINGS, "checkin_enabled": "", "checkin_time": "", "eve_enabled": "", "eve_time": "7:60pm"}
    response = await patient.post("/reminders/settings", off)
    assert response.headers["location"] == "/reminders?notice=saved"
    row = database.execute("SELECT * FROM reminder_preferences").fetchone()
    assert (row["checkin_enabled"], row["checkin_time"], row["eve_enabled"], row["eve_time"]) == \
        (0, "20:00", 0, "19:00")

    await patient.post("/reminders/settings", SETTINGS)
    await patient.post("/reminders/settings", {**off, "eve_time": ""})
    row = database.execute("SELECT * FROM reminder_preferences").fetchone()
    assert (row["checkin_enabled"], row["checkin_time"], row["eve_time"]) == (0, "21:15", "18:30")


# Calendar feed ------------------------------------------------------------------------------

async def make_sessions(app, email: str, zone: str, starts: list[tuple[date, time]]) -> list[int]:
    db = app.state.db
    async with db.read() as conn:
        user_id = (await (await conn.execute("SELECT id FROM users WHERE email = ?", (email,))).fetchone())[0]
    planned = [plan_sessions([SessionSlot(local_date=day, phase="Weekly")], at, zone)[0] for day, at in starts]
    await treatment.create_plan(db, user_id, PlanForm(medication="esketamine", clinic_name="Eastside; Suite 2"), planned)
    return [s.id for s in await treatment.sessions_for(db, user_id)]


async def new_feed(person) -> str:
    """A new calendar link, as the browser gets it: the form's answer sends it to the page."""
    made = await person.post("/reminders/calendar")
    assert made.status_code == 303 and made.headers["location"] == "/reminders#calendar"
    page = (await person.get("/reminders")).text
    return re.search(r'id="calendar_url" type="url" value="([^"]+)"', page).group(1)


def link_cookie(response) -> str:
    return next(c for c in response.headers.get_list("set-cookie") if c.startswith("lift_new_calendar_link="))


async def test_the_calendar_feed_is_valid_icalendar_with_the_sessions_at_their_local_times(patient, stranger, app,
                                                                                            database):
    today = datetime.now(UTC).date()
    # A session on each side of a clock change in New York, and one in a repeated hour.
    sessions = [(date(today.year + 1, 3, 5), time(9, 0)), (date(today.year + 1, 3, 12), time(9, 0)),
                (date(today.year + 1, 11, 1), time(1, 30))]
    ids = await make_sessions(app, patient.email, "America/New_York", sessions)
    url = await new_feed(patient)
    assert url.startswith("http://testserver.local/calendar/") and url.endswith(".ics")
    assert database.execute("SELECT token_hash FROM calendar_feeds").fetchone()[0] not in url

    response = await stranger.get(url.removeprefix("http://testserver.local"))  # a calendar app: no session
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar.walk("VTIMEZONE")
    assert [c.errors for c in calendar.walk() if c.errors] == []  # the parser found nothing malformed
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]).split("@")[0] for e in events] == [f"lift-session-{i}" for i in ids]
    zone = "America/New_York"
    for event, (day, at) in zip(events, sessions):
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None
        local = start.astimezone(ZoneInfo(zone))
        assert (local.date(), local.time()) == (day, at)
        assert event.decoded("DTEND") - start == timedelta(hours=2)
        assert str(event["SUMMARY"]) == "Lift appointment"  # generic unless detail was chosen
    assert "esketamine" not in response.text.lower()


async def test_detailed_calendar_text_follows_the_patients_choice(patient, app):
    today = datetime.now(UTC).date()
    await make_sessions(app, patient.email, "Europe/Berlin", [(today + timedelta(days=3), time(10, 0))])
    await patient.post("/reminders/settings", {**SETTINGS, "detailed_text": ""})
    url = (await new_feed(patient)).removeprefix("http://testserver.local")
    generic = icalendar.Calendar.from_ical((await patient.get(url)).content).walk("VEVENT")[0]
    assert str(generic["SUMMARY"]) == "Lift appointment"
    # Opening the event shows nothing about treatment either, its link included.
    assert all("treatment" not in str(generic[field]).lower() for field in ("SUMMARY", "DESCRIPTION", "URL"))
    await patient.post("/reminders/settings", SETTINGS)
    event = icalendar.Calendar.from_ical((await patient.get(url)).content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Treatment session at Eastside; Suite 2"
    assert str(event["URL"]).endswith("/treatment/sessions/1")


async def test_the_calendar_link_is_shown_once_and_can_be_replaced_or_turned_off(patient, app, stranger):
    first = (await new_feed(patient)).removeprefix("http://testserver.local")
    assert (await stranger.get(first)).status_code == 200  # the link itself is the key
    page = (await patient.get("/reminders")).text
    assert first not in page and "Make a new calendar link" in page

    second = (await new_feed(patient)).removeprefix("http://testserver.local")
    assert (await stranger.get(first)).status_code == 404
    assert (await stranger.get(second)).status_code == 200

    response = await patient.post("/reminders/calendar/delete")
    assert response.headers["location"] == "/reminders?notice=calendar-removed"
    assert (await stranger.get(second)).status_code == 404


async def test_a_reload_after_making_a_calendar_link_makes_no_other_and_shows_it_no_more(patient, stranger):
    # The page showing a new link was the form's own answer, at /reminders/calendar: reloading it
    # sent the form again and silently replaced the link the patient had just added to a calendar.
    made = await patient.post("/reminders/calendar")
    assert made.status_code == 303 and made.headers["location"] == "/reminders#calendar"
    cookie = link_cookie(made)
    token = re.match(r"lift_new_calendar_link=([^;]+);", cookie).group(1)
    # The token goes in no address (the history, a Referer): in a cookie for the Reminders pages
    # alone, same-site only, unreadable by scripts, for a minute.
    assert token not in made.headers["location"]
    for flag in ("HttpOnly", "SameSite=strict", "Path=/reminders", "Max-Age=60"):
        assert flag in cookie
    shown = await patient.get("/reminders")
    assert f'value="http://testserver.local/calendar/{token}.ics"' in shown.text
    assert "Your private calendar link is ready." in shown.text
    assert 'lift_new_calendar_link="";' in link_cookie(shown)  # deleted as it is shown

    reloaded = (await patient.get("/reminders")).text
    assert token not in reloaded and "Make a new calendar link" in reloaded
    assert (await stranger.get(f"/calendar/{token}.ics")).status_code == 200


async def test_a_new_calendar_link_is_shown_only_to_its_patient_and_only_while_it_works(patient,
                                                                                       other_patient):
    first = (await patient.post("/reminders/calendar")).cookies["lift_new_calendar_link"]
    await patient.post("/reminders/calendar")
    for person in (other_patient, patient):
        person.http.cookies.set("lift_new_calendar_link", first, domain="testserver.local", path="/reminders")
    for person in (other_patient, patient):  # not theirs; replaced since
        page = (await person.get("/reminders")).text
        assert first not in page and "Your private calendar link is ready." not in page


async def test_a_made_up_calendar_token_finds_nothing(stranger):
    assert (await stranger.get("/calendar/" + "A" * 43 + ".ics")).status_code == 404
    assert (await stranger.get("/calendar/x.ics")).status_code == 404


# Signing out ends reminders ------------------------------------------------------------------

def endpoints(database) -> list[str]:
    return sorted(row[0] for row in database.execute("SELECT endpoint FROM push_subscriptions"))


async def test_signing_out_forgets_this_browsers_device_only(patient, people, database):
    phone, tablet = "https://fcm.googleapis.com/fcm/send/phone", "https://fcm.googleapis.com/fcm/send/tablet"
    await subscribe(patient, phone)
    await subscribe(patient, tablet)
    response = await patient.post("/signout", {"push_endpoint": phone})
    assert response.status_code == 303
    assert endpoints(database) == [tablet]


async def test_signing_out_cannot_remove_another_persons_device(patient, other_patient, database):
    theirs = "https://fcm.googleapis.com/fcm/send/theirs"
    await subscribe(other_patient, theirs)
    assert (await patient.post("/signout", {"push_endpoint": theirs})).status_code == 303
    assert endpoints(database) == [theirs]


@pytest.mark.parametrize("endpoint", ["", "x" * 5000, "not a url"])
async def test_signing_out_always_works_whatever_endpoint_comes_with_it(patient, database, endpoint):
    await subscribe(patient)
    response = await patient.post("/signout", {"push_endpoint": endpoint})
    assert response.status_code == 303 and "/signin" in response.headers["location"]
    assert (await patient.get("/checkin")).status_code == 303  # signed out
    assert len(endpoints(database)) == 1


async def test_signing_out_everywhere_ends_every_devices_reminders(patient, other_patient, database):
    await subscribe(patient, "https://fcm.googleapis.com/fcm/send/a")
    await subscribe(patient, "https://fcm.googleapis.com/fcm/send/b")
    await subscribe(other_patient, "https://fcm.googleapis.com/fcm/send/c")
    assert (await patient.post("/account/signout-everywhere")).status_code == 303
    assert endpoints(database) == ["https://fcm.googleapis.com/fcm/send/c"]


# A browser that replaced its subscription ---------------------------------------------------

MISSING = object()


async def renew(person, old: dict, new: dict, csrf: bool = False, old_auth=MISSING):
    """As the service worker posts it: JSON, the old endpoint and auth secret, no CSRF token
    (it cannot read one). `old_auth` replaces the old subscription's secret; None leaves it out."""
    body = {"old_endpoint": old["endpoint"], "old_auth": old["keys"]["auth"], "subscription": new}
    if old_auth is None:
        del body["old_auth"]
    elif old_auth is not MISSING:
        body["old_auth"] = old_auth
    body = json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    if csrf:
        headers["x-csrftoken"] = await person.csrf_token()
    return await person.http.post("/reminders/subscriptions/renew", content=body, headers=headers)


async def test_a_renewed_subscription_keeps_the_device_its_owner_and_label(patient, stranger, database):
    old = subscription("https://fcm.googleapis.com/fcm/send/old")
    device = await subscribe(patient, browser_subscription=old)
    new = subscription("https://fcm.googleapis.com/fcm/send/new")
    response = await renew(stranger, old, new)  # no session needed: the old subscription is the credential
    assert response.status_code == 200 and response.json() == {"id": device}
    [row] = database.execute("SELECT id, endpoint, p256dh, auth, label, user_id FROM push_subscriptions").fetchall()
    assert (row["id"], row["endpoint"], row["p256dh"], row["auth"]) == (
        device, new["endpoint"], new["keys"]["p256dh"], new["keys"]["auth"])
    assert row["label"] and row["user_id"] == user_id_of(database, patient.email)


async def test_renewing_an_unknown_subscription_changes_nothing(patient, database):
    await subscribe(patient, "https://fcm.googleapis.com/fcm/send/mine")
    response = await renew(patient, subscription("https://fcm.googleapis.com/fcm/send/guess"), subscription())
    assert response.status_code == 404
    assert endpoints(database) == ["https://fcm.googleapis.com/fcm/send/mine"]


@pytest.mark.parametrize("old_auth", [None, "", "wrong-auth-secret-AAAAA", "Ã©"],
                         ids=["missing", "empty", "wrong", "non-ascii"])
async def test_the_endpoint_alone_cannot_rekey_a_device(patient, stranger, database, old_auth):
    """The push service knows every endpoint; with new keys it could read later reminders.
    Without the old auth secret the answer is the unknown-endpoint one and nothing changes."""
    old = subscription("https://fcm.googleapis.com/fcm/send/old")
    await subscribe(patient, browser_subscription=old)
    unknown = await renew(stranger, subscription("https://fcm.googleapis.com/fcm/send/guess"), subscription())
    response = await renew(stranger, old, subscription("https://fcm.googleapis.com/fcm/send/attacker"),
                           old_auth=old_auth)
    assert (response.status_code, response.json()) == (unknown.status_code, unknown.json()) == (
        404, {"error": "No device has that subscription."})
    [row] = database.execute("SELECT endpoint, p256dh, auth FROM push_subscriptions").fetchall()
    assert tuple(row) == (old["endpoint"], old["keys"]["p256dh"], old["keys"]["auth"])


@pytest.mark.parametrize("new_endpoint", ["http://fcm.googleapis.com/plain-http", "https://127.0.0.1/push",
                                          "https://printer.local/push"])
async def test_a_renewal_to_an_endpoint_lift_would_not_accept_is_refused(patient, database, new_endpoint):
    old = subscription("https://fcm.googleapis.com/fcm/send/old")
    await subscribe(patient, browser_subscription=old)
    response = await renew(patient, old, subscription(new_endpoint))
    assert response.status_code == 400 and response.json()["error"]
    assert endpoints(database) == [old["endpoint"]]


async def test_a_renewal_the_page_already_saved_leaves_one_device(patient, database):
    old = subscription("https://fcm.googleapis.com/fcm/send/old")
    new = "https://fcm.googleapis.com/fcm/send/new"
    await subscribe(patient, browser_subscription=old)
    await subscribe(patient, new)
    assert (await renew(patient, old, subscription(new))).status_code == 200
    assert endpoints(database) == [new]


async def test_only_the_renewal_route_goes_without_a_csrf_token(patient):
    response = await patient.http.post("/reminders/subscriptions", content=json.dumps(subscription()).encode(),
                                       headers={"content-type": "application/json"})
    assert response.status_code == 403


def user_id_of(database, email: str) -> int:
    return database.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]


async def test_the_lead_times_read_as_a_person_would_say_them(patient):
    page = (await patient.get("/reminders")).text
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', page)
    lead = {value: label for value, label in options if value in ("30", "60", "90", "120")}
    assert lead == {"30": "30 minutes", "60": "1 hour", "90": "1½ hours", "120": "2 hours"}


async def test_the_reminders_and_plan_pages_name_the_time_zone_as_the_list_does(patient, monkeypatch):
    """Sign-up offered "New York — America (UTC−05:00)"; these pages printed America/New_York."""
    monkeypatch.setattr(rendering, "utc_now", lambda: datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    for path in ("/reminders", "/treatment/plan/new"):
        html = (await patient.get(path)).text
        assert "Times are in your time zone, New York — America (UTC−05:00)." in html, path
        assert "America/New_York" not in html.split("<main", 1)[1], path
    # In summer the offset is summer's.
    monkeypatch.setattr(rendering, "utc_now", lambda: datetime(2026, 7, 15, 12, 0, tzinfo=UTC))
    assert "your time zone, New York — America (UTC−04:00)." in (await patient.get("/reminders")).text
