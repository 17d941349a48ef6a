"""How long the default demo seed takes on a freshly migrated database (target: under a minute).

Each run: a new SQLite file, `migrate`, then `seed_demo` timed on its own (median of 3).
Set BENCH_RESIDENTS=400000 to time the benchmark-scale seed instead (one run).
"""

import os

from common import fresh_sqlite, manage, summary, timed


def main() -> dict:
    residents = int(os.environ.get("BENCH_RESIDENTS", "11300"))
    runs = 3 if residents <= 20000 else 1
    samples = []
    for _ in range(runs):
        url = fresh_sqlite()
        manage(["migrate", "--no-input", "-v", "0"], url)
        samples.append(timed(lambda url=url: manage(["seed_demo", "--residents", str(residents)], url)))
    result = {"residents": residents, "seed_demo": summary(samples)}
    print(f"seed_demo --residents {residents}: median {result['seed_demo']['median_s']} s over {runs} run(s)")
    return result
