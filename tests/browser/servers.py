"""A Lift server a test may stop and start again on the same port and data directory.

Stopping the server is the most faithful "no signal" there is: Playwright's
context.set_offline has not always reached service worker fetches in Chromium, but a
refused connection reaches everything. Restarting with another LIFT_RELEASE is a deploy.
The shared session server (conftest.live_server) is never stopped; tests that need this
make their own.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.conftest import (
    BROWSER_SIGNUPS,
    REPO_ROOT,
    SECRET_KEY,
    START_TIMEOUT_S,
    WAIT_MS,
    answers_health,
    free_port,
    stop,
)


class StoppableServer:
    def __init__(self, data_dir: Path, release: str = "1") -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.release = release
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / "server.log"

    def start(self, release: str | None = None) -> None:
        if release is not None:
            self.release = release
        env = {name: value for name, value in os.environ.items() if not name.startswith("LIFT_")}
        env.update(
            PYTHONPATH="backend", LIFT_DATA_DIR=str(self.data_dir), LIFT_PORT=str(self.port),
            LIFT_HOST="127.0.0.1", LIFT_COOKIE_SECURE="false", LIFT_SECRET_KEY=SECRET_KEY,
            LIFT_RELEASE=self.release, LIFT_RUN_SCHEDULER="false", LIFT_SIGNUP_IP_LIMIT=BROWSER_SIGNUPS,
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(REPO_ROOT / ".venv" / "bin" / "python"), "-m", "lift", "run"],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers_health(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Lift did not start on {self.url}:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read what the server really stored (the file is WAL: reading beside it is safe)."""
        with closing(sqlite3.connect(self.data_dir / "lift.db")) as conn:
            return conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: tuple = ()) -> None:
        """Change the data behind the server's back, as time passing would (a session expiring)."""
        with closing(sqlite3.connect(self.data_dir / "lift.db")) as conn:
            conn.execute(sql, params)
            conn.commit()


def wait_until(page: Page, script: str, timeout_s: float = WAIT_MS / 1000) -> None:
    """Poll an async page function until it answers true. (wait_for_function can't await a
    promise, and a string predicate would need eval, which Lift's CSP refuses.)"""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout_s}s: {script}"
        page.wait_for_timeout(100)
