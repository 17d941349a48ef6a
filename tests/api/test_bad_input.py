"""Malformed requests found by fuzzing (tests/api/test_fuzz_schema.py), pinned here one by one: each
answers in the API's error format, or with a plain answer, never with a server error."""

import datetime
import urllib.parse
import uuid

import pytest
from django.utils import timezone

from members.models import Session

pytestmark = pytest.mark.django_db


def assert_error(response, status, field=None):
    assert response.status_code == status, response.content[:300]
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    if field:
        assert field in error["fields"], error


def test_sign_in_with_a_json_list_instead_of_an_object(api):
    assert_error(api().post("/api/v1/auth/token/", ["0912345678"], format="json"), 400)


def test_a_serial_with_a_nul_byte_names_no_certificate(api):
    response = api().get("/api/v1/certificates/verify/", {"serial": "CB-2026\x00-000001", "code": "ABCDEF"})
    assert_error(response, 400, "serial")
    response = api().get("/api/v1/certificates/verify/", {"serial": "CB-2026-000001", "code": "ABC\x00EF"})
    assert_error(response, 400, "code")


def test_a_code_with_a_nul_byte_or_an_id_too_large_is_not_found(api, world):
    client = api(world.trainer)
    for path in (
        "groups/01477%00/",
        "communes/01477%00/",
        "competency-frameworks/TT02%00/",
        "members/99999999999/",
        "courses/99999999999/",
        "lessons/abc/",
    ):
        assert_error(client.get("/api/v1/" + path), 404)


def test_unknown_addresses_answer_a_json_404_signed_in_or_not(api, world):
    assert_error(api().get("/api/v1/nothing/here/"), 404)
    assert_error(api(world.trainer).post("/api/v1/nothing/", {}, format="json"), 404)
    assert api().get("/api/v1/me").status_code == 301  # the slash is still added for old clients


def test_numbers_out_of_range_are_refused_by_field(api, world):
    client = api(world.resident_a)
    assert_error(client.post("/api/v1/enrolments/", {"course": 2**40}, format="json"), 400, "course")
    assert_error(client.get("/api/v1/attendance/marks/", {"member": 2**40}), 400, "member")


def test_session_filters_accept_any_offset_and_refuse_impossible_instants(api, world):
    starts = timezone.now().replace(microsecond=0) - datetime.timedelta(days=1)
    Session.objects.create(uuid=uuid.uuid4(), group=world.group_a, starts_at=starts, topic="VNeID")
    client = api(world.leader_a)
    # +23:00 is valid ISO 8601 that PostgreSQL would refuse as an offset: it is turned into UTC first.
    before = (starts + datetime.timedelta(hours=23, minutes=1)).astimezone(
        datetime.timezone(datetime.timedelta(hours=23))
    )
    response = client.get("/api/v1/sessions/?" + urllib.parse.urlencode({"before": before.isoformat()}))
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    response = client.get("/api/v1/sessions/?" + urllib.parse.urlencode({"after": before.isoformat()}))
    assert response.status_code == 200 and response.json()["results"] == []
    assert_error(client.get("/api/v1/sessions/", {"after": "0001-01-01T00:00:00+01:00"}), 400, "after")
