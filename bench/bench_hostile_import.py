"""How long an import takes to refuse the hostile workbook of issue 14, against how long it takes to
read the largest workbook the limits accept.

- ``hostile``: the 0.49 MB XLSX of about 11 million one-letter shared strings (it once kept a server
  process busy for 128 s before the preview); ``members.imports.files.read_upload`` must refuse it;
- ``largest``: a workbook at the limits (``members.imports.xlsx``: MAX_CELLS cells, as many rows as
  that allows within MAX_ROWS, shared strings under MAX_SHARED_STRINGS), read whole by the same call,
  as the upload form does before the preview.

Each the median of RUNS calls in one process (no database: reading a file touches none). The files
are built by tests/members/xlsx_files.py, the builders the tests use. Set BENCH_HOSTILE_RUNS to
change the number of runs.
"""

import os
import statistics
import sys
import time

from common import ROOT, fresh_sqlite, summary

RUNS = int(os.environ.get("BENCH_HOSTILE_RUNS", "5"))
COLUMNS = 16  # the members template's 9, and 7 columns of notes (ignored, but read)


def _largest_file() -> tuple[bytes, int]:
    """The members template filled up to the limits: COLUMNS × rows = MAX_CELLS cells (header
    included), about MAX_SHARED_STRINGS less 5 % different texts."""
    from members.imports.limits import MAX_ROWS
    from members.imports.xlsx import MAX_CELLS, MAX_SHARED_STRINGS
    from tests.members.xlsx_files import member_headers, xlsx_file

    headers = member_headers()
    extra = COLUMNS - len(headers)
    headers += [f"Ghi chú {number + 1}" for number in range(extra)]
    rows = min(MAX_CELLS // COLUMNS - 1, MAX_ROWS)
    # Phones and names are different on every row; the notes take what is left of the texts.
    notes = int(MAX_SHARED_STRINGS * 0.95) - 2 * rows
    return xlsx_file(
        [
            [
                f"0387{number:06d}",
                f"Nông Thị Nhập {number}",
                str(1950 + number % 55),
                "01477",
                "Bản Giốc",
                "01477-001",
                "Thành viên",
                "15/03/2026",
                "Có",
                *(f"Ghi chú {(number * extra + column) % notes}" for column in range(extra)),
            ]
            for number in range(rows)
        ],
        headers,
    ), rows


def _times(call, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
    os.environ.setdefault("DATABASE_URL", fresh_sqlite())  # never opened
    import django

    django.setup()
    from django.utils import translation

    from members.imports import FileProblem
    from members.imports.files import read_upload
    from tests.members.xlsx_files import eleven_million_tiny_texts

    hostile = eleven_million_tiny_texts()
    largest, rows = _largest_file()

    def refuse():
        try:
            read_upload(content=hostile, file_name="danh-sach.xlsx", kind="members")
        except FileProblem as problem:
            return problem.message
        raise AssertionError("the hostile workbook was accepted")

    def read():
        table, _kept = read_upload(content=largest, file_name="danh-sach.xlsx", kind="members")
        assert len(table.rows) == rows, len(table.rows)

    with translation.override("vi"):
        message = refuse()
        refusing = _times(refuse, RUNS)
        reading = _times(read, RUNS)
    refused_s, read_s = statistics.median(refusing), statistics.median(reading)
    cells = (rows + 1) * COLUMNS
    results = {
        "hostile": {
            "bytes": len(hostile),
            "shared_strings": 11_000_000,
            "message": message,
            "median_ms": round(refused_s * 1000, 2),
            "min_ms": round(min(refusing) * 1000, 2),
            "max_ms": round(max(refusing) * 1000, 2),
            "runs": RUNS,
        },
        "largest": {
            "bytes": len(largest),
            "rows": rows,
            "columns": COLUMNS,
            "cells": cells,
            **summary(reading),
        },
        "largest_over_hostile": round(read_s / refused_s),
    }
    print(f"medians of {RUNS} calls of read_upload")
    print(
        f"hostile XLSX refused in {refused_s * 1000:9.1f} ms"
        f"  ({len(hostile) / 1e6:.2f} MB, 11,000,000 shared strings)"
    )
    print(
        f"largest XLSX read in    {read_s * 1000:9.1f} ms"
        f"  ({len(largest) / 1e6:.2f} MB, {rows:,} rows × {COLUMNS} columns, {cells:,} cells)"
    )
    print(f"ratio: reading the largest accepted file takes {read_s / refused_s:,.0f} × the refusal")
    print(f"refused with: {message}")
    return results
