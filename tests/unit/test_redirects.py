"""redirect() quotes what it puts in HX-Redirect, as Litestar's Redirect quotes Location: a
path that slipped past a check can still not carry a raw control character to the browser."""

from __future__ import annotations

from types import SimpleNamespace

from lift.web.rendering import redirect


def test_an_htmx_redirect_percent_quotes_control_characters():
    request = SimpleNamespace(headers={"hx-request": "true"})
    response = redirect(request, "/\t/evil.example?a=1&b=%20")
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/%09/evil.example?a=1&b=%20"
