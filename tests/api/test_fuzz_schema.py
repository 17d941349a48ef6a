"""Schemathesis fuzzes the REST API against its own OpenAPI schema, in process (no server, no network).

The schema is the one /api/v1/schema/ serves (drf-spectacular, built in the request). For every
operation Hypothesis generates a bounded number of requests that follow the schema (positive) and
of requests that break it (negative), from a fixed seed, then Schemathesis's coverage phase adds
its deterministic edge cases; as a provincial trainer (the widest read scope), as a group leader
(who writes: sessions, attendance sync) and as a resident (who learns: enrolments, quizzes). Path
parameters are random or real (a course, a lesson, a certificate... that exist), and the writes
also get bodies shaped like a real client's, so that the 2xx answers are checked too, not only the
4xx. Signing out (DELETE auth/token/) is fuzzed with a throwaway token, never the fuzzer's own.

Every answer must be: no server error, a documented status code, a documented content type, and a
body that matches the documented schema (the response checks; see CHECKS); and (body_problems) an
error in the one error format without a Python repr in it, every time in Vietnam's +07:00. The
request-side check ``negative_data_rejection`` is left out on purpose: DRF and django-filter ignore
an unusable ``page_size`` or an empty filter by design, so it would only report that leniency.

A second test asks every GET operation once, with real objects, as every persona (one member and
one group without a village among the data, for the nulls), and holds the answers to the same checks.

Run one persona with ``-k leader``; ``FUZZ_EXAMPLES=100`` fuzzes harder (default 20 per operation
and mode). A failure lists each problem once: the check, the server's exception and the line of our
code it came from, and a curl command that reproduces it. Works on SQLite and PostgreSQL alike.
"""

import contextlib
import datetime
import itertools
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
import zlib
from collections import Counter

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from attendance.services import MarkInput, SessionInput, attendance_sync
from certificates.models import Certificate
from courses.models import CompetencyFramework, CompetencyProfile
from learning import services
from members.models import Membership
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SCHEMA_URL = "/api/v1/schema/"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))  # per operation, per generation mode
COVERAGE_CASES = EXAMPLES  # at most, of the coverage phase's, per operation and generation mode
MIN_OPERATIONS = 30  # 39 today: fewer means the schema did not load whole
MIN_REQUESTS_PER_OPERATION = 10  # on average: the floor that shows the fuzzing really ran
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SYNC = "POST /api/v1/attendance/sync/"
# What a Python object looks like when it leaks into an error: an ErrorDetail's, a dict's, any object's.
REPRS = re.compile(r" object at 0x|OrderedDict\(|ErrorDetail\(|<class '")
DATETIME = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d")
# Throttled per address: the cache is emptied before each of these requests, so that every
# generated request reaches the view instead of a 429 (the throttle itself is tested in test_auth).
THROTTLED = {"POST /api/v1/auth/token/", "GET /api/v1/certificates/verify/"}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def body_problems(response) -> list[str]:
    """What the schema cannot say: errors in the one format, no Python reprs, times at +07:00."""
    content_type = (response.headers.get("content-type") or [""])[0]  # lowercase keys, lists of values
    if not content_type.startswith("application/json"):
        return [f"an error that is not JSON: {content_type}"] if response.status_code >= 400 else []
    text = response.content.decode()
    body = json.loads(text) if text else None
    problems = []
    if response.status_code >= 400:
        problems += [f"a Python repr: {match.group()!r} in {text[:200]}" for match in REPRS.finditer(text)][
            :1
        ]
        error = body.get("error") if isinstance(body, dict) else None
        if not (
            isinstance(error, dict) and error.get("status") == response.status_code and error.get("message")
        ):
            problems.append(f"not the error format: {text[:200]}")
    # A JSON-LD document (the Open Badges credential) keeps its standard's UTC times: it is signed.
    linked_data = isinstance(body, dict) and "@context" in body
    times = [] if linked_data else [value for value in _strings(body) if DATETIME.match(value)]
    wrong = [value for value in times if not value.endswith("+07:00")]
    if wrong:
        problems.append(("time_not_in_vietnam", wrong[0]))
    return problems


class CountingApp:
    """Django's WSGI application that counts requests and answers per operation, and keeps
    pytest-django's transaction open (as Django's test client does, no request closes the
    database connection)."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.operation = "schema"
        self.requests = Counter()
        self.statuses = Counter()
        self.errors = []

    def __call__(self, environ, start_response):
        operation = self.operation
        self.requests[operation] += 1
        failed = []

        def start(status, headers, exc_info=None):
            self.statuses[operation, int(status[:3])] += 1
            failed.append(status.startswith("5"))
            return start_response(status, headers, exc_info)

        # Each request in a savepoint: a failed query aborts PostgreSQL's transaction, and without
        # this every later request of the test would fail too ("current transaction is aborted").
        savepoint = transaction.savepoint()
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            if any(failed):
                transaction.savepoint_rollback(savepoint)
            else:
                transaction.savepoint_commit(savepoint)

    def record_exception(self, sender, **kwargs):
        """got_request_exception: the exception and the last line of our code it went through."""
        _type, error, trace = sys.exc_info()
        base = str(django_settings.BASE_DIR)
        ours = [
            f
            for f in traceback.extract_tb(trace)
            if f.filename.startswith(base) and "/.venv/" not in f.filename
        ]
        where = f" at {os.path.relpath(ours[-1].filename, base)}:{ours[-1].lineno}" if ours else ""
        self.errors.append(f"{type(error).__name__}: {error}{where}")


@pytest.fixture
def app():
    application = CountingApp()
    got_request_exception.connect(application.record_exception)
    # Each server error is reported once, by the test: not as a traceback per request on stderr.
    request_log = logging.getLogger("django.request")
    request_log.disabled = True
    yield application
    request_log.disabled = False
    got_request_exception.disconnect(application.record_exception)


@pytest.fixture
def data(world):
    """Real objects to aim at: a course two people completed (so certificates), a session, marks;
    and the nulls the schema must allow: a member without a village, a group without one."""
    nomad = factories.UserFactory(village=None)
    factories.MembershipFactory(user=nomad, group=world.group_a)
    factories.CommunityGroupFactory(village=None, commune=world.commune_x)
    course = factories.course(lessons=2)
    lessons = list(course.lessons())
    for person in (world.resident_a, world.leader_a):
        for lesson in lessons:
            services.quiz_submit(
                user=person,
                lesson=lesson,
                answers=factories.correct_answers(lesson),
                submission_id=factories.uuid4(),
            )
    now = timezone.now()
    session = uuid.uuid4()
    attendance_sync(
        user=world.leader_a,
        sessions=[SessionInput(session, world.group_a.code, now - datetime.timedelta(hours=2), "VNeID", "")],
        marks=[
            MarkInput(uuid.uuid4(), session, world.resident_a.pk, "present", now, "may-1"),
        ],
    )
    return {
        "world": world,
        "people": {
            **{name: user for name, user in vars(world).items() if hasattr(user, "phone")},
            "nomad": nomad,
        },
        "course": course.pk,
        "lesson": lessons[0].pk,
        "questions": [question.id for question in lessons[0].questions],
        "serial": Certificate.objects.get(holder=world.leader_a).serial,
        "session": str(session),
        "group": world.group_a.code,
        "commune": world.commune_x.code,
        "framework": CompetencyFramework.objects.order_by("code").first().code,
        "profile": CompetencyProfile.objects.order_by("code").first().code,
        "member": world.resident_a.pk,
        "membership": Membership.objects.get(user=world.resident_a2).pk,
    }


REAL_PATH_PARAMETERS = {
    ("/api/v1/certificates/", "serial"): "serial",
    ("/api/v1/sessions/", "uuid"): "session",
    ("/api/v1/communes/", "code"): "commune",
    ("/api/v1/groups/", "code"): "group",
    ("/api/v1/competency-frameworks/", "code"): "framework",
    ("/api/v1/competency-profiles/", "code"): "profile",
    ("/api/v1/courses/", "id"): "course",
    ("/api/v1/lessons/", "id"): "lesson",
    ("/api/v1/members/", "id"): "member",
    ("/api/v1/memberships/", "id"): "membership",
}


REAL_QUERIES = {
    "GET /api/v1/certificates/verify/": lambda data: {
        "serial": data["serial"],
        "code": Certificate.objects.get(serial=data["serial"]).check_code,
    },
}


def real_path_parameters(operation, data) -> dict:
    return {
        name: data[key]
        for (prefix, name), key in REAL_PATH_PARAMETERS.items()
        if operation.path.startswith(prefix) and name in operation.path_parameters
    }


def client_bodies(data, user) -> dict:
    """Bodies like the apps send (valid shapes, real references, odd text): the 2xx paths."""
    world = data["world"]
    moment = st.datetimes(
        min_value=datetime.datetime(2025, 1, 1), max_value=datetime.datetime(2027, 12, 31)
    ).map(lambda value: value.replace(tzinfo=datetime.UTC).isoformat())
    group = st.sampled_from([data["group"], world.group_c.code])
    people = st.sampled_from([world.resident_a.pk, world.resident_a2.pk, world.resident_c.pk, user.pk])
    status = st.sampled_from(["present", "late", "excused", "absent", "asleep"])
    session = st.fixed_dictionaries(
        {"uuid": st.uuids().map(str), "group": group, "starts_at": moment, "topic": st.text(min_size=1)},
        optional={"place": st.text(max_size=150)},
    )
    mark = st.fixed_dictionaries(
        {
            "uuid": st.uuids().map(str),
            "session": st.just(data["session"]),
            "member": people,
            "status": status,
            "recorded_at": moment,
        },
        optional={"device_id": st.text(max_size=64)},
    )
    return {
        SYNC: st.fixed_dictionaries(
            {"sessions": st.lists(session, max_size=2), "marks": st.lists(mark, max_size=4)}
        ),
        "POST /api/v1/sessions/": session,
        "POST /api/v1/enrolments/": st.fixed_dictionaries({"course": st.just(data["course"])}),
        "POST /api/v1/groups/{code}/memberships/": st.fixed_dictionaries(
            {
                "phone": st.from_regex(r"\A0(3[2-9]|9[0-8])[0-9]{7}\Z"),
                "full_name": st.text(min_size=1, max_size=150),
                "role": st.sampled_from(["member", "deputy", "leader"]),
                "consent": st.booleans(),
            }
        ),
        "POST /api/v1/lessons/{id}/quiz/": st.fixed_dictionaries(
            {
                "submission_id": st.uuids().map(str),
                "answers": st.one_of(
                    # Every question answered once, as the app sends it: scored, a 201.
                    st.fixed_dictionaries(
                        {
                            question: st.lists(st.integers(0, 2), min_size=1, max_size=1)
                            for question in data["questions"]
                        }
                    ),
                    st.dictionaries(
                        st.sampled_from(data["questions"]),
                        st.lists(st.integers(min_value=0, max_value=4), max_size=3),
                    ),
                ),
            }
        ),
        "POST /api/v1/memberships/{id}/end/": st.fixed_dictionaries(
            {},
            optional={"left_on": st.dates(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)).map(str)},
        ),
        "POST /api/v1/certificates/{serial}/revoke/": st.fixed_dictionaries(
            {"reason": st.text(max_size=255)}
        ),
        "POST /api/v1/auth/token/": st.fixed_dictionaries(
            {
                "phone": st.sampled_from([user.phone, "0" + user.phone[3:], user.phone[1:]]),
                "password": st.sampled_from([factories.PASSWORD, factories.PASSWORD.upper()]),
            }
        ),
    }


def with_body(pair):
    case, body = pair
    case.body = body
    return case


class Fuzzer:
    """Runs Schemathesis's cases for one persona and keeps the first example of each problem."""

    def __init__(self, app, persona, data):
        self.app, self.persona, self.data = app, persona, data
        self.user = user = data["people"][persona]
        _instance, self.token = AuthToken.objects.create(user=user)
        self.bodies = client_bodies(data, user)
        self.problems = {}

    def strategy(self, operation, mode):
        real = real_path_parameters(operation, self.data)
        strategies = [operation.as_strategy(generation_mode=mode)]
        if real:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=real))
            # The same with a NUL byte, which Schemathesis never puts in a path: PostgreSQL refuses it.
            nul = {name: f"{value}\x00" for name, value in real.items() if isinstance(value, str)}
            if nul:
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=real | nul))
        body = self.bodies.get(operation.label)
        if body is not None and mode is GenerationMode.POSITIVE:
            cases = operation.as_strategy(generation_mode=mode, path_parameters=real or None)
            strategies.append(st.tuples(cases, body).map(with_body))
        return st.one_of(strategies)

    def call(self, operation, mode, case):
        label = operation.label
        headers = {"Authorization": f"Token {self.token}"}
        if label == SYNC and mode is GenerationMode.POSITIVE:
            # A fresh key each time: a generated key that repeats would only ever get 422.
            case.headers = {**(case.headers or {}), "Idempotency-Key": str(uuid.uuid4())}
        if case.method.upper() == "DELETE" and operation.path == "/api/v1/auth/token/":
            # Signing out deletes the token: give it a throwaway one.
            headers["Authorization"] = f"Token {AuthToken.objects.create(user=self.user)[1]}"
        if label in THROTTLED:
            cache.clear()
        self.app.operation = label
        self.app.errors.clear()
        response = case.call(headers=headers)
        found = body_problems(response)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            found += [(failure.code, f"{failure.title}\n{failure.message}") for failure in group.exceptions]
        for code, problem in found:
            # A 500 is also an undocumented status code: report it once.
            key = (label, response.status_code, "5xx" if response.status_code >= 500 else code)
            if key not in self.problems:
                curl = case.as_curl_command(headers={"Authorization": "Token <token>"})
                self.problems[key] = (problem, curl, self.app.errors[-1:])

    def run(self, operation, mode):
        # A fixed seed per persona, operation and mode: the same requests on every run, whatever else
        # changes in this file (derandomize=True would seed every operation alike, from fuzz's source).
        @seed(zlib.crc32(f"{self.persona} {operation.label} {mode.value}".encode()))
        @given(case=self.strategy(operation, mode))
        @hypothesis_settings(
            max_examples=EXAMPLES,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],  # problems are collected as they come, not shrunk
        )
        def fuzz(case):
            self.call(operation, mode, case)

        with contextlib.suppress(Unsatisfiable):  # negative mode, and nothing here can be made invalid
            fuzz()
        # Schemathesis's coverage phase: deterministic edge cases (boundaries, each parameter and the
        # body of the wrong type, missing required values) that random generation may never draw.
        schema = operation.schema
        cases = schema.iter_coverage_cases(
            operation,
            generation_modes=[mode],
            generation_config=schema.config.generation_for(operation=operation),
        )
        for case in itertools.islice(cases, COVERAGE_CASES):
            self.call(operation, mode, case)

    def report(self) -> str:
        lines = []
        for (label, status, code), (problem, curl, errors) in self.problems.items():
            lines.append(f"- {label} → {status}: {code}")
            if status < 500:
                lines += [f"    {line}" for line in problem.strip().splitlines() if line.strip()]
            lines += [f"    server: {error}" for error in errors]
            lines.append(f"    {curl[:400]}{'…' if len(curl) > 400 else ''}")
        return "\n".join(lines)


REACHED = {
    "trainer": {SYNC, "POST /api/v1/sessions/", "GET /api/v1/me/"},
    "leader_a": {SYNC, "POST /api/v1/sessions/", "GET /api/v1/me/"},
    "resident_a": {"POST /api/v1/enrolments/", "POST /api/v1/lessons/{id}/quiz/", "GET /api/v1/me/"},
}


@pytest.mark.parametrize("persona", list(REACHED))
def test_the_api_keeps_its_schema_under_fuzzing(app, data, persona, capsys):
    started = time.monotonic()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app)
    schema.config.generation.update(with_security_parameters=False)  # our token, not random ones
    schema.config.output.sanitization.update(enabled=False)  # show parameters named "session" in curl
    fuzzer = Fuzzer(app, persona, data)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Ending a membership may end the persona's own leadership (a random id can be theirs): fuzz it
    # last, so that the writes that need that leadership (sessions, attendance) are reached whatever
    # ids the other operations draw.
    operations.sort(key=lambda operation: operation.label.endswith("/end/"))
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzzer.run(operation, mode)

    requests = sum(count for label, count in app.requests.items() if label != "schema")
    answered_2xx = {label for (label, status), _n in app.statuses.items() if 200 <= status < 300}
    with capsys.disabled():
        print(
            f"\n[schemathesis {schemathesis.__version__}] {persona}: {len(operations)} operations, "
            f"{requests} requests, {len(answered_2xx)} operations answered 2xx, "
            f"{len(fuzzer.problems)} problems, {time.monotonic() - started:.1f}s"
        )
    assert len(operations) >= MIN_OPERATIONS, [op.label for op in operations]
    assert not [op.label for op in operations if not app.requests[op.label]], "operations never called"
    assert requests >= MIN_REQUESTS_PER_OPERATION * len(operations), app.requests
    # The realistic bodies do reach the writes: attendance is recorded, sessions are created, a
    # resident enrols and answers a quiz.
    missing = REACHED[persona] - answered_2xx
    assert not missing, {key: n for key, n in app.statuses.items() if key[0] in missing}
    if fuzzer.problems:
        pytest.fail(f"{len(fuzzer.problems)} problems as {persona}:\n{fuzzer.report()}", pytrace=False)


GET_PERSONAS = ["anonymous", "nomad", "resident_a", "leader_a", "officer_x", "trainer", "admin"]


@pytest.mark.parametrize("persona", GET_PERSONAS)
def test_every_get_answers_as_its_schema_says_for_every_persona(app, data, persona):
    """Not fuzzed: every GET operation once, with the real objects in its path, as each persona (the
    nomad has no village: nulls where the schema promised strings once broke it). The real answers,
    2xx and 4xx alike, must pass the response checks and body_problems."""
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app)
    user = data["people"].get(persona)
    headers = {"Authorization": f"Token {AuthToken.objects.create(user=user)[1]}"} if user else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    gets = [operation for operation in operations if operation.method.upper() == "GET"]
    problems, statuses = [], Counter()
    for operation in gets:
        path_parameters = real_path_parameters(operation, data)
        assert set(path_parameters) == {p.name for p in operation.path_parameters}, operation.label
        # The register answers a serial only with the check code printed beside it.
        query = REAL_QUERIES.get(operation.label, lambda data: None)(data)
        case = operation.Case(path_parameters=path_parameters, query=query)
        if operation.label in THROTTLED:
            cache.clear()
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        found = [f"{code}: {seen}" for code, seen in body_problems(response)]
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            found += [f"{failure.title}: {failure.message}" for failure in group.exceptions]
        problems += [f"{operation.label} → {response.status_code}: {problem}" for problem in found]
    assert len(gets) >= 25, [operation.label for operation in gets]
    if persona in ("trainer", "admin"):
        assert statuses[200] == len(gets), statuses  # the widest scope: every answer is a real one
    assert not problems, "\n".join(problems)
