"""How long the default demo seed takes on a freshly migrated database (target: under a minute).

Each run: a new SQLite file, `migrate`, then `seed_demo` timed on its own (median of 3), with the
time of each of its steps as it prints them ("Loaded … in 3.2 s.") and the rows it wrote.
Set BENCH_RESIDENTS=400000 to time the benchmark-scale seed instead (one run).
"""

import os
import re
import shutil
import statistics
from pathlib import Path

from common import fresh_sqlite, manage, summary, timed

STEP = re.compile(r"^Loaded (?P<step>.+) in (?P<seconds>[\d.]+) s\.$")
COUNTS = re.compile(r"^(?:Rows|History): (?P<counts>.+)\.$")


def _steps(output: str) -> tuple[dict[str, float], dict[str, int]]:
    steps, rows = {}, {}
    for line in output.splitlines():
        if match := STEP.match(line.strip()):
            steps[match["step"]] = float(match["seconds"])
        elif match := COUNTS.match(line.strip()):
            for item in match["counts"].split(", "):
                name, _space, value = item.rpartition(" ")
                rows[name] = int(value.replace(",", ""))
    return steps, rows


def main() -> dict:
    residents = int(os.environ.get("BENCH_RESIDENTS", "11300"))
    runs = 3 if residents <= 20000 else 1
    samples, steps, rows = [], {}, {}
    for _ in range(runs):
        url = fresh_sqlite()
        try:
            manage(["migrate", "--no-input", "-v", "0"], url)
            done = {}

            def seed(url=url, done=done):
                done["run"] = manage(["seed_demo", "--residents", str(residents)], url)

            samples.append(timed(seed))
            run_steps, rows = _steps(done["run"].stdout)
            for step, seconds in run_steps.items():
                steps.setdefault(step, []).append(seconds)
        finally:
            shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)
    result = {
        "residents": residents,
        "seed_demo": summary(samples),
        "steps_median_s": {step: round(statistics.median(values), 1) for step, values in steps.items()},
        "rows": rows,
    }
    print(f"seed_demo --residents {residents}: median {result['seed_demo']['median_s']} s over {runs} run(s)")
    for step, seconds in result["steps_median_s"].items():
        print(f"  {step}: {seconds} s")
    print("  rows: " + ", ".join(f"{name} {value:,}" for name, value in rows.items()))
    return result
