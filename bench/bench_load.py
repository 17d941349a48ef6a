"""A bounded load test of the production stack (tools/stack.py) on loopback: 200 residents and 50
group leaders use it at once for two minutes, then a saturation phase compares the lesson page with
a trivial view. It stops by itself; every request goes to 127.0.0.1.

    python bench/run.py load                        # or: make bench (all benchmarks)
    HOCSO_BENCH_LOAD_SECONDS=20 python bench/run.py load   # a quick try

Everyone signs in first, through the form with its CSRF token, 8 at a time: a phase timed on its
own, since the production password hasher is slow on purpose. Then the run. Residents loop, with
seconds of thinking between steps (THINK, READ below): home → catalogue → course (starting it the
first time) → a lesson → its quiz answered (the form's submission id) → the lesson with its result
→ "Học của tôi". Leaders open "Tổ của tôi" (sent on to their group's page), then hold sessions:
the attendance page of a new session, the roster marked in batches sent to /api/v1/attendance/sync/ as
static/attendance/outbox.js sends them (session cookie, X-CSRFToken, a fresh Idempotency-Key and mark
UUIDs per batch, now and then a correction), sometimes a batch sent again with the same key (a phone
that lost the answer) or with a new key (an outbox that forgot it had sent it); the session's page at
the end. People start within the first few seconds, not all at once.

Then, with the task queues drained, each of three targets is requested in a closed loop over 8
keep-alive connections, in turns taken in rotation (whatever else the machine does weighs on each
alike): /healthz (answered by the app's first middleware: the cost of nginx, gunicorn and WSGI with
no view), an anonymous lesson page, and the same lesson signed in.

Reported per endpoint (grouped by URL pattern): count, requests per second, p50/p95/p99/max latency
and errors (a status other than the one expected, a connection error, an answer that says something
else). After the run, writes are checked in the database: every attendance mark sent is stored
exactly once, sessions too, replays changed nothing, one quiz attempt per answered form. Any error or
mismatch marks the run failed: bench/results/bench_load.json is written, then it exits non-zero.

Client: one thread per simulated person (http.client, stdlib; a thread sleeps while it thinks), one
keep-alive connection each, like a phone's browser. The machine has 2 cores, shared by the load
generator, nginx, both app servers, PostgreSQL, Redis and the workers, and with whatever else runs on
the machine: the output says how much CPU each used ("other": processes that are not the stack's).
"""

import contextlib
import datetime
import gzip
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from common import ROOT

sys.path.insert(0, str(ROOT))

RESIDENTS = 200
LEADERS = 50
SECONDS = float(os.environ.get("HOCSO_BENCH_LOAD_SECONDS", "120"))
SATURATION_CONNECTIONS = 8
SATURATION_TURNS = 5
SIGN_IN_CONCURRENCY = 8  # the stack's app threads: 2 servers x 2 workers x 2 threads
SATURATION_SECONDS = min(15.0, max(3.0, SECONDS / 8))
MEMBERS_PER_NEW_GROUP = 7
# A resident on a phone reads: a few seconds on a list, half a minute to a minute and a half on a
# lesson (its 5 minutes are spread over text, steps and a quiz). Shorter, and 250 people ask the two
# shared cores for more than a real commune's evening would.
THINK = (4.0, 12.0)  # seconds between a person's steps
READ = (30.0, 90.0)  # reading a lesson before answering its quiz
REPLAY_SAME_KEY = 0.15  # a batch sent again with its key: the phone never saw the answer
RESEND_NEW_KEY = 0.05  # a batch sent again under a new key: the outbox forgot it had sent it
CORRECTION = 0.10  # a batch also carries a second mark for someone already marked
TIMEOUT = 60  # seconds, as nginx's proxy_read_timeout (65) and gunicorn's --timeout (60)
SEED = 16

TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_FIELD = re.compile(r'name="submission_id" value="([0-9a-f-]{36})"')


# Measuring ----------------------------------------------------------------------------------------


class Recorder:
    """Every request's latency under its endpoint's name, and every error, from all threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []  # the first few errors, to say what went wrong
        self.reconnects = 0

    def ok(self, name: str, seconds: float) -> None:
        with self.lock:
            self.latencies[name].append(seconds)

    def error(self, name: str, seconds: float | None, what: str) -> None:
        with self.lock:
            self.errors[name] += 1
            if seconds is not None:
                self.latencies[name].append(seconds)
            if len(self.samples) < 20:
                self.samples.append(f"{name}: {what}")

    def table(self, seconds: float) -> dict[str, dict]:
        rows = {}
        for name in sorted(set(self.latencies) | set(self.errors)):
            rows[name] = row(self.latencies[name], self.errors[name], seconds)
        everything = [value for values in self.latencies.values() for value in values]
        rows["TOTAL"] = row(everything, sum(self.errors.values()), seconds)
        return rows


def row(latencies: list[float], errors: int, seconds: float) -> dict:
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        if not ordered:
            return 0.0
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 1)

    return {
        "count": len(ordered),
        "per_s": round(len(ordered) / seconds, 2),
        "p50_ms": percentile(50),
        "p95_ms": percentile(95),
        "p99_ms": percentile(99),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else 0.0,
        "errors": errors,
    }


class Unexpected(Exception):
    """An answer that is not what the flow expects (the status, or what the body says)."""


class Browser:
    """One person's browser: a keep-alive connection to nginx and a cookie jar. The Secure flag of
    the production cookies is ignored, as a browser ignores it on http://localhost."""

    def __init__(self, base: str, recorder: Recorder):
        parts = urlsplit(base)
        self.host, self.port, self.origin = parts.hostname, parts.port, base
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.used = False  # the connection has answered before: it may have been closed while idle

    def request(
        self,
        method: str,
        path: str,
        name: str,
        *,
        expect: int = 200,
        form: dict | list | None = None,
        json_body=None,
        headers: dict | None = None,
        decode: bool = False,
    ):
        """Send one request, time it and record it under ``name``; returns (response, body), the body
        decompressed if ``decode``. Raises Unexpected (already recorded) on a status not expected."""
        sent = {"Accept-Encoding": "gzip", "User-Agent": "hocso-bench-load"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
            sent["Accept"] = "application/json"
        if method != "GET":
            sent["Origin"] = self.origin
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        started = time.perf_counter()
        try:
            response, data = self._send(method, path, body, sent)
        except (OSError, http.client.HTTPException) as error:
            self.close()
            self.recorder.error(name, None, f"{method} {path}: {type(error).__name__} {error}")
            raise Unexpected(name) from error
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            key, _, value = pair.partition("=")
            if value in ("", '""') or "max-age=0" in header.lower():
                self.cookies.pop(key.strip(), None)
            else:
                self.cookies[key.strip()] = value
        if response.status != expect:
            self.recorder.error(name, elapsed, f"{method} {path}: {response.status}, expected {expect}")
            raise Unexpected(name)
        self.recorder.ok(name, elapsed)
        if decode and response.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return response, data

    def _send(self, method, path, body, headers):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
                self.used = False
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed while it was idle: a browser opens a new
                # one and sends again. A fresh connection that fails is an error.
                reused = self.used
                self.close()
                if attempt == 2 or not reused:
                    raise
                with self.recorder.lock:
                    self.recorder.reconnects += 1
                continue
            self.used = True
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def sign_in(self, phone: str, password: str) -> None:
        _, page = self.request("GET", "/dang-nhap/", "GET /dang-nhap/", decode=True)
        token = TOKEN_FIELD.search(page.decode()).group(1)
        form = {"username": phone, "password": password, "csrfmiddlewaretoken": token}
        self.request("POST", "/dang-nhap/", "POST /dang-nhap/ (sign in)", expect=302, form=form)
        if "sessionid" not in self.cookies:
            self.recorder.error("POST /dang-nhap/ (sign in)", None, f"{phone}: no session cookie")
            raise Unexpected("sign in")

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


# The people ---------------------------------------------------------------------------------------


class Run:
    """What the simulated people share: the stack's addresses, the world, the deadline, and what was
    sent (to check against the database afterwards)."""

    def __init__(self, url: str, world: dict, recorder: Recorder, seconds: float):
        self.url = url
        self.world = world
        self.recorder = recorder
        self.seconds = seconds
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.marks: set[str] = set()
        self.sessions: set[str] = set()
        self.keys: set[str] = set()
        self.replays = 0
        self.resends = 0
        self.corrections = 0
        self.quiz_answers = 0

    def think(self, rng: random.Random, span=THINK) -> bool:
        """Wait like a person; False once the run is over."""
        return not self.stop.wait(rng.uniform(*span))

    def arrive(self, rng: random.Random) -> bool:
        """Start within the first few seconds, not all at once."""
        return not self.stop.wait(rng.uniform(0, THINK[1]))


def resident(run: Run, browser: Browser, number: int) -> None:
    rng = random.Random(SEED * 1000 + number)
    world = run.world
    if not run.arrive(rng):
        return
    try:
        started = False
        while run.think(rng):
            browser.request("GET", "/", "GET / (home)")
            if not run.think(rng):
                break
            browser.request("GET", world["catalogue"], "GET catalogue")
            if not run.think(rng):
                break
            _, page = browser.request("GET", world["course_url"], "GET course", decode=not started)
            if not started:
                token = TOKEN_FIELD.search(page.decode()).group(1)
                browser.request(
                    "POST",
                    f"/hoc/khoa/{world['course']}/bat-dau/",
                    "POST /hoc/khoa/<id>/bat-dau/ (start)",
                    expect=302,
                    form={"csrfmiddlewaretoken": token},
                )
                started = True
            if not run.think(rng):
                break
            lesson = rng.choice(world["lessons"])
            _, page = browser.request("GET", lesson["url"], "GET lesson (signed in)", decode=True)
            html = page.decode()
            if not run.think(rng, READ):
                break
            form = [("csrfmiddlewaretoken", TOKEN_FIELD.search(html).group(1))]
            form.append(("submission_id", SUBMISSION_FIELD.search(html).group(1)))
            for question, options in lesson["answers"].items():
                form += [(f"q-{question}", str(option)) for option in options]
            response, _ = browser.request(
                "POST",
                f"/hoc/bai/{lesson['id']}/tra-loi/",
                "POST /hoc/bai/<id>/tra-loi/ (quiz)",
                expect=302,
                form=form,
            )
            with run.lock:
                run.quiz_answers += 1
            result = urlsplit(response.getheader("Location"))
            browser.request("GET", f"{result.path}?{result.query}", "GET lesson ?attempt= (result)")
            if not run.think(rng):
                break
            browser.request("GET", "/hoc-cua-toi/", "GET /hoc-cua-toi/")
    except Unexpected:
        pass  # recorded; this person stops, as one would after an error page
    finally:
        browser.close()


def leader(run: Run, browser: Browser, group: dict, number: int) -> None:
    rng = random.Random(SEED * 2000 + number)
    code = group["code"]
    members = [m for m in group["members"] if m != group["leader"]["id"]]
    if not run.arrive(rng):
        return
    try:
        # A leader of one group is sent on to its page.
        browser.request("GET", "/to-cua-toi/", "GET /to-cua-toi/ (→ the group)", expect=302)
        if not run.think(rng):
            return
        browser.request("GET", f"/to/{code}/", "GET /to/<code>/")
        while run.think(rng):
            browser.request("GET", f"/to/{code}/buoi/moi/", "GET /to/<code>/buoi/moi/ (offline session)")
            hold_session(run, browser, rng, code, members)
    except Unexpected:
        pass
    finally:
        browser.close()


def hold_session(run: Run, browser: Browser, rng: random.Random, code: str, members: list[int]) -> None:
    """One session of ``code``: the roster marked in batches, each sent as soon as it is taken."""
    now = datetime.datetime.now(datetime.UTC)
    session = {
        "uuid": str(uuid.uuid4()),
        "group": code,
        "starts_at": (now - datetime.timedelta(minutes=rng.randint(5, 60))).isoformat(),
        "topic": "VNeID mức 2",
        "place": "Nhà văn hóa",
    }
    waiting = members[:]
    rng.shuffle(waiting)
    marked: list[int] = []
    while waiting:
        if not run.think(rng):
            return
        size = rng.randint(4, 12)
        taken, waiting = waiting[:size], waiting[size:]
        marks = [new_mark(session, member, rng) for member in taken]
        if marked and rng.random() < CORRECTION:  # "late", not "absent", after all: a second mark
            marks.append(new_mark(session, rng.choice(marked), rng))
            with run.lock:
                run.corrections += 1
        marked += taken
        body = {"sessions": [session], "marks": marks}
        key = str(uuid.uuid4())
        with run.lock:
            run.sessions.add(session["uuid"])
            run.marks.update(mark["uuid"] for mark in marks)
            run.keys.add(key)
        name = "POST /api/v1/attendance/sync/"
        _, first = sync(browser, body, key, name)
        expect(run, name, first["counts"], {"accepted": len(marks), "duplicate": 0, "rejected": 0})
        if rng.random() < REPLAY_SAME_KEY:
            name = "POST /api/v1/attendance/sync/ (replay, same key)"
            response, again = sync(browser, body, key, name)
            expect(run, name, (response.getheader("Idempotent-Replayed"), again), ("true", first))
            with run.lock:
                run.replays += 1
        elif rng.random() < RESEND_NEW_KEY / (1 - REPLAY_SAME_KEY):
            name = "POST /api/v1/attendance/sync/ (resend, new key)"
            key = str(uuid.uuid4())
            with run.lock:
                run.keys.add(key)
            _, again = sync(browser, body, key, name)
            expect(run, name, again["counts"], {"accepted": 0, "duplicate": len(marks), "rejected": 0})
            with run.lock:
                run.resends += 1
    if run.think(rng):
        browser.request("GET", f"/to/{code}/buoi/{session['uuid']}/", "GET /to/<code>/buoi/<uuid>/ (session)")


def new_mark(session: dict, member: int, rng: random.Random) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "session": session["uuid"],
        "member": member,
        "status": rng.choice(["present", "present", "present", "late", "absent", "excused"]),
        "recorded_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "device_id": "may-tai-thu",
    }


def sync(browser: Browser, body: dict, key: str, name: str):
    response, data = browser.request(
        "POST",
        "/api/v1/attendance/sync/",
        name,
        json_body=body,
        headers={"Idempotency-Key": key, "X-CSRFToken": browser.csrf},
        decode=True,
    )
    return response, json.loads(data)


def expect(run: Run, name: str, got, wanted) -> None:
    if got != wanted:
        run.recorder.error(name, None, f"answered {str(got)[:300]}, expected {str(wanted)[:300]}")
        raise Unexpected(name)


# Phases -------------------------------------------------------------------------------------------


def stack_parts(stack) -> dict[int, str]:
    """The stack's process groups (each process it starts leads one), by what they are."""
    parts = {}
    for name, process in stack.processes.items():
        parts[process.pid] = (
            "app servers" if name.startswith("app") else "task workers" if name.startswith("worker") else name
        )
    return parts


def cpu_seconds(parts: dict[int, str]) -> dict[str, float]:
    """CPU seconds used so far: by the machine (busy, all processes), this process (the load
    generator), each part of the stack (its process groups, the children they reaped included) and
    PostgreSQL (the machine's server: other databases' work counts too)."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = defaultdict(float)
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    used["machine"] = (sum(ticks[:8]) - ticks[3] - ticks[4]) / tick  # all but idle and iowait
    ours = os.times()
    used["load generator"] = ours.user + ours.system
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            text = Path(entry.path, "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:  # it ended meanwhile
            continue
        command, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        group = int(fields[2])
        part = parts.get(group) or ("postgresql" if command.startswith("postgres") else None)
        if part:
            used[part] += sum(int(value) for value in fields[11:15]) / tick  # utime stime cutime cstime
    return used


def cpu_used(parts: dict[int, str], before: dict[str, float], seconds: float) -> dict:
    after = cpu_seconds(parts)
    used = {name: round(after[name] - before.get(name, 0.0), 1) for name in after}
    machine = used.pop("machine")
    used = dict(sorted(used.items(), key=lambda item: -item[1]))
    used["other"] = round(machine - sum(used.values()), 1)
    return {"available_s": round(seconds * os.cpu_count(), 1), "busy_s": machine, "by_part_s": used}


def cpu_line(cpu: dict) -> str:
    parts = ", ".join(f"{name} {value}" for name, value in cpu["by_part_s"].items())
    return f"CPU s: {cpu['busy_s']} busy of {cpu['available_s']} ({parts})"


def sign_in_all(url: str, world: dict, parts: dict[int, str]) -> tuple[list[Browser], dict, dict]:
    """Everyone signs in through the form, SIGN_IN_CONCURRENCY at a time, before the clock of the run
    starts: the production password hasher is slow on purpose, and 250 sign-ins at once would be a
    morning's arrivals squeezed into seconds. Timed apart, as its own phase."""
    recorder = Recorder()
    phones = [person["phone"] for person in world["residents"][:RESIDENTS]]
    phones += [group["leader"]["phone"] for group in world["groups"][:LEADERS]]
    browsers = [Browser(url, recorder) for _ in phones]
    waiting = list(zip(browsers, phones, strict=True))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if not waiting:
                    return
                browser, phone = waiting.pop()
            with contextlib.suppress(Unexpected):  # recorded
                browser.sign_in(phone, world["password"])
            browser.close()

    threads = [threading.Thread(target=work) for _ in range(SIGN_IN_CONCURRENCY)]
    before = cpu_seconds(parts)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    table = recorder.table(elapsed)
    table["TOTAL"]["signed_in"] = sum("sessionid" in browser.cookies for browser in browsers)
    table["TOTAL"]["seconds"] = round(elapsed, 1)
    return browsers, table, cpu_used(parts, before, elapsed)


def simulate(
    url: str, world: dict, browsers: list[Browser], parts: dict[int, str], seconds: float
) -> tuple[Run, dict, dict]:
    recorder = Recorder()
    run = Run(url, world, recorder, seconds)
    for browser in browsers:
        browser.recorder = recorder
    residents, leaders = browsers[:RESIDENTS], browsers[RESIDENTS:]
    threading.stack_size(512 * 1024)  # 250 threads that mostly sleep
    threads = [
        threading.Thread(target=resident, args=(run, browser, number), daemon=True)
        for number, browser in enumerate(residents)
    ] + [
        threading.Thread(target=leader, args=(run, browser, group, number), daemon=True)
        for number, (browser, group) in enumerate(zip(leaders, world["groups"], strict=False))
    ]
    before = cpu_seconds(parts)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    run.stop.wait(seconds)
    run.stop.set()
    for thread in threads:  # each finishes the request it is in (at most TIMEOUT)
        thread.join(TIMEOUT + 5)
    elapsed = time.monotonic() - started
    return run, recorder.table(seconds), cpu_used(parts, before, elapsed)


def saturate(url: str, targets: list[tuple[str, str, dict]], parts: dict[int, str], seconds: float):
    """Each target (name, path, cookies) requested in a closed loop over SATURATION_CONNECTIONS
    keep-alive connections for ``seconds`` in all, in SATURATION_TURNS turns taken in rotation, so
    that whatever else the machine does at the time weighs on each alike; first a second of warming
    up each, not counted. Returns each target's row and the CPU its turns used."""
    recorders = {name: Recorder() for name, _, _ in targets}
    browsers = {
        name: [Browser(url, recorders[name]) for _ in range(SATURATION_CONNECTIONS)] for name in recorders
    }
    for name, _, cookies in targets:
        for browser in browsers[name]:
            browser.cookies = dict(cookies)

    def burst(name: str, path: str, until: float, label: str) -> None:
        def loop(browser: Browser) -> None:
            while time.monotonic() < until:
                with contextlib.suppress(Unexpected):  # recorded
                    browser.request("GET", path, label)

        threads = [threading.Thread(target=loop, args=(browser,)) for browser in browsers[name]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    for name, path, _ in targets:
        burst(name, path, time.monotonic() + 1, "warm-up")
    spent = dict.fromkeys(recorders, 0.0)
    cpu = {name: {"available_s": 0.0, "busy_s": 0.0, "by_part_s": defaultdict(float)} for name in recorders}
    for _ in range(SATURATION_TURNS):
        for name, path, _ in targets:
            before, started = cpu_seconds(parts), time.monotonic()
            burst(name, path, started + seconds / SATURATION_TURNS, name)
            spent[name] += time.monotonic() - started  # a turn ends when its last answers are in
            used = cpu_used(parts, before, time.monotonic() - started)
            cpu[name]["available_s"] += used["available_s"]
            cpu[name]["busy_s"] += used["busy_s"]
            for part, value in used["by_part_s"].items():
                cpu[name]["by_part_s"][part] += value
    rows = {}
    for name, recorder in recorders.items():
        for browser in browsers[name]:
            browser.close()
        recorder.latencies.pop("warm-up", None)
        rows[name] = recorder.table(spent[name])[name]
        # Less swayed than throughput by what else the machine runs: the app servers' CPU per answer.
        app = cpu[name]["by_part_s"].get("app servers", 0.0)
        rows[name]["app_cpu_ms_per_request"] = round(app * 1000 / max(1, rows[name]["count"]), 2)
        cpu[name] = {
            "available_s": round(cpu[name]["available_s"], 1),
            "busy_s": round(cpu[name]["busy_s"], 1),
            "by_part_s": {part: round(value, 1) for part, value in cpu[name]["by_part_s"].items()},
        }
    return rows, cpu


def ratio(targets: dict, lesson: str) -> float | None:
    lesson_cost = targets[lesson]["app_cpu_ms_per_request"]
    return round(targets["GET /healthz"]["app_cpu_ms_per_request"] / lesson_cost, 3) if lesson_cost else None


def stack_events(stack) -> dict[str, int]:
    """What the app servers' and nginx's logs say happened that could explain a slow answer."""
    logs = [stack.folder / "app0.log", stack.folder / "app1.log"]
    text = "".join(log.read_text(encoding="utf-8", errors="replace") for log in logs if log.exists())
    errors = stack.folder / "nginx" / "error.log"
    nginx = errors.read_text(encoding="utf-8", errors="replace") if errors.exists() else ""
    return {
        "gunicorn workers recycled (--max-requests)": text.count("Autorestarting worker"),
        "gunicorn worker timeouts": text.count("WORKER TIMEOUT"),
        "app errors logged": text.count('"level": "ERROR"'),
        "nginx upstream errors": nginx.count("upstream"),
    }


def drained(database_url: str, timeout: float = 90) -> float:
    """Wait until the task workers have done what the run gave them (statistics, audit); seconds
    waited. Saturating while they work would measure them too."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(database_url, autocommit=True) as connection:
        while time.monotonic() - started < timeout:
            waiting = connection.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()[0]
            if not waiting:
                break
            time.sleep(0.5)
    return round(time.monotonic() - started, 1)


def verify(database_url: str, run: Run) -> dict:
    """What the database holds against what was sent."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:

        def value(sql: str, *params):
            return connection.execute(sql, params).fetchone()[0]

        marks = list(run.marks)
        sessions = list(run.sessions)
        return {
            "marks sent": len(marks),
            "marks stored": value("SELECT count(*) FROM members_attendancemark"),
            "marks stored with a sent UUID": value(
                "SELECT count(*) FROM members_attendancemark WHERE uuid = ANY(%s::uuid[])", marks
            ),
            "sessions sent": len(sessions),
            "sessions stored": value("SELECT count(*) FROM members_session"),
            "sessions stored with a sent UUID": value(
                "SELECT count(*) FROM members_session WHERE uuid = ANY(%s::uuid[])", sessions
            ),
            "quiz forms answered": run.quiz_answers,
            "quiz attempts stored": value("SELECT count(*) FROM members_quizattempt"),
            "idempotency keys used": len(run.keys),
            "idempotency records stored": value("SELECT count(*) FROM members_idempotencyrecord"),
        }


# Setting up ---------------------------------------------------------------------------------------


def prepare(stack) -> dict:
    """The stack's seed (3 groups and their leaders, RESIDENTS residents), grown to LEADERS groups
    with a leader and MEMBERS_PER_NEW_GROUP members each, and the course's addresses. Runs this file
    with the stack's environment (tools/stack.py seeds only three groups)."""
    out = stack.folder / "load-world.json"
    subprocess.run(
        [sys.executable, __file__, "--setup", str(stack.folder / "seed.json"), str(out)],
        cwd=ROOT,
        env={**stack.env(), "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def setup(seed_path: Path, out: Path) -> None:
    import itertools

    import django

    django.setup()
    from django.utils import timezone
    from wagtail.models import Page

    from members.models import Membership, User
    from tests import factories

    seed = json.loads(seed_path.read_text(encoding="utf-8"))
    # The production hasher is slow on purpose: every new person gets the seed's hash.
    hashed = User.objects.get(pk=seed["residents"][0]["id"]).password
    User.set_password = lambda self, raw: setattr(self, "password", hashed)
    since = timezone.localdate() - datetime.timedelta(days=90)
    communes = [factories.commune("01477"), factories.commune("01273")]
    phones = (f"+8497{number:07d}" for number in itertools.count(1))  # apart from the factories' 098…
    groups = list(seed["groups"])
    for number in range(len(groups), LEADERS):
        village = factories.VillageFactory(commune=communes[number % 2], name=f"Bản tải {number}")
        group = factories.CommunityGroupFactory(
            village=village, code=f"TAI-{number:03d}", name=f"Tổ tải {number}"
        )
        people = []
        for index in range(1 + MEMBERS_PER_NEW_GROUP):
            person = factories.UserFactory(village=village, phone=next(phones))
            role = Membership.Role.LEADER if index == 0 else Membership.Role.MEMBER
            factories.MembershipFactory(user=person, group=group, role=role, joined_on=since)
            people.append(person)
        groups.append(
            {
                "code": group.code,
                "leader": {"id": people[0].pk, "phone": str(people[0].phone)},
                "members": [person.pk for person in people],
            }
        )
    course = Page.objects.get(pk=seed["course"]).specific
    world = {
        "password": seed["password"],
        "course": course.pk,
        "course_url": urlsplit(course.get_url()).path,
        "catalogue": urlsplit(course.get_parent().get_url()).path,
        "lessons": [
            {
                "id": lesson["id"],
                "url": urlsplit(Page.objects.get(pk=lesson["id"]).get_url()).path,
                "answers": lesson["answers"],
            }
            for lesson in seed["lessons"]
        ],
        "residents": seed["residents"],
        "groups": groups,
    }
    out.write_text(json.dumps(world, indent=1, ensure_ascii=False), encoding="utf-8")


# Report -------------------------------------------------------------------------------------------


def print_table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(
        f"{'endpoint':<58}{'count':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'errors':>7}"
    )
    for name, values in rows.items():
        print(
            f"{name[:57]:<58}{values['count']:>7}{values['per_s']:>8}{values['p50_ms']:>9}"
            f"{values['p95_ms']:>9}{values['p99_ms']:>9}{values['max_ms']:>9}{values['errors']:>7}"
        )


def report(result: dict) -> None:
    print(
        f"{result['people']['residents']} residents and {result['people']['leaders']} leaders for "
        f"{result['seconds']:.0f} s against the loopback stack ({result['machine']})"
    )
    sign_in = result["sign_in"]["TOTAL"]
    print_table(
        f"Sign-in, before the run: {sign_in['signed_in']} people, {SIGN_IN_CONCURRENCY} at a time, "
        f"in {sign_in['seconds']} s",
        result["sign_in"],
    )
    print(cpu_line(result["sign_in_cpu"]))
    print_table(f"The run: everyone signed in, {result['seconds']:.0f} s", result["endpoints"])
    print(cpu_line(result["cpu"]))
    print(f"Attendance: {json.dumps(result['attendance'], ensure_ascii=False)}")
    print(f"Writes checked: {json.dumps(result['writes'], ensure_ascii=False)}")
    saturation = result["saturation"]
    print_table(
        f"Saturation: {saturation['connections']} keep-alive connections, {saturation['seconds']:.0f} s each "
        f"in {SATURATION_TURNS} turns (after {saturation['queues_drained_after_s']} s for the task queues "
        "to drain)",
        saturation["targets"],
    )
    for name, cpu in saturation["cpu"].items():
        cost = saturation["targets"][name]["app_cpu_ms_per_request"]
        print(f"  {name}: app servers' CPU {cost} ms per request; {cpu_line(cpu)}")
    print(
        f"Lesson page / healthz throughput: anonymous {saturation['anonymous_lesson_to_healthz']}, "
        f"signed in {saturation['signed_in_lesson_to_healthz']}; by the app servers' CPU per request: "
        f"anonymous {saturation['app_cpu_per_request_healthz_to_anonymous_lesson']}, "
        f"signed in {saturation['app_cpu_per_request_healthz_to_signed_in_lesson']}"
    )
    print(f"Stack: {json.dumps(result['stack_events'])}; client reconnects: {result['reconnects']}")
    print(
        "OK: no error, every write once" if result["ok"] else "FAILED:\n  " + "\n  ".join(result["failures"])
    )


def main() -> dict:
    from tools.stack import Stack, missing

    lacking = missing()
    if lacking:
        print("skipped: the stack needs " + ", ".join(lacking))
        return {"skipped": lacking}
    with Stack(residents=RESIDENTS) as stack:
        world = prepare(stack)
        parts = stack_parts(stack)
        browsers, sign_in, sign_in_cpu = sign_in_all(stack.url, world, parts)
        run, endpoints, cpu = simulate(stack.url, world, browsers, parts, SECONDS)
        writes = verify(stack.database_url, run)
        waited = drained(stack.database_url)
        lesson = world["lessons"][0]["url"]
        reader = Browser(stack.url, Recorder())
        reader.sign_in(world["residents"][0]["phone"], world["password"])
        reader.close()
        targets, saturation_cpu = saturate(
            stack.url,
            [
                ("GET /healthz", "/healthz", {}),
                ("GET lesson (anonymous)", lesson, {}),
                ("GET lesson (signed in)", lesson, reader.cookies),
            ],
            parts,
            SATURATION_SECONDS,
        )
        events = stack_events(stack)
        timings = stack.timings
    healthz = targets["GET /healthz"]["per_s"]
    result = {
        "machine": f"{os.cpu_count()} cores shared by the load generator and the whole stack",
        "stack_start_s": timings,
        "people": {"residents": RESIDENTS, "leaders": LEADERS},
        "sign_in": sign_in,
        "sign_in_cpu": sign_in_cpu,
        "seconds": SECONDS,
        "endpoints": endpoints,
        "reconnects": run.recorder.reconnects,
        "stack_events": events,
        "cpu": cpu,
        "attendance": {
            "sessions": len(run.sessions),
            "marks": len(run.marks),
            "corrections": run.corrections,
            "replays (same key)": run.replays,
            "resends (new key)": run.resends,
        },
        "writes": writes,
        "saturation": {
            "connections": SATURATION_CONNECTIONS,
            "seconds": SATURATION_SECONDS,
            "queues_drained_after_s": waited,
            "trivial_view": "/healthz, answered by the app's first middleware (no view)",
            "targets": targets,
            "cpu": saturation_cpu,
            "anonymous_lesson_to_healthz": round(targets["GET lesson (anonymous)"]["per_s"] / healthz, 3),
            "signed_in_lesson_to_healthz": round(targets["GET lesson (signed in)"]["per_s"] / healthz, 3),
            "app_cpu_per_request_healthz_to_anonymous_lesson": ratio(targets, "GET lesson (anonymous)"),
            "app_cpu_per_request_healthz_to_signed_in_lesson": ratio(targets, "GET lesson (signed in)"),
        },
        "error_samples": run.recorder.samples,
    }
    failures = [f"{total} errors in the run" for total in [endpoints["TOTAL"]["errors"]] if total]
    failures += [f"{name}: {row['errors']} errors" for name, row in targets.items() if row["errors"]]
    failures += [f"{sample}" for sample in run.recorder.samples[:5]]
    failures += [f"{name}: {row['errors']} errors" for name, row in sign_in.items() if row["errors"]]
    if sign_in["TOTAL"]["signed_in"] != RESIDENTS + LEADERS:
        failures.append(f"{sign_in['TOTAL']['signed_in']} of {RESIDENTS + LEADERS} people signed in")
    if not writes["marks sent"] == writes["marks stored"] == writes["marks stored with a sent UUID"]:
        failures.append("attendance marks: stored is not what was sent, exactly once")
    if not writes["sessions sent"] == writes["sessions stored"] == writes["sessions stored with a sent UUID"]:
        failures.append("sessions: stored is not what was sent, exactly once")
    if writes["quiz forms answered"] != writes["quiz attempts stored"]:
        failures.append("quiz attempts: not one per form answered")
    result["ok"] = not failures
    result["failures"] = failures
    report(result)
    if failures:
        results = Path(__file__).resolve().parent / "results"
        results.mkdir(exist_ok=True)
        (results / "bench_load.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        raise SystemExit("bench_load failed: " + "; ".join(failures[:3]))
    return result


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        setup(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        outcome = main()
        results = Path(__file__).resolve().parent / "results"
        results.mkdir(exist_ok=True)
        (results / "bench_load.json").write_text(json.dumps(outcome, indent=2, ensure_ascii=False))
