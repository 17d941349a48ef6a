"""Helpers shared by the benchmarks: fresh databases and subprocess runs of manage.py."""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(args: list[str], database_url: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )


def fresh_sqlite() -> str:
    folder = tempfile.mkdtemp(prefix="hocso-bench-")
    return f"sqlite:///{folder}/db.sqlite3"


def timed(callable_) -> float:
    started = time.perf_counter()
    callable_()
    return time.perf_counter() - started


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "runs": len(samples),
    }
