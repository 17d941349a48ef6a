"""Statistics at two sizes of the province: the demo's ~11,300 residents and 400,000.

For each size: a full rollup refresh (all 56 communes, median of 3: the nightly safety net), a full
refresh of one commune, the incremental refresh after a typical change (one commune: a session of
10 marks, 3 competencies attested, 2 lessons done; median of 5) and after 100 people changed
across the province (an award each; median of 3), and every statistics page and API endpoint as a
trainer (the whole province) and for one commune: median of 15 requests, queries per request. The
ratio large ÷ small is what the rollups and the shares are for: near 1 for the pages and the
incremental refresh, while the full refresh grows with the facts.

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

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

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

    incremental = {}
    for name, change, runs in (
        ("typical change in one commune", lambda run: typical_change(busiest, run), 5),
        ("100 people across communes", hundred_people, 3),
    ):
        samples, queries = [], []
        for run in range(runs):
            change(run)
            executed.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(count):
                report = services.refresh_changed()
            samples.append(time.perf_counter() - started)
            queries.append(len(executed))
        incremental[name] = {
            "median_s": round(statistics.median(samples), 3),
            "queries": max(queries),
            "subjects": report.subjects,
        }

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
                "incremental": incremental,
                "pages": pages,
            }
        )
    )


def typical_change(commune, run: int) -> None:
    """What a group meeting brings to a commune: a session held with 10 marks, 3 competencies
    attested, 2 lessons done; through the services, which note what changed."""
    import datetime
    import uuid

    from django.utils import timezone

    from attendance.services import MarkInput, SessionInput, attendance_sync
    from courses.models import Competency, LessonPage
    from learning import services as learning
    from members.models import CommunityGroup, Membership, User

    group = CommunityGroup.objects.filter(commune=commune).order_by("pk")[run % 3]
    roster = list(Membership.objects.active().filter(group=group).values_list("user_id", flat=True)[:10])
    starts_at = timezone.now() - datetime.timedelta(hours=1)
    held = SessionInput(uuid=uuid.uuid4(), group_code=group.code, starts_at=starts_at, topic="Bench")
    marks = [
        MarkInput(
            uuid=uuid.uuid4(), session_uuid=held.uuid, member_id=m, status="present", recorded_at=starts_at
        )
        for m in roster
    ]
    trainer = User.objects.get(phone="+84912000001")
    attendance_sync(user=trainer, sessions=[held], marks=marks)
    competencies = list(Competency.objects.filter(area__framework__is_current=True).order_by("pk")[:3])
    for person_id, competency in zip(roster, competencies, strict=False):
        learning.competency_attest(
            user=User.objects.get(pk=person_id), competency=competency, level=3 + run % 2, acting_user=trainer
        )
    lesson = next((page for page in LessonPage.objects.live().order_by("pk") if not page.questions), None)
    for person_id in roster[3:5] if lesson is not None else []:
        learning.lesson_mark_done(user=User.objects.get(pk=person_id), lesson=lesson)


def hundred_people(run: int) -> None:
    """An award for each of 100 people picked across the province."""
    import random

    from courses.models import Competency
    from learning import services as learning
    from members.models import User

    rng = random.Random(run)
    trainer = User.objects.get(phone="+84912000001")
    people = list(User.objects.filter(is_staff=False, village__isnull=False).values_list("pk", flat=True))
    competencies = list(Competency.objects.filter(area__framework__is_current=True))
    for person_id in rng.sample(people, 100):
        learning.competency_attest(
            user=User.objects.get(pk=person_id),
            competency=rng.choice(competencies),
            level=rng.randint(1, 8),
            acting_user=trainer,
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
    print(
        f"{'incremental refresh after':<34}{'queries':>8}{'small s':>10}"
        + (f"{'large s':>10}{'ratio':>7}" if "large" in sizes else "")
    )
    for name, row in sizes["small"]["incremental"].items():
        line = f"{name:<34}{row['queries']:>8}{row['median_s']:>10}"
        if "large" in sizes:
            big = sizes["large"]["incremental"][name]
            line += f"{big['median_s']:>10}{round(big['median_s'] / row['median_s'], 2):>7}"
        print(line)
    if "large" in sizes:
        print(
            f"{'full refresh (all communes)':<34}{'':>8}{sizes['small']['refresh_all_median_s']:>10}"
            f"{sizes['large']['refresh_all_median_s']:>10}"
            f"{round(sizes['large']['refresh_all_median_s'] / sizes['small']['refresh_all_median_s'], 2):>7}"
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
        sizes["incremental_ratios_large_to_small"] = {
            name: round(sizes["large"]["incremental"][name]["median_s"] / row["median_s"], 2)
            for name, row in sizes["small"]["incremental"].items()
        }
    return sizes


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()
