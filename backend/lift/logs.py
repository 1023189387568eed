"""One JSON line per request: what ran, how it ended, how long it took.

Only the method, the route's template (never the concrete path, which can hold a calendar
token), the status, the duration and a request ID are logged: never a body, a query string,
a cookie, a password, a note or an answer.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from typing import TextIO

from litestar.types import ASGIApp, Message, Receive, Scope, Send

# Where request lines go once configure_logging has run (the server); None: not logged.
_request_lines: TextIO | None = None
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname.lower(),
                 "logger": record.name, "message": record.getMessage(), "pid": record.process}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, separators=(",", ":"))


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("lift")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    global _request_lines
    _request_lines = sys.stderr


def write_request_line(fields: dict) -> None:
    """The request line in the same JSON shape as every other log line, written directly:
    the `logging` module's record, handler lock and formatter cost several times the line
    itself, and this runs on every request. One write call, so lines never interleave."""
    if _request_lines is None:
        return
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "level": "info", "logger": "lift.requests",
             "message": "request", "pid": os.getpid(), **fields}
    _request_lines.write(json.dumps(entry, separators=(",", ":")) + "\n")


def route_template(scope: Scope) -> str:
    handler = scope.get("route_handler")
    paths = getattr(handler, "paths", None)
    return sorted(paths)[0] if paths else "unmatched"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def log_requests(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await app(scope, receive, send)
            return
        started, request_id, status = time.perf_counter(), _request_id(scope), 500
        # The security-headers hook echoes it, so refusals answered outside this middleware
        # (CSRF, oversized bodies) carry it too.
        scope["request_id"] = request_id

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_and_note)
        except Exception as exc:
            # Raised inside (a CSRF or size refusal): the exception handler outside answers it.
            status = getattr(exc, "status_code", 500)
            raise
        finally:
            method = "HEAD" if scope.get("head_request") else scope["method"]
            fields = {"request_id": request_id, "method": method, "route": route_template(scope),
                      "status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 2)}
            write_request_line(fields)

    return middleware
