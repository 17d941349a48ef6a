"""Statistics at two sizes of the province: the demo's ~11,300 residents and 400,000.

For each size: a full rollup refresh (all 56 communes, median of 3), a refresh of one commune, and
every statistics page and API endpoint as a trainer (the whole province) and for one commune:
median of 15 requests, queries per request. The ratio large ÷ small per page is what the rollups
are for: it should stay near 1, while the refresh grows with the facts.

The 400,000-resident database takes a while to seed; it is kept in bench/.cache/ (or give one with
HOCSO_BENCH_LARGE_DB=/path/to/db.sqlite3) and reused by later runs. HOCSO_BENCH_STATS_SMALL_ONLY=1
skips it. HOCSO_BENCH_PG_URL=postgres://… also measures the large size on PostgreSQL (seeded there
once if empty).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, fresh_sqlite, manage

RUNS = 15
LARGE = 400_000
CACHE = ROOT / "bench" / ".cache"

PAGES = {
    "admin attainment": "/admin/thong-ke/",
    "admin funnel": "/admin/thong-ke/khoa-hoc/",
    "admin activity": "/admin/thong-ke/hoat-dong/",
    "api attainment": "/api/v1/stats/attainment/",
    "api profiles": "/api/v1/stats/profiles/",
    "api funnel": "/api/v1/stats/funnel/",
    "api activity": "/api/v1/stats/activity/",
    "export people csv": "/admin/thong-ke/xuat/profile-pho-cap-co-ban.csv",
}


def worker() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from members.models import Commune, User
    from stats import services

    facts = {
        "residents": User.objects.filter(is_staff=False).count(),
    }
    refresh = []
    for _ in range(3):
        started = time.perf_counter()
        report = services.refresh_all()
        refresh.append(time.perf_counter() - started)
    busiest = Commune.objects.get(code="01477")
    one = []
    for _ in range(5):
        started = time.perf_counter()
        services.refresh_communes([busiest.pk])
        one.append(time.perf_counter() - started)

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(phone="+84912000001"))  # the demo's provincial trainer
    pages = {}
    for scope, params in (("province", {}), ("commune", {"commune": busiest.code})):
        for name, url in PAGES.items():
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            executed.clear()
            with connection.execute_wrapper(count):
                client.get(url, params)
            samples = []
            for _ in range(RUNS):
                started = time.perf_counter()
                client.get(url, params)
                samples.append((time.perf_counter() - started) * 1000)
            pages[f"{name} ({scope})"] = {
                "queries": len(executed),
                "median_ms": round(statistics.median(samples), 1),
                "max_ms": round(max(samples), 1),
            }
    print(
        json.dumps(
            {
                **facts,
                "rollup_rows": report.rows,
                "refresh_all_median_s": round(statistics.median(refresh), 2),
                "refresh_one_commune_median_s": round(statistics.median(one), 3),
                "pages": pages,
            }
        )
    )


def run_worker(url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DEBUG": "0",
        "STATS_REFRESH": "on_view",
        "PYTHONPATH": str(ROOT),
    }
    output = subprocess.run(
        [sys.executable, __file__, "--worker"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def large_database() -> str:
    given = os.environ.get("HOCSO_BENCH_LARGE_DB")
    if given:
        return f"sqlite:///{Path(given).resolve()}"
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"seed-{LARGE}.sqlite3"
    url = f"sqlite:///{path}"
    manage(["migrate", "--no-input", "-v", "0"], url)
    started = time.perf_counter()
    manage(["seed_demo", "--if-empty", "--residents", str(LARGE)], url)
    print(f"(large database ready in {time.perf_counter() - started:.0f} s: {path})")
    return url


def main() -> dict:
    small_url = fresh_sqlite()
    manage(["migrate", "--no-input", "-v", "0"], small_url)
    manage(["seed_demo"], small_url)
    sizes = {"small": run_worker(small_url)}
    if not os.environ.get("HOCSO_BENCH_STATS_SMALL_ONLY"):
        sizes["large"] = run_worker(large_database())
    if os.environ.get("HOCSO_BENCH_PG_URL"):
        pg = os.environ["HOCSO_BENCH_PG_URL"]
        manage(["migrate", "--no-input", "-v", "0"], pg)
        manage(["seed_demo", "--if-empty", "--residents", str(LARGE)], pg)
        sizes["large-postgresql"] = run_worker(pg)

    for size, result in sizes.items():
        print(
            f"{size}: {result['residents']:,} residents, {result['rollup_rows']:,} rollup rows; "
            f"refresh all {result['refresh_all_median_s']} s, one commune "
            f"{result['refresh_one_commune_median_s']} s (medians)"
        )
    header = f"{'page':<34}{'queries':>8}{'small ms':>10}"
    if "large" in sizes:
        header += f"{'large ms':>10}{'ratio':>7}"
    if "large-postgresql" in sizes:
        header += f"{'large PG ms':>12}"
    print(header)
    ratios = {}
    for name, row in sizes["small"]["pages"].items():
        line = f"{name:<34}{row['queries']:>8}{row['median_ms']:>10}"
        if "large" in sizes:
            big = sizes["large"]["pages"][name]
            ratios[name] = round(big["median_ms"] / row["median_ms"], 2)
            line += f"{big['median_ms']:>10}{ratios[name]:>7}"
        if "large-postgresql" in sizes:
            line += f"{sizes['large-postgresql']['pages'][name]['median_ms']:>12}"
        print(line)
    if "large" in sizes:
        sizes["refresh_ratio_large_to_small"] = round(
            sizes["large"]["refresh_all_median_s"] / sizes["small"]["refresh_all_median_s"], 1
        )
        sizes["page_ratios_large_to_small"] = ratios
    return sizes


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()
