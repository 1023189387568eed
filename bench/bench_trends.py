"""How much slower is the trends page than the home page, for a patient with 3 years of data?

A standalone script, not part of `make test`:

    PYTHONPATH=backend .venv/bin/python bench/bench_trends.py [--rounds 200]

It builds the real app on a fresh SQLite file, signs a patient up over HTTP, seeds three years
of daily check-ins and weekly PHQ-9 and GAD-7 results, then renders the home page and the
trends page in alternating rounds in the same process, so both see the same machine state.
It prints the median time of each and the ratio trends / home, which should stay within 3x,
and writes them to bench/results/trends.json.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from litestar.testing import AsyncTestClient

from lift.app import create_app
from lift.domain import scales
from lift.settings import Settings
from results_file import write_results

EMAIL = "bench@example.com"
PASSWORD = "amber lantern orchard 58"
TIMEZONE = "America/New_York"
YEARS_OF_DAYS = 3 * 365
LIMIT = 3.0


def seed(database: Path, today: date) -> None:
    """Three years of daily check-ins, and a PHQ-9 and a GAD-7 every week, with answers."""
    conn = sqlite3.connect(database)
    user_id = conn.execute("SELECT id FROM users WHERE email = ?", (EMAIL,)).fetchone()[0]
    stamp = "2026-01-01T00:00:00Z"
    conn.executemany(
        "INSERT INTO checkins (user_id, local_date, mood, anxiety, sleep_hours, thoughts, note, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
        [(user_id, (today - timedelta(days=n)).isoformat(), 2 + n % 7, 7 - n % 5, 5 + (n % 6) / 2,
          "A short note about the day." if n % 3 == 0 else "", stamp, stamp)
         for n in range(YEARS_OF_DAYS)],
    )
    for week in range(0, YEARS_OF_DAYS, 7):
        day = (today - timedelta(days=YEARS_OF_DAYS - 1 - week)).isoformat()
        for instrument in scales.INSTRUMENTS.values():
            answers = {item_id: (week // 7 + i) % 4 for i, item_id in enumerate(instrument.item_ids)}
            total = sum(answers.values())
            cursor = conn.execute(
                "INSERT INTO scale_results (user_id, instrument, local_date, taken_at, total, band)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, instrument.key, day, stamp, total, scales.band_for(instrument, total).key),
            )
            conn.executemany(
                "INSERT INTO scale_answers (result_id, item_id, answer) VALUES (?, ?, ?)",
                [(cursor.lastrowid, item_id, answer) for item_id, answer in answers.items()],
            )
    conn.commit()
    conn.close()


async def timed_get(client: httpx.AsyncClient, path: str) -> float:
    start = time.perf_counter()
    response = await client.get(path)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


async def run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=data_dir, cookie_secure=False, secret_key="bench-" * 8)
        app = create_app(settings)
        async with AsyncTestClient(app=app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://bench.local") as client:
                await client.get("/help")
                response = await client.post("/signup", data={
                    "email": EMAIL, "password": PASSWORD, "timezone": TIMEZONE,
                    "_csrf_token": client.cookies["csrftoken"],
                })
                assert response.status_code == 303, f"sign-up failed with {response.status_code}"
                today = datetime.now(UTC).astimezone(ZoneInfo(TIMEZONE)).date()
                seed(settings.database_path, today)

                paths = {"home": "/", "trends (3 months, the default)": "/trends",
                         "trends (all time, 3 years)": "/trends?range=all"}
                for path in paths.values():  # warm up templates and connections
                    for _ in range(5):
                        await timed_get(client, path)
                timings: dict[str, list[float]] = {name: [] for name in paths}
                for _ in range(rounds):
                    for name, path in paths.items():
                        timings[name].append(await timed_get(client, path))

    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    home = medians["home"]
    print(f"Patient with {YEARS_OF_DAYS} days of check-ins and {2 * len(range(0, YEARS_OF_DAYS, 7))} "
          f"scale results; {rounds} alternating rounds, median per request:")
    for name, value in medians.items():
        print(f"  {name:32} {value:7.2f} ms   {value / home:5.2f}x home")
    ratio = medians["trends (3 months, the default)"] / home
    print(f"trends/home render-time ratio: {ratio:.2f} (limit {LIMIT:.0f}x: "
          f"{'within' if ratio <= LIMIT else 'OVER'})")
    write_results("trends.json", {"days_of_checkins": YEARS_OF_DAYS, "rounds": rounds, "median_ms": medians,
                                  "ratios_to_home": {name: value / home for name, value in medians.items()},
                                  "limit": LIMIT})


def main() -> None:
    # One log line per request would be timed too, and would bury the result.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    asyncio.run(run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
