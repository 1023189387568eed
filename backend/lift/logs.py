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

from litestar.types import Scope

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


def request_id_of(scope: Scope) -> str:
    """A safe X-Request-ID from the proxy, or a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex
