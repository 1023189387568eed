"""The request line is written by hand for speed; it must be the text json.dumps makes."""

import io
import json
import time
from http import HTTPStatus

import pytest

from lift import logs


@pytest.fixture
def lines(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(logs, "_request_lines", out)
    return out


def expected(at: float, pid: int, request_id: str, method: str, route: str, status: int, duration_ms: float) -> str:
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(at)), "level": "info",
             "logger": "lift.requests", "message": "request", "pid": pid, "request_id": request_id,
             "method": method, "route": route, "status": status, "duration_ms": duration_ms}
    return json.dumps(entry, separators=(",", ":")) + "\n"


@pytest.mark.parametrize("fields", [
    ("0123456789abcdef0123456789abcdef", "POST", "/checkin", 303, 1.37),
    ("req-head-42", "HEAD", "/help", 200, 0.0),
    ("a.b_c-D1234", "GET", "/checkins/{checkin_id:int}", 404, 123456.78),
    ("12345678", "DELETE", 'unmatched"\\é\n', 500, 1e-05),
    ("abcdefgh", "GET", "/", HTTPStatus.NOT_FOUND, 3.0),  # an IntEnum status is written as its number
])
def test_the_request_line_is_what_json_dumps_makes_of_the_entry(lines, monkeypatch, fields):
    monkeypatch.setattr(logs.time, "time", lambda: 1_790_000_000.75)
    logs.write_request_line(*fields)
    assert lines.getvalue() == expected(1_790_000_000.75, logs.os.getpid(), *fields)


def test_the_time_and_pid_follow_the_clock_and_the_process(lines, monkeypatch):
    now, pid = [1_790_000_000.2], logs.os.getpid()
    monkeypatch.setattr(logs.time, "time", lambda: now[0])
    fields = ("0123456789abcdef", "POST", "/checkin", 303, 2.5)
    logs.write_request_line(*fields)
    now[0] = 1_790_000_061.9  # a minute later
    logs.write_request_line(*fields)
    monkeypatch.setattr(logs.os, "getpid", lambda: pid + 1)  # as in a forked process
    logs.write_request_line(*fields)
    assert lines.getvalue().splitlines(keepends=True) == [
        expected(1_790_000_000.2, pid, *fields), expected(1_790_000_061.9, pid, *fields),
        expected(1_790_000_061.9, pid + 1, *fields),
    ]


def test_nothing_is_written_before_logging_is_configured(monkeypatch):
    monkeypatch.setattr(logs, "_request_lines", None)
    logs.write_request_line("0123456789abcdef", "GET", "/", 200, 1.0)  # no error, nowhere to write


@pytest.mark.parametrize("sent", ["abcdefgh\n", "abcdefgh\r\n", "abc\ndefgh", "abcdefgh\x00", "short", "x" * 65,
                                  'abcdefgh"}', "abcdéfgh"])
def test_a_request_id_the_line_could_not_hold_as_it_is_gets_a_new_one(sent):
    # The line is written by hand, so an ID that json.dumps would escape must never reach it.
    scope = {"headers": [(b"x-request-id", sent.encode("utf-8"))]}
    chosen = logs.request_id_of(scope)
    assert chosen != sent and len(chosen) == 32 and chosen.isalnum()


def test_a_proxys_request_id_of_safe_characters_is_kept():
    assert logs.request_id_of({"headers": [(b"x-request-id", b"edge-01.abc_DEF")]}) == "edge-01.abc_DEF"
