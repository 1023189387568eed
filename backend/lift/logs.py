"""One JSON line per request: what ran, how it ended, how long it took.

Only the method, the route's template (never the concrete path, which can hold a calendar
token), the status, the duration and a request ID are logged: never a body, a query string,
a cookie, a password, a note or an answer.
"""

from __future__ import annotations

import functools
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
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # fullmatch: "$" would let a final "\n" through


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


def write_request_line(request_id: str, method: str, route: str, status: int, duration_ms: float) -> None:
    """The request line in the same JSON shape as every other log line, written directly:
    the `logging` module's record, handler lock and formatter cost several times the line
    itself, and this runs on every request. One write call, so lines never interleave.
    What comes before the fields is the same for a whole second, so it is made once a second;
    the line is the very text json.dumps made of the same entry (tests/unit/test_logs.py). A
    request ID is only ever letters, digits and ._- (request_id_of), which JSON leaves as they are."""
    if _request_lines is None:
        return
    _request_lines.write(f"{_line_start()}\"{request_id}\",\"method\":{_json_text(method)},"
                         f"\"route\":{_json_text(route)},\"status\":{int(status)},\"duration_ms\":{duration_ms!r}}}\n")


_start: tuple[int, int, str] = (-1, -1, "")


def _line_start() -> str:
    """The line up to the request ID's value: time, level, logger, message and pid, remade when
    the second (or, after a fork, the process) changes."""
    global _start
    second, pid = int(time.time()), os.getpid()
    if (second, pid) != _start[:2]:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(second))
        _start = (second, pid, f'{{"time":"{stamp}","level":"info","logger":"lift.requests","message":"request",'
                               f'"pid":{pid},"request_id":')
    return _start[2]


@functools.lru_cache(maxsize=256)
def _json_text(value: str) -> str:
    """A method or a route as json.dumps writes it: few of them, written on every request."""
    return json.dumps(value)


def route_template(scope: Scope) -> str:
    handler = scope.get("route_handler")
    paths = getattr(handler, "paths", None)
    return sorted(paths)[0] if paths else "unmatched"


def request_id_of(scope: Scope) -> str:
    """A safe X-Request-ID from the proxy, or a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_REQUEST_ID.fullmatch(candidate):
                return candidate
    return uuid.uuid4().hex
