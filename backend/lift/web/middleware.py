"""Lift's own middleware, in one pure ASGI function: the request log, the body-size limit and
the signed-in user, in that order (outermost first), for every HTTP request.

One layer instead of three: each Litestar middleware layer is another coroutine call on every
request (docs/performance.md, "CPU per check-in").
"""

from __future__ import annotations

import time

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from lift.db import sessions
from lift.logs import request_id_of, route_template, write_request_line

# nginx's "client closed request": the client hung up before it had an answer. Not an HTTP
# status anyone is sent; the request line says it so operators do not read a hang-up as a bug.
CLIENT_CLOSED_REQUEST = 499
_HUNG_UP = "lift_client_hung_up"


def client_hung_up(scope: Scope) -> bool:
    """The server told the app (receive() gave http.disconnect) that the client went away before
    the response began: Litestar then raises "client disconnected prematurely" as a 500."""
    return _HUNG_UP in scope


def lift_middleware(max_body_bytes: int, session_cookie: str):
    """`session_cookie`: the session cookie's name as the settings give it (security.session_cookie)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if scope["path"].startswith("/static/"):  # not logged, no user; the limit holds
                refuse_oversized_body(scope, max_body_bytes)
                await app(scope, receive, send)
                return
            started, request_id = time.perf_counter(), request_id_of(scope)
            status: int | None = None  # the response's, once it starts
            # The security-headers hook echoes it, so refusals answered outside this middleware
            # (CSRF, oversized bodies) carry it too.
            scope["request_id"] = request_id

            async def send_and_note(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            async def receive_and_note() -> Message:
                message = await receive()
                if message["type"] == "http.disconnect" and status is None:
                    scope[_HUNG_UP] = True
                return message

            try:
                refuse_oversized_body(scope, max_body_bytes)
                # The session cookie resolved to a user once per request; None when signed out.
                token = ASGIConnection(scope).cookies.get(session_cookie)
                db = scope["litestar_app"].state.db
                scope["user"] = await sessions.user_for_session(db, token) if token else None
                scope["session_token"] = token if scope["user"] else None
                await app(scope, receive_and_note, send_and_note)
            except Exception as exc:
                # Raised inside (a CSRF or size refusal): the exception handler outside answers it.
                status = getattr(exc, "status_code", 500)
                raise
            finally:
                if _HUNG_UP in scope:  # whatever answer was made after that reached no one
                    status = CLIENT_CLOSED_REQUEST
                method = "HEAD" if scope.get("head_request") else scope["method"]
                write_request_line(request_id, method, route_template(scope), status or 500,
                                   round((time.perf_counter() - started) * 1000, 2))

        return middleware

    return wrap


def refuse_oversized_body(scope: Scope, limit: int) -> None:
    """Refuse a declared body over the limit before any handler runs, even one that would not
    read it; Litestar itself enforces the limit only when a body is read."""
    declared = next((value for name, value in scope["headers"] if name == b"content-length"), b"0")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=413, detail="Request body too large")
