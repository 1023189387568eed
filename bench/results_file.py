"""Every benchmark writes its figures, with a description of the machine, to bench/results/."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _first_field(path: str, name: str) -> str:
    """The value of the first `name: value` line of a /proc file, or "" where there is none."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return ""
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(name)), "")


def machine() -> dict:
    return {"cpus": os.cpu_count(), "cpu": _first_field("/proc/cpuinfo", "model name"),
            "memory": _first_field("/proc/meminfo", "MemTotal"), "platform": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version}


def write_results(name: str, figures: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / name
    report = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), **figures}
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path
