"""The API's certificate verification follows the verify page's rules: a serial needs its check
code, unknown serials and wrong codes answer alike, codes cannot be tried at length, a QR payload
needs no code, and nothing about a holder leaks through a payload that does not verify."""

import pytest
from django.conf import settings as project_settings
from django.core.cache import cache

from certificates import payload as payloads
from certificates.models import Certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hồng Nhung"
VERIFY = "/api/v1/certificates/verify/"
EMPTY = {
    "holder_name": None,
    "achievement_code": None,
    "achievement_title": None,
    "issued_at": None,
    "issuer_name": None,
    "revoked_at": None,
    "revoked_reason": None,
    "competencies": None,
}


@pytest.fixture
def certificate(db, world):
    from learning import services
    from tests import factories
    from tests.factories import correct_answers

    user = UserFactory(full_name=NAME, village=world.resident_a.village)
    course = factories.course(lessons=1, title="Cài đặt và sử dụng VNeID", competencies=(("2.6", 2),))
    lesson = course.lessons().get()
    services.quiz_submit(
        user=user, lesson=lesson, answers=correct_answers(lesson), submission_id=factories.uuid4()
    )
    return Certificate.objects.get(holder=user)


def other_code(code: str) -> str:
    return code[::-1] if code[::-1] != code else "ABCDEF"


def test_a_serial_alone_is_asked_for_its_code_and_told_nothing(api, certificate):
    response = api().get(VERIFY, {"serial": certificate.serial})
    error = response.json()["error"]
    assert response.status_code == 400 and list(error["fields"]) == ["code"]
    assert "mã kiểm tra" in error["fields"]["code"][0] and NAME not in response.content.decode()
    assert api().get(VERIFY, {"serial": "CB-2026-999999"}).json() == response.json()
    assert api().get(VERIFY).status_code == 400


def test_the_serial_with_its_code_is_verified(api, certificate):
    data = (
        api()
        .get(VERIFY, {"serial": certificate.serial.lower(), "code": certificate.check_code.lower()})
        .json()
    )
    assert data["status"] == "valid" and data["holder_name"] == NAME and data["signature_checked"] is False
    assert data["title"] == "Chứng nhận hợp lệ" and "chưa bị thu hồi" in data["message"]


def test_an_unknown_serial_and_a_wrong_code_answer_alike(api, certificate):
    wrong = api().get(VERIFY, {"serial": certificate.serial, "code": other_code(certificate.check_code)})
    unknown = api().get(VERIFY, {"serial": "CB-2026-999999", "code": other_code(certificate.check_code)})
    assert wrong.status_code == unknown.status_code == 200
    wrong, unknown = wrong.json(), unknown.json()
    assert wrong["status"] == "no_match" and wrong == {**unknown, "serial": certificate.serial}
    assert {key: wrong[key] for key in EMPTY} == EMPTY


def test_ten_wrong_codes_lock_the_serial_for_the_day_from_that_address(api, certificate):
    cache.clear()
    wrong = {"serial": certificate.serial, "code": other_code(certificate.check_code)}
    for _ in range(project_settings.RATE_LIMITS["verify_code"][0]):
        assert api().get(VERIFY, wrong, REMOTE_ADDR="10.0.2.1").json()["status"] == "no_match"
    right = {**wrong, "code": certificate.check_code}
    assert api().get(VERIFY, right, REMOTE_ADDR="10.0.3.1").json()["status"] == "valid"  # elsewhere
    response = api().get(VERIFY, right, REMOTE_ADDR="10.0.2.1")
    error = response.json()["error"]
    assert (
        response.status_code == 429
        and error["code"] == "too_many_wrong_codes"
        and NAME not in error["message"]
    )
    assert 0 < int(response["Retry-After"]) <= 86401
    qr = payloads.to_text(bytes(certificate.payload))
    assert api().get(VERIFY, {"payload": qr}, REMOTE_ADDR="10.0.2.1").json()["status"] == "valid"


def test_lookups_are_limited_per_client_address(api, certificate):
    cache.clear()
    asked = {"serial": certificate.serial, "code": certificate.check_code}
    for _ in range(project_settings.RATE_LIMITS["verify"][0]):
        assert api().get(VERIFY, asked).status_code == 200
    response = api().get(VERIFY, asked)
    assert response.status_code == 429 and response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 61
    assert api().get(VERIFY, asked, REMOTE_ADDR="10.3.3.3").status_code == 200


def test_a_qr_payload_needs_no_code(api, certificate):
    text = payloads.qr_text("http://testserver", certificate.serial, bytes(certificate.payload))
    data = api().get(VERIFY, {"payload": text}).json()
    assert data["status"] == "valid" and data["signature_checked"] is True and data["holder_name"] == NAME


@pytest.mark.parametrize("payload", ["AAAAAAAAAAAAAAAA", "AEDG", "x"])
def test_a_payload_that_does_not_verify_tells_nothing_about_the_serial_beside_it(api, certificate, payload):
    data = api().get(VERIFY, {"serial": certificate.serial, "payload": payload}).json()
    assert data["status"] == "forged" and {key: data[key] for key in EMPTY} == EMPTY


def test_the_holder_sees_the_code_and_a_link_that_verifies(api, certificate):
    mine = api(certificate.holder).get("/api/v1/certificates/").json()["results"][0]
    assert mine["check_code"] == certificate.check_code and mine["awaits_download"] is False
    assert mine["verify_url"] == f"/v/{certificate.serial}/?code={certificate.check_code}"
