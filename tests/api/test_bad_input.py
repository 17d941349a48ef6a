"""Malformed requests found by fuzzing (tests/api/test_fuzz_schema.py), pinned here one by one: each
answers in the API's error format, or with a plain answer, never with a server error."""

import datetime
import urllib.parse
import uuid

import pytest
from django.utils import timezone

from attendance.models import Session
from tests import factories

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


# Found by fuzzing for issue 13 ------------------------------------------------------------------


@pytest.fixture
def lessons(db):
    course = factories.course(lessons=1)
    return {
        "quiz": course.lessons().first(),
        "reading": factories.course(lessons=1, questions=0).lessons().first(),
    }


def test_options_on_the_learning_actions_describes_them(api, world, lessons):
    client = api(world.resident_a)
    for path in (
        f"/api/v1/lessons/{lessons['reading'].pk}/complete/",
        f"/api/v1/lessons/{lessons['quiz'].pk}/quiz/",
        "/api/v1/sessions/",
        "/api/v1/enrolments/",
    ):
        response = client.options(path)
        assert response.status_code == 200, (path, response.content[:300])
        assert "POST" in response["Allow"] and response.json()["parses"] == ["application/json"]
        # The body a view reads is described by the schema, not guessed from the answer's serializer.
        assert "actions" not in response.json() and response.json()["schema"] == "/api/v1/schema/"
    assert_error(client.options("/api/v1/no-such-thing/"), 404)


def starts(**delta):
    return (timezone.now() + datetime.timedelta(**delta)).isoformat()


@pytest.mark.parametrize(
    "moment",
    ["0282-05-01T10:00:00Z", "1999-12-31T23:59:00+07:00", "1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z"],
)
def test_a_session_outside_the_plausible_years_is_refused_on_its_field(api, world, moment):
    client = api(world.leader_a)
    body = {"group": world.group_a.code, "starts_at": moment, "topic": "VNeID"}
    assert_error(client.post("/api/v1/sessions/", body, format="json"), 400, "starts_at")
    assert not Session.objects.exists()


def test_a_session_years_ahead_is_refused_and_one_next_month_is_shown_at_plus_seven(api, world):
    client = api(world.leader_a)
    body = {"group": world.group_a.code, "topic": "VNeID"}
    ahead = client.post("/api/v1/sessions/", {**body, "starts_at": starts(days=3 * 366)}, format="json")
    assert_error(ahead, 400, "starts_at")
    soon = client.post("/api/v1/sessions/", {**body, "starts_at": "2026-02-01T03:00:00Z"}, format="json")
    assert soon.status_code == 201, soon.content
    assert soon.json()["starts_at"] == "2026-02-01T10:00:00+07:00"


def test_every_date_input_and_filter_refuses_implausible_years(api, world):
    from members.models import Membership

    leader = api(world.leader_a)
    membership = Membership.objects.get(user=world.resident_a2)
    for left_on in (
        "0282-01-01",
        "1999-12-31",
        str(timezone.localdate().replace(year=timezone.localdate().year + 3)),
    ):
        response = leader.post(
            f"/api/v1/memberships/{membership.pk}/end/", {"left_on": left_on}, format="json"
        )
        assert_error(response, 400, "left_on")
    for name, value in (("after", "0282-01-01T00:00:00Z"), ("before", "1999-01-01T00:00:00+07:00")):
        assert_error(leader.get("/api/v1/sessions/", {name: value}), 400, name)
    assert_error(leader.get("/api/v1/sessions/", {"before": starts(days=5 * 366)}), 400, "before")
    assert leader.get("/api/v1/sessions/", {"after": "2000-01-01T00:00:00+07:00"}).status_code == 200


def sync_body(world, *moments):
    session = {
        "uuid": str(uuid.uuid4()),
        "group": world.group_a.code,
        "starts_at": starts(hours=-2),
        "topic": "VNeID",
    }
    marks = [
        {
            "uuid": str(uuid.uuid4()),
            "session": session["uuid"],
            "member": person.pk,
            "status": "present",
            "recorded_at": moment,
        }
        for person, moment in zip(
            (world.resident_a, world.resident_a2, world.deputy_a), moments, strict=False
        )
    ]
    return {"sessions": [session], "marks": marks}


def test_a_mark_stamped_by_a_phone_with_a_reset_clock_is_refused_alone(api, world):
    """A phone that lost its clock offline stamps 1970: that mark is refused with a reason the
    leader can act on, and the rest of the batch (the outbox sends it frozen) is still recorded."""
    body = sync_body(world, "1970-01-01T00:05:00Z", starts(minutes=-5), "0282-05-01T10:00:00Z")
    response = api(world.leader_a).post(
        "/api/v1/attendance/sync/", body, format="json", HTTP_IDEMPOTENCY_KEY="clock"
    )
    assert response.status_code == 200, response.content
    marks = response.json()["marks"]
    assert [(m["outcome"], m["reason"]) for m in marks] == [
        ("rejected", "clock_wrong"),
        ("accepted", ""),
        ("rejected", "clock_wrong"),
    ]
    assert "2000" in marks[0]["message"]


def test_a_session_planned_offline_for_an_implausible_year_is_refused_alone(api, world):
    body = sync_body(world, starts(minutes=-5))
    body["sessions"][0]["starts_at"] = "0282-05-01T10:00:00Z"
    response = api(world.leader_a).post(
        "/api/v1/attendance/sync/", body, format="json", HTTP_IDEMPOTENCY_KEY="year-282"
    )
    assert response.status_code == 200, response.content
    session = response.json()["sessions"][0]
    assert (session["outcome"], session["reason"]) == ("rejected", "bad_time") and session["message"]
    assert not Session.objects.exists()


def no_python_repr(body: bytes):
    for fragment in (b" object at 0x", b"OrderedDict", b"ErrorDetail", b"{'", b"[{"):
        assert fragment not in body, body[:500]


def test_a_batch_of_ten_thousand_marks_gets_one_clear_field_error(api, world):
    body = sync_body(world)
    mark = {
        "uuid": str(uuid.uuid4()),
        "session": body["sessions"][0]["uuid"],
        "member": 1,
        "status": "present",
    }
    body["marks"] = [{**mark, "recorded_at": starts()}] * 10_000
    response = api(world.leader_a).post(
        "/api/v1/attendance/sync/", body, format="json", HTTP_IDEMPOTENCY_KEY="big", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert_error(response, 400, "marks")
    assert response.json()["error"]["fields"] == {"marks": ["At most 500 marks per request."]}
    no_python_repr(response.content)


def test_errors_inside_a_list_name_the_item_and_its_field(api, world):
    body = sync_body(world, "yesterday", starts())
    body["marks"][1]["member"] = "someone"
    response = api(world.leader_a).post(
        "/api/v1/attendance/sync/", body, format="json", HTTP_IDEMPOTENCY_KEY="items"
    )
    assert_error(response, 400)
    assert set(response.json()["error"]["fields"]) == {"marks[0].recorded_at", "marks[1].member"}
    no_python_repr(response.content)
    quiz = api(world.resident_a).post(
        "/api/v1/lessons/1/quiz/", {"submission_id": "x", "answers": {"q": ["a"]}}, format="json"
    )
    assert quiz.status_code in (400, 404)
    no_python_repr(quiz.content)


@pytest.mark.parametrize(("language", "word"), [("vi", "quá lớn"), ("en", "too large")])
def test_a_body_over_the_limit_is_a_json_413_in_the_callers_language(api, world, language, word):
    body = b'{"marks": [' + b" " * (20 * 1024 * 1024) + b"]}"  # 20 MB; the limit is Django's 2.5 MB
    for path, headers in (
        ("/api/v1/attendance/sync/", {"HTTP_IDEMPOTENCY_KEY": "huge"}),
        ("/api/v1/sessions/", {}),
        ("/api/v1/auth/token/", {}),
    ):
        response = api(world.leader_a).generic(
            "POST", path, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language, **headers
        )
        assert response["Content-Type"] == "application/json", response.content[:200]
        assert_error(response, 413)
        assert word in response.json()["error"]["message"].lower()
        assert response.json()["error"]["code"] == "too_large"


def test_asking_for_html_gets_a_json_406_that_says_why(api, world):
    response = api(world.leader_a).get("/api/v1/me/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en")
    assert_error(response, 406)
    assert "application/json" in response.json()["error"]["message"]


def test_a_body_that_is_not_json_is_a_json_400(api, world):
    response = api(world.leader_a).generic(
        "POST", "/api/v1/sessions/", b'{"group": ', content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert_error(response, 400)
    assert response.json()["error"]["code"] == "parse_error"
    assert "JSON" in response.json()["error"]["message"]


@pytest.fixture
def server(settings):
    """A client that gets the server's answer to an exception instead of the exception."""
    from django.test import Client

    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_an_unexpected_error_under_the_api_is_a_json_500_without_a_trace(server, world, monkeypatch):
    from api.views import auth

    def broken(user):
        raise RuntimeError("the disk is on fire at <object at 0x1>")

    monkeypatch.setattr(auth, "me_data", broken)
    server.force_login(world.resident_a)
    response = server.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Type"] == "application/json"
    assert_error(response, 500)
    error = response.json()["error"]
    assert error["code"] == "server_error" and len(error["id"]) == 12
    assert b"fire" not in response.content and b"Traceback" not in response.content


def test_addresses_under_the_api_that_django_itself_refuses_answer_json(server):
    for path, status in (("/api/v2/lessons", 404), ("/api/v2/lessons/", 404), ("/api/", 404)):
        response = server.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response["Content-Type"] == "application/json", (path, response.content[:200])
        assert_error(response, status)
    response = server.get("/api/v1/me/", HTTP_HOST="evil.example")
    assert response["Content-Type"] == "application/json"
    assert_error(response, 400)
    assert server.get("/no-such-page/").get("Content-Type", "").startswith("text/html")


def test_a_time_a_view_hands_over_unserialised_is_shown_at_plus_seven_too(api, world):
    """The token's expiry came out in UTC ("…Z"), unlike every other time of the API."""
    response = api().post(
        "/api/v1/auth/token/",
        {"phone": world.resident_a.phone, "password": factories.PASSWORD},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["expiry"].endswith("+07:00"), response.json()["expiry"]
