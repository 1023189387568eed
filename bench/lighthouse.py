"""Lighthouse on the home and check-in pages, as a signed-in patient on a mobile profile.

    cd bench/lighthouse && npm ci          # once: Lighthouse itself (pinned, not in make test)
    cd ../.. && PYTHONPATH=backend .venv/bin/python bench/lighthouse.py

Serves Lift on a free port with a fresh data directory, signs up a patient, and runs Lighthouse
against Debian's Chromium with its default mobile emulation and simulated slow 4G. Chromium is
started with everything that would reach the internet turned off, so the run works with no
network at all. Writes the scores to bench/lighthouse-scores.json, prints them, and exits 1
when a page is under the bar: performance >= 95, accessibility = 100, best practices >= 95.
Set LIGHTHOUSE_REPORTS_DIR to keep the full reports. ("bf-cache" always fails: signed-in pages
are sent with Cache-Control: no-store on purpose, and Lighthouse does not score it.)
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
SCORES = ROOT / "bench" / "lighthouse-scores.json"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-first-run",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
]
PAGES = ("/", "/checkin")
BARS = {"performance": 95, "accessibility": 100, "best-practices": 95}
PASSWORD = "violet kettle harbour 41"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("LIFT_")}
    env.update(PYTHONPATH="backend", LIFT_DATA_DIR=data_dir, LIFT_PORT=str(port), LIFT_COOKIE_SECURE="false",
               LIFT_RUN_SCHEDULER="false")
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), "-m", "lift", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    sys.exit("lighthouse bench: Lift did not start")


def session_cookie(url: str) -> str:
    """Sign a new patient up and return the Cookie header their browser would send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{url}/signup", timeout=10).read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode({"email": f"lighthouse-{time.time_ns()}@example.com", "password": PASSWORD,
                                   "timezone": "UTC", "_csrf_token": token}).encode()
    opener.open(f"{url}/signup", data=form, timeout=20).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "lift_session" in cookies, "sign-up did not start a session"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def run_lighthouse(url: str, cookie: str, out: Path) -> dict[str, int]:
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices", "--form-factor=mobile",
        f"--chrome-flags={shlex.join(CHROME_FLAGS)}", f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300)
    report = json.loads(out.read_text())
    scores = {name: round(category["score"] * 100) for name, category in report["categories"].items()}
    failing = [audit["id"] for audit in report["audits"].values()
               if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") == "binary"]
    scores["failing_audits"] = failing
    return scores


def main() -> int:
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse bench: run `npm ci` in bench/lighthouse first")
    with tempfile.TemporaryDirectory() as data_dir:
        process, url = start_server(data_dir)
        try:
            cookie = session_cookie(url)
            reports = Path(os.environ.get("LIGHTHOUSE_REPORTS_DIR") or data_dir)
            results = {path: run_lighthouse(url + path, cookie, reports / f"report{path.replace('/', '-')}.json")
                       for path in PAGES}
        finally:
            process.terminate()
            process.wait(timeout=10)
    SCORES.write_text(json.dumps({"lighthouse": "12.8.2", "profile": "mobile, simulated slow 4G",
                                  "bars": BARS, "pages": results}, indent=2) + "\n")
    ok = True
    for path, scores in results.items():
        for category, bar in BARS.items():
            good = scores[category] >= bar
            ok &= good
            print(f"{path:<10} {category:<15} {scores[category]:>3}  (bar {bar}) {'ok' if good else 'UNDER'}")
        if scores["failing_audits"]:
            print(f"{path:<10} failing audits: {', '.join(scores['failing_audits'])}")
    print(f"scores written to {SCORES.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
