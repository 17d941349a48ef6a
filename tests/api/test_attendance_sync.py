import datetime
import uuid

import pytest
from django.utils import timezone

from attendance.models import AttendanceMark, Session
from members.models import AuditEvent
from members.services import membership_end

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


def session_data(group, **extra):
    return {
        "uuid": str(uuid.uuid4()),
        "group": group.code,
        "starts_at": (NOW - datetime.timedelta(hours=2)).isoformat(),
        "topic": "VNeID mức 2",
        **extra,
    }


def mark(session, member, status="present", minutes=0, **extra):
    return {
        "uuid": str(uuid.uuid4()),
        "session": session["uuid"],
        "member": member.pk,
        "status": status,
        "recorded_at": (NOW - datetime.timedelta(hours=1, minutes=-minutes)).isoformat(),
        "device_id": "may-1",
        **extra,
    }


def post(client, body, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/attendance/sync/", body, format="json", **headers)


def test_a_batch_with_a_new_session_is_accepted_mark_by_mark(api, world):
    session = session_data(world.group_a)
    marks = [mark(session, world.resident_a), mark(session, world.resident_a2, "late")]
    response = post(api(world.leader_a), {"sessions": [session], "marks": marks})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["counts"] == {"accepted": 2, "duplicate": 0, "rejected": 0}
    assert [m["outcome"] for m in body["marks"]] == ["accepted", "accepted"]
    assert Session.objects.get(uuid=session["uuid"]).group == world.group_a
    assert AttendanceMark.objects.count() == 2
    assert AuditEvent.objects.filter(action="attendance.sync", actor=world.leader_a).count() == 1


def test_the_idempotency_key_rules(api, world):
    client = api(world.leader_a)
    session = session_data(world.group_a)
    body = {"sessions": [session], "marks": [mark(session, world.resident_a)]}
    missing = post(client, body, key=None)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "idempotency_key_required"
    first = post(client, body)
    replay = post(client, body)
    assert (
        replay.status_code == 200
        and replay.json() == first.json()
        and replay["Idempotent-Replayed"] == "true"
    )
    changed = post(client, {**body, "marks": [mark(session, world.resident_a2)]})
    assert changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency_key_reused"
    assert AttendanceMark.objects.count() == 1


def test_a_key_left_processing_by_a_request_that_died_is_taken_over_at_once(api, world):
    """A server process died mid-sync: its transaction was rolled back (no marks), its key was left
    "processing" and nobody holds it any more. The phone's retry does the work now, once."""
    from api.idempotency import _hash
    from api.models import IdempotencyRecord

    client = api(world.leader_a)
    session = session_data(world.group_a)
    body = {"sessions": [session], "marks": [mark(session, world.resident_a)]}
    IdempotencyRecord.objects.create(
        user=world.leader_a, scope="attendance.sync", key="died", request_hash=_hash(body)
    )
    response = post(client, body, key="died")
    assert response.status_code == 200, response.content
    assert response.json()["counts"] == {"accepted": 1, "duplicate": 0, "rejected": 0}
    again = post(client, body, key="died")
    assert again["Idempotent-Replayed"] == "true" and again.json() == response.json()
    assert AttendanceMark.objects.count() == 1
    assert IdempotencyRecord.objects.get(key="died").state == "done"


def test_a_request_that_fails_frees_its_key_for_a_corrected_one(api, world):
    client = api(world.leader_a)
    session = session_data(world.group_a)
    broken = {"sessions": [session], "marks": [mark(session, world.resident_a, recorded_at="soon")]}
    assert post(client, broken, key="fix").status_code == 400
    fixed = {"sessions": [session], "marks": [mark(session, world.resident_a)]}
    response = post(client, fixed, key="fix")
    assert response.status_code == 200 and response.json()["counts"]["accepted"] == 1


def test_a_replayed_batch_under_a_new_key_changes_nothing(api, world):
    client = api(world.leader_a)
    session = session_data(world.group_a)
    body = {
        "sessions": [session],
        "marks": [mark(session, world.resident_a), mark(session, world.resident_a2)],
    }
    post(client, body, key="first")
    again = post(client, body, key="second").json()
    assert again["counts"] == {"accepted": 0, "duplicate": 2, "rejected": 0}
    assert [s["outcome"] for s in again["sessions"]] == ["duplicate"]
    assert AttendanceMark.objects.count() == 2


def test_one_bad_mark_never_sinks_the_others(api, world):
    left = world.resident_a2.memberships.get()
    left.joined_on = datetime.date(2025, 5, 1)
    left.save()
    membership_end(membership=left, left_on=NOW.date() - datetime.timedelta(days=30))
    session = session_data(world.group_a)
    marks = [
        mark(session, world.resident_a),
        mark(session, world.resident_a2),  # left the group before the session
        mark(session, world.resident_c),  # another group's member
        mark(session, world.resident_a, status="asleep"),
        mark(session, world.resident_a, minutes=60 * 48),  # recorded two days in the future
        {**mark(session, world.resident_a), "session": str(uuid.uuid4())},  # an unknown session
    ]
    body = post(api(world.leader_a), {"sessions": [session], "marks": marks}).json()
    assert [(m["outcome"], m["reason"]) for m in body["marks"]] == [
        ("accepted", ""),
        ("rejected", "not_on_roster"),
        ("rejected", "not_on_roster"),
        ("rejected", "bad_status"),
        ("rejected", "in_the_future"),
        ("rejected", "unknown_session"),
    ]
    assert "thành viên của tổ" in body["marks"][1]["message"]
    assert AttendanceMark.objects.count() == 1


def test_a_leader_cannot_record_for_another_group(api, world):
    session = session_data(world.group_b)
    body = post(
        api(world.leader_a), {"sessions": [session], "marks": [mark(session, world.resident_b)]}
    ).json()
    assert body["sessions"][0] == {
        "uuid": session["uuid"],
        "outcome": "rejected",
        "reason": "not_allowed",
        "message": body["sessions"][0]["message"],
    }
    assert body["marks"][0]["reason"] == "unknown_session"
    assert not Session.objects.exists()


def test_an_officer_records_for_a_group_of_their_commune(api, world):
    session = session_data(world.group_b)
    body = post(
        api(world.officer_x), {"sessions": [session], "marks": [mark(session, world.resident_b)]}
    ).json()
    assert body["counts"]["accepted"] == 1
    body = post(api(world.officer_y), {"marks": [mark(session, world.resident_b)]}, key="y").json()
    assert body["marks"][0]["reason"] == "not_allowed"


def test_the_current_status_is_the_mark_recorded_last_whatever_arrived_last(api, world):
    client = api(world.leader_a)
    session = session_data(world.group_a)
    later = mark(session, world.resident_a, "late", minutes=10)
    earlier = mark(session, world.resident_a, "absent", minutes=0)
    post(client, {"sessions": [session], "marks": [later]}, key="a")
    post(client, {"marks": [earlier]}, key="b")  # arrives last, was recorded first
    current = client.get(f"/api/v1/sessions/{session['uuid']}/attendance/").json()
    assert current == [
        {
            "member": world.resident_a.pk,
            "status": "late",
            "recorded_at": current[0]["recorded_at"],
            "mark": later["uuid"],
        }
    ]
    assert AttendanceMark.objects.count() == 2  # every mark is kept


def test_more_than_500_marks_is_refused(api, world):
    session = session_data(world.group_a)
    marks = [mark(session, world.resident_a) for _ in range(501)]
    response = post(api(world.leader_a), {"sessions": [session], "marks": marks})
    assert response.status_code == 400 and "marks" in response.json()["error"]["fields"]


def test_queries_per_batch_do_not_grow_with_its_size(api, world, django_assert_max_num_queries):
    from tests.factories import MembershipFactory, UserFactory

    people = [world.resident_a, world.resident_a2]
    for _ in range(48):
        person = UserFactory(village=world.group_a.village)
        MembershipFactory(user=person, group=world.group_a)
        people.append(person)
    client = api(world.leader_a)
    post(client, {"marks": []}, key="warm-up")  # the token's expiry is refreshed once, on first use
    counts = []
    for size, key in ((5, "small"), (50, "large")):
        session = session_data(world.group_a)
        body = {"sessions": [session], "marks": [mark(session, people[i % len(people)]) for i in range(size)]}
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert post(client, body, key=key).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_keys_are_kept_30_days_then_forgotten(api, world):
    from django.core.management import call_command

    from api.models import IdempotencyRecord

    post(api(world.leader_a), {"marks": []}, key="old")
    record = IdempotencyRecord.objects.get(key="old")
    record.created_at = timezone.now() - datetime.timedelta(days=29)
    record.save()
    call_command("purge_idempotency_keys", stdout=__import__("io").StringIO())
    assert IdempotencyRecord.objects.filter(key="old").exists()
    record.created_at = timezone.now() - datetime.timedelta(days=31)
    record.save()
    call_command("purge_idempotency_keys", stdout=__import__("io").StringIO())
    assert not IdempotencyRecord.objects.filter(key="old").exists()


def test_marks_for_a_session_that_has_not_started_are_refused_one_by_one(api, world):
    """A meeting planned ten days ahead may be sent with the batch; marks for it are refused, each
    with its reason, and the others are kept. A replay changes nothing."""
    client = api(world.leader_a)
    held = session_data(world.group_a)
    planned = session_data(world.group_a, starts_at=(NOW + datetime.timedelta(days=10)).isoformat())
    marks = [mark(held, world.resident_a), mark(planned, world.resident_a), mark(held, world.resident_a2)]
    body = {"sessions": [held, planned], "marks": marks}
    first = post(client, body).json()
    assert [s["outcome"] for s in first["sessions"]] == ["accepted", "accepted"]
    assert [m["outcome"] for m in first["marks"]] == ["accepted", "rejected", "accepted"]
    refused = first["marks"][1]
    assert refused["reason"] == "not_started"
    assert refused["message"].startswith("Buổi sinh hoạt chưa bắt đầu")
    assert AttendanceMark.objects.count() == 2
    assert post(client, body).json() == first
    again = post(client, body, key="k-2").json()
    assert [m["outcome"] for m in again["marks"]] == ["duplicate", "rejected", "duplicate"]
    assert AttendanceMark.objects.count() == 2


@pytest.mark.parametrize("minutes, outcome", [(14, "accepted"), (16, "rejected")])
def test_a_session_may_be_marked_from_a_quarter_of_an_hour_before_it_starts(api, world, minutes, outcome):
    client = api(world.leader_a)
    starts = timezone.now() + datetime.timedelta(minutes=minutes)
    planned = session_data(world.group_a, starts_at=starts.isoformat())
    recorded = {"recorded_at": timezone.now().isoformat()}
    body = {"sessions": [planned], "marks": [mark(planned, world.resident_a, **recorded)]}
    assert post(client, body).json()["marks"][0]["outcome"] == outcome
