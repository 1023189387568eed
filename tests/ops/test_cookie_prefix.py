"""Over HTTPS Lift's cookies are `__Host-` cookies, so a sibling subdomain cannot toss its own in
(the new calendar link's, for /reminders only, is `__Secure-`).

The served app speaks plain HTTP on 127.0.0.1 (TLS ends at a proxy in a deployment), and httpx
would not send Secure cookies over it, so these tests carry cookies by hand in a jar that keeps
a browser's rules for the prefixes (RFC 6265bis 4.1.3.1-2): a `__Host-` Set-Cookie without Secure,
with a Domain or with a Path other than / is ignored, and a `__Secure-` one without Secure,
deletions included. The jar sends every cookie it holds, whatever its Path.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from lift.push.vapid import private_key_text, public_key_of
from tests.served import ServedApp

PASSWORD = "prefix test password 9"


class BrowserJar:
    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.ignored: list[str] = []

    def take(self, response: httpx.Response) -> list[dict[str, str]]:
        """Store the response's cookies; returns each Set-Cookie's attributes (lower-case keys)."""
        seen = []
        for header in response.headers.get_list("set-cookie"):
            pair, *attributes = [part.strip() for part in header.split(";")]
            name, _, value = pair.partition("=")
            attrs = {"name": name, "value": value}
            attrs.update({key.lower(): val for key, _, val in (a.partition("=") for a in attributes)})
            seen.append(attrs)
            host_rules = "secure" in attrs and "domain" not in attrs and attrs.get("path") == "/"
            secure_rules = "secure" in attrs
            if name.startswith("__Host-") and not host_rules or name.startswith("__Secure-") and not secure_rules:
                self.ignored.append(header)
            elif attrs.get("max-age") == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return seen

    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}


def production_app(tmp_path) -> ServedApp:
    private = private_key_text(ec.generate_private_key(ec.SECP256R1()))
    return ServedApp(tmp_path / "data", tmp_path / "server.log", LIFT_ENV="production",
                     LIFT_COOKIE_SECURE="true", LIFT_SECRET_KEY="p" * 48, LIFT_VAPID_PRIVATE_KEY=private,
                     LIFT_VAPID_PUBLIC_KEY=public_key_of(Vapid.from_string(private)),
                     LIFT_VAPID_SUBJECT="mailto:ops@example.org")


@pytest.fixture
def production(tmp_path):
    app = production_app(tmp_path)
    app.start()
    yield app
    app.stop()


def send(client: httpx.Client, jar: BrowserJar, method: str, path: str, **form: str):
    data = {**form, "_csrf_token": jar.cookies["__Host-csrftoken"]} if method == "POST" else None
    response = client.request(method, path, data=data, headers=jar.header())
    return response, jar.take(response)


def test_production_cookies_are_host_prefixed_secure_path_root_without_a_domain(production):
    jar = BrowserJar()
    with httpx.Client(base_url=production.url, timeout=30) as client:
        _, (csrf,) = send(client, jar, "GET", "/signup")
        signed_up, set_cookies = send(client, jar, "POST", "/signup", email="host@example.com",
                                      password=PASSWORD, timezone="UTC")
    assert signed_up.status_code == 303, signed_up.text[-800:]
    session = next(c for c in set_cookies if c["name"] == "__Host-lift_session")
    # The form token from before sign-up is ended, with a deletion the browser accepts.
    assert [c["name"] for c in set_cookies if c.get("max-age") == "0"] == ["__Host-csrftoken"]
    for cookie in (csrf, session, *set_cookies):
        assert cookie["name"].startswith("__Host-"), cookie
        assert "secure" in cookie and cookie["path"] == "/" and "domain" not in cookie, cookie
        assert "httponly" in cookie and cookie["samesite"].lower() == "lax", cookie
    assert jar.ignored == [] and set(jar.cookies) == {"__Host-lift_session"}


def test_in_production_sign_in_a_check_in_and_sign_out_work_with_host_cookies(production):
    jar = BrowserJar()
    with httpx.Client(base_url=production.url, timeout=30) as client:
        send(client, jar, "GET", "/signup")
        send(client, jar, "POST", "/signup", email="pat@example.com", password=PASSWORD, timezone="UTC")
        first_session = jar.cookies["__Host-lift_session"]
        send(client, jar, "GET", "/signin")  # a new form token for the sign-in form
        old_token = jar.cookies["__Host-csrftoken"]
        # Signing in again from the same browser: a new session, the old one and its form token end.
        signed_in, _ = send(client, jar, "POST", "/signin", email="pat@example.com", password=PASSWORD)
        assert signed_in.status_code == 303, signed_in.text[-800:]
        assert jar.cookies["__Host-lift_session"] != first_session and "__Host-csrftoken" not in jar.cookies
        stale = client.get("/checkin", headers={"Cookie": f"__Host-lift_session={first_session}"})
        assert stale.status_code == 303 and stale.headers["location"].startswith("/signin")

        send(client, jar, "GET", "/checkin")
        assert jar.cookies["__Host-csrftoken"] != old_token
        today = datetime.now(UTC).date().isoformat()
        saved, _ = send(client, jar, "POST", "/checkin", local_date=today, mood="4", anxiety="2",
                        sleep_hours="6", thoughts="0")
        assert saved.status_code == 303 and "?saved=new" in saved.headers["location"]
        assert "Today's check-in is done" in send(client, jar, "GET", "/")[0].text
        refused = client.post("/checkin", data={"local_date": today, "mood": "5"}, headers=jar.header())
        assert refused.status_code == 403  # no form token: CSRF still guards the prefixed cookies

        # The session cookie under its bare name is a stranger's: a subdomain could have set it.
        session = jar.cookies["__Host-lift_session"]
        bare = client.get("/checkin", headers={"Cookie": f"lift_session={session}"})
        assert bare.status_code == 303 and bare.headers["location"].startswith("/signin")

        signed_out, _ = send(client, jar, "POST", "/signout")
        assert signed_out.status_code == 303 and signed_out.headers["clear-site-data"] == '"cache", "cookies"'
        assert "__Host-lift_session" not in jar.cookies and jar.ignored == []
        after = client.get("/checkin", headers={"Cookie": f"__Host-lift_session={session}"})
        assert after.status_code == 303 and after.headers["location"].startswith("/signin")


def test_in_production_deleting_the_account_deletes_its_host_cookie(production):
    jar = BrowserJar()
    with httpx.Client(base_url=production.url, timeout=30) as client:
        send(client, jar, "GET", "/signup")
        send(client, jar, "POST", "/signup", email="gone@example.com", password=PASSWORD, timezone="UTC")
        send(client, jar, "GET", "/account/delete")
        deleted, _ = send(client, jar, "POST", "/account/delete", password=PASSWORD, confirm="true")
    assert deleted.status_code == 200, deleted.text[-800:]
    assert deleted.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert "__Host-lift_session" not in jar.cookies and jar.ignored == []


def test_in_production_a_new_calendar_link_rides_in_a_secure_prefixed_cookie_deleted_as_shown(production):
    """The link's cookie is for /reminders only, so not `__Host-`; `__Secure-` at least keeps
    plain http from setting it, and its deletion must be Secure too or the browser ignores it."""
    jar = BrowserJar()
    with httpx.Client(base_url=production.url, timeout=30) as client:
        send(client, jar, "GET", "/signup")
        send(client, jar, "POST", "/signup", email="feed@example.com", password=PASSWORD, timezone="UTC")
        send(client, jar, "GET", "/reminders")
        made, (link,) = send(client, jar, "POST", "/reminders/calendar")
        assert made.status_code == 303, made.text[-800:]
        assert link["name"] == "__Secure-lift_new_calendar_link" and "secure" in link, link
        assert link["path"] == "/reminders" and "domain" not in link and link["samesite"].lower() == "strict"
        shown, set_cookies = send(client, jar, "GET", "/reminders")
        assert f"/calendar/{link['value']}.ics" in shown.text
        assert [(c["name"], c.get("max-age"), c.get("path"), "secure" in c) for c in set_cookies
                if c["name"].endswith("lift_new_calendar_link")] == [
                    ("__Secure-lift_new_calendar_link", "0", "/reminders", True)]
        # Shown once: the browser dropped the cookie, so a reload shows the link no more.
        assert "__Secure-lift_new_calendar_link" not in jar.cookies and jar.ignored == []
        assert link["value"] not in send(client, jar, "GET", "/reminders")[0].text


def test_development_over_plain_http_keeps_the_bare_cookie_names(tmp_path):
    """Browsers refuse a `__Host-` cookie that is not Secure, and `make run` is plain http."""
    app = ServedApp(tmp_path / "data", tmp_path / "server.log")
    app.start()
    try:
        with httpx.Client(base_url=app.url, timeout=30) as client:
            client.get("/signup")
            form = {"email": "dev@example.com", "password": PASSWORD, "timezone": "UTC"}
            signed_up = client.post("/signup", data={**form, "_csrf_token": client.cookies["csrftoken"]})
            assert signed_up.status_code == 303
            assert "lift_session" in client.cookies
            names = [header.split("=", 1)[0] for header in signed_up.headers.get_list("set-cookie")]
            assert sorted(names) == ["csrftoken", "lift_session"]
            assert all("secure" not in h.lower() for h in signed_up.headers.get_list("set-cookie"))
            client.get("/")
            signed_out = client.post("/signout", data={"_csrf_token": client.cookies["csrftoken"]})
            assert signed_out.status_code == 303 and "lift_session" not in client.cookies
    finally:
        app.stop()
