"""The real app as a subprocess (`python -m lift run`), which tests can stop, kill and restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedApp:
    def __init__(self, data_dir: Path, log_path: Path, **env: str) -> None:
        self.data_dir, self.log_path = data_dir, log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "backend"), "LIFT_DATA_DIR": str(data_dir),
                    "LIFT_PORT": str(self.port), "LIFT_HOST": "127.0.0.1", "LIFT_COOKIE_SECURE": "false",
                    "LIFT_SECRET_KEY": "served-test-secret-key-0123456789abcdef", "LIFT_RUN_SCHEDULER": "false",
                    **env}
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 60) -> None:
        # A ceiling (Lift answers in ~1 s): a start beside other test runs was seen to pass 20 s.
        self._log = self.log_path.open("ab")
        # A session of its own, so kill() reaches every server process (LIFT_WORKERS > 1).
        self.process = subprocess.Popen([sys.executable, "-m", "lift", "run"], cwd=REPO_ROOT, env=self.env,
                                        stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited early:\n{self.log_path.read_text()[-3000:]}")
            if self.healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"app did not start:\n{self.log_path.read_text()[-3000:]}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def kill(self) -> None:
        """SIGKILL to every server process: no shutdown hooks, no flushing; what a power cut does."""
        if self.process:
            try:  # the whole group, even when its leader is gone and a worker is not
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(10)
        self._close_log()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def _close_log(self) -> None:
        if self._log:
            self._log.close()
            self._log = None
