"""Where the check-in goal sits on Lift's stack: the baseline, then a bare signed-in check-in
built up one step at a time, then Lift's own check-in, all in one run.

    make bench-ladder      (installs Debian's wrk when missing)

Issue 9 asks a check-in POST for >= 60% of the throughput of a minimal Litestar JSON endpoint.
bench/ladder_app.py does in the plainest way only what a signed-in check-in cannot skip (parse
the form, read the session from SQLite through aiosqlite, write and commit the row), with none
of Lift's middleware, CSRF, guards, logs or headers. Its ratios say how much of the goal the
stack itself leaves: if even the bare steps fall short of 0.60, no tuning of Lift can reach it.
All apps are served alike (uvicorn, --workers processes, access log off) on 127.0.0.1, loaded by
wrk (50 connections, 2 threads), rounds interleaved, medians reported; bench/results/ladder.json.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "backend"), str(REPO / "bench")]

from bench_http import (  # noqa: E402
    JSON_POST_LUA,
    POST_LUA,
    arguments,
    median_of,
    production_env,
    run_rounds,
    serve_baseline,
    sign_in,
)
from ladder_app import SESSION_TOKEN  # noqa: E402
from results_file import write_results  # noqa: E402
from tests.served import ServedApp, free_port  # noqa: E402

LADDER_LUA = POST_LUA.format(day="2026-11-30", token="unused", cookie=f"lift_session={SESSION_TOKEN}")
STEPS = {"form": "parse the form, read the cookie",
         "form-read": "... and read the session (aiosqlite)",
         "form-read-inline": "... the same read with sqlite3 on the loop's thread",
         "form-write": "aiosqlite read, then insert and commit (aiosqlite)",
         "form-write-lean": "inline read, group-committed insert (as Lift)"}


def serve_ladder(folder: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "ladder_app:app", "--port", str(port), "--no-access-log",
         "--log-level", "warning", "--workers", str(workers)],
        cwd=REPO / "bench", env={**os.environ, "LADDER_DB": str(folder / "ladder.db")},
        stdout=(folder / "ladder.log").open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    form = {"local_date": "2026-11-30", "mood": 6, "anxiety": 3, "sleep_hours": 7.5, "thoughts": 0}
    for _ in range(100):
        try:
            httpx.post(f"{url}/form", cookies={"lift_session": SESSION_TOKEN}, data=form)
        except httpx.HTTPError:
            time.sleep(0.1)
            continue
        for step in STEPS:  # every step answers as wrk will count it, and both writes land
            response = httpx.post(f"{url}/{step}", cookies={"lift_session": SESSION_TOKEN}, data=form)
            assert response.status_code == 303, (step, response.status_code, response.text)
        with sqlite3.connect(folder / "ladder.db") as conn:
            assert conn.execute("SELECT count(*) FROM checkins").fetchone() == (2,)
        return process, url
    raise RuntimeError("ladder app did not start")


def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        baseline, base_url = serve_baseline(folder / "baseline.log", args.workers)
        ladder, ladder_url = serve_ladder(folder, args.workers)
        lift = ServedApp(folder / "data", folder / "lift.log", **production_env(args.workers))
        lift.start()
        try:
            cookie, token = sign_in(lift.url)
            day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
            loads = {"baseline_post": (f"{base_url}/json", JSON_POST_LUA),
                     **{step: (f"{ladder_url}/{step}", LADDER_LUA) for step in STEPS},
                     "lift_checkin": (f"{lift.url}/checkin", POST_LUA.format(day=day, token=token, cookie=cookie))}
            samples = run_rounds(loads, args.rounds, args.seconds)
        finally:
            lift.stop()
            for process in (baseline, ladder):
                process.terminate()
                process.wait(20)
    results = {name: median_of(runs) for name, runs in samples.items()}
    baseline_rps = results["baseline_post"]["rps"]
    ratios = {name: value["rps"] / baseline_rps for name, value in results.items() if name != "baseline_post"}
    write_results("ladder.json" if args.workers == 2 else f"ladder-{args.workers}-worker.json",
                  {"connections": 50, "seconds": args.seconds, "workers": args.workers, "rounds": args.rounds,
                   "steps": STEPS, "results": results, "ratios_to_baseline_post": ratios, "samples": samples})
    print(f"median of {args.rounds} rounds, {args.workers} server process(es) per app; goal for a check-in: 0.60")
    for name, value in results.items():
        ratio = f"{ratios[name]:5.2f}" if name in ratios else "    —"
        print(f"{name:14} {value['rps']:9.0f} req/s  ratio {ratio}  p99 {value['p99_ms']:6.1f} ms  "
              f"non-2xx {value['non_2xx']}  {STEPS.get(name, '')}")


if __name__ == "__main__":
    main()
