"""Security headers on every response, cookie names, and the guard for integer path parameters."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.response import Response
from litestar.types import Message, Scope

from lift.settings import Settings

SESSION_COOKIE = "lift_session"
CSRF_COOKIE = "csrftoken"
# Over HTTPS both names carry the `__Host-` prefix: a browser then keeps the cookie only if it
# is Secure, Path=/ and has no Domain, so a sibling subdomain of the clinic's domain cannot
# plant or overwrite one (cookie tossing). A cookie for one path (the new calendar link's) cannot
# be `__Host-`; it gets `__Secure-`, which a browser keeps only if Secure, so plain http cannot
# set it. Browsers refuse either prefix on a cookie that is not Secure, so plain-http development
# and tests (LIFT_COOKIE_SECURE=false) keep the bare names.
HOST_PREFIX = "__Host-"
SECURE_PREFIX = "__Secure-"


def cookie_name(name: str, secure: bool, path: str = "/") -> str:
    if not secure:
        return name
    return (HOST_PREFIX if path == "/" else SECURE_PREFIX) + name


def session_cookie(settings: Settings) -> str:
    return cookie_name(SESSION_COOKIE, settings.cookie_secure)


def forget_cookie(response: Response, name: str, settings: Settings, path: str = "/") -> None:
    """Delete cookie `name` (its bare name) set for `path`. Not Litestar's delete_cookie: it
    sends no Secure, and a browser ignores a prefixed Set-Cookie without it, so the cookie
    would outlive the sign-out."""
    secure = settings.cookie_secure
    response.set_cookie(cookie_name(name, secure, path), "", max_age=0, expires=0, path=path, secure=secure,
                        httponly=True, samesite="lax")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


_OWN_HEADERS = tuple((name.lower().encode(), value.encode()) for name, value in STATIC_HEADERS.items())
_NO_STORE = (b"cache-control", b"no-store")
# One year, this host only: other hosts of the clinic's domain may not serve HTTPS. Browsers
# ignore the header over plain HTTP, so it is only sent where cookies are Secure anyway.
_HSTS = (b"strict-transport-security", b"max-age=31536000")


def security_headers(hsts: bool):
    """A before_send hook, so error pages for unknown routes carry the headers too. `hsts`
    adds Strict-Transport-Security: on when cookies are Secure, i.e. Lift is served over HTTPS.

    Ours replace any of the same name; the raw header list is rebuilt in one pass (this runs
    on every response)."""
    fixed = (*_OWN_HEADERS, _HSTS) if hsts else _OWN_HEADERS

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            _replace_headers(message, scope, fixed)

    return add_security_headers


def _replace_headers(message: Message, scope: Scope, fixed: tuple) -> None:
    own = list(fixed)
    if "request_id" in scope:
        own.append((b"x-request-id", scope["request_id"].encode("latin-1")))
    # Pages may hold health information: never let a browser or proxy keep them.
    if not scope["path"].startswith("/static/"):
        own.append(_NO_STORE)
    replaced = {name for name, _ in own}
    kept = [header for header in message.get("headers", ()) if bytes(header[0]).lower() not in replaced]
    message["headers"] = kept + own


# SQLite stores integers in 64 bits; a larger ID in a path cannot name any row, and handing
# it to the database raises OverflowError (a 500). Such an ID is simply not found.
SQLITE_INTEGERS = range(-(2**63), 2**63)


async def ids_fit_sqlite(connection: ASGIConnection, _handler: object) -> None:
    """An app-wide guard: every integer path parameter must fit in an SQLite INTEGER.
    A coroutine, so Litestar does not send it to a worker thread on every request."""
    for value in connection.path_params.values():
        if isinstance(value, int) and value not in SQLITE_INTEGERS:
            raise NotFoundException()
