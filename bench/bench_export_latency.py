"""Check-in p99 while a 100,000-row CSV export streams, against p99 with no export, same run.

    make bench-export-latency      (installs Debian's wrk when missing)

Seeds a clinician linked to 100 patients with 1,000 days of check-ins each, then loads the
signed-in check-in POST with wrk (50 connections) twice: alone, and while another client
streams the whole panel's CSV export over and over. Goal (issue 9): within 2x. Lift runs as
docker-compose runs it (production mode, Secure cookies, VAPID keys, the in-process
scheduler, two server processes; `--workers 1` for the embedded default).
Writes bench/results/export_latency.json.
"""

from __future__ import annotations

import argparse
import secrets
import sqlite3
import sys
import tempfile
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from argon2 import PasswordHasher

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "backend"), str(REPO / "bench")]

from bench_http import POST_LUA, production_env, sign_in, wrk  # noqa: E402
from results_file import write_results  # noqa: E402
from tests.served import ServedApp  # noqa: E402

PATIENTS, DAYS = 100, 1000
CLINICIAN, PASSWORD = "clinician@example.com", "bench clinician password 3"


def seed_panel(database: Path) -> None:
    stamp = "2026-01-01T00:00:00Z"
    conn = sqlite3.connect(database)
    clinician = conn.execute(
        "INSERT INTO users (email, password_hash, role, timezone, created_at) VALUES (?, ?, 'clinician', 'UTC', ?)",
        (CLINICIAN, PasswordHasher().hash(PASSWORD), stamp)).lastrowid
    start = date.today() - timedelta(days=DAYS)
    for n in range(PATIENTS):
        patient = conn.execute(
            "INSERT INTO users (email, password_hash, role, timezone, created_at)"
            " VALUES (?, 'x', 'patient', 'America/Chicago', ?)", (f"panel{n}@example.com", stamp)).lastrowid
        conn.execute("INSERT INTO audit_subjects (user_id, subject) VALUES (?, ?)", (patient, secrets.token_hex(16)))
        conn.execute("INSERT INTO share_grants (patient_id, grantee_id, role, created_at, updated_at)"
                     " VALUES (?, ?, 'clinician', ?, ?)", (patient, clinician, stamp, stamp))
        conn.executemany(
            "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
            " updated_at) VALUES (?, ?, 5, 4, 7, 0, 'a note, with a comma', ?, ?)",
            [(patient, (start + timedelta(days=d)).isoformat(), stamp, stamp) for d in range(DAYS)])
    conn.commit()
    conn.close()


def stream_exports(url: str, stop: threading.Event, counts: list[int]) -> None:
    cookie, _ = sign_in(url, "/signin", {"email": CLINICIAN, "password": PASSWORD})
    with httpx.Client(base_url=url, timeout=120, headers={"Cookie": cookie}) as client:
        while not stop.is_set():
            rows = 0
            with client.stream("GET", "/clinician/export?kind=checkins") as response:
                assert response.status_code == 200, response.status_code
                for line in response.iter_lines():
                    rows += 1
            counts.append(rows)


def main(seconds: int = 10) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    workers = parser.parse_args().workers
    with tempfile.TemporaryDirectory() as folder:
        lift = ServedApp(Path(folder) / "data", Path(folder) / "lift.log", **production_env(workers))
        lift.start()
        try:
            cookie, token = sign_in(lift.url)
            seed_panel(lift.data_dir / "lift.db")
            day = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
            script = POST_LUA.format(day=day, token=token, cookie=cookie)
            alone = wrk(f"{lift.url}/checkin", script, seconds)
            stop, counts = threading.Event(), []
            exporter = threading.Thread(target=stream_exports, args=(lift.url, stop, counts))
            exporter.start()
            during = wrk(f"{lift.url}/checkin", script, seconds)
            stop.set()
            exporter.join()
        finally:
            lift.stop()
    ratio = during["p99_ms"] / alone["p99_ms"]
    report = {"workers": workers, "rows_per_export": max(counts) if counts else 0, "exports_completed": len(counts),
              "alone": alone, "during_export": during, "p99_ratio": ratio}
    write_results("export_latency.json" if workers == 2 else f"export_latency-{workers}-worker.json", report)
    print(f"check-in p99 alone {alone['p99_ms']:.1f} ms, during export {during['p99_ms']:.1f} ms"
          f" -> ratio {ratio:.2f} (goal <= 2); {len(counts)} exports of {report['rows_per_export']} lines")


if __name__ == "__main__":
    main()
