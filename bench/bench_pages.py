"""Learner pages on the demo data: time per request (median of 30), queries and compressed bytes.

Runs in a child process on a freshly migrated and seeded SQLite database, through Django's test
client (no network), anonymous and signed in. Budgets: catalogue ≤ 8 queries, course and lesson
≤ 10, HTML ≤ 14 KB compressed.
"""

import gzip
import json
import os
import statistics
import subprocess
import sys
import time

from common import ROOT, fresh_sqlite, manage

RUNS = 30


def worker() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from courses.models import CourseIndexPage, CoursePage
    from members.models import User

    course = CoursePage.objects.get(code="BDHVS-05", locale__language_code="vi")
    pages = {
        "home": "/",
        "catalogue": CourseIndexPage.objects.get(locale__language_code="vi").url,
        "course": course.url,
        "lesson": course.lessons().first().url,
        "my_learning": "/hoc-cua-toi/",
    }
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    results = {}
    for who in ("anonymous", "resident"):
        client = Client(HTTP_HOST="127.0.0.1")
        if who == "resident":
            client.force_login(User.objects.get(phone="+84912000005"))
        for name, url in pages.items():
            if who == "anonymous" and name == "my_learning":
                continue
            client.get(url)  # warm caches, as a running server has them
            executed.clear()
            with connection.execute_wrapper(count):
                response = client.get(url)
            samples = []
            for _ in range(RUNS):
                started = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            results[f"{who}:{name}"] = {
                "status": response.status_code,
                "queries": len(executed),
                "html_bytes": len(response.content),
                "gzip_bytes": len(gzip.compress(response.content)),
                "median_ms": round(statistics.median(samples), 2),
            }
    print(json.dumps(results))


def main() -> dict:
    url = fresh_sqlite()
    manage(["migrate", "--no-input", "-v", "0"], url)
    manage(["seed_demo"], url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    output = subprocess.run(
        [sys.executable, __file__, "--worker"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    results = json.loads(output.strip().splitlines()[-1])
    print(f"{'page':<24}{'queries':>8}{'gzip B':>9}{'median ms':>11}")
    for name, row in results.items():
        print(f"{name:<24}{row['queries']:>8}{row['gzip_bytes']:>9}{row['median_ms']:>11}")
    return results


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()
