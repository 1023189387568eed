"""HTTP throughput and tail latency of Lift against a minimal Litestar app, in one run.

    make bench-http        (installs Debian's wrk when missing)

Both apps are served by uvicorn as `python -m lift run` serves Lift in production, with the
docker-compose settings (LIFT_ENV=production, Secure cookies, VAPID keys, the in-process
scheduler, LIFT_WORKERS=2 server processes, access log off; `--workers 1` for the embedded
default) on 127.0.0.1, and loaded by wrk with 50 connections on 2 threads. It
prints the median of --rounds interleaved rounds (3), and writes to bench/results/http.json
(http-1-worker.json for --workers 1):
  - signed-in check-in POST: requests/s as a ratio of the baseline's POST, and p99;
  - home and trends GET: requests/s as ratios of the baseline's GET.
Goals (issue 9): check-in POST >= 60% of baseline throughput, p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "backend"), str(REPO / "bench")]

from bench_trends import EMAIL, PASSWORD, seed  # noqa: E402
from lift.push.vapid import private_key_text, public_key_of  # noqa: E402
from lift.web.security import CSRF_COOKIE, SESSION_COOKIE, cookie_name  # noqa: E402
from results_file import write_results  # noqa: E402
from tests.served import ServedApp, free_port  # noqa: E402

POST_LUA = """
wrk.method = "POST"
wrk.body = "local_date={day}&mood=6&anxiety=3&sleep_hours=7.5&thoughts=0&note=&_csrf_token={token}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["x-csrftoken"] = "{token}"
"""
# As a phone sends it: htmx posts the form and swaps the answer into <main> (a fragment).
HTMX_POST_LUA = POST_LUA + 'wrk.headers["HX-Request"] = "true"\n'
GET_LUA = 'wrk.headers["Cookie"] = "{cookie}"\n'
JSON_POST_LUA = 'wrk.method = "POST"\nwrk.body = "{}"\nwrk.headers["Content-Type"] = "application/json"\n'


def wrk(url: str, script: str, seconds: int, connections: int = 50) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", file.name, url],
                             capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(file.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale, "non_2xx": int(errors.group(1)) if errors else 0}


def median_of(runs: list[dict]) -> dict:
    return {"rps": statistics.median(r["rps"] for r in runs), "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs)}


def serve_baseline(log: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "baseline_app:app", "--port", str(port), "--no-access-log",
         "--log-level", "warning", "--workers", str(workers)],
        cwd=REPO / "bench", stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{url}/json", timeout=1)
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("baseline app did not start")


def production_env(workers: int) -> dict[str, str]:
    """What docker-compose.yml gives the app: production mode (which checks all of this at
    start-up), Secure cookies, a VAPID key pair, the in-process scheduler, `workers` processes."""
    private = private_key_text(ec.generate_private_key(ec.SECP256R1()))
    return {"LIFT_ENV": "production", "LIFT_COOKIE_SECURE": "true", "LIFT_RUN_SCHEDULER": "true",
            "LIFT_VAPID_PRIVATE_KEY": private, "LIFT_VAPID_PUBLIC_KEY": public_key_of(Vapid.from_string(private)),
            "LIFT_VAPID_SUBJECT": "mailto:bench@example.org", "LIFT_WORKERS": str(workers)}


def sign_in(url: str, path: str = "/signup", form: dict | None = None) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a new session: signs a patient up, or posts `form` to
    `path`. Cookies are carried by hand: they are Secure, and the benchmark speaks plain HTTP
    on 127.0.0.1 (TLS ends at a proxy in a deployment), under their production `__Host-` names."""
    csrf, session = cookie_name(CSRF_COOKIE, secure=True), cookie_name(SESSION_COOKIE, secure=True)
    form = form or {"email": EMAIL, "password": PASSWORD, "timezone": "America/New_York"}
    token = httpx.get(f"{url}{path}", timeout=10).cookies[csrf]
    response = httpx.post(f"{url}{path}", data={**form, "_csrf_token": token}, timeout=10,
                          headers={"Cookie": f"{csrf}={token}"})
    assert response.status_code == 303, response.status_code
    return f"{csrf}={token}; {session}={response.cookies[session]}", token


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="server processes for every app")
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


def run_rounds(loads: dict[str, tuple[str, str]], rounds: int, seconds: int) -> dict[str, list[dict]]:
    """wrk samples of every load. Rounds interleave the apps, so a noisy minute on a shared
    machine hits them all; each figure reported is the median over the rounds."""
    samples: dict[str, list[dict]] = {name: [] for name in loads}
    for _ in range(rounds):
        for name, (url, script) in loads.items():
            samples[name].append(wrk(url, script, seconds))
    return samples


def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        baseline, base_url = serve_baseline(folder / "baseline.log", args.workers)
        lift = ServedApp(folder / "data", folder / "lift.log", **production_env(args.workers))
        lift.start()
        try:
            cookie, token = sign_in(lift.url)
            seed(lift.data_dir / "lift.db", date.today())
            day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
            loads = {
                "baseline_get": (f"{base_url}/json", ""),
                "baseline_post": (f"{base_url}/json", JSON_POST_LUA),
                "checkin_post": (f"{lift.url}/checkin", POST_LUA.format(day=day, token=token, cookie=cookie)),
                "checkin_htmx": (f"{lift.url}/checkin", HTMX_POST_LUA.format(day=day, token=token, cookie=cookie)),
                "home_get": (f"{lift.url}/", GET_LUA.format(cookie=cookie)),
                "trends_get": (f"{lift.url}/trends", GET_LUA.format(cookie=cookie)),
            }
            samples = run_rounds(loads, args.rounds, args.seconds)
        finally:
            lift.stop()
            baseline.terminate()
            baseline.wait(20)
    results = {name: median_of(runs) for name, runs in samples.items()}
    ratios = {
        "checkin_post_vs_baseline_post": results["checkin_post"]["rps"] / results["baseline_post"]["rps"],
        "checkin_htmx_vs_baseline_post": results["checkin_htmx"]["rps"] / results["baseline_post"]["rps"],
        "home_get_vs_baseline_get": results["home_get"]["rps"] / results["baseline_get"]["rps"],
        "trends_get_vs_baseline_get": results["trends_get"]["rps"] / results["baseline_get"]["rps"],
    }
    name = "http.json" if args.workers == 2 else f"http-{args.workers}-worker.json"
    write_results(name, {"connections": 50, "seconds": args.seconds, "workers": args.workers, "rounds": args.rounds,
                         "results": results, "ratios": ratios, "samples": samples})
    print(f"median of {args.rounds} rounds, {args.workers} server process(es) per app:")
    for name, value in results.items():
        print(f"{name:14} {value['rps']:9.0f} req/s   p99 {value['p99_ms']:7.1f} ms   non-2xx {value['non_2xx']}")
    for name, value in ratios.items():
        print(f"{name:32} {value:.2f}")


if __name__ == "__main__":
    main()
