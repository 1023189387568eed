import re

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from lift.app import create_app
from tests.integration.conftest import PASSWORD

STATE_CHANGING = [
    ("/checkin", {"mood": "5"}),
    ("/safety-plan", {"coping": "x"}),
    ("/account/timezone", {"timezone": "UTC"}),
    ("/account/password", {"current_password": "a", "new_password": "b"}),
    ("/account/email", {"current_password": PASSWORD, "new_email": "pat@new.example"}),
    ("/account/signout-everywhere", {}),
    ("/signout", {}),
    ("/checkins/1/delete", {}),
]


@pytest.mark.parametrize("path, data", STATE_CHANGING)
async def test_it_refuses_a_state_change_without_a_csrf_token(patient, database, path, data):
    await patient.check_in()
    response = await patient.post(path, data, csrf=False)
    assert response.status_code == 403
    # Under /checkin the page is headed by Get help now, its title an h2 (test_crisis_path.py).
    assert re.search(r"<h[12]( class=\"page-title\")?>This form had expired</h[12]>", response.text)
    assert "can't open this page" not in response.text
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1


@pytest.mark.parametrize("path", ["/invite/static-x/accept", "/invite/static/accept", "/invite/static/signup"])
async def test_only_the_excluded_paths_themselves_go_without_a_csrf_token(patient, database, path):
    """The CSRF exclusions are regexes Litestar searches anywhere in the path: unanchored, any
    path holding "/static" (an invitation key can be anything) skipped the check."""
    response = await patient.post(path, {}, csrf=False)
    assert response.status_code == 403 and "form had expired" in response.text
    assert database.execute("SELECT count(*) FROM invitation_failures").fetchone()[0] == 0


async def test_it_refuses_a_forged_csrf_cookie_and_matching_token(patient, database):
    forged = "a" * 64 + "b" * 64
    patient.http.cookies.set("csrftoken", forged)
    response = await patient.http.post("/checkin", data={"_csrf_token": forged, "mood": "3"})
    assert response.status_code == 403
    assert database.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


async def test_it_refuses_sign_up_without_csrf(stranger, database):
    response = await stranger.post("/signup", {"email": "z@example.com", "password": "long enough pw",
                                               "timezone": "UTC"}, csrf=False)
    assert response.status_code == 403
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == 0


async def test_it_accepts_the_token_in_the_htmx_header(patient, database):
    token = await patient.csrf_token()
    response = await patient.http.post(
        "/safety-plan", data={"coping": "Music"}, headers={"x-csrftoken": token, "HX-Request": "true"}
    )
    assert response.status_code == 204 and response.headers["hx-redirect"] == "/safety-plan?saved=true"


@pytest.mark.parametrize("path", ["/", "/help", "/signin", "/checkin", "/no-such-page", "/static/css/app.css"])
async def test_every_response_carries_the_security_headers(patient, path):
    response = await patient.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("cookie_secure", [True, False])
async def test_hsts_is_sent_exactly_when_lift_is_served_with_secure_cookies(settings, cookie_secure):
    app = create_app(msgspec.structs.replace(settings, cookie_secure=cookie_secure))
    async with AsyncTestClient(app=app) as client:
        for path in ("/help", "/no-such-page", "/static/css/app.css"):
            response = await client.get(path)
            assert response.headers.get("strict-transport-security") == (
                "max-age=31536000" if cookie_secure else None), path


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_the_openapi_document_is_served_in_development_only(settings, environment):
    app = create_app(msgspec.structs.replace(settings, environment=environment))
    async with AsyncTestClient(app=app) as client:
        document = await client.get("/schema/openapi.json")
        if environment == "development":
            assert document.status_code == 200 and "/checkin" in document.json()["paths"]
        else:
            assert document.status_code == 404 and "/checkin" not in document.text
            for path in ("/schema", "/schema/", "/schema/openapi.yaml", "/schema/swagger", "/schema/redoc"):
                assert (await client.get(path)).status_code == 404, path
            # Every other page is still there.
            assert (await client.get("/help")).status_code == 200


@pytest.mark.parametrize("path", ["/", "/checkin", "/checkins", "/account", "/safety-plan", "/help"])
async def test_signed_in_pages_are_never_cached(patient, path):
    response = await patient.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


async def test_pages_have_no_inline_script_or_style(patient):
    for path in ("/", "/checkin", "/checkins", "/account", "/safety-plan", "/help"):
        html = (await patient.get(path)).text
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert "<script src=\"/static/" in html


async def test_htmx_is_configured_without_history_cache_or_eval(patient):
    html = (await patient.get("/")).text
    for setting in ('"historyCacheSize":0', '"allowEval":false', '"selfRequestsOnly":true',
                    '"allowScriptTags":false', '"includeIndicatorStyles":false'):
        assert setting in html


async def test_the_htmx_file_is_served_locally(patient):
    response = await patient.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200 and b"htmx" in response.content[:2000]


async def test_it_escapes_what_a_patient_typed(patient):
    await patient.check_in(note="<script>alert(1)</script>")
    html = (await patient.get("/checkins")).text
    detail_id = html.split('href="/checkins/', 1)[1].split('"', 1)[0]
    detail = (await patient.get(f"/checkins/{detail_id}")).text
    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail


async def test_it_answers_a_bad_path_parameter_and_query_without_500(patient):
    assert (await patient.get("/checkins/abc")).status_code == 404
    assert (await patient.get("/checkins?page=abc")).headers["location"] == "/checkins?page=1"
    assert (await patient.get("/checkin?day=not-a-date")).status_code == 200


async def test_it_refuses_an_oversized_body(patient):
    response = await patient.post("/checkin", {"note": "x" * 300_000})
    assert response.status_code == 413


async def test_it_clamps_an_absurd_page_number_instead_of_failing(patient):
    response = await patient.get("/checkins?page=" + "9" * 30)
    assert response.status_code == 303 and response.headers["location"] == "/checkins?page=1"
    assert (await patient.get("/checkins?page=" + "9" * 30, follow_redirects=True)).status_code == 200


async def test_an_id_too_large_for_sqlite_is_a_404_not_a_500(patient):
    huge = str(2**70)
    assert (await patient.get(f"/checkins/{huge}")).status_code == 404
    assert (await patient.post(f"/checkins/{huge}/delete")).status_code == 404


@pytest.mark.parametrize("path", ["/help", "/healthz", "/signin", "/static/css/app.css", "/no-such-page"])
async def test_head_answers_like_get_without_the_body(people, path):
    visitor = people("visitor@example.com").http
    got, head = await visitor.get(path), await visitor.head(path)
    assert head.status_code == got.status_code and head.content == b""
    for name in ("content-type", "content-security-policy", "cache-control", "x-content-type-options"):
        assert head.headers.get(name) == got.headers.get(name), name


async def test_head_is_authorized_like_get_and_changes_nothing(patient, people, database):
    signed_out = await people("visitor@example.com").http.head("/checkin")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/signin")
    assert (await patient.http.head("/checkin")).status_code == 200
    # A route that only takes POST still refuses HEAD.
    assert (await patient.http.head("/signout")).status_code == 405
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


async def test_a_form_from_before_a_sign_in_is_refused_after_it_whoever_signs_in(people, database):
    """A page left open by one person (their session ended, or was ended from another device)
    must not save into the account of whoever signs in next on that browser: signing in gives
    a new form token, so the old page's forms get "This form had expired"."""
    browser = people("first@example.com")
    await browser.sign_up()
    old_token = await browser.csrf_token()  # the first person's safety plan page holds this
    browser.http.cookies.delete("lift_session")  # their session ends
    second = people("second@example.com")
    await second.sign_up()
    await browser.post("/signin", {"email": "second@example.com", "password": PASSWORD})
    await browser.get("/")  # the page sign-in leads to
    response = await browser.http.post("/safety-plan", data={"_csrf_token": old_token,
                                                             "coping": "the first person's plan"})
    assert response.status_code == 403
    assert database.execute("SELECT count(*) FROM safety_plans").fetchone()[0] == 0
    # The new page's own forms work.
    assert (await browser.post("/safety-plan", {"coping": "the second person's plan"})).status_code == 303
