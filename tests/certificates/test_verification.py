"""The public register cannot be walked: a serial typed by hand shows nothing until its check code
matches, unknown serials and wrong codes look alike, codes cannot be tried at length; the QR address
still answers on its own, and its verdicts never read as valid when they are not."""

import re

import pytest
from django.conf import settings as project_settings
from django.core.cache import cache

from certificates import payload as payloads
from certificates import services, verification
from certificates.models import CHECK_CODE_ALPHABET, Certificate
from certificates.verification import Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hồng Nhung"


@pytest.fixture
def certificate(completed, world):
    user, _course = completed(UserFactory(full_name=NAME, village=world.resident_a.village))
    return Certificate.objects.get(holder=user)


def qr_path(certificate, payload: bytes | None = None) -> str:
    text = payloads.qr_text("http://testserver", certificate.serial, payload or bytes(certificate.payload))
    return text.split("TESTSERVER", 1)[1]


def wrong_code(certificate) -> str:
    return "".join(
        CHECK_CODE_ALPHABET[(CHECK_CODE_ALPHABET.index(c) + 1) % 31] for c in certificate.check_code
    )


def page(response) -> str:
    """The page's main content, without the CSRF-free but per-request parts that may differ."""
    body = response.content.decode()
    return re.search(r"<main id=\"main\">(.*)</main>", body, re.S).group(1)


def test_check_codes_are_six_unambiguous_characters_and_differ(completed):
    codes = [Certificate.objects.get(holder=completed()[0]).check_code for _ in range(4)]
    assert all(len(code) == 6 and not set(code) & set("01OIL") for code in codes)
    assert len(set(codes)) == 4


def test_a_serial_typed_alone_shows_a_form_and_nothing_about_the_certificate(client, certificate):
    response = client.get(f"/v/{certificate.serial}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert NAME not in body and certificate.achievement_title not in body and "hợp lệ" not in body
    assert '<form method="get"' in body and 'name="code"' in body
    assert f'value="{certificate.serial}"' in body  # the number is kept in the form to be corrected


@pytest.mark.parametrize("typed", ["CB-2026-999999", "cb-2026-999999", "ABC", "x" * 40])
def test_an_unknown_serial_looks_exactly_like_a_known_one(client, certificate, typed):
    known = client.get(f"/v/{certificate.serial}/", {"code": wrong_code(certificate)})
    unknown = client.get(f"/v/{typed}/", {"code": wrong_code(certificate)})
    assert known.status_code == unknown.status_code == 200
    known_page = page(known).replace(certificate.serial, "<serial>")
    unknown_page = page(unknown).replace(typed, "<serial>")  # the form keeps what was typed
    assert known_page == unknown_page
    assert "Số chứng nhận và mã kiểm tra này không khớp nhau" in known_page and NAME not in known_page
    # The same without a code: the form, and nothing else.
    assert page(client.get(f"/v/{certificate.serial}/")).replace(certificate.serial, "<serial>") == page(
        client.get("/v/CB-2026-999999/")
    ).replace("CB-2026-999999", "<serial>")


@pytest.mark.parametrize(
    ("typed", "status"), [("CB-2026-00000%00", 200), ("%F0%9F%98%80", 200), ("a" * 41, 404)]
)
def test_an_address_no_serial_could_have_names_no_one(client, certificate, typed, status):
    """Odd characters get the code form back; an address too long for any serial is not found."""
    response = client.get(f"/v/{typed}/", {"code": certificate.check_code})
    body = response.content.decode()
    assert response.status_code == status and NAME not in body
    assert ('name="serial"' in body) == (status == 200)


def test_a_serial_no_register_could_hold_gets_the_form_again(client, certificate):
    """Typed in the form: a NUL byte, an emoji or 41 characters never reach the database."""
    for typed in ("CB-2026-00000\x00", "😀", "a" * 41):
        response = client.get("/v/", {"serial": typed, "code": certificate.check_code})
        assert response.status_code == 200 and 'name="serial"' in response.content.decode()
        assert NAME not in response.content.decode()


def test_right_codes_do_not_use_up_the_days_wrong_ones(client, certificate):
    """An employer may check the same paper many times a day: only wrong codes count."""
    cache.clear()
    for _ in range(project_settings.RATE_LIMITS["verify_code"][0] * 2):
        body = client.get(f"/v/{certificate.serial}/", {"code": certificate.check_code}).content.decode()
        assert "Chứng nhận hợp lệ" in body
    for _ in range(project_settings.RATE_LIMITS["verify_code"][0]):
        assert client.get(f"/v/{certificate.serial}/", {"code": wrong_code(certificate)}).status_code == 200
    assert client.get(f"/v/{certificate.serial}/", {"code": certificate.check_code}).status_code == 429


@pytest.mark.parametrize(
    "typed", ["{code}", "{lower}", "{half} {rest}", "{half}-{rest}", " {code} "], ids=str
)
def test_the_right_code_as_people_type_it_shows_the_certificate(client, certificate, typed):
    code = certificate.check_code
    text = typed.format(code=code, lower=code.lower(), half=code[:3], rest=code[3:])
    body = client.get(f"/v/{certificate.serial.lower()}/", {"code": text}).content.decode()
    assert "Chứng nhận hợp lệ" in body and NAME in body and certificate.achievement_title in body


def test_the_lookup_page_takes_both_number_and_code(client, certificate):
    assert 'name="serial"' in client.get("/v/").content.decode()
    body = client.get("/v/", {"serial": certificate.serial, "code": certificate.check_code}).content.decode()
    assert "Chứng nhận hợp lệ" in body and NAME in body


def test_a_malformed_code_is_explained_and_not_counted(client, certificate):
    cache.clear()
    for _ in range(project_settings.RATE_LIMITS["verify_code"][0] + 2):
        body = client.get(f"/v/{certificate.serial}/", {"code": "12"}).content.decode()
        assert "Mã kiểm tra gồm 6 chữ và số" in body and NAME not in body
    assert (
        "Chứng nhận hợp lệ"
        in client.get(f"/v/{certificate.serial}/", {"code": certificate.check_code}).content.decode()
    )


def test_ten_wrong_codes_lock_the_serial_for_that_address_only(client, certificate):
    """Whoever types wrong codes uses up their own tries, not the holder's: one connection cannot
    lock a serial for everyone (serials are sequential: it could lock them all)."""
    cache.clear()
    for _ in range(project_settings.RATE_LIMITS["verify_code"][0]):
        response = client.get(
            f"/v/{certificate.serial}/", {"code": wrong_code(certificate)}, REMOTE_ADDR="10.0.0.1"
        )
        assert response.status_code == 200
    refused = client.get(
        f"/v/{certificate.serial}/", {"code": certificate.check_code}, REMOTE_ADDR="10.0.0.1"
    )
    body = refused.content.decode()
    assert refused.status_code == 429 and NAME not in body
    assert "quá nhiều lần nhập sai mã kiểm tra" in body and 0 < int(refused["Retry-After"]) <= 86401
    # An employer elsewhere still checks the paper; the QR address answers everyone (it needs no code).
    elsewhere = client.get(
        f"/v/{certificate.serial}/", {"code": certificate.check_code}, REMOTE_ADDR="10.7.7.7"
    )
    assert "Chứng nhận hợp lệ" in elsewhere.content.decode()
    assert "Chứng nhận hợp lệ" in client.get(qr_path(certificate), REMOTE_ADDR="10.0.0.1").content.decode()


def test_wrong_codes_from_many_addresses_lock_the_serial_for_the_day(client, certificate):
    """Guessing from many addresses is bounded too: the serial's ceiling counts every address."""
    cache.clear()
    per_address = project_settings.RATE_LIMITS["verify_code"][0]
    ceiling = project_settings.RATE_LIMITS["verify_code_serial"][0]
    for attempt in range(ceiling):
        address = f"10.1.{attempt // per_address}.1"
        response = client.get(
            f"/v/{certificate.serial}/", {"code": wrong_code(certificate)}, REMOTE_ADDR=address
        )
        assert response.status_code == 200
    refused = client.get(
        f"/v/{certificate.serial}/", {"code": certificate.check_code}, REMOTE_ADDR="10.9.9.9"
    )
    assert refused.status_code == 429 and NAME not in refused.content.decode()
    assert "Chứng nhận hợp lệ" in client.get(qr_path(certificate), REMOTE_ADDR="10.9.9.9").content.decode()


def test_an_unknown_serial_is_locked_the_same_way(client, certificate):
    cache.clear()
    for _ in range(project_settings.RATE_LIMITS["verify_code"][0]):
        assert client.get("/v/CB-2026-999999/", {"code": "ABCDEF"}).status_code == 200
    assert client.get("/v/CB-2026-999999/", {"code": "ABCDEF"}).status_code == 429
    assert client.get(f"/v/{certificate.serial}/", {"code": certificate.check_code}).status_code == 200


def test_the_qr_address_needs_no_code(client, certificate):
    body = client.get(qr_path(certificate)).content.decode()
    assert "Chứng nhận hợp lệ" in body and NAME in body and "Chữ ký số trong mã QR là thật." in body


@pytest.mark.parametrize(
    "tail",
    ["A", "AEDGGY", "AEDGGYRSGAZDMDSD", "not-base32!", "ÀÁÂ", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ids=["one", "short", "sixteen", "punctuation", "unicode", "zeros"],
)
def test_a_truncated_or_damaged_qr_address_is_not_genuine_never_404(client, certificate, tail):
    response = client.get(f"/V/{certificate.serial}/{tail}")
    body = response.content.decode()
    assert response.status_code == 200 and "Không phải chứng nhận thật" in body
    assert NAME not in body and "Chứng nhận hợp lệ" not in body


def test_a_qr_address_cut_short_in_the_middle_of_its_payload_is_not_genuine(client, certificate):
    path = qr_path(certificate)
    for cut in (len(path) - 1, len(path) - 40, len(path) // 2 + 30):
        body = client.get(path[:cut]).content.decode()
        assert "Không phải chứng nhận thật" in body and NAME not in body


def test_a_forged_payload_for_a_real_serial_shows_no_record(client, certificate):
    path = qr_path(certificate)
    tampered = path[:-6] + ("A" if path[-6] != "A" else "B") + path[-5:]
    result = verification.verify(certificate.serial, tampered.rsplit("/", 1)[1])
    assert result.status == Status.FORGED and result.certificate is None
    assert NAME not in client.get(tampered).content.decode()


def test_a_revoked_certificate_never_reads_as_genuine_and_valid(client, certificate, world):
    services.certificate_revoke(certificate=certificate, reason="Cấp nhầm người", acting_user=world.trainer)
    for path in (qr_path(certificate), f"/v/{certificate.serial}/?code={certificate.check_code}"):
        response = client.get(path)
        body = response.content.decode()
        verdict = re.search(r'<section class="verdict[^"]*"[^>]*>(.*?)</section>', body, re.S)
        assert 'class="verdict revoked invalid"' in body, path
        assert "Chữ ký số trong mã QR là thật." not in body and "Chứng nhận hợp lệ" not in body
        assert "Đã bị thu hồi" in verdict.group(1) and "Cấp nhầm người" in verdict.group(1)
        assert "Đừng chấp nhận chứng nhận này." in verdict.group(1)
    qr_body = client.get(qr_path(certificate)).content.decode()
    assert "Mã trên giấy đúng là của HọcSố, nhưng chứng nhận đã bị thu hồi ngày" in qr_body


@pytest.mark.parametrize("status", [s for s in Status if s not in (Status.VALID,)])
def test_only_a_valid_verdict_says_valid_or_genuine(status, certificate, world):
    if status == Status.REVOKED:
        services.certificate_revoke(certificate=certificate, reason="Sai", acting_user=world.trainer)
        certificate.refresh_from_db()
    claims = payloads.decode(bytes(certificate.payload))
    result = verification.Verification(status, certificate.serial, certificate, claims)
    words = " ".join(result.messages) + result.title
    assert "has not been revoked" not in words and "signature in the QR code is genuine" not in words
    assert result.tone != "valid" and not result.is_valid


def test_a_payload_for_another_serial_is_forged_and_shows_neither(client, certificate, completed):
    other = Certificate.objects.get(holder=completed(UserFactory(full_name="Lò Văn Khác"))[0])
    path = qr_path(other).replace(other.serial, certificate.serial, 1)
    body = client.get(path).content.decode()
    assert "Không phải chứng nhận thật" in body and NAME not in body and "Lò Văn Khác" not in body
