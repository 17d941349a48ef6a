"""Importing a province's list (issue budget: a 20,000-row file imports in under a minute on SQLite).

On a seeded demo database (copied afresh for every run, so that each import starts from the same
state), a members file of 20,000 rows: 18,000 new people spread over every group of the province and
2,000 people already registered, half of them with a changed name. The steps a trainer waits for,
each the median of 3 runs, through the services behind the admin pages:

- ``upload``: the file read and its rows kept (the upload form);
- ``preview``: the dry run behind the preview page (every row checked against the database, and
  what was found kept on the upload);
- ``review``: the preview viewed again (what was kept, read back);
- ``commit``: pressing "Import": the rows checked again, then all written in one transaction;
- ``total``: the three together; ``reimport``: the same file uploaded and committed again (nothing
  changes).

Once as CSV (UTF-8 with BOM) and once as XLSX. Set BENCH_IMPORT_ROWS to change the size of the file.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, fresh_sqlite, manage, summary

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "20000"))
RUNS = 3
STEPS = ("upload", "preview", "review", "commit", "total", "reimport")


def _members_file(file_format: str) -> tuple[bytes, str]:
    """A members list over every group of the database, in the layout of the province's template."""
    import csv
    import io

    from members.imports import columns as C
    from members.models import CommunityGroup, User
    from members.phone import normalize_phone

    groups = list(
        CommunityGroup.objects.filter(village__isnull=False)
        .select_related("commune", "village")
        .order_by("code")
    )
    candidates = (
        User.objects.filter(village__isnull=False, memberships__isnull=False, is_superuser=False)
        .select_related("village__commune")
        .order_by("pk")
        .distinct()[: ROWS // 5]
    )
    existing = [person for person in candidates if _valid(normalize_phone, person.phone)][: ROWS // 10]
    headers = [column.header for column in C.COLUMNS["members"]]
    rows = []
    for number, person in enumerate(existing):
        name = person.full_name if number % 2 else f"{person.full_name} Anh"[:150]
        rows.append(
            [person.phone, name, "", person.village.commune.code, person.village.name, "", "", "", "Có"]
        )
    taken = set(User.objects.values_list("phone", flat=True))
    # Viettel's 038 range: valid numbers, a few of which the demo data may use already.
    fresh = (f"0{number}" for number in range(387000000, 388000000) if f"+84{number}" not in taken)
    for number in range(ROWS - len(rows)):
        group = groups[number % len(groups)]
        rows.append(
            [
                next(fresh),
                f"Nông Thị Nhập {number}",
                str(1950 + number % 55),
                group.commune.code,
                group.village.name,
                group.code,
                "Thành viên",
                "15/03/2026",
                "Có",
            ]
        )
    if file_format == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig"), "danh-sach.csv"
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), "danh-sach.xlsx"


def _valid(normalize, phone: str) -> bool:
    # A few generated demo numbers fall in ranges the phone-number metadata does not know.
    try:
        normalize(phone)
    except Exception:
        return False
    return True


def worker(file_format: str) -> None:
    """One run on a fresh copy of the seeded database, through the services behind the admin pages."""
    import django

    django.setup()
    from members.models import Membership, User
    from members.services.imports import import_batch_commit, import_batch_create, import_batch_preview

    trainer = User.objects.get(phone="+84912000001")
    content, name = _members_file(file_format)
    people, memberships = User.objects.count(), Membership.objects.count()

    def upload():
        return import_batch_create(content=content, file_name=name, kind="members", acting_user=trainer)

    times = {}
    started = time.perf_counter()
    batch = upload()
    times["upload_s"] = time.perf_counter() - started
    started = time.perf_counter()
    plan = import_batch_preview(batch=batch, acting_user=trainer)
    times["preview_s"] = time.perf_counter() - started
    started = time.perf_counter()
    import_batch_preview(batch=batch, acting_user=trainer)
    times["review_s"] = time.perf_counter() - started
    assert plan.ok, plan.problems[:5]
    started = time.perf_counter()
    counts = import_batch_commit(batch=batch, acting_user=trainer).counts()
    times["commit_s"] = time.perf_counter() - started
    times["total_s"] = times["upload_s"] + times["preview_s"] + times["commit_s"]

    started = time.perf_counter()
    replay = import_batch_commit(batch=upload(), acting_user=trainer).counts()
    times["reimport_s"] = time.perf_counter() - started
    assert replay["create"] == replay["update"] == 0, replay

    print(
        json.dumps(
            {
                "bytes": len(content),
                **times,
                "counts": counts,
                "people_added": User.objects.count() - people,
                "memberships_added": Membership.objects.count() - memberships,
            }
        )
    )


def main() -> dict:
    url = fresh_sqlite()
    manage(["migrate", "--no-input", "-v", "0"], url)
    manage(["seed_demo"], url)
    seeded = Path(url.removeprefix("sqlite:///"))
    results: dict = {"rows": ROWS}
    for file_format in ("csv", "xlsx"):
        runs = []
        for _ in range(RUNS):
            copy = Path(tempfile.mkdtemp(prefix="hocso-bench-import-")) / "db.sqlite3"
            shutil.copy(seeded, copy)
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{copy}",
                "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
                "DEBUG": "0",
                "PYTHONPATH": str(ROOT),
            }
            output = subprocess.run(
                [sys.executable, __file__, "--worker", file_format],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
            shutil.rmtree(copy.parent)
        results[file_format] = {
            "bytes": runs[0]["bytes"],
            "counts": runs[0]["counts"],
            "people_added": runs[0]["people_added"],
            "memberships_added": runs[0]["memberships_added"],
            **{step: summary([run[f"{step}_s"] for run in runs]) for step in STEPS},
        }
    print(f"{ROWS} rows, seconds, medians of {RUNS}")
    print(f"{'':<6}" + "".join(f"{step:>10}" for step in STEPS))
    for file_format in ("csv", "xlsx"):
        row = results[file_format]
        print(f"{file_format:<6}" + "".join(f"{row[step]['median_s']:>10}" for step in STEPS))
    return results


if __name__ == "__main__" and "--worker" in sys.argv:
    worker(sys.argv[sys.argv.index("--worker") + 1])
