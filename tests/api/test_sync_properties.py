"""Offline attendance sync as a property: whatever the order, the losses and the retries.

Two phones of group A (the leader's and the deputy's) take attendance offline for a few members at
one to three sessions planned offline. Each phone keeps an outbox of frozen batches. Hypothesis
draws a schedule: which batch goes next (any of either outbox), through the HTTP endpoint with an
Idempotency-Key or straight through the service, whether the response is lost (the phone sends the
same batch again, under the same key or a new one), network duplicates (a replay), a server process
that died mid-request and left its key "processing" (the retry under that key takes it over), and a
key reused with another body (422). (A copy still in flight, 409, needs a second connection: see
test_sync_concurrency.py on PostgreSQL.) After every schedule:

(a) every mark made exists exactly once, as it was made;
(b) the current statuses are those of the one rule, ``current_marks``, applied to the marks as made;
(c) the final state equals that of the same marks delivered in a canonical order to a fresh state;
(d) each mark was "accepted" by exactly one response and "duplicate" in every other one.

Each example runs in a savepoint that is rolled back, so examples never see each other.
"""

import datetime
import uuid
import zoneinfo
from dataclasses import dataclass, field, replace

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from api.idempotency import _hash
from api.models import IdempotencyRecord
from attendance.models import AttendanceMark, Session
from attendance.selectors import current_marks, current_statuses
from attendance.services import attendance_sync
from members.models import Membership
from tests.api.conftest import sync_inputs

pytestmark = pytest.mark.django_db

URL = "/api/v1/attendance/sync/"
SCOPE = "attendance.sync"
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
STATUSES = ["present", "late", "excused", "absent"]
MAX_STEPS = 10


@dataclass(frozen=True)
class MarkSpec:
    uuid: uuid.UUID
    device: int
    session: int  # index into the example's sessions (taken modulo their number)
    member: int  # index into Setup.members
    status: str
    minute: int  # few distinct minutes, so that ties on recorded_at are common
    half: bool  # plus half a second: microseconds must survive the round trip
    local: bool  # sent with +07:00 rather than UTC: the same instant either way


@dataclass
class Batch:
    device: int
    marks: list[MarkSpec]  # in the (shuffled) order they are sent
    body: dict
    key: str


@dataclass
class Setup:
    group: object
    devices: list  # users: the leader's phone and the deputy's phone
    clients: list
    members: list
    base: datetime.datetime


@dataclass
class Log:
    """What the test saw: the server's answers, to check them against each other."""

    keys: int = 0
    in_db: set = field(default_factory=set)  # mark UUIDs the server has, as far as the test knows
    sessions_in_db: set = field(default_factory=set)
    accepted: dict = field(default_factory=dict)  # mark UUID → how many responses said "accepted"
    session_accepted: dict = field(default_factory=dict)
    stored: dict = field(default_factory=dict)  # (device, key) → the first 200 body, for replays
    sent: list = field(default_factory=list)  # (device, key, body) that got a 200
    http: int = 0

    def new_key(self) -> str:
        self.keys += 1
        return f"key-{self.keys}"


marks_strategy = st.lists(
    st.builds(
        MarkSpec,
        uuid=st.uuids(),
        device=st.integers(0, 1),
        session=st.integers(0, 2),
        member=st.integers(0, 2),
        status=st.sampled_from(STATUSES),
        minute=st.integers(0, 2),
        half=st.booleans(),
        local=st.booleans(),
    ),
    min_size=2,
    max_size=14,
    unique_by=lambda mark: mark.uuid,
)


@pytest.fixture
def setup(world, api):
    group = world.group_a
    # Sessions start a little before now: on a day everyone of the group was already a member.
    Membership.objects.filter(group=group).update(joined_on=datetime.date(2024, 1, 1))
    devices = [world.leader_a, world.deputy_a]
    return Setup(
        group=group,
        devices=devices,
        clients=[api(user) for user in devices],
        members=[world.resident_a, world.resident_a2, world.deputy_a],
        base=timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=30),
    )


# Building batches -------------------------------------------------------------------------------


def recorded_at(setup: Setup, mark: MarkSpec) -> datetime.datetime:
    return setup.base + datetime.timedelta(minutes=mark.minute, microseconds=500_000 * mark.half)


def session_json(setup: Setup, sessions, index: int) -> dict:
    return {
        "uuid": str(sessions[index]),
        "group": setup.group.code,
        "starts_at": (setup.base - datetime.timedelta(hours=index)).isoformat(),
        "topic": f"Buổi {index + 1}: VNeID mức 2",
        "place": "Nhà văn hóa",
    }


def mark_json(setup: Setup, sessions, mark: MarkSpec) -> dict:
    when = recorded_at(setup, mark).astimezone(LOCAL if mark.local else datetime.UTC)
    return {
        "uuid": str(mark.uuid),
        "session": str(sessions[mark.session]),
        "member": setup.members[mark.member].pk,
        "status": mark.status,
        "recorded_at": when.isoformat(),
        "device_id": f"may-{mark.device}",
    }


def batch_body(setup: Setup, sessions, marks: list[MarkSpec]) -> dict:
    used = sorted({mark.session for mark in marks})
    return {
        "sessions": [session_json(setup, sessions, index) for index in used],
        "marks": [mark_json(setup, sessions, mark) for mark in marks],
    }


def through_service(setup: Setup, device: int, body: dict):
    """The same batch handed to the service, as the view would after parsing it."""
    return attendance_sync(user=setup.devices[device], **sync_inputs(body))


# Talking to the server --------------------------------------------------------------------------


def check_fresh_result(log: Log, body: dict, sessions: list[dict], marks: list[dict]) -> None:
    """(d) for one response that did the work: outcomes in the batch's order, accepted ⇔ new."""
    assert [o["uuid"] for o in sessions] == [s["uuid"] for s in body["sessions"]]
    assert [o["uuid"] for o in marks] == [m["uuid"] for m in body["marks"]]
    for outcome in sessions:
        key = uuid.UUID(outcome["uuid"])
        expected = "duplicate" if key in log.sessions_in_db else "accepted"
        assert (outcome["outcome"], outcome["reason"]) == (expected, ""), outcome
        log.sessions_in_db.add(key)
        log.session_accepted[key] = log.session_accepted.get(key, 0) + (expected == "accepted")
    for outcome in marks:
        key = uuid.UUID(outcome["uuid"])
        expected = "duplicate" if key in log.in_db else "accepted"
        assert (outcome["outcome"], outcome["reason"]) == (expected, ""), outcome
        log.in_db.add(key)
        log.accepted[key] = log.accepted.get(key, 0) + (expected == "accepted")


def post(setup: Setup, log: Log, device: int, key: str, body: dict):
    log.http += 1
    return setup.clients[device].post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def send_http(setup: Setup, log: Log, device: int, key: str, body: dict) -> None:
    """One delivery that must end in a 200: fresh work, or the stored answer replayed."""
    response = post(setup, log, device, key, body)
    assert response.status_code == 200, response.content
    data = response.json()
    if (device, key) in log.stored:
        assert response["Idempotent-Replayed"] == "true"
        assert data == log.stored[(device, key)]
        event("replayed a stored response")
        return
    assert "Idempotent-Replayed" not in response
    check_fresh_result(log, body, data["sessions"], data["marks"])
    assert data["counts"] == {
        "accepted": sum(o["outcome"] == "accepted" for o in data["marks"]),
        "duplicate": sum(o["outcome"] == "duplicate" for o in data["marks"]),
        "rejected": 0,
    }
    log.stored[(device, key)] = data
    log.sent.append((device, key, body))
    record = IdempotencyRecord.objects.get(user=setup.devices[device], scope=SCOPE, key=key)
    assert (record.state, record.response_status, record.response_body) == ("done", 200, data)


def send_service(setup: Setup, log: Log, device: int, body: dict) -> None:
    result = through_service(setup, device, body)
    check_fresh_result(
        log,
        body,
        [{"uuid": str(o.uuid), "outcome": o.outcome, "reason": o.reason} for o in result.sessions],
        [{"uuid": str(o.uuid), "outcome": o.outcome, "reason": o.reason} for o in result.marks],
    )


def unchanged(before: int) -> None:
    assert AttendanceMark.objects.count() == before


# The state that counts --------------------------------------------------------------------------


def snapshot(sessions) -> tuple[dict, dict]:
    marks = AttendanceMark.objects.filter(session__uuid__in=sessions).select_related("session")
    kept = {
        m.uuid: (m.session.uuid, m.member_id, m.status, m.recorded_at, m.recorded_by_id, m.device_id)
        for m in marks
    }
    by_pk = {s.pk: s.uuid for s in Session.objects.filter(uuid__in=sessions)}
    current = {
        (by_pk[session_id], member_id): mark.uuid
        for (session_id, member_id), mark in current_statuses(list(by_pk)).items()
    }
    return kept, current


@dataclass(frozen=True)
class Made:
    """A mark as the phone made it, in the shape ``current_marks`` reads."""

    session_id: uuid.UUID
    member_id: int
    recorded_at: datetime.datetime
    uuid: uuid.UUID


def expected_state(setup: Setup, sessions, marks: list[MarkSpec]) -> tuple[dict, dict]:
    kept, made = {}, []
    for mark in marks:
        when = recorded_at(setup, mark)
        member = setup.members[mark.member].pk
        kept[mark.uuid] = (
            sessions[mark.session],
            member,
            mark.status,
            when,
            setup.devices[mark.device].pk,
            f"may-{mark.device}",
        )
        made.append(Made(sessions[mark.session], member, when, mark.uuid))
    # The rule in its one home (itself held to the written rule in tests/attendance/test_attendance_rule.py),
    # applied to the marks as made: the server must agree with it after any schedule.
    return kept, {key: mark.uuid for key, mark in current_marks(made).items()}


# The property -----------------------------------------------------------------------------------


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_schedule_of_losses_retries_and_reorderings_converges(setup, data):
    count = data.draw(st.integers(1, 3), label="sessions")
    sessions = data.draw(st.lists(st.uuids(), min_size=count, max_size=count, unique=True), label="uuids")
    marks = [replace(m, session=m.session % count) for m in data.draw(marks_strategy, label="marks")]
    log = Log()

    # Each phone freezes its marks (in the order it made them) into batches, shuffled inside.
    outbox: list[Batch] = []
    for device in (0, 1):
        own = [mark for mark in marks if mark.device == device]
        while own:
            size = data.draw(st.integers(1, len(own)), label=f"batch size (phone {device})")
            chunk = data.draw(st.permutations(own[:size]), label="order in batch")
            own = own[size:]
            outbox.append(Batch(device, chunk, batch_body(setup, sessions, chunk), log.new_key()))
    edited = {(m.session, m.member) for m in marks if m.device == 0} & {
        (m.session, m.member) for m in marks if m.device == 1
    }
    if edited:
        event("both phones marked the same person")

    with transaction.atomic():
        steps = data.draw(st.integers(0, MAX_STEPS), label="steps")
        for _ in range(steps):
            if not outbox:
                break
            batch = outbox[data.draw(st.integers(0, len(outbox) - 1), label="batch")]
            actions = ["http", "http new key", "service", "died in flight"]
            if log.sent:
                actions += ["network duplicate", "key reused"]
            action = data.draw(st.sampled_from(actions), label="action")
            event(f"action: {action}")
            before = AttendanceMark.objects.count()
            lost = False
            if action in ("http", "http new key"):
                if action == "http new key":
                    batch.key = log.new_key()
                send_http(setup, log, batch.device, batch.key, batch.body)
                lost = data.draw(st.booleans(), label="response lost")
            elif action == "service":
                send_service(setup, log, batch.device, batch.body)
                lost = data.draw(st.booleans(), label="response lost")
            elif action == "died in flight":
                # A server process took the batch under a fresh key and died: its transaction was
                # rolled back and its key left "processing", unlocked. The phone got no answer; its
                # next try under this key (a later step, or the flush) does the work.
                batch.key = log.new_key()
                IdempotencyRecord.objects.create(
                    user=setup.devices[batch.device],
                    scope=SCOPE,
                    key=batch.key,
                    request_hash=_hash(batch.body),
                )
                unchanged(before)
                lost = True
            elif action == "network duplicate":
                device, key, body = log.sent[data.draw(st.integers(0, len(log.sent) - 1), label="sent")]
                send_http(setup, log, device, key, body)
                unchanged(before)
                lost = True  # not an answer to this batch
            else:  # a key already used, with another body
                device, key, body = log.sent[data.draw(st.integers(0, len(log.sent) - 1), label="sent")]
                other = {"sessions": body["sessions"], "marks": body["marks"][:-1]}
                response = post(setup, log, device, key, other)
                assert response.status_code == 422, response.content
                assert response.json()["error"]["code"] == "idempotency_key_reused"
                unchanged(before)
                lost = True
            if not lost:
                outbox.remove(batch)

        # Whatever is left, each phone sends again under its current key until it gets an answer.
        while outbox:
            batch = outbox.pop(data.draw(st.integers(0, len(outbox) - 1), label="flush"))
            send_http(setup, log, batch.device, batch.key, batch.body)

        # (d) across all responses: each mark and each session accepted exactly once.
        assert log.accepted == {mark.uuid: 1 for mark in marks}
        assert log.session_accepted == dict.fromkeys({sessions[m.session] for m in marks}, 1)
        # (a) and (b): every mark once, as made; the current statuses by the one rule.
        final = snapshot(sessions)
        expected = expected_state(setup, sessions, marks)
        assert final[0] == expected[0]
        assert AttendanceMark.objects.filter(uuid__in=[m.uuid for m in marks]).count() == len(marks)
        assert final[1] == expected[1]
        # The same through the API a phone reads.
        for session in {sessions[m.session] for m in marks}:
            answer = setup.clients[0].get(f"/api/v1/sessions/{session}/attendance/").json()
            assert {(session, row["member"]): uuid.UUID(row["mark"]) for row in answer} == {
                key: value for key, value in expected[1].items() if key[0] == session
            }
        event(f"http requests: {min(log.http, 10) // 5 * 5}+")
        transaction.set_rollback(True)

    # (c) the same marks delivered once, in a canonical order, to the state before the schedule.
    assert not AttendanceMark.objects.filter(uuid__in=[m.uuid for m in marks]).exists()
    with transaction.atomic():
        for device in (0, 1):
            own = sorted((m for m in marks if m.device == device), key=lambda m: str(m.uuid))
            if own:
                result = through_service(setup, device, batch_body(setup, sessions, own))
                assert {o.outcome for o in result.marks} == {"accepted"}
        assert snapshot(sessions) == final
        transaction.set_rollback(True)
