import asyncio
import re
from datetime import timedelta
from html import unescape

import pytest
from litestar.testing import AsyncTestClient

from lift.app import create_app
from lift.db.clock import iso, utc_now
from lift.web import auth
from tests.integration.conftest import PASSWORD, Person, slowed_password_hashes


def session_cookie(person: Person) -> str | None:
    return person.http.cookies.get("lift_session")


def zone_options(page: str) -> dict[str, str]:
    """The time zone select's options, value: text."""
    select = page[page.index('<select id="timezone"'):page.index("</select>")]
    return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select))


def chosen_zones(page: str) -> list[str]:
    select = page[page.index('<select id="timezone"'):page.index("</select>")]
    return re.findall(r'<option value="([^"]+)" selected>', select)


async def test_it_signs_up_a_patient_with_an_argon2id_hash(patient, database):
    row = database.execute("SELECT email, role, timezone, password_hash FROM users").fetchone()
    assert row["email"] == "pat@example.com" and row["role"] == "patient"
    assert row["timezone"] == "America/New_York"
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]


async def test_it_stores_only_a_hash_of_the_session_token(patient, database):
    token = session_cookie(patient)
    stored = [r[0] for r in database.execute("SELECT token_hash FROM sessions")]
    assert token and token not in stored and len(stored) == 1


async def test_it_refuses_a_short_or_common_password_and_keeps_the_email(stranger, database):
    for password, message in (("short", "at least 10 characters"), ("Password123", "most common")):
        response = await stranger.post("/signup", {"email": "new@example.com", "password": password,
                                                   "timezone": "Europe/Paris"})
        assert response.status_code == 422
        assert message in response.text
        assert 'value="new@example.com"' in response.text
        assert chosen_zones(response.text) == ["Europe/Paris"]
        assert password not in response.text
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == 0


@pytest.mark.parametrize("path", ["/signup", "/signin", "/"])
async def test_a_signed_out_page_says_once_that_lift_is_not_an_emergency_service(stranger, path):
    """The footer says it on every page; the sign-up page once said it again, in other words,
    just above the footer."""
    html = (await stranger.get(path)).text
    assert html.count("not an emergency service") == 1, path
    assert html.count("does not diagnose") == 1, path


async def test_the_time_zone_list_offers_places_not_tzdata_internals(stranger):
    options = zone_options((await stranger.get("/signup")).text)
    assert options["Europe/Paris"].startswith("Paris — Europe (UTC+0") and options["UTC"] == "UTC"
    for internal in ("Factory", "localtime"):
        assert internal not in options


async def test_sign_up_and_the_account_page_offer_places_by_city_and_offset_but_no_old_alias(patient,
                                                                                            stranger):
    """Etc/GMT+5 is UTC−05:00 (POSIX's sign): one of ~180 old names, US/Eastern, GB, Japan,
    EST5EDT, that the list of ~600 offered beside the places."""
    for page in ((await stranger.get("/signup")).text, (await patient.get("/account")).text):
        options = zone_options(page)
        for alias in ("Etc/GMT+5", "US/Eastern", "GB", "Japan", "EST5EDT", "Asia/Calcutta", "Europe/Kiev"):
            assert alias not in options
        assert 400 < len(options) < 450
        assert re.fullmatch(r"New York — America \(UTC−0[45]:00\)", options["America/New_York"])
        assert options["Asia/Kolkata"] == "Kolkata — Asia (UTC+05:30)"
        assert options["Asia/Kathmandu"] == "Kathmandu — Asia (UTC+05:45)"
        assert options["Europe/Kyiv"].startswith("Kyiv — Europe (UTC+0")
        assert '<optgroup label="America">' in page and '<optgroup label="Indian Ocean">' in page
        assert chosen_zones(page) == ["America/New_York"]


@pytest.mark.parametrize("alias, text", [("Etc/GMT+5", "Etc/GMT+5 (UTC−05:00)"),
                                         ("Asia/Calcutta", "Asia/Calcutta (UTC+05:30)")])
async def test_an_old_alias_is_still_accepted_and_shown_chosen_as_its_own_option(stranger, database, alias,
                                                                                  text):
    """A browser may send one (Chrome says Asia/Calcutta), and an account may hold one from the old
    list: it is kept, and shown by its own name with its real offset, never swapped for a place."""
    form = {"email": stranger.email, "password": PASSWORD, "timezone": alias}
    signup = await stranger.post("/signup", form)
    assert signup.status_code == 303
    assert database.execute("SELECT timezone FROM users").fetchone()[0] == alias
    page = (await stranger.get("/account")).text
    assert chosen_zones(page) == [alias] and zone_options(page)[alias] == text
    assert page.count(f'value="{alias}"') == 1


async def test_the_account_page_takes_an_alias_and_a_form_sent_back_keeps_it_chosen(patient, stranger,
                                                                                    database):
    assert (await patient.post("/account/timezone", {"timezone": "US/Eastern"})).status_code == 303
    assert database.execute("SELECT timezone FROM users").fetchone()[0] == "US/Eastern"
    assert chosen_zones((await patient.get("/account")).text) == ["US/Eastern"]
    form = {"email": "new@example.com", "password": "short", "timezone": "Etc/GMT+5"}
    back = await stranger.post("/signup", form)
    assert back.status_code == 422 and chosen_zones(back.text) == ["Etc/GMT+5"]
    assert zone_options(back.text)["Etc/GMT+5"] == "Etc/GMT+5 (UTC−05:00)"


async def test_it_refuses_an_unknown_time_zone(stranger, database):
    response = await stranger.post("/signup", {"email": "a@example.com", "password": PASSWORD,
                                               "timezone": "Mars/Olympus"})
    assert response.status_code == 422 and 'id="timezone-error"' in response.text
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == 0


@pytest.mark.parametrize("internal", ["localtime", "Factory"])
async def test_a_tzdata_name_that_is_no_place_is_refused_like_any_unknown_zone(patient, stranger, database,
                                                                              internal):
    """A hand-made request cannot store a tzdata name that no list ever showed ("localtime" is the
    server's own zone): the account page and sign-up answer as for any unknown zone."""
    changed = await patient.post("/account/timezone", {"timezone": internal})
    assert changed.status_code == 422 and "Choose your time zone from the list." in changed.text
    assert 'id="timezone-error"' in changed.text
    signup = await stranger.post("/signup", {"email": "new@example.com", "password": PASSWORD, "timezone": internal})
    assert signup.status_code == 422 and 'id="timezone-error"' in signup.text
    assert [row[0] for row in database.execute("SELECT timezone FROM users")] == ["America/New_York"]


async def test_it_refuses_a_second_account_for_the_same_email(patient, people):
    again = people("PAT@example.com")
    response = await again.sign_up()
    assert response.status_code == 422 and "already exists" in response.text


async def test_it_signs_in_with_a_new_session_id_every_time(patient):
    before = session_cookie(patient)
    response = await patient.sign_in()
    assert response.status_code == 303
    after = session_cookie(patient)
    assert after and after != before
    assert (await patient.get("/")).status_code == 200


async def test_it_ends_the_pre_sign_in_session_at_sign_in(patient, people, database):
    old = session_cookie(patient)
    await patient.sign_in()
    intruder = people("x@example.com")
    intruder.http.cookies.set("lift_session", old)
    response = await intruder.get("/checkin")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


async def test_it_sets_strict_cookie_flags(patient):
    response = await patient.sign_in()
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie


async def test_cookies_are_secure_by_default(tmp_path, people):
    from lift.settings import Settings

    settings = Settings(data_dir=str(tmp_path / "secure"), secret_key="s" * 40)
    async with AsyncTestClient(app=create_app(settings), base_url="https://testserver.local") as client:
        page = await client.get("/signup")
        assert "secure" in page.headers["set-cookie"].lower()
        token = client.cookies["__Host-csrftoken"]  # the prefix: tests/ops/test_cookie_prefix.py
        response = await client.post("/signup", data={"email": "s@example.com", "password": PASSWORD,
                                                      "timezone": "UTC", "_csrf_token": token},
                                     follow_redirects=False)
        assert response.status_code == 303, response.text
        session = [c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-lift_session")]
        assert session and "Secure" in session[0] and "HttpOnly" in session[0]
        # A new calendar link rides to the page that shows it in a cookie of its own.
        await client.get("/reminders")  # signing up deleted the form token: this page makes one
        made = await client.post("/reminders/calendar", follow_redirects=False,
                                 data={"_csrf_token": client.cookies["__Host-csrftoken"]})
        link = [c for c in made.headers.get_list("set-cookie") if c.startswith("__Secure-lift_new_calendar_link=")]
        assert made.status_code == 303 and link and "Secure" in link[0] and "HttpOnly" in link[0]


async def test_it_rejects_a_wrong_password_with_a_clear_message(patient, database):
    response = await patient.sign_in("wrong password!!")
    assert response.status_code == 401
    assert "don't match an account" in unescape(response.text)
    assert database.execute("SELECT count(*) FROM signin_failures").fetchone()[0] == 1


async def test_it_throttles_an_account_after_five_failures_even_with_the_right_password(patient, people):
    attacker = people("pat@example.com")
    for _ in range(5):
        assert (await attacker.sign_in("wrong password!!")).status_code == 401
    response = await attacker.sign_in()
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.text
    assert "lift_session" not in attacker.http.cookies


async def test_guessing_the_current_password_inside_a_session_is_throttled_like_sign_in(patient, people, database):
    # Someone holding an unlocked, signed-in phone must not be able to guess the password.
    for _ in range(5):
        bad = await patient.post("/account/password", {"current_password": "a guess at it", "new_password": "taken over!!"})
        assert bad.status_code == 422 and "isn't your current password" in unescape(bad.text)
    right = await patient.post("/account/password", {"current_password": PASSWORD, "new_password": "taken over!!"})
    assert right.status_code == 429 and "Too many password attempts" in right.text
    deleting = await patient.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    assert deleting.status_code == 429 and "Nothing was deleted" in deleting.text
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    # The same counter guards sign-in, and the old password still works once the window passes.
    assert (await people("pat@example.com").sign_in()).status_code == 429
    database.execute("UPDATE signin_failures SET at = '2000-01-01T00:00:00Z'")
    database.commit()
    assert (await people("pat@example.com").sign_in()).status_code == 303


async def test_a_right_password_inside_a_session_clears_earlier_wrong_guesses(patient, database):
    for _ in range(4):
        await patient.post("/account/password", {"current_password": "a guess at it", "new_password": "another good one"})
    ok = await patient.post("/account/password", {"current_password": PASSWORD, "new_password": "another good one"})
    assert ok.status_code == 303
    assert database.execute("SELECT count(*) FROM signin_failures").fetchone()[0] == 0


def slowed_password_checks(monkeypatch) -> list[str]:
    """Every password check takes a moment, as argon2id does on a busy server, while the rest of a
    burst arrives. Returns the list of the passwords checked."""
    checked: list[str] = []
    verify = auth.verify_password

    async def slow_verify(password_hash: str | None, password: str) -> bool:
        checked.append(password)
        await asyncio.sleep(0.2)
        return await verify(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", slow_verify)
    return checked


async def test_a_burst_of_sign_ins_sent_at_once_gets_no_more_password_checks_than_the_limit(
        patient, people, database, monkeypatch):
    # Counted only once checked, a burst of guesses all passed a throttle none of them had
    # counted yet: 40 sent together to a served Lift were all checked, against a limit of 5.
    checked = slowed_password_checks(monkeypatch)
    guessers = [people("pat@example.com") for _ in range(12)]
    answers = await asyncio.gather(*(guesser.sign_in(f"guess number {n}") for n, guesser in enumerate(guessers)))
    assert sorted(answer.status_code for answer in answers) == [401] * 5 + [429] * 7
    assert len(checked) == 5
    assert database.execute("SELECT count(*) FROM signin_failures").fetchone()[0] == 5
    assert (await people("pat@example.com").sign_in()).status_code == 429


async def test_a_burst_of_guesses_at_the_current_password_inside_a_session_is_throttled_too(
        patient, database, monkeypatch):
    checked = slowed_password_checks(monkeypatch)
    answers = await asyncio.gather(*(
        patient.post("/account/password", {"current_password": f"guess number {n}", "new_password": "taken over!!"})
        for n in range(12)))
    assert sorted(answer.status_code for answer in answers) == [422] * 5 + [429] * 7
    assert len(checked) == 5


async def test_a_right_password_clears_the_count_its_own_attempt_made(patient, people, database):
    # Each attempt is counted before its password is checked; a right one leaves no failure behind.
    for _ in range(4):
        assert (await people("pat@example.com").sign_in("wrong password!!")).status_code == 401
    assert (await people("pat@example.com").sign_in()).status_code == 303
    assert database.execute("SELECT count(*) FROM signin_failures").fetchone()[0] == 0


async def test_it_throttles_an_ip_address_across_accounts(app, people, database):
    person = people("someone@example.com")
    database.executemany(
        "INSERT INTO signin_failures (email, ip, at) VALUES (?, '127.0.0.1', strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
        [(f"user{n}@example.com",) for n in range(20)],
    )
    database.commit()
    response = await person.post("/signin", {"email": "fresh@example.com", "password": "whatever123"})
    assert response.status_code == 429


async def test_old_failures_outside_the_window_do_not_count(patient, database):
    database.executemany(
        "INSERT INTO signin_failures (email, ip, at) VALUES ('pat@example.com', '127.0.0.1', ?)",
        [("2020-01-01T00:00:00Z",)] * 10,
    )
    database.commit()
    assert (await patient.sign_in()).status_code == 303


async def test_sign_ups_from_one_address_stop_at_its_limit_and_the_form_keeps_what_was_typed(
        signup_limit, people, database):
    """Every sign-up that gets as far as hashing counts, one refused for an address already taken
    too; a form sent back for a wrong answer costs nothing and counts nothing."""
    assert (await people("typo@example.com").post("/signup", {"email": "typo@example.com", "password": "short",
                                                             "timezone": "UTC"})).status_code == 422
    for n in range(signup_limit - 1):
        assert (await people(f"patient{n}@example.com").sign_up()).status_code == 303
    assert (await people("patient0@example.com").sign_up()).status_code == 422  # already exists
    refused = await people("late@example.com").post("/signup", {"email": "late@example.com", "password": PASSWORD,
                                                               "timezone": "Europe/Paris"})
    assert refused.status_code == 429
    page = unescape(refused.text)
    assert "Too many accounts were asked for from this network in the last hour" in page
    assert "try again in an hour" in page and "Please check the highlighted answers" not in page
    assert 'value="late@example.com"' in refused.text and chosen_zones(refused.text) == ["Europe/Paris"]
    assert PASSWORD not in refused.text and "lift_session" not in refused.cookies
    assert [row[0] for row in database.execute("SELECT email FROM users ORDER BY id")] == [
        f"patient{n}@example.com" for n in range(signup_limit - 1)]
    assert database.execute("SELECT count(*) FROM signup_attempts").fetchone()[0] == signup_limit


async def test_the_sign_up_limit_is_per_client_address(signup_limit, people, database):
    """A clinic's Wi-Fi using up its hour leaves another network's sign-ups alone."""
    for n in range(signup_limit):
        assert (await people(f"clinic{n}@example.com", "203.0.113.7").sign_up()).status_code == 303
    assert (await people("clinic9@example.com", "203.0.113.7").sign_up()).status_code == 429
    assert (await people("home@example.com", "198.51.100.9").sign_up()).status_code == 303
    counted = database.execute("SELECT ip, count(*) FROM signup_attempts GROUP BY ip ORDER BY ip").fetchall()
    assert [tuple(row) for row in counted] == [("198.51.100.9", 1), ("203.0.113.7", signup_limit)]


async def test_sign_ups_older_than_the_hour_do_not_count_and_are_deleted(signup_limit, people, database):
    database.executemany("INSERT INTO signup_attempts (ip, at) VALUES ('127.0.0.1', ?)",
                         [(iso(utc_now() - timedelta(minutes=62)),)] * signup_limit)
    database.commit()
    assert (await people("pat@example.com").sign_up()).status_code == 303
    assert database.execute("SELECT count(*) FROM signup_attempts").fetchone()[0] == 1


async def test_a_burst_of_sign_ups_sent_at_once_hashes_no_more_passwords_than_the_limit(
        signup_limit, people, database, monkeypatch):
    hashed = slowed_password_hashes(monkeypatch, auth)
    burst = [people(f"burst{n}@example.com") for n in range(10)]
    answers = await asyncio.gather(*(person.sign_up() for person in burst))
    assert sorted(answer.status_code for answer in answers) == [303] * signup_limit + [429] * (10 - signup_limit)
    assert len(hashed) == signup_limit
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == signup_limit


async def test_it_signs_out_and_clears_the_site_data(patient):
    token = session_cookie(patient)
    response = await patient.post("/signout")
    assert response.status_code == 303
    assert "cache" in response.headers["clear-site-data"] and "cookies" in response.headers["clear-site-data"]
    patient.http.cookies.set("lift_session", token)
    assert (await patient.get("/checkin")).status_code == 303


async def test_an_expired_session_is_refused_and_purged_at_the_next_start(patient, settings, database):
    assert (await patient.get("/checkin")).status_code == 200
    database.execute("UPDATE sessions SET expires_at = '2020-01-01T00:00:00Z'")
    database.commit()
    # The cookie is still in the browser; the server no longer honours it.
    refused = await patient.get("/checkin")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/signin")
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    async with AsyncTestClient(app=create_app(settings)):
        pass
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


async def test_sign_up_attempts_older_than_their_hour_are_purged_at_the_next_start(app, settings, database):
    """Each row names a client's address: none outlives the window that counts it by much."""
    database.executemany("INSERT INTO signup_attempts (ip, at) VALUES ('203.0.113.7', ?)",
                         [("2020-01-01T00:00:00Z",), (iso(utc_now() - timedelta(minutes=62)),),
                          (iso(utc_now() - timedelta(minutes=5)),)])
    database.commit()
    async with AsyncTestClient(app=create_app(settings)):
        pass
    assert database.execute("SELECT count(*) FROM signup_attempts").fetchone()[0] == 1


async def test_it_signs_out_of_all_devices(patient, people, database):
    phone = people("pat@example.com")
    await phone.sign_in()
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2
    await patient.post("/account/signout-everywhere")
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    assert (await phone.get("/checkin")).status_code == 303


async def test_it_changes_the_password_and_signs_out_other_devices(patient, people, database):
    phone = people("pat@example.com")
    await phone.sign_in()
    bad = await patient.post("/account/password", {"current_password": "nope nope nope", "new_password": "another good one"})
    assert bad.status_code == 422 and "isn't your current password" in unescape(bad.text)
    ok = await patient.post("/account/password", {"current_password": PASSWORD, "new_password": "another good one"})
    assert ok.status_code == 303
    assert (await patient.get("/account")).status_code == 200
    assert "your check-ins follow your local day" in (await patient.get("/account")).text
    assert (await phone.get("/account")).status_code == 303
    assert (await phone.sign_in("another good one")).status_code == 303


async def test_changing_the_password_ends_a_stolen_copy_of_this_browsers_session(patient, people, database):
    """Someone who copied this browser's cookie must not outlive the password change it prompted;
    the person changing it stays signed in, on a new token."""
    stolen = patient.http.cookies["lift_session"]
    thief = people("thief@example.com")
    thief.http.cookies.set("lift_session", stolen)
    assert (await thief.get("/account")).status_code == 200
    ok = await patient.post("/account/password", {"current_password": PASSWORD, "new_password": "another good one"})
    assert ok.status_code == 303 and ok.headers["location"] == "/account?notice=password-changed"
    fresh = ok.cookies["lift_session"]
    assert fresh != stolen
    assert (await thief.get("/account")).status_code == 303  # sent to sign in
    assert (await patient.get("/account")).status_code == 200
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


async def test_it_changes_the_time_zone(patient, database):
    response = await patient.post("/account/timezone", {"timezone": "Asia/Tokyo"})
    assert response.status_code == 303
    assert database.execute("SELECT timezone FROM users").fetchone()[0] == "Asia/Tokyo"
    bad = await patient.post("/account/timezone", {"timezone": "Nowhere/Land"})
    assert bad.status_code == 422
    # Said in the time zone's own card, where focus goes (the form is far down a phone's page).
    card = bad.text[bad.text.index('aria-labelledby="tz-title"'):bad.text.index('aria-labelledby="pw-title"')]
    assert """role="alert" tabindex="-1" autofocus><p>Your time zone wasn't saved.</p>""" in card
    assert 'role="alert"' not in bad.text[bad.text.index('aria-labelledby="pw-title"'):]


async def test_sessions_survive_a_restart(settings, people):
    first = create_app(settings)
    async with AsyncTestClient(app=first) as client:
        token = client.cookies.get("csrftoken") or (await client.get("/signup")).cookies["csrftoken"]
        await client.post("/signup", data={"email": "r@example.com", "password": PASSWORD,
                                           "timezone": "UTC", "_csrf_token": token})
        session = client.cookies["lift_session"]
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.cookies.set("lift_session", session)
        response = await client.get("/account")
        assert response.status_code == 200 and "r@example.com" in response.text


async def test_it_only_redirects_to_same_site_paths_after_sign_in(patient):
    for target, expected in (("/checkins", "/checkins"), ("//evil.example", "/"), ("https://evil.example", "/")):
        response = await patient.post("/signin", {"email": patient.email, "password": PASSWORD, "next": target})
        assert response.headers["location"] == expected


async def test_a_reminder_link_opened_signed_out_returns_to_its_day_after_sign_in(patient):
    """A check-in reminder opens /checkin?day=…; signing in must not land on today's form."""
    await patient.post("/signout")
    reminder = f"/checkin?day={patient.today() - timedelta(days=1)}"
    to_sign_in = (await patient.get(reminder)).headers["location"]
    assert to_sign_in == "/signin?next=" + reminder.replace("?", "%3F").replace("=", "%3D")
    sign_in_page = await patient.get(to_sign_in)
    assert f'name="next" value="{reminder}"' in unescape(sign_in_page.text)
    response = await patient.post("/signin", {"email": patient.email, "password": PASSWORD, "next": reminder})
    assert response.headers["location"] == reminder


# Browsers drop tabs and newlines from a URL, so "/\t/evil.example" would go to //evil.example;
# a CR or LF cannot go into a header at all (uvicorn drops the connection, cookie undelivered).
CONTROL_CHARACTER_NEXTS = ("/\t/evil.example/phish", "/\n/evil", "/\r\n/evil", "/ /evil", "/\x7f/evil")


def where_it_redirects(response) -> str:
    return response.headers["hx-redirect"] if response.status_code == 204 else response.headers["location"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("target", CONTROL_CHARACTER_NEXTS)
async def test_a_next_with_a_control_character_goes_home_after_sign_in(patient, target, htmx):
    headers = {"HX-Request": "true", "HX-Boosted": "true"} if htmx else {}
    response = await patient.post("/signin", {"email": patient.email, "password": PASSWORD, "next": target},
                                  headers=headers)
    assert response.status_code == (204 if htmx else 303)
    assert where_it_redirects(response) == "/"
    assert "lift_session" in response.cookies


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("query", ["/%09/evil.example", "/%0a/evil"])
async def test_a_signed_in_visit_to_sign_in_never_follows_a_control_character_next(patient, query, htmx):
    headers = {"HX-Request": "true", "HX-Boosted": "true"} if htmx else {}
    response = await patient.get(f"/signin?next={query}", headers=headers)
    assert where_it_redirects(response) == "/"


async def test_the_password_forms_name_the_account_for_a_password_manager(patient):
    # A form with only password fields leaves a password manager guessing which saved account a
    # changed password belongs to (Chrome warns about it); the reset page already says.
    hint = '<input type="email" autocomplete="username" value="pat@example.com" hidden>'
    account = (await patient.get("/account")).text
    form = account[account.index('action="/account/password"'):]
    assert hint in form[:form.index("</form>")]
    page = (await patient.get("/account/delete")).text
    assert hint in page[page.index('action="/account/delete"'):]


NEW_EMAIL = "pat@new.example"


async def change_email(person: Person, new_email: str = NEW_EMAIL, password: str = PASSWORD, **kwargs):
    return await person.post("/account/email", {"current_password": password, "new_email": new_email}, **kwargs)


async def test_it_changes_the_sign_in_address_and_keeps_this_browser_signed_in(patient, people, database):
    response = await change_email(patient, "  Pat@New.Example ")
    assert response.status_code == 303 and response.headers["location"] == "/account?notice=email-changed"
    account = await patient.get(response.headers["location"])
    assert account.status_code == 200
    assert "Your email address is changed: sign in with the new one" in account.text
    assert "Signed in as <strong>pat@new.example</strong>" in account.text
    assert database.execute("SELECT email FROM users").fetchall()[0][0] == NEW_EMAIL
    # Sign in with the new address works, with the old one it does not.
    assert (await people(NEW_EMAIL).sign_in()).status_code == 303
    old = await people("pat@example.com").sign_in()
    assert old.status_code == 401 and "lift_session" not in old.cookies


async def test_changing_the_address_ends_the_other_sessions_and_any_reset_link(app, patient, people, database):
    from lift.db.clock import utc_now
    from lift.db.password_resets import create_reset_link

    phone = people("pat@example.com")
    await phone.sign_in()
    stolen = patient.http.cookies["lift_session"]
    token, _ = await create_reset_link(app.state.db, "pat@example.com", utc_now())
    response = await change_email(patient)
    assert response.status_code == 303 and response.cookies["lift_session"] != stolen
    assert (await phone.get("/account")).status_code == 303
    assert (await patient.get("/account")).status_code == 200
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    assert database.execute("SELECT count(*) FROM password_resets").fetchone()[0] == 0
    ended = await people("finder@example.com").get(f"/reset/{token}")
    assert ended.status_code == 404 and "password or email address was changed" in ended.text


async def test_a_wrong_password_changes_nothing_and_counts_toward_the_throttle(patient, database):
    for _ in range(5):
        bad = await change_email(patient, password="a guess at it")
        assert bad.status_code == 422 and "isn't your current password" in unescape(bad.text)
        assert "Your email address wasn't changed." in bad.text and 'id="email_password-error"' in bad.text
        # The password card's field is not marked: its id is its own.
        assert 'id="current_password-error"' not in bad.text
        assert f'value="{NEW_EMAIL}"' in bad.text and "a guess at it" not in bad.text
    throttled = await change_email(patient)
    assert throttled.status_code == 429 and "Too many password attempts" in throttled.text
    assert database.execute("SELECT email FROM users").fetchone()[0] == "pat@example.com"


async def test_an_address_another_account_has_is_refused_as_sign_up_refuses_it(patient, other_patient, database):
    # Only after the right password, and saying no more than sign-up says of the address.
    wrong = await change_email(patient, other_patient.email, password="a guess at it")
    assert "already exists" not in wrong.text
    taken = await change_email(patient, other_patient.email.upper())
    assert taken.status_code == 422 and "An account with this email already exists." in taken.text
    assert 'id="new_email-error"' in taken.text and 'aria-invalid="true" aria-describedby="new_email-error"' in taken.text
    emails = {row[0] for row in database.execute("SELECT email FROM users")}
    assert emails == {"pat@example.com", other_patient.email}
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2


@pytest.mark.parametrize("new_email, message", [
    ("not an address", "Enter an email address like name@example.com."),
    ("", "Enter an email address like name@example.com."),
    (" PAT@example.com ", "That is already your email address."),
])
async def test_an_invalid_or_unchanged_address_is_refused(patient, database, new_email, message):
    response = await change_email(patient, new_email)
    assert response.status_code == 422 and message in response.text
    assert database.execute("SELECT email FROM users").fetchone()[0] == "pat@example.com"
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


async def test_the_email_form_names_the_account_for_a_password_manager(patient):
    account = (await patient.get("/account")).text
    form = account[account.index('action="/account/email"'):]
    form = form[:form.index("</form>")]
    assert '<input type="email" autocomplete="username" value="pat@example.com" hidden>' in form
    assert 'name="_csrf_token"' in form and 'for="email_password"' in form and 'for="new_email"' in form


async def test_a_caregiver_who_changes_address_keeps_their_name_on_the_patients_pages(patient, people, database):
    from tests.integration.sharing_helpers import shared_with, user_id

    carer = await shared_with(patient, people("carer@example.com"), label="Mum")
    pid = user_id(database, "pat@example.com")
    assert (await carer.get(f"/caregiver/patients/{pid}")).status_code == 200
    assert (await change_email(carer, "mum@new.example")).status_code == 303
    assert (await carer.get(f"/caregiver/patients/{pid}")).status_code == 200
    sharing = (await patient.get("/sharing")).text
    assert '<strong>Mum</strong> <span class="hint">mum@new.example</span>' in sharing
    assert "carer@example.com" not in sharing
    log = unescape((await patient.get("/sharing/audit")).text)
    # Before the change under the old address, after it under the new one: both with her name.
    assert "Mum (carer@example.com, caregiver) looked at your summary." in log
    assert ("Mum (mum@new.example, caregiver) changed the email address they sign in with"
            " (was carer@example.com).") in log
    assert "Mum (mum@new.example, caregiver) looked at your summary." in log
    assert "Mum (carer@example.com) accepted your invitation and can now see your journal as a caregiver" in log


async def test_an_address_given_up_and_taken_by_someone_else_keeps_the_log_honest(patient, people, database):
    """The earlier entries under an address are the person who gave it up, not whoever has it now."""
    from tests.integration.sharing_helpers import shared_with, user_id

    carer = await shared_with(patient, people("carer@example.com"), label="Mum")
    pid = user_id(database, "pat@example.com")
    await carer.get(f"/caregiver/patients/{pid}")
    await change_email(carer, "mum@new.example")
    await shared_with(patient, people("carer@example.com"), label="Uncle Joe")
    log = unescape((await patient.get("/sharing/audit")).text)
    assert "Mum (carer@example.com, caregiver) looked at your summary." in log
    assert "Uncle Joe (carer@example.com) accepted your invitation and can now see your journal as a caregiver" in log
    assert "Uncle Joe (carer@example.com, caregiver) looked" not in log
