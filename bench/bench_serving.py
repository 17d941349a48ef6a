"""Learner pages served for real: requests/s and latency through nginx, bytes on the wire, Lighthouse.

Starts tools/stack.py's Stack (production settings, PostgreSQL, Redis, two gunicorn app servers of
two gthread workers behind nginx, on loopback) and, for each address, runs wrk for SECONDS seconds in
all, in ROUNDS interleaved rounds (a shared machine's load then weighs on every case alike), with
CONNECTIONS keep-alive connections (two wrk threads), asking for gzip as a phone does:

- the trivial view: /healthz (ops/health.py, answered by the first middleware: the floor of a
  request's cost through nginx and gunicorn);
- a visitor's home, catalogue, course and lesson (the shared page cache, courses/serving.py);
- a signed-in resident's catalogue, lesson and "Học của tôi" (never shared-cached).

It reports requests/s, p50/p95 latency, the ratio to the trivial view, and the bytes of each page as
sent (gzip) and as rendered. Targets: visitors' pages ≥ 1/2 of the trivial view, signed-in ≥ 1/5.

Then Lighthouse (npm: `npm install --prefix bench/.cache lighthouse`, Chromium at CHROME_PATH or
/usr/bin/chromium), unless BENCH_LIGHTHOUSE=0: each learner page, as a visitor and signed in, with
devtools throttling at regular 2G (300 ms latency, 250 kbps down, 50 kbps up) and GPRS (500 ms,
50 kbps, 20 kbps), on Lighthouse's mobile emulation. Reported: largest contentful paint (the
budget of docs/DESIGN.md; "interactive" is kept in the JSON). Targets: ≤ 2 s on 2G, ≤ 3 s on GPRS.

    .venv/bin/python bench/run.py serving
    # BENCH_SECONDS=10 BENCH_ROUNDS=5 BENCH_CONNECTIONS=8 BENCH_LIGHTHOUSE=1 (the defaults)

Everything is bounded: wrk by its duration, Lighthouse by a timeout, the stack torn down at the end.
"""

import contextlib
import gzip
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from common import ROOT

sys.path.insert(0, str(ROOT))

from tools.stack import Stack

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
LIGHTHOUSE = os.environ.get("BENCH_LIGHTHOUSE", "1") != "0"
LIGHTHOUSE_BIN = ROOT / "bench" / ".cache" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
NETWORKS = {
    "2g": {"requestLatencyMs": 300, "downloadThroughputKbps": 250, "uploadThroughputKbps": 50},
    "gprs": {"requestLatencyMs": 500, "downloadThroughputKbps": 50, "uploadThroughputKbps": 20},
}
TARGETS_MS = {"2g": 2000, "gprs": 3000}

# wrk's summary as one JSON line.
WRK_SCRIPT = textwrap.dedent("""
    done = function(summary, latency, requests)
      local e = summary.errors
      io.write(string.format(
        '{"requests": %d, "duration_us": %d, "socket_errors": %d, "status_errors": %d, '
        .. '"p50_us": %d, "p95_us": %d, "bytes": %d}\\n',
        summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(95), summary.bytes))
    end
""")

# Run in the stack's environment: the addresses of the seeded pages, a signed-in resident's session.
SETUP = textwrap.dedent("""
    import json
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from courses.models import CourseIndexPage, CoursePage, HomePage
    from learning import services
    from members.models import User

    course = CoursePage.objects.get(code="STACK-01")
    resident = User.objects.get(pk={resident})
    services.enrol(user=resident, course=course)
    session = SessionStore()
    session[SESSION_KEY] = str(resident.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = resident.get_session_auth_hash()
    session.save()
    print(json.dumps({{
        "home": HomePage.objects.get(locale__language_code="vi").url,
        "catalogue": CourseIndexPage.objects.get(locale__language_code="vi").url,
        "course": course.url,
        "lesson": course.lessons().first().url,
        "my_learning": "/hoc-cua-toi/",
        "cookie": f"{{settings.SESSION_COOKIE_NAME}}={{session.session_key}}",
    }}))
""")


def fetch(base: str, path: str, cookie: str = "") -> dict:
    """One GET as a phone sends it (gzip accepted), then a second on the same connection: the bytes
    on the wire, the headers that matter, and whether the connection was kept."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request("GET", path, headers=headers)
        first = connection.getresponse()
        body = first.read()
        socket_before = connection.sock
        connection.request("GET", path, headers=headers)
        second = connection.getresponse()
        second.read()
        kept = connection.sock is socket_before and socket_before is not None
    finally:
        connection.close()
    html = gzip.decompress(body) if first.getheader("Content-Encoding") == "gzip" else body
    return {
        "status": first.status,
        "wire_bytes": len(body),
        "html_bytes": len(html),
        "content_encoding": first.getheader("Content-Encoding", ""),
        "kept_alive": kept,
        "set_cookie": bool(first.getheader("Set-Cookie")),
        "vary": first.getheader("Vary", ""),
        "etag": bool(first.getheader("ETag")),
        "cache_control": first.getheader("Cache-Control", ""),
        "page_cache": second.getheader("X-Page-Cache", ""),
    }


def wrk(url: str, script: Path, cookie: str = "") -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{max(1, SECONDS // ROUNDS)}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
    ]
    command += ["-H", "Accept-Encoding: gzip"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=SECONDS + 60, check=True
    ).stdout
    summary = json.loads(output.strip().splitlines()[-1])
    return {
        "rps": round(summary["requests"] / (summary["duration_us"] / 1e6), 1),
        "p50_ms": round(summary["p50_us"] / 1000, 2),
        "p95_ms": round(summary["p95_us"] / 1000, 2),
        "requests": summary["requests"],
        "socket_errors": summary["socket_errors"],
        "status_errors": summary["status_errors"],
    }


def settle(base: str, timeout: float = 15) -> None:
    """Wait until the requests a previous wrk left queued in the app servers are answered (wrk stops
    sending, the servers go on), so that one case's backlog is not counted against the next."""
    deadline = time.monotonic() + timeout
    quick = 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{base}/healthz", timeout=timeout).read()  # noqa: S310 (the stack's)
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0
        time.sleep(0.1)


def lighthouse(url: str, network: str, cookie: str, out: Path) -> dict:
    throttling = NETWORKS[network]
    command = [
        str(LIGHTHOUSE_BIN),
        url,
        "--quiet",
        "--only-categories=performance",
        "--output=json",
        f"--output-path={out}",
        "--throttling-method=devtools",
        *(f"--throttling.{name}={value}" for name, value in throttling.items()),
        f"--chrome-flags={CHROME_FLAGS}",
        "--max-wait-for-load=60000",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, capture_output=True, text=True, timeout=240, check=True, env=env)
    audits = json.loads(out.read_text(encoding="utf-8"))["audits"]
    return {
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "interactive_ms": round(audits["interactive"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "bytes": round(audits["total-byte-weight"]["numericValue"]),
    }


def main() -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("bench_serving needs wrk (Debian: apt-get install wrk)")
    results: dict = {"seconds": SECONDS, "connections": CONNECTIONS, "pages": {}, "lighthouse": {}}
    with tempfile.TemporaryDirectory(prefix="hocso-bench-serving-") as folder, Stack(residents=6) as stack:
        script = Path(folder) / "summary.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        resident = stack.seed["groups"][0]["members"][0]
        setup = json.loads(
            stack.manage("shell", "-c", SETUP.format(resident=resident)).strip().splitlines()[-1]
        )
        cookie = setup.pop("cookie")
        cases = [("trivial /healthz", "/healthz", "")]
        cases += [(f"visitor {name}", setup[name], "") for name in ("home", "catalogue", "course", "lesson")]
        cases += [
            (f"signed-in {name}", setup[name], cookie) for name in ("catalogue", "lesson", "my_learning")
        ]
        for name, path, with_cookie in cases:
            row = fetch(stack.url, path, with_cookie)
            if row["status"] != 200:
                raise RuntimeError(f"{name}: {path} answered {row['status']}")
            results["pages"][name] = {**row, "rounds": []}
        # The machine may be shared: each round measures every case once, for SECONDS / ROUNDS, and
        # each page's ratio is the median of its rounds' ratios to the trivial view of the same round.
        for _ in range(ROUNDS):
            for name, path, with_cookie in cases:
                settle(stack.url)
                results["pages"][name]["rounds"].append(wrk(stack.url + path, script, with_cookie))
        trivial = results["pages"]["trivial /healthz"]["rounds"]
        for row in results["pages"].values():
            rounds = row["rounds"]
            row["ratio"] = round(
                statistics.median([r["rps"] / t["rps"] for r, t in zip(rounds, trivial, strict=True)]), 3
            )
            for figure in ("rps", "p50_ms", "p95_ms"):
                row[figure] = round(statistics.median([r[figure] for r in rounds]), 2)
            row["errors"] = sum(r["socket_errors"] + r["status_errors"] for r in rounds)
        print(
            f"{'page (median of rounds)':<24}{'req/s':>9}{'ratio':>8}{'p50 ms':>8}{'p95 ms':>8}"
            f"{'wire B':>8}{'html B':>8}  kept"
        )
        for name, row in results["pages"].items():
            print(
                f"{name:<24}{row['rps']:>9}{row['ratio']:>8}{row['p50_ms']:>8}{row['p95_ms']:>8}"
                f"{row['wire_bytes']:>8}{row['html_bytes']:>8}  {row['kept_alive']}"
            )
        if LIGHTHOUSE and LIGHTHOUSE_BIN.exists():
            pages = [
                (f"visitor {name}", setup[name], "") for name in ("home", "catalogue", "course", "lesson")
            ]
            pages += [
                (f"signed-in {name}", setup[name], cookie)
                for name in ("home", "catalogue", "course", "lesson", "my_learning")
            ]
            print(f"\n{'Lighthouse LCP (ms)':<24}{'2G':>8}{'GPRS':>8}{'bytes':>8}")
            for name, path, with_cookie in pages:
                row = {
                    network: lighthouse(stack.url + path, network, with_cookie, Path(folder) / "lh.json")
                    for network in NETWORKS
                }
                results["lighthouse"][name] = row
                print(f"{name:<24}{row['2g']['lcp_ms']:>8}{row['gprs']['lcp_ms']:>8}{row['2g']['bytes']:>8}")
        elif LIGHTHOUSE:
            print("Lighthouse skipped: npm install --prefix bench/.cache lighthouse")
    return results
