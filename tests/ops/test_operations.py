"""Deployment guard rails, readiness, and the JSON request log."""

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime

import pytest

from lift.settings import SettingsError, load_settings
from tests.served import REPO_ROOT, ServedApp

PRODUCTION = {
    "LIFT_ENV": "production", "LIFT_SECRET_KEY": "p" * 48, "LIFT_VAPID_PRIVATE_KEY": "private",
    "LIFT_VAPID_PUBLIC_KEY": "public",
}


def test_production_starts_with_every_secret_set():
    assert load_settings(PRODUCTION).environment == "production"


@pytest.mark.parametrize("change, variable", [
    ({"LIFT_SECRET_KEY": ""}, "LIFT_SECRET_KEY"),
    ({"LIFT_SECRET_KEY": "short"}, "LIFT_SECRET_KEY"),
    ({"LIFT_COOKIE_SECURE": "false"}, "LIFT_COOKIE_SECURE"),
    ({"LIFT_VAPID_PRIVATE_KEY": ""}, "LIFT_VAPID"),
    ({"LIFT_PUSH_ALLOW_PRIVATE_ENDPOINTS": "true"}, "LIFT_PUSH_ALLOW_PRIVATE_ENDPOINTS"),
    ({"LIFT_PUBLIC_URL": "http://lift.clinic.example"}, "LIFT_PUBLIC_URL"),
])
def test_production_refuses_to_start_without_its_protections(change, variable):
    with pytest.raises(SettingsError) as error:
        load_settings({**PRODUCTION, **change})
    assert str(error.value).startswith(variable) and "\n" not in str(error.value)


def test_the_command_line_explains_a_refusal_in_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "backend"), "LIFT_ENV": "production",
           "LIFT_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "lift", "run"], env=env, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "LIFT_SECRET_KEY" in result.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    app = ServedApp(folder / "data", folder / "server.log")
    app.start()
    yield app
    app.stop()


def test_readyz_reports_a_writable_current_database(served):
    with urllib.request.urlopen(f"{served.url}/readyz", timeout=5) as response:
        body = json.load(response)
    assert response.status == 200 and body["status"] == "ready"


def test_a_burst_at_readyz_makes_one_check_and_a_second_later_a_new_one(served):
    def ask(_) -> dict:
        with urllib.request.urlopen(f"{served.url}/readyz", timeout=10) as response:
            assert response.status == 200
            return json.load(response)

    with ThreadPoolExecutor(max_workers=10) as pool:
        burst = list(pool.map(ask, range(40)))
    checks = {answer["checked_at"] for answer in burst}
    assert all(answer["status"] == "ready" for answer in burst)
    # One write for the whole burst (two if it happened to straddle the one-second mark).
    assert len(checks) <= 2
    time.sleep(1.1)
    assert ask(0)["checked_at"] not in checks


def test_head_through_the_real_server_has_gets_headers_no_body_and_is_logged_as_head(served):
    with urllib.request.urlopen(f"{served.url}/help", timeout=5) as got:
        body = got.read()
    request = urllib.request.Request(f"{served.url}/help", method="HEAD", headers={"X-Request-ID": "req-head-42"})
    with urllib.request.urlopen(request, timeout=5) as head:
        assert head.status == 200 and head.read() == b""
        assert int(head.headers["content-length"]) == len(body)
        assert head.headers["content-security-policy"] == got.headers["content-security-policy"]
    for _ in range(50):  # the line is written as the response ends
        lines = [json.loads(line) for line in served.log_path.read_text().splitlines() if "req-head-42" in line]
        if lines:
            break
        time.sleep(0.02)
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [("HEAD", "/help", 200)]


def test_a_server_error_is_logged_by_route_never_by_the_token_in_its_path(tmp_path):
    app = ServedApp(tmp_path / "data", tmp_path / "server.log")
    app.start()
    try:
        with closing(sqlite3.connect(app.data_dir / "lift.db")) as conn:
            conn.execute("DROP TABLE calendar_feeds")  # every feed lookup now fails inside the server
            conn.commit()
        token = "feedtoken-" + "k" * 30
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(f"{app.url}/calendar/{token}.ics", timeout=10)
        failed.value.close()
        assert failed.value.code >= 500
    finally:
        app.stop()
    log = app.log_path.read_text()
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    errors = [e for e in entries if e["level"] == "error"]
    # A database error is a 503 ("try again"), logged by its class, never its text.
    assert [e["message"] for e in errors] == ["database error on GET /calendar/{token:str}"]
    assert errors[0]["error"] == "OperationalError"
    assert [e["status"] for e in entries if e.get("route") == "/calendar/{token:str}"] == [503]
    assert token not in log


def _new_patient(served, email: str) -> tuple[dict[str, str], str]:
    """A patient signed up on the served app: their cookies and the check-in form's CSRF token."""
    import httpx

    with httpx.Client(base_url=served.url, timeout=10) as client:
        client.get("/signup")
        client.post("/signup", data={"email": email, "password": "hang up password 9", "timezone": "UTC",
                                     "_csrf_token": client.cookies["csrftoken"]})
        client.get("/checkin")  # signing up ends the form token; the next page has a new one
        return dict(client.cookies), client.cookies["csrftoken"]


def _log_entries_until(served, offset: int, request_id: str) -> list[dict]:
    """The JSON lines the server wrote after byte `offset`, waiting for `request_id`'s line, then
    for a later request's: what the first request logged after its line is then in too."""
    def wait_for(wanted: str) -> list[dict]:
        for _ in range(250):
            with served.log_path.open("rb") as log:
                log.seek(offset)
                entries = [json.loads(line) for line in log.read().decode().splitlines() if line.startswith("{")]
            if any(entry.get("request_id") == wanted for entry in entries):
                return entries
            time.sleep(0.02)
        raise AssertionError(f"no request line for {wanted}")

    wait_for(request_id)
    urllib.request.urlopen(urllib.request.Request(f"{served.url}/healthz", headers={"X-Request-ID": "req-after-" + request_id}),
                           timeout=5).close()
    return wait_for("req-after-" + request_id)


@pytest.mark.parametrize("token_in", ["form", "header"], ids=["the CSRF check reads the body",
                                                            "the handler reads the body"])
def test_a_client_that_hangs_up_before_its_body_arrives_is_logged_499_not_a_server_error(served, token_in):
    """A client gone before its body arrived (wrk closing connections, a phone losing signal) is
    Litestar's "client disconnected prematurely", a 500: logged as nginx's 499 instead, with no
    error line, and nothing saved."""
    email = f"hangup-{token_in}@example.com"
    cookies, token = _new_patient(served, email)
    body = (f"local_date={datetime.now(UTC).date().isoformat()}&mood=5&anxiety=4&sleep_hours=7&thoughts=0"
            + (f"&_csrf_token={token}" if token_in == "form" else "")).encode()

    def post_checkin(request_id: str, declared_length: int) -> bytes:
        head = (f"POST /checkin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Request-ID: {request_id}\r\n"
                f"Cookie: {'; '.join(f'{name}={value}' for name, value in cookies.items())}\r\n"
                + (f"X-CSRFToken: {token}\r\n" if token_in == "header" else "")
                + f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {declared_length}\r\n\r\n")
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
            connection.sendall(head.encode() + body)
            if declared_length > len(body):
                return b""  # the rest never comes: the client closes the connection
            return connection.recv(100)

    offset = served.log_path.stat().st_size
    post_checkin(f"req-hangup-{token_in}-01", len(body) + 50)
    entries = _log_entries_until(served, offset, f"req-hangup-{token_in}-01")
    hung_up = [(e["route"], e["status"]) for e in entries if e.get("request_id") == f"req-hangup-{token_in}-01"]
    assert hung_up == [("/checkin", 499)]
    assert not [e for e in entries if e["level"] == "error" or e.get("status", 0) >= 500]

    def saved() -> int:
        with closing(sqlite3.connect(served.data_dir / "lift.db")) as conn:
            return conn.execute("SELECT count(*) FROM checkins JOIN users ON users.id = checkins.user_id"
                                " WHERE users.email = ?", (email,)).fetchone()[0]

    assert saved() == 0
    # The same body, whole, is a check-in that saves: what was sent before was not refused for itself.
    assert post_checkin(f"req-hangup-{token_in}-02", len(body)).startswith(b"HTTP/1.1 303")
    assert saved() == 1


def test_a_streamed_download_read_to_its_end_is_logged_200_not_as_a_hang_up(served):
    """A streamed response listens for http.disconnect, which the server also gives once the
    response is complete: only a disconnect before the response began is a client hanging up."""
    import httpx

    cookies, _ = _new_patient(served, "stream@example.com")
    offset = served.log_path.stat().st_size
    with httpx.Client(base_url=served.url, timeout=10, cookies=cookies) as client:
        download = client.get("/export?kind=checkins", headers={"X-Request-ID": "req-stream-0001"})
    assert download.status_code == 200 and "content-length" not in download.headers
    entries = _log_entries_until(served, offset, "req-stream-0001")
    assert [(e["route"], e["status"]) for e in entries if e.get("request_id") == "req-stream-0001"] == [("/export", 200)]


def test_a_real_handler_exception_still_logs_500_and_its_error_line(served):
    """Beside the 499 above: a fault of ours stays a 500 with its error line (its class, no text)."""
    import httpx

    cookies, token = _new_patient(served, "fault@example.com")
    with closing(sqlite3.connect(served.data_dir / "lift.db")) as conn:  # a constraint failing is a bug: 500
        conn.execute("CREATE TRIGGER refuse_signout BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'no'); END")
        conn.commit()
    try:
        offset = served.log_path.stat().st_size
        with httpx.Client(base_url=served.url, timeout=10, cookies=cookies) as client:
            failed = client.post("/signout", data={"_csrf_token": token}, headers={"X-Request-ID": "req-fault-0001"})
        assert failed.status_code == 500
        entries = _log_entries_until(served, offset, "req-fault-0001")
    finally:
        with closing(sqlite3.connect(served.data_dir / "lift.db")) as conn:
            conn.execute("DROP TRIGGER refuse_signout")
            conn.commit()
    assert [(e["route"], e["status"]) for e in entries if e.get("request_id") == "req-fault-0001"] == [("/signout", 500)]
    errors = [e for e in entries if e["level"] == "error"]
    assert [(e["message"], e["error"]) for e in errors] == [("unexpected error on POST /signout", "IntegrityError")]


def test_each_request_is_one_json_line_without_private_text(served):
    import httpx

    secret_note = "my private note 7c1f"
    with httpx.Client(base_url=served.url, timeout=10) as client:
        client.get("/signup")
        token = client.cookies["csrftoken"]
        client.post("/signup", data={"email": "log@example.com", "password": "log test password 9",
                                     "timezone": "UTC", "_csrf_token": token})
        client.get("/checkin")  # signing up ends the form token; the next page has a new one
        token = client.cookies["csrftoken"]
        response = client.post("/checkin", data={"local_date": "2000-01-01", "mood": "5", "anxiety": "5",
                                                  "sleep_hours": "7", "thoughts": "2", "note": secret_note,
                                                  "_csrf_token": token}, headers={"X-Request-ID": "req-abcdef123"})
        assert response.status_code == 422
        assert response.headers["x-request-id"] == "req-abcdef123"
        refused = client.post("/checkin", data={"mood": "5"}, headers={"X-Request-ID": "req-nocsrf-456"})
        assert refused.status_code == 403 and refused.headers["x-request-id"] == "req-nocsrf-456"
    served.stop()
    log = served.log_path.read_text()
    served.start()
    assert secret_note not in log and "log test password 9" not in log and token not in log
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    checkin = [e for e in entries if e.get("request_id") == "req-abcdef123"]
    assert len(checkin) == 1
    assert checkin[0]["route"] == "/checkin" and checkin[0]["status"] == 422 and checkin[0]["method"] == "POST"
    assert checkin[0]["duration_ms"] >= 0
    refusal = [e for e in entries if e.get("request_id") == "req-nocsrf-456"]
    assert len(refusal) == 1 and refusal[0]["status"] == 403


def test_the_served_app_hashes_passwords_with_argon2id_at_the_rfc_9106_low_memory_cost(served):
    """In-process tests use a cheap argon2id (tests/cheap_passwords.py); the real command must not."""
    import httpx

    with httpx.Client(base_url=served.url, timeout=10) as client:
        client.get("/signup")
        signed_up = client.post("/signup", data={"email": "kim@example.com", "password": "cost test password 9",
                                                 "timezone": "UTC", "_csrf_token": client.cookies["csrftoken"]})
        assert signed_up.status_code == 303, signed_up.text[-800:]
    with closing(sqlite3.connect(served.data_dir / "lift.db")) as conn:
        (stored,) = conn.execute("SELECT password_hash FROM users WHERE email = 'kim@example.com'").fetchone()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_two_server_processes_share_the_work_and_the_database(tmp_path):
    """LIFT_WORKERS=2: both processes answer, and a check-in saved by one is read by the other."""
    import httpx

    app = ServedApp(tmp_path / "data", tmp_path / "server.log", LIFT_WORKERS="2")
    app.start()
    try:
        with httpx.Client(base_url=app.url, timeout=10) as client:
            client.get("/signup")
            token = client.cookies["csrftoken"]
            client.post("/signup", data={"email": "two@example.com", "password": "two process password",
                                         "timezone": "UTC", "_csrf_token": token})
            client.get("/checkin")  # signing up ends the form token; the next page has a new one
            token = client.cookies["csrftoken"]
            today = datetime.now(UTC).date().isoformat()
            saved = client.post("/checkin", data={"local_date": today, "mood": "4", "anxiety": "2",
                                                  "sleep_hours": "6", "thoughts": "0", "_csrf_token": token})
            assert saved.status_code == 303 and "?saved=new" in saved.headers["location"]
            cookies = dict(client.cookies)
        pids = set()
        for _ in range(200):  # a fresh connection each time, so the processes take turns accepting
            with httpx.Client(base_url=app.url, timeout=10, cookies=cookies) as fresh:
                assert "Today's check-in is done" in fresh.get("/").text
            pids = {json.loads(line)["pid"] for line in app.log_path.read_text().splitlines()
                    if line.startswith("{") and '"route":"/"' in line}
            if len(pids) == 2:
                break
        assert len(pids) == 2, "only one server process ever answered"
    finally:
        app.stop()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_no_response_names_the_server_software(tmp_path, workers):
    """uvicorn adds `server: uvicorn` unless told not to; with LIFT_WORKERS > 1 each process is
    told too. Pages, redirects, errors made by handlers and by middleware, and static files."""
    import httpx

    app = ServedApp(tmp_path / "data", tmp_path / "server.log", LIFT_WORKERS=workers)
    app.start()
    try:
        paths = ["/", "/help", "/account", "/no-such-page", "/static/css/app.css", "/healthz"]
        pids: set[int] = set()
        for attempt in range(200):  # fresh connections, so that with two processes both answer
            with httpx.Client(base_url=app.url, timeout=10) as client:
                responses = [client.get(path) for path in paths] if attempt == 0 else [client.get("/healthz")]
                responses.append(client.post("/signin", data={}))  # no CSRF token: 403 from middleware
                responses.append(client.head("/help"))
            for response in responses:
                assert "server" not in response.headers, (response.request.url, response.headers)
            assert {r.status_code for r in responses} >= ({200, 303, 403, 404} if attempt == 0 else {200, 403})
            pids = {json.loads(line)["pid"] for line in app.log_path.read_text().splitlines()
                    if line.startswith("{") and '"route":"/healthz"' in line}
            if len(pids) == int(workers):
                break
        assert len(pids) == int(workers), "not every server process answered"
    finally:
        app.stop()


@pytest.mark.parametrize("trusted, shared", [("127.0.0.1", False), ("10.9.9.9", True)],
                         ids=["proxy trusted", "proxy not trusted"])
def test_the_ip_throttle_counts_the_client_a_trusted_proxy_names(tmp_path, trusted, shared):
    """Behind a trusted proxy (FORWARDED_ALLOW_IPS, as docker-compose sets it) each client has
    its own sign-in and sign-up budgets; otherwise X-Forwarded-For is ignored and all share the
    proxy's."""
    import httpx

    app = ServedApp(tmp_path / "data", tmp_path / "server.log", FORWARDED_ALLOW_IPS=trusted,
                    LIFT_SIGNIN_IP_LIMIT="3", LIFT_SIGNUP_IP_LIMIT="2")
    app.start()
    try:
        with httpx.Client(base_url=app.url, timeout=10) as client:
            client.get("/signin")
            token = client.cookies["csrftoken"]

            def sign_in(email: str, client_address: str) -> int:
                return client.post("/signin", data={"email": email, "password": "not the password",
                                                    "_csrf_token": token},
                                   headers={"X-Forwarded-For": client_address}).status_code

            assert [sign_in(f"nobody{n}@example.com", "203.0.113.7") for n in range(3)] == [401] * 3
            assert sign_in("nobody3@example.com", "203.0.113.7") == 429
            assert sign_in("someone@example.com", "198.51.100.9") == (429 if shared else 401)

        def sign_up(email: str, client_address: str) -> int:
            with httpx.Client(base_url=app.url, timeout=10) as visitor:  # signing up ends the form token
                visitor.get("/signup")
                return visitor.post("/signup", data={"email": email, "password": "proxy test password 9",
                                                     "timezone": "UTC", "_csrf_token": visitor.cookies["csrftoken"]},
                                    headers={"X-Forwarded-For": client_address}).status_code

        assert [sign_up(f"clinic{n}@example.com", "203.0.113.7") for n in range(2)] == [303] * 2
        assert sign_up("clinic2@example.com", "203.0.113.7") == 429
        assert sign_up("home@example.com", "198.51.100.9") == (429 if shared else 303)
    finally:
        app.stop()


def test_a_password_reset_link_is_logged_by_its_route_never_by_its_token(tmp_path):
    import httpx

    app = ServedApp(tmp_path / "data", tmp_path / "server.log")
    app.start()
    try:
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT / "backend"),
               "LIFT_DATA_DIR": str(app.data_dir)}
        with httpx.Client(base_url=app.url, timeout=10) as client:
            client.get("/signup")
            client.post("/signup", data={"email": "reset@example.com", "password": "log test password 9",
                                         "timezone": "UTC", "_csrf_token": client.cookies["csrftoken"]})
            made = subprocess.run([sys.executable, "-m", "lift", "reset-link", "reset@example.com"], env=env,
                                  capture_output=True, text=True, timeout=60)
            path = made.stdout.splitlines()[-1]
            client.cookies.clear()
            assert client.get(path).status_code == 200
            form = {"_csrf_token": client.cookies["csrftoken"]}
            assert client.post(path, data={**form, "new_password": "short"}).status_code == 422
            assert client.post(path, data={"new_password": "a new password 42"}).status_code == 403
            assert client.post(path, data={**form, "new_password": "a new password 42"}).status_code == 303
            assert client.get(path).status_code == 410
    finally:
        app.stop()
    log = app.log_path.read_text()
    token = path.rsplit("/", 1)[1]
    assert token not in log and "a new password 42" not in log
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert [(e["method"], e["status"]) for e in entries if e.get("route") == "/reset/{token:str}"] == [
        ("GET", 200), ("POST", 422), ("POST", 403), ("POST", 303), ("GET", 410)]
