"""Does a CSV export stream in constant memory? Peak memory at 100,000 rows over peak at 1,000.

A standalone script, not part of `make test`:

    PYTHONPATH=backend .venv/bin/python bench/bench_export_memory.py

It builds two real databases (migrations and all) in a temporary folder: a clinician linked to
5 patients with 200 days of check-ins each (1,000 rows), and to 500 patients with 200 days each
(100,000 rows, the size of a real panel's few months). For each it runs the whole-panel
check-in export exactly as the route does (panel_patients, then csv_stream) and drains the
chunks as a socket would, measuring Python's peak traced memory with tracemalloc (every thread,
so the database thread's allocations count too). A stream that buffered the file would peak at
its full size (about 100 times larger); a constant-memory stream peaks at about the same
level for both. It prints both peaks and the ratio, which should stay under 2, and writes them
to bench/results/export_memory.json.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from lift.db.connection import Database
from lift.domain import sharing
from lift.domain.export import DateRange
from lift.web.export import csv_stream, panel_patients
from results_file import write_results

DAYS = 200
LIMIT = 2.0
STAMP = "2026-01-01T12:00:00Z"
NOTE = "Slept badly, walked the dog at lunch, felt a bit brighter by the evening."


def seed(path: Path, patients: int) -> int:
    """Patients with DAYS daily check-ins each, all linked to one clinician; the clinician's id."""
    conn = sqlite3.connect(path)
    with conn:
        clinician = conn.execute(
            "INSERT INTO users (email, password_hash, role, timezone, created_at)"
            " VALUES ('doctor@example.com', 'x', 'clinician', 'Europe/London', ?)", (STAMP,)).lastrowid
        first_day = date(2025, 1, 1)
        for n in range(patients):
            uid = conn.execute(
                "INSERT INTO users (email, password_hash, role, timezone, created_at)"
                " VALUES (?, 'x', 'patient', 'America/New_York', ?)", (f"patient{n}@example.com", STAMP)).lastrowid
            conn.executemany(
                "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, 7.5, ?, ?, ?, ?)",
                [(uid, (first_day + timedelta(days=d)).isoformat(), d % 11, (d + n) % 11, d % 4,
                  NOTE if d % 2 else "=1+1", STAMP, STAMP) for d in range(DAYS)])
            conn.execute(
                "INSERT INTO share_grants (patient_id, grantee_id, role, include_notes, include_thoughts,"
                " created_at, updated_at) VALUES (?, ?, 'clinician', 1, 1, ?, ?)", (uid, clinician, STAMP, STAMP))
    conn.close()
    return clinician


async def measure(patients: int) -> tuple[int, int, int, float]:
    """(peak traced bytes during the export, rows, bytes sent, seconds) for one panel size."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lift.db"
        db = Database(path, readers=2)
        await db.open()
        try:
            clinician = seed(path, patients)
            seen = sharing.visibility(sharing.scope_for("clinician"))
            gc.collect()
            tracemalloc.start()
            baseline = tracemalloc.get_traced_memory()[0]
            started = time.perf_counter()
            sent = lines = 0
            refs = await panel_patients(db, clinician)
            async for chunk in csv_stream(db, refs, "checkins", DateRange(None, None), seen, named=True):
                sent += len(chunk)
                lines += chunk.count(b"\r\n")
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] - baseline
            tracemalloc.stop()
        finally:
            await db.close()
    return peak, lines - 1, sent, elapsed


async def main() -> int:
    small = await measure(5)
    large = await measure(500)
    for label, (peak, rows, sent, seconds) in (("small", small), ("large", large)):
        print(f"{label}: {rows:>7,} rows, {sent / 1e6:6.1f} MB of CSV in {seconds:5.1f} s,"
              f" peak traced memory {peak / 1024:8.1f} KiB")
    assert small[1] == 1_000 and large[1] == 100_000, "the export did not return every row"
    ratio = large[0] / small[0]
    print(f"peak memory ratio, 100,000 rows / 1,000 rows: {ratio:.2f} (limit {LIMIT})")
    write_results("export_memory.json", {
        "runs": {label: {"rows": rows, "csv_bytes": sent, "seconds": seconds, "peak_traced_bytes": peak}
                 for label, (peak, rows, sent, seconds) in (("small", small), ("large", large))},
        "peak_memory_ratio": ratio, "limit": LIMIT})
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
