"""CPU time per request of Lift's signed-in check-in against the minimal Litestar app.

    make bench-cpu         (installs Debian's wrk when missing)

Throughput on a machine shared with other work says as much about the other work as about Lift.
This counts instead what each request costs the server process itself: its CPU time
(utime + stime of every thread, from /proc/<pid>/stat) before and after a few seconds of wrk
(one connection), divided by the requests answered. One server process per app (uvicorn, as
`python -m lift run` serves Lift with LIFT_WORKERS=1, production settings as in bench_http.py),
loaded over 127.0.0.1; rounds interleave the apps, and the median per load is reported with its
ratio to the baseline's POST. Results: bench/results/cpu.json.

CPU time still moves by ~10% from round to round on a shared machine, more than most single
changes are worth. `--instructions` counts instead what a check-in costs in machine instructions
(every thread of the server, run under valgrind's callgrind, one request at a time after a
warm-up), which repeats within ~1%: for this checkout and, with --against, the other one, the
median of --rounds interleaved runs (bench/results/instructions.json).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "backend"), str(REPO / "bench")]

from bench_http import HTMX_POST_LUA, JSON_POST_LUA, POST_LUA, production_env, serve_baseline, sign_in  # noqa: E402
from results_file import write_results  # noqa: E402
import httpx  # noqa: E402

from tests.served import ServedApp, free_port  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    # Fields 14 and 15 (utime, stime) in clock ticks; the name in field 2 may hold spaces.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def load(pid: int, url: str, script: str, seconds: int, connections: int) -> dict:
    """Load the app with wrk for `seconds`; the server's CPU seconds per request answered.
    (A request count would be neater, but wrk waits out its duration even when its threads stop.)"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        before = cpu_seconds(pid)
        command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "-s", file.name, url]
        out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
        used = cpu_seconds(pid) - before
    finally:
        os.unlink(file.name)
    answered = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": answered, "cpu_s": round(used, 3), "cpu_ms_per_request": round(1000 * used / answered, 4),
            "non_2xx": int(errors.group(1)) if errors else 0}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5, help="per load and round")
    parser.add_argument("--rounds", type=int, default=3)
    # One connection: every request takes the whole path alone (no batching that varies with how
    # busy the machine is), which keeps the figure steady from run to run.
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--only", choices=["checkin_post", "checkin_htmx"], help="skip the other Lift load")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="also serve the Lift of another checkout (e.g. a git worktree of the commit "
                             "before a change), loaded in the same interleaved rounds as 'before_*'")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions per check-in under callgrind instead (needs valgrind)")
    parser.add_argument("--requests", type=int, default=300, help="check-ins counted per --instructions run")
    parser.add_argument("--results", help="file name in bench/results/ (cpu.json, instructions.json)")
    return parser.parse_args()


def serve_lift(folder: Path, name: str, checkout: Path | None) -> tuple[ServedApp, dict[str, tuple]]:
    """A signed-in Lift (this checkout's, or `checkout`'s) and its check-in loads."""
    env = production_env(1)
    if checkout:
        env["PYTHONPATH"] = str(checkout.resolve() / "backend")
    lift = ServedApp(folder / name, folder / f"{name}.log", **env)
    lift.start()
    cookie, token = sign_in(lift.url)
    form = {"day": datetime.now(ZoneInfo("America/New_York")).date().isoformat(), "token": token, "cookie": cookie}
    prefix = "before_" if checkout else ""
    return lift, {f"{prefix}checkin_post": (lift.process.pid, f"{lift.url}/checkin", POST_LUA.format(**form)),
                  f"{prefix}checkin_htmx": (lift.process.pid, f"{lift.url}/checkin", HTMX_POST_LUA.format(**form))}


def instructions_per_checkin(checkout: Path, requests: int, htmx: bool) -> float:
    """Instructions per check-in of `checkout`'s Lift (production settings, one process) under
    callgrind: instrumented only once started and signed in, counted after 100 check-ins."""
    with tempfile.TemporaryDirectory() as folder:
        folder, port = Path(folder), free_port()
        url, out = f"http://127.0.0.1:{port}", Path(folder) / "callgrind.out"
        env = {**os.environ, **production_env(1), "PYTHONPATH": str(checkout.resolve() / "backend"),
               "LIFT_DATA_DIR": str(folder / "data"), "LIFT_HOST": "127.0.0.1", "LIFT_PORT": str(port),
               "LIFT_SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789"}
        server = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                                   sys.executable, "-m", "lift", "run"], cwd=checkout, env=env,
                                  stdout=(folder / "lift.log").open("wb"), stderr=subprocess.STDOUT)
        try:
            for _ in range(600):
                try:
                    httpx.get(f"{url}/healthz", timeout=5)
                    break
                except httpx.HTTPError:
                    if server.poll() is not None:
                        raise RuntimeError((folder / "lift.log").read_text()[-3000:]) from None
                    time.sleep(0.5)
            cookie, token = sign_in(url)
            day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
            body = f"local_date={day}&mood=6&anxiety=3&sleep_hours=7.5&thoughts=0&note=&_csrf_token={token}"
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "x-csrftoken": token,
                       **({"HX-Request": "true"} if htmx else {})}

            def check_in(times: int) -> None:
                with httpx.Client(timeout=60) as client:
                    for _ in range(times):
                        response = client.post(f"{url}/checkin", content=body, headers=headers)
                        assert response.status_code == (200 if htmx else 303), response.status_code

            def control(option: str) -> None:
                subprocess.run(["callgrind_control", option, str(server.pid)], check=True, capture_output=True)

            control("--instr=on")
            check_in(100)
            control("--zero")
            check_in(requests)
            control("--dump")
            dump = max(glob.glob(f"{out}*"), key=os.path.getmtime)
            total = next(int(line.split()[1]) for line in Path(dump).read_text().splitlines()
                         if line.startswith(("summary:", "totals:")))
        finally:
            server.terminate()
            server.wait(60)
    return total / requests


def count_instructions(args: argparse.Namespace) -> None:
    checkouts = {"checkin": REPO, **({"before_checkin": args.against} if args.against else {})}
    kinds = [kind for kind in ("post", "htmx") if not args.only or args.only.endswith(kind)]
    samples: dict[str, list[float]] = {f"{name}_{kind}": [] for name in checkouts for kind in kinds}
    for _ in range(args.rounds):
        for name, checkout in checkouts.items():
            for kind in kinds:
                samples[f"{name}_{kind}"].append(instructions_per_checkin(checkout, args.requests, kind == "htmx"))
    medians = {name: statistics.median(runs) for name, runs in samples.items()}
    write_results(args.results or "instructions.json",
                  {"requests": args.requests, "rounds": args.rounds, "against": str(args.against or ""),
                   "instructions_per_request": medians, "samples": samples})
    print(f"instructions per check-in (callgrind, every thread), median of {args.rounds} interleaved runs:")
    for name, runs in samples.items():
        print(f"{name:20} {medians[name] / 1e6:.3f} M  (runs: {' '.join(f'{r / 1e6:.3f}' for r in runs)})")
        if f"before_{name}" in medians:
            print(f"{'':20} {medians[name] / medians[f'before_{name}']:.3f} of before")


def main() -> None:
    args = arguments()
    if args.instructions:
        count_instructions(args)
        return
    apps: list[ServedApp] = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        baseline, base_url = serve_baseline(folder / "baseline.log", workers=1)
        loads = {"baseline_post": (baseline.pid, f"{base_url}/json", JSON_POST_LUA)}
        try:
            for name, checkout in [("lift", None)] + ([("before", args.against)] if args.against else []):
                lift, its_loads = serve_lift(folder, name, checkout)
                apps.append(lift)
                loads.update(its_loads)
            if args.only:
                loads = {name: load_ for name, load_ in loads.items() if "checkin" not in name or args.only in name}
            for pid, url, script in loads.values():  # warm up: imports, caches, the database file
                load(pid, url, script, 1, args.connections)
            samples: dict[str, list[dict]] = {name: [] for name in loads}
            for _ in range(args.rounds):
                for name, (pid, url, script) in loads.items():
                    samples[name].append(load(pid, url, script, args.seconds, args.connections))
        finally:
            for lift in apps:
                lift.stop()
            baseline.terminate()
            baseline.wait(20)
    per_request = {name: statistics.median(s["cpu_ms_per_request"] for s in runs) for name, runs in samples.items()}
    base = per_request["baseline_post"]
    ratios = {f"{name}_vs_baseline_post": value / base for name, value in per_request.items() if name != "baseline_post"}
    # Against another checkout: each round's check-in over the same round's 'before', so a slow
    # minute of the machine falls on both sides of the ratio.
    paired = {name: statistics.median(now["cpu_ms_per_request"] / then["cpu_ms_per_request"]
                                      for now, then in zip(runs, samples[f"before_{name}"]))
              for name, runs in samples.items() if f"before_{name}" in samples}
    write_results(args.results or "cpu.json", {"connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
                                 "workers": 1, "against": str(args.against or ""), "cpu_ms_per_request": per_request,
                                 "ratios": ratios, "paired_vs_before": paired, "samples": samples})
    print(f"server CPU per request, median of {args.rounds} interleaved rounds, one process per app:")
    for name, runs in samples.items():
        spread = " ".join(f"{s['cpu_ms_per_request']:.4f}" for s in runs)
        errors = sum(s["non_2xx"] for s in runs)
        print(f"{name:20} {per_request[name]:.4f} ms  (rounds: {spread})  non-2xx {errors}")
    for name, value in ratios.items():
        print(f"{name:36} {value:.2f}x the baseline's CPU (throughput bound {1 / value:.2f})")
    for name, value in paired.items():
        print(f"{name} vs before (median of the rounds' ratios): {value:.3f}")


if __name__ == "__main__":
    main()
