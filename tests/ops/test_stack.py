"""Issue 16, "Proven on this machine": the production stack on loopback (tools/stack.py: PostgreSQL,
Redis, SeaweedFS, two gunicorn app servers behind nginx, a worker per queue, the scheduler), driven
over HTTP like phones do, each request sent through nginx or straight to one app server at random.

Checks: no server error, every write exactly once (attendance marks and sessions, enrolments, lesson
progress, quiz attempts), one certificate per course finished, its PDF rendered once and the same
bytes through both app servers. Drills: the certificate worker killed in the middle of a render
(the scheduler's reclaim puts the task back, a new worker renders it); an app server killed in the
middle of an attendance sync (the phone's retry succeeds through the other, nothing doubled); Redis
stopped for a moment (pages, the API and sync still answer, /readyz says 503; nothing doubled once
it is back). ``pytest -s`` prints
the figures.
"""

import datetime
import json
import random
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import REQUIRED, _missing

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def stack():
    from django.db import connection

    from tools import stack as stack_module

    # A module fixture is set up before the autouse check of the postgres mark: check here first.
    if connection.vendor != "postgresql":
        _missing("postgres", "needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    lacking = stack_module.missing()
    if lacking:
        # CI (HOCSO_REQUIRE=…,postgres,s3) installs nginx too: there a missing piece fails the run.
        kind = "postgres" if {"postgres", "s3"} <= REQUIRED else "stack"
        _missing(kind, "the stack test needs " + ", ".join(lacking))
    with stack_module.Stack(residents=24) as running:
        yield running


class Phones:
    """Every request of the test, each sent through nginx or to one app server at random; the
    figures at the end come from here."""

    def __init__(self, stack, seed: int = 16):
        import requests

        self.stack = stack
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.routes: Counter = Counter()
        self.server_errors: list[str] = []
        self.local = threading.local()
        self.requests = requests

    def _session(self):
        if not hasattr(self.local, "session"):
            self.local.session = self.requests.Session()
        return self.local.session

    def base(self, route: str | None = None) -> str:
        with self.lock:
            route = route or self.random.choice(["nginx", "nginx", "app0", "app1"])
            self.routes[route] += 1
        return self.stack.url if route == "nginx" else self.stack.app_urls[int(route[-1])]

    def send(self, method: str, path: str, *, token=None, route=None, expect=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Token {token}"
        response = self._session().request(
            method, self.base(route) + path, headers=headers, timeout=60, **kwargs
        )
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{method} {path}: {response.status_code} {response.text[:300]}")
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: {response.status_code} {response.text[:500]}"
            )
        return response

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())


def sign_in(phones, person, password) -> str:
    response = phones.send(
        "POST", "/api/v1/auth/token/", json={"phone": person["phone"], "password": password}, expect=201
    )
    return response.json()["token"]


def batch(group, members, sessions: int, start_hours: int):
    """``sessions`` new sessions of ``group``, a mark for each member in each."""
    body = {"sessions": [], "marks": []}
    for index in range(sessions):
        session = {
            "uuid": str(uuid.uuid4()),
            "group": group["code"],
            "starts_at": (NOW - datetime.timedelta(hours=start_hours + index)).isoformat(),
            "topic": "VNeID mức 2",
        }
        body["sessions"].append(session)
        for member in members:
            body["marks"].append(
                {
                    "uuid": str(uuid.uuid4()),
                    "session": session["uuid"],
                    "member": member,
                    "status": random.choice(["present", "late", "absent", "excused"]),
                    "recorded_at": (
                        NOW - datetime.timedelta(hours=start_hours + index, minutes=-5)
                    ).isoformat(),
                    "device_id": "may-ngan-xep",
                }
            )
    return body


def sync(phones, token, body, key, **kwargs):
    return phones.send(
        "POST", "/api/v1/attendance/sync/", token=token, json=body, headers={"Idempotency-Key": key}, **kwargs
    )


class Database:
    def __init__(self, url: str):
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)

    def value(self, sql: str, *params):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            return row[0] if row else None

    def rows(self, sql: str, *params):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def logged_errors(stack) -> dict[str, int]:
    """The app servers' logged exceptions: the last line of each traceback, and where in the project's
    own code (not a library's) it was raised from."""
    import re

    found = Counter()
    for name in ("app0", "app1"):
        for line in (stack.folder / f"{name}.log").read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            trace = record.get("exc_info") or ""
            if record.get("level") != "ERROR" or not trace:
                continue
            frames = re.findall(r'File "([^"]+)", line (\d+), in (\w+)', trace)
            own = [f for f in frames if f[0].startswith(str(stack_root())) and "/.venv/" not in f[0]]
            where = (
                f"{own[-1][0].removeprefix(str(stack_root()) + '/')}:{own[-1][1]} {own[-1][2]}"
                if own
                else "?"
            )
            found[f"{trace.strip().splitlines()[-1][:100]} (from {where})"] += 1
    return dict(found)


def stack_root():
    from tools.stack import ROOT

    return ROOT


def wait_until(check, timeout: float, what: str, step: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def visitors_page_through_nginx(stack):
    """A visitor's home page as a phone gets it through nginx: compressed, without a cookie, from
    the shared page cache on one kept-alive connection, and 304 when it has not changed."""
    import http.client

    url = urlsplit(stack.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        answers, sockets = [], []
        for _ in range(2):
            connection.request("GET", "/", headers={"Accept-Encoding": "gzip"})
            answer = connection.getresponse()
            answer.read()
            answers.append(answer)
            sockets.append(connection.sock)
        first, second = answers
        assert first.status == 200 and first.getheader("Content-Encoding") == "gzip"
        assert first.getheader("Set-Cookie") is None and "Cookie" not in first.getheader("Vary", "")
        assert second.getheader("X-Page-Cache") == "hit"
        assert sockets[0] is not None and sockets[1] is sockets[0], "the connection was not kept alive"
        connection.request("GET", "/", headers={"If-None-Match": second.getheader("ETag")})
        not_modified = connection.getresponse()
        not_modified.read()
        assert not_modified.status == 304
    finally:
        connection.close()


def test_the_stack_under_the_four_flows_and_three_failures(stack):
    try:
        run(stack)
    except BaseException:
        print(stack.logs())
        raise


def run(stack):
    started = time.monotonic()
    seed, password = stack.seed, stack.seed["password"]
    phones = Phones(stack)
    db = Database(stack.database_url)
    figures: dict = {"stack start (s)": stack.timings}
    sent_marks: dict[str, str] = {}  # mark uuid -> session uuid, every mark ever sent
    sent_sessions: set[str] = set()

    def remember(body):
        sent_sessions.update(s["uuid"] for s in body["sessions"])
        sent_marks.update({m["uuid"]: m["session"] for m in body["marks"]})

    # --- Sign in: everyone, through either server --------------------------------------------------
    with ThreadPoolExecutor(4) as pool:
        resident_tokens = list(pool.map(lambda p: sign_in(phones, p, password), seed["residents"]))
    leaders = [(group, sign_in(phones, group["leader"], password)) for group in seed["groups"]]
    trainer = sign_in(phones, seed["trainer"], password)
    for path in ("/healthz", "/readyz", "/"):
        phones.send("GET", path, expect=200)
    visitors_page_through_nginx(stack)

    # --- Leaders sync attendance (with a replay and a batch sent again under a new key) ------------
    replays = 0
    for round_number in range(3):
        for group, token in leaders:
            members = [m for m in group["members"] if m != group["leader"]["id"]]
            body = batch(group, members, sessions=2, start_hours=10 + 10 * round_number)
            key = str(uuid.uuid4())
            first = sync(phones, token, body, key, expect=200)
            assert first.json()["counts"] == {"accepted": len(body["marks"]), "duplicate": 0, "rejected": 0}
            remember(body)
            again = sync(phones, token, body, key, expect=200)  # the phone never saw the answer
            assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
            replays += 1
            resent = sync(phones, token, body, str(uuid.uuid4()), expect=200)  # a new key, the same marks
            assert resent.json()["counts"] == {"accepted": 0, "duplicate": len(body["marks"]), "rejected": 0}

    # --- Residents: enrol, read, pass the quizzes; the certificate worker is stopped meanwhile -----
    stack.kill("worker-certificates", signal.SIGTERM)
    lessons = seed["lessons"]
    quiz_replays = Counter()

    def learn(index_token):
        index, token = index_token
        phones.send("GET", "/api/v1/courses/", token=token, expect=200)
        phones.send("POST", "/api/v1/enrolments/", token=token, json={"course": seed["course"]}, expect=201)
        completed = False
        for lesson in lessons:
            phones.send("GET", f"/api/v1/lessons/{lesson['id']}/", token=token, expect=200)
            body = {"submission_id": str(uuid.uuid4()), "answers": lesson["answers"]}
            result = phones.send(
                "POST", f"/api/v1/lessons/{lesson['id']}/quiz/", token=token, json=body, expect=201
            )
            assert result.json()["passed"]
            completed = result.json()["course_completed"]
            if index % 3 == 0:  # the answer was lost on the way: the phone sends it again
                replay = phones.send(
                    "POST", f"/api/v1/lessons/{lesson['id']}/quiz/", token=token, json=body, expect=200
                )
                assert replay.json()["replayed"] and replay.json()["attempt"] == result.json()["attempt"]
                quiz_replays["replays"] += 1
        assert completed
        phones.send("GET", "/api/v1/enrolments/", token=token, expect=200)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(learn, enumerate(resident_tokens)))
    residents = len(resident_tokens)
    certificates = wait_until(
        lambda: db.value("SELECT count(*) FROM certificates_certificate") == residents and residents,
        30,
        "a certificate for each resident who finished",
    )

    # --- The trainer reads the statistics; anyone verifies certificates -------------------------------
    for path in (
        "/api/v1/stats/attainment/",
        "/api/v1/stats/funnel/",
        "/api/v1/stats/activity/",
        "/api/v1/stats/profiles/",
    ):
        phones.send("GET", path, token=trainer, expect=200)
    listed = phones.send("GET", "/api/v1/certificates/", token=trainer, expect=200).json()
    serials = {}
    for index, token in enumerate(resident_tokens):
        mine = phones.send("GET", "/api/v1/certificates/", token=token, expect=200).json()["results"]
        assert len(mine) == 1
        serials[index] = mine[0]
    verified = 0
    for certificate in list(serials.values())[:12]:
        query = parse_qs(urlsplit(certificate["verify_url"]).query)
        code = query.get("code", query.get("c", [""]))[0]
        answer = phones.send(
            "GET",
            "/api/v1/certificates/verify/",
            params={"serial": certificate["serial"], "code": code},
            expect=200,
        ).json()
        assert answer.get("valid") is True or answer.get("status") == "valid", answer
        verified += 1
    assert listed["results"]

    # --- Drill (a): the certificate worker killed in the middle of a render ---------------------------
    render_sql = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s AND status = %s"
    )
    pattern = "%render_certificate%"
    ready = db.value(render_sql, pattern, "READY")
    stack.start_worker("certificates")
    running_id = wait_until(
        lambda: db.value(
            "SELECT id FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE %s AND status = 'RUNNING'",
            pattern,
        ),
        60,
        "the new worker taking a render",
        step=0.02,
    )
    stack.kill("worker-certificates", signal.SIGKILL)
    killed_at = time.monotonic()
    stuck_certificate = db.value(
        "SELECT (args_kwargs->'args'->>0)::int FROM django_tasks_database_dbtaskresult WHERE id = %s",
        running_id,
    )
    pdf_when_killed = db.value("SELECT pdf FROM certificates_certificate WHERE id = %s", stuck_certificate)
    drill_a = {
        "render tasks queued while the worker was stopped": ready,
        "killed while RUNNING": db.value(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", running_id
        ),
        "its certificate's PDF when killed": pdf_when_killed or "(none)",
    }

    # --- Drill (b): an app server killed in the middle of a sync; the phone retries ----------------
    group, token = leaders[0]
    members = [m for m in group["members"] if m != group["leader"]["id"]]
    big = batch(group, members, sessions=500 // len(members), start_hours=200)
    key = "drill-b-" + str(uuid.uuid4())
    outcome = {}

    def doomed():
        try:
            response = sync(phones, token, big, key, route="app1")
            outcome["status"] = response.status_code
        except Exception as error:
            outcome["error"] = type(error).__name__

    thread = threading.Thread(target=doomed)
    thread.start()
    wait_until(
        lambda: db.value("SELECT state FROM members_idempotencyrecord WHERE key = %s", key),
        60,
        "the big sync reaching app server 1",
        step=0.005,
    )
    state_when_killed = db.value("SELECT state FROM members_idempotencyrecord WHERE key = %s", key)
    stack.kill("app1", signal.SIGKILL)
    thread.join(60)
    session_ids = [s["uuid"] for s in big["sessions"]]
    marks_sql = (
        "SELECT count(*) FROM members_attendancemark m JOIN members_session s ON s.id = m.session_id "
        "WHERE s.uuid = ANY(%s::uuid[])"
    )
    after_kill = db.value(marks_sql, session_ids)
    retry = sync(phones, token, big, key, route="nginx")  # nginx sends it to the server still up
    assert retry.status_code == 200, retry.text[:500]
    second = sync(phones, token, big, key, route="app0", expect=200)
    assert second.headers.get("Idempotent-Replayed") == "true" and second.json() == retry.json()
    remember(big)
    assert db.value(marks_sql, session_ids) == len(big["marks"])
    drill_b = {
        "batch": f"{len(big['sessions'])} sessions, {len(big['marks'])} marks",
        "key state when killed": state_when_killed,
        "the killed request": outcome,
        "marks of the batch right after the kill": after_kill,
        "retry through nginx": f"{retry.status_code} {retry.json()['counts']}"
        + (" (replayed)" if retry.headers.get("Idempotent-Replayed") else ""),
        "marks of the batch after the retry": db.value(marks_sql, session_ids),
    }
    stack.start_app(1)
    stack.wait_app(1)

    # --- Drill (c): Redis stopped for a moment -------------------------------------------------------
    drill_c: dict = {}
    stack.kill("redis", signal.SIGKILL)
    small = batch(group, members, sessions=1, start_hours=400)
    small_key = "drill-c-" + str(uuid.uuid4())
    during = {}
    for label, method, path, kwargs in [
        ("healthz", "GET", "/healthz", {}),
        ("readyz", "GET", "/readyz", {}),
        ("home page", "GET", "/", {}),
        ("courses (token)", "GET", "/api/v1/courses/", {"token": resident_tokens[0]}),
        (
            "sign-in",
            "POST",
            "/api/v1/auth/token/",
            {"json": {"phone": seed["residents"][0]["phone"], "password": password}},
        ),
        (
            "certificate verify",
            "GET",
            "/api/v1/certificates/verify/",
            {"params": {"serial": serials[0]["serial"], "code": "ABCDEF"}},
        ),
    ]:
        before = len(phones.server_errors)
        response = phones.send(method, path, route="nginx", **kwargs)
        during[label] = response.status_code
        if response.status_code >= 500:
            during[label] = f"{response.status_code} {response.headers.get('Content-Type', '').split(';')[0]}"
        del phones.server_errors[before:]  # counted under the drill, not as errors of the flows
    try_sync = sync(phones, token, small, small_key, route="nginx")
    if try_sync.status_code >= 500:
        phones.server_errors.pop()
    during["attendance sync"] = (
        f"{try_sync.status_code} {try_sync.headers.get('Content-Type', '').split(';')[0]}"
    )
    small_sessions = [s["uuid"] for s in small["sessions"]]
    marks_during = db.value(marks_sql, small_sessions)
    processing_left = db.value("SELECT count(*) FROM members_idempotencyrecord WHERE key = %s", small_key)
    drill_c["answers while Redis was down"] = during
    drill_c["marks of the sync sent during the outage"] = marks_during
    drill_c["its idempotency key (done, kept for replays)"] = processing_left
    # Degraded, not down (ops/cache.py): everything answers as usual but /readyz, and the sync sent
    # during the outage is written once.
    answered = {label: int(str(answer).split()[0]) for label, answer in during.items()}
    assert answered == {
        "healthz": 200,
        "readyz": 503,
        "home page": 200,
        "courses (token)": 200,
        "sign-in": 201,
        "certificate verify": 200,
        "attendance sync": 200,
    }, during
    assert marks_during == len(small["marks"])
    stack.start_redis()
    after = sync(phones, token, small, small_key, route="nginx")
    assert after.status_code == 200, after.text[:500]
    remember(small)
    assert db.value(marks_sql, small_sessions) == len(small["marks"])
    drill_c["the same sync after Redis came back"] = f"{after.status_code} {after.json()['counts']}" + (
        " (replayed)" if after.headers.get("Idempotent-Replayed") else ""
    )
    sign_in(phones, seed["residents"][1], password)
    # The worker's heartbeat lived in Redis: /readyz fails until the worker beats again.
    back = time.monotonic()

    def ready():
        before = len(phones.server_errors)
        status = phones.send("GET", "/readyz", route="nginx").status_code
        del phones.server_errors[before:]  # counted under the drill
        return status == 200

    wait_until(ready, 30, "/readyz after Redis came back", step=0.25)
    drill_c["seconds until /readyz answered 200 again"] = round(time.monotonic() - back, 1)
    drill_c["what failed in the app during the outage"] = logged_errors(stack)

    # --- Drill (a), continued: a new worker, and the scheduler's reclaim ------------------------------
    stack.start_worker("certificates")
    wait_until(
        lambda: db.value("SELECT count(*) FROM certificates_certificate WHERE pdf <> ''") == certificates,
        150,
        "every certificate's PDF (the killed render reclaimed and done)",
        step=1,
    )
    drill_a["PDF of the killed render's certificate after restart"] = bool(
        db.value("SELECT pdf FROM certificates_certificate WHERE id = %s", stuck_certificate)
    )
    drill_a["seconds from the kill to every PDF"] = round(time.monotonic() - killed_at, 1)
    drill_a["the killed task now"] = db.rows(
        "SELECT status, jsonb_array_length(worker_ids::jsonb) FROM django_tasks_database_dbtaskresult"
        " WHERE id = %s",
        running_id,
    )[0]

    # --- Every PDF rendered once, downloadable through both app servers -------------------------------
    names = dict(db.rows("SELECT serial, pdf FROM certificates_certificate"))
    for index, token in enumerate(resident_tokens):
        serial = serials[index]["serial"]
        bodies = [
            phones.send(
                "GET", f"/api/v1/certificates/{serial}/pdf/", token=token, route=route, expect=200
            ).content
            for route in ("app0", "app1", "nginx")
        ]
        assert bodies[0].startswith(b"%PDF") and bodies[0] == bodies[1] == bodies[2]
    assert (
        dict(db.rows("SELECT serial, pdf FROM certificates_certificate")) == names
    )  # no render in a download
    stored = {
        item["Key"]
        for page in stack.seaweed.client()
        .get_paginator("list_objects_v2")
        .paginate(Bucket="hocso-private", Prefix="certificates/")
        for item in page.get("Contents", [])
    }
    orphans = stored - set(names.values())
    renders = Counter(
        dict(
            db.rows(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult"
                " WHERE task_path LIKE %s GROUP BY status",
                pattern,
            )
        )
    )
    drill_a["PDF files in the private bucket"] = len(stored)
    drill_a["files no certificate names (left by the killed render)"] = len(orphans)

    # --- Writes: exactly what was sent -----------------------------------------------------------------
    marks_in_db = db.value("SELECT count(*) FROM members_attendancemark")
    mark_uuids = {str(u) for (u,) in db.rows("SELECT uuid FROM members_attendancemark")}
    assert mark_uuids == set(sent_marks), "marks lost or added"
    assert marks_in_db == len(sent_marks)
    assert db.value("SELECT count(*) FROM members_session") == len(sent_sessions)
    assert (
        db.value("SELECT count(DISTINCT (session_id, member_id)) FROM members_attendancemark") == marks_in_db
    )
    enrolments = db.value("SELECT count(*) FROM members_enrolment WHERE completed_at IS NOT NULL")
    assert enrolments == residents == db.value("SELECT count(*) FROM members_enrolment")
    progress = db.value("SELECT count(*) FROM members_lessonprogress")
    assert progress == residents * len(lessons)
    attempts = db.value("SELECT count(*) FROM members_quizattempt")
    assert attempts == residents * len(lessons)
    assert certificates == db.value("SELECT count(DISTINCT holder_id) FROM certificates_certificate")
    assert not orphans or len(orphans) <= 1, f"PDF files no certificate names: {orphans}"
    assert len(stored) - len(orphans) == certificates
    # One successful render task per certificate (the killed one counted once, retried by the reclaim).
    assert renders == Counter({"SUCCESSFUL": certificates}), renders

    figures.update(
        {
            "requests sent": phones.sent,
            "by route": dict(phones.routes),
            "by status": dict(sorted(phones.statuses.items())),
            "server errors outside the drills": len(phones.server_errors),
            "writes checked": {
                "attendance marks": marks_in_db,
                "sessions": len(sent_sessions),
                "sync replays (same key)": replays,
                "enrolments": enrolments,
                "lesson progress rows": progress,
                "quiz attempts (replays not doubled)": f"{attempts} ({quiz_replays['replays']} replays)",
                "certificates": certificates,
                "render task results": dict(renders),
                "certificates verified": verified,
                "PDF downloads (both app servers and nginx)": 3 * residents,
            },
            "drill (a) worker killed mid-render": drill_a,
            "drill (b) app server killed mid-sync": drill_b,
            "drill (c) Redis stopped": drill_c,
            "test time (s)": round(time.monotonic() - started, 1),
        }
    )
    print("\n" + json.dumps(figures, indent=2, ensure_ascii=False, default=str))
    assert phones.server_errors == [], phones.server_errors
