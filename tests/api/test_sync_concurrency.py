"""Attendance sync under real concurrency (PostgreSQL, real threads, one connection each).

A phone whose answers get lost sends the same batch again and again, sometimes while the first copy
is still being processed. Whatever the interleaving, every mark is stored once and is "accepted" by
exactly one response.
"""

import datetime
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from api.idempotency import _hash
from api.models import IdempotencyRecord
from attendance.models import AttendanceMark, Session
from attendance.services import attendance_sync
from members.models import Membership, User
from tests.api.conftest import sync_inputs
from tests.concurrency import run_together
from tests.factories import CommunityGroupFactory, UserFactory

pytestmark = pytest.mark.postgres
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)

URL = "/api/v1/attendance/sync/"
THREADS = 20
MEMBERS = 25
MARKS_EACH = 20  # 25 members × 20 marks (each at its own minute) = 500 marks, the most a batch may hold
STATUSES = ["present", "late", "excused", "absent"]
_phones = itertools.count(1)


def group_with_members(count=MEMBERS):
    """A group, its leader and ``count`` members (created in bulk: a few queries, whatever ``count``)."""
    group = CommunityGroupFactory()
    leader = UserFactory(village=group.village)
    now = timezone.now()
    people = User.objects.bulk_create(
        [
            User(
                phone=f"+8497{next(_phones):07d}",
                full_name=f"Hoàng Văn Thử {n}",
                village=group.village,
                consent_at=now,
                password="!",  # unusable: they never sign in here
            )
            for n in range(count)
        ]
    )
    joined = datetime.date(2024, 1, 1)
    Membership.objects.bulk_create(
        [Membership(user=leader, group=group, role=Membership.Role.LEADER, joined_on=joined)]
        + [Membership(user=person, group=group, joined_on=joined) for person in people]
    )
    return group, leader, people


def batch(group, people, marks_each=MARKS_EACH):
    """One session planned offline and ``marks_each`` marks for each person, as a phone sends them."""
    base = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    session = {
        "uuid": str(uuid.uuid4()),
        "group": group.code,
        "starts_at": (base - datetime.timedelta(hours=1)).isoformat(),
        "topic": "Dịch vụ công trực tuyến",
        "place": "Nhà văn hóa",
    }
    marks = [
        {
            "uuid": str(uuid.uuid4()),
            "session": session["uuid"],
            "member": person.pk,
            "status": STATUSES[(i + j) % len(STATUSES)],
            "recorded_at": (base + datetime.timedelta(minutes=j)).isoformat(),
            "device_id": "may-truong-to",
        }
        for i, person in enumerate(people)
        for j in range(marks_each)
    ]
    return {"sessions": [session], "marks": marks}


def clients_for(user, count=THREADS):
    """``count`` phones (or retries) of one leader, each with its own token."""
    clients = []
    for _ in range(count):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
        clients.append(client)
    return clients


def post_all(clients, bodies, keys):
    def work(index):
        response = clients[index].post(URL, bodies[index], format="json", HTTP_IDEMPOTENCY_KEY=keys[index])
        replayed = response.get("Idempotent-Replayed") == "true"
        return response.status_code, replayed, response.json()

    return run_together(THREADS, work)


def mark_outcomes(results) -> dict[str, Counter]:
    """For each mark, how many fresh (not replayed) 200 responses gave each outcome."""
    outcomes: dict[str, Counter] = {}
    for status, replayed, body in results:
        if status == 200 and not replayed:
            for outcome in body["marks"]:
                outcomes.setdefault(outcome["uuid"], Counter())[outcome["outcome"]] += 1
    return outcomes


@transactional
def test_twenty_copies_of_one_batch_under_different_keys_store_each_mark_once():
    group, leader, people = group_with_members()
    body = batch(group, people)
    assert len(body["marks"]) == 500
    results, errors = post_all(clients_for(leader), [body] * THREADS, [f"k-{i}" for i in range(THREADS)])

    assert not errors, errors
    assert sorted(status for status, _replayed, _body in results) == [200] * THREADS
    assert AttendanceMark.objects.count() == 500
    assert Session.objects.filter(group=group).count() == 1
    outcomes = mark_outcomes(results)
    assert set(outcomes) == {mark["uuid"] for mark in body["marks"]}
    assert {uuid: dict(counts) for uuid, counts in outcomes.items()} == {
        mark["uuid"]: {"accepted": 1, "duplicate": THREADS - 1} for mark in body["marks"]
    }


@transactional
def test_twenty_copies_of_a_new_session_say_accepted_once():
    """The session is created once (the unique UUID decides); only that request may say so."""
    group, leader, people = group_with_members(5)
    body = batch(group, people, marks_each=1)
    results, errors = post_all(clients_for(leader), [body] * THREADS, [f"k-{i}" for i in range(THREADS)])

    assert not errors, errors
    assert Session.objects.filter(group=group).count() == 1
    assert {uuid: counts["accepted"] for uuid, counts in mark_outcomes(results).items()} == {
        mark["uuid"]: 1 for mark in body["marks"]
    }
    sessions = Counter(answer["sessions"][0]["outcome"] for _s, _r, answer in results)
    assert sessions == {"accepted": 1, "duplicate": THREADS - 1}, sessions


@transactional
def test_twenty_copies_of_one_batch_under_one_key_do_the_work_once():
    group, leader, people = group_with_members()
    body = batch(group, people)
    results, errors = post_all(clients_for(leader), [body] * THREADS, ["same-key"] * THREADS)

    assert not errors, errors
    statuses = Counter("replayed" if replayed else status for status, replayed, _body in results)
    assert statuses[200] == 1, statuses
    assert set(statuses) <= {200, 409, "replayed"}, statuses
    fresh = next(body for status, replayed, body in results if status == 200 and not replayed)
    assert fresh["counts"] == {"accepted": 500, "duplicate": 0, "rejected": 0}
    for status, replayed, answer in results:
        if replayed:
            assert (status, answer) == (200, fresh)
        elif status == 409:
            assert answer["error"]["code"] == "in_progress"
    assert AttendanceMark.objects.count() == 500
    record = IdempotencyRecord.objects.get(user=leader, key="same-key")
    assert (record.state, record.response_body) == ("done", fresh)


@transactional
def test_twenty_copies_in_different_orders_store_each_mark_once():
    """A phone re-freezes its outbox in another order and sends it again while the first is running:
    concurrent transactions then insert the same rows in different orders. (With threads the GIL
    staggers the INSERTs, so this rarely overlaps them: it guards the outcomes, it cannot prove the
    absence of a deadlock between worker processes.)"""
    group, leader, people = group_with_members()
    body = batch(group, people)
    # The session is already known (sent with an earlier batch): nothing serialises the inserts.
    first = clients_for(leader, 1)[0].post(
        URL, {**body, "marks": body["marks"][:1]}, format="json", HTTP_IDEMPOTENCY_KEY="session"
    )
    assert first.status_code == 200 and first.json()["counts"]["accepted"] == 1
    shuffle = random.Random(20_260_101).shuffle
    bodies = []
    for _ in range(THREADS):
        marks = list(body["marks"])
        shuffle(marks)
        bodies.append({**body, "marks": marks})
    results, errors = post_all(clients_for(leader), bodies, [f"k-{i}" for i in range(THREADS)])

    assert not errors, errors
    assert sorted(status for status, _replayed, _body in results) == [200] * THREADS
    assert AttendanceMark.objects.count() == 500
    assert {uuid: counts["accepted"] for uuid, counts in mark_outcomes(results).items()} == {
        mark["uuid"]: 1 for mark in body["marks"][1:]
    } | {body["marks"][0]["uuid"]: 0}


@pytest.mark.django_db
def test_the_queries_per_batch_do_not_depend_on_its_size():
    group, leader, people = group_with_members()
    attendance_sync(user=leader, **sync_inputs(batch(group, people[:1], marks_each=1)))  # warm-up
    counts = {}
    for size in (10, 500):
        body = batch(group, people)
        body["marks"] = body["marks"][:size]
        with CaptureQueriesContext(connection) as queries:
            result = attendance_sync(user=leader, **sync_inputs(body))
        assert result.counts() == {"accepted": size, "duplicate": 0, "rejected": 0}
        counts[size] = len(queries)
    assert counts[10] == counts[500], counts


@transactional
def test_twenty_retries_of_a_key_a_dead_request_left_do_the_work_once():
    """A request died and left its key "processing", unlocked: the retries that arrive together take
    it over at once (no timeout to wait out), and only one of them does the work."""
    group, leader, people = group_with_members()
    body = batch(group, people)
    IdempotencyRecord.objects.create(
        user=leader, scope="attendance.sync", key="died", request_hash=_hash(body)
    )
    results, errors = post_all(clients_for(leader), [body] * THREADS, ["died"] * THREADS)

    assert not errors, errors
    statuses = Counter("replayed" if replayed else status for status, replayed, _body in results)
    assert AttendanceMark.objects.count() == 500
    assert set(statuses) <= {200, 409, "replayed"}, statuses
    assert {uuid: counts["accepted"] for uuid, counts in mark_outcomes(results).items()} == {
        mark["uuid"]: 1 for mark in body["marks"]
    }
    assert statuses[200] == 1, statuses  # the key promises the work is done once


def database_url() -> str:
    """The test database, for another process."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@transactional
def test_a_server_process_killed_mid_sync_frees_its_key_for_the_retry_at_once(tmp_path):
    """A real process takes the batch, writes its 500 marks and is killed with SIGKILL before it
    commits. While it lives, the same key answers 409 and nothing is visible; once it is dead, the
    phone's retry with the same key is accepted at once, and every mark is stored exactly once."""
    group, leader, people = group_with_members()
    body = batch(group, people)
    (tmp_path / "body.json").write_text(json.dumps(body), encoding="utf-8")
    token = AuthToken.objects.create(user=leader)[1]
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.api.dying_worker", token, "killed", str(tmp_path / "body.json")],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "lms.settings.test"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "working", "the worker never reached the sync"
        record = IdempotencyRecord.objects.get(user=leader, key="killed")
        assert record.state == "processing"
        phone = clients_for(leader, 1)[0]
        twin = phone.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="killed")
        assert twin.status_code == 409 and twin.json()["error"]["code"] == "in_progress"
        assert AttendanceMark.objects.count() == 0  # written, not committed
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL
    # PostgreSQL notices the closed connection, rolls the transaction back and frees the row: waiting
    # for that lock is the only wait, no timer.
    with transaction.atomic():
        assert IdempotencyRecord.objects.select_for_update().get(pk=record.pk).state == "processing"

    retry = phone.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="killed")
    assert retry.status_code == 200, retry.content
    assert "Idempotent-Replayed" not in retry
    assert retry.json()["counts"] == {"accepted": 500, "duplicate": 0, "rejected": 0}
    assert [s["outcome"] for s in retry.json()["sessions"]] == ["accepted"]
    assert AttendanceMark.objects.count() == 500 and Session.objects.filter(group=group).count() == 1
    again = phone.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="killed")
    assert again["Idempotent-Replayed"] == "true" and again.json() == retry.json()
