import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from certificates import badges, services
from certificates import payload as payloads
from certificates.models import Certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(completed, world):
    user, _course = completed(
        UserFactory(full_name="Nguyễn Thị Hồng Nhung", village=world.resident_a.village)
    )
    return Certificate.objects.get(holder=user)


def qr_path(certificate):
    text = payloads.qr_text("http://testserver", certificate.serial, bytes(certificate.payload))
    return text.split("TESTSERVER", 1)[1]


def by_code(certificate) -> str:
    return f"/v/{certificate.serial}/?code={certificate.check_code}"


def test_the_verify_page_with_the_check_code_says_valid_with_the_details(client, certificate):
    response = client.get(by_code(certificate))
    body = response.content.decode()
    assert response.status_code == 200 and "Chứng nhận hợp lệ" in body
    assert "Nguyễn Thị Hồng Nhung" in body and certificate.achievement_title in body and "2.6" in body


def test_the_address_in_the_qr_code_checks_the_signature_too(client, certificate):
    body = client.get(qr_path(certificate)).content.decode()
    assert "Chứng nhận hợp lệ" in body and "Chữ ký số trong mã QR là thật." in body


def test_a_forged_payload_is_reported_as_forged(client, certificate):
    path = qr_path(certificate)
    tampered = path[:-6] + ("A" if path[-6] != "A" else "B") + path[-5:]
    body = client.get(tampered).content.decode()
    assert "Không phải chứng nhận thật" in body and "Nguyễn Thị Hồng Nhung" not in body


def test_a_payload_for_another_serial_is_forged(client, certificate, completed):
    other_user, _course = completed()
    other = Certificate.objects.get(holder=other_user)
    path = qr_path(other).replace(other.serial, certificate.serial, 1)
    assert "Không phải chứng nhận thật" in client.get(path).content.decode()


def test_revocation_shows_on_the_next_request(client, certificate, world):
    assert "Chứng nhận hợp lệ" in client.get(by_code(certificate)).content.decode()
    services.certificate_revoke(certificate=certificate, reason="Cấp nhầm người", acting_user=world.trainer)
    body = client.get(by_code(certificate)).content.decode()
    assert "Đã bị thu hồi" in body and "Cấp nhầm người" in body and "Chứng nhận hợp lệ" not in body


def test_verification_is_throttled_per_address(client, certificate):
    cache.clear()
    for _ in range(60):
        assert client.get(by_code(certificate)).status_code == 200
    response = client.get(by_code(certificate))
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 61
    assert "Kiểm tra quá nhiều lần" in response.content.decode()
    assert client.get(qr_path(certificate)).status_code == 429  # the QR address counts too
    other = client.get(by_code(certificate), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_the_public_keys_are_published_as_a_jwk_set(client):
    data = client.get("/certificates/keys.json").json()
    assert data["keys"][0]["kid"] == "test2026" and data["keys"][0]["status"] == "active"
    assert all("d" not in key for key in data["keys"])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("holder", 200),
        ("officer_x", 200),
        ("trainer", 200),
        ("admin", 200),
        ("officer_y", 404),
        ("leader_a", 404),
        ("resident", 404),
    ],
)
def test_the_pdf_is_for_its_holder_and_staff_in_scope(client, certificate, world, persona, expected):
    user = certificate.holder if persona == "holder" else world.personas()[persona]
    client.force_login(user)
    response = client.get(reverse("certificates:pdf", args=[certificate.serial]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Content-Disposition"] == f'inline; filename="{certificate.serial}.pdf"'
        assert response["Cache-Control"] == "private, no-store"


def test_the_pdf_needs_a_sign_in(client, certificate):
    response = client.get(reverse("certificates:pdf", args=[certificate.serial]))
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_the_open_badge_is_a_signed_verifiable_credential(client, certificate):
    client.force_login(certificate.holder)
    response = client.get(reverse("certificates:badge", args=[certificate.serial]))
    credential = json.loads(response.content)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] == "2.6"
    [proof] = credential["proof"]
    assert proof["cryptosuite"] == "eddsa-jcs-2022" and proof["proofValue"].startswith("z")
    assert badges.verify(credential)
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Người khác"
    assert not badges.verify(credential)


def test_the_issuer_profile_lists_the_verification_keys(client):
    profile = client.get("/certificates/issuer.json").json()
    assert profile["verificationMethod"][0]["type"] == "Multikey"
    assert profile["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")


def test_my_learning_lists_my_certificates_with_their_check_code_and_a_link_that_verifies(
    client, certificate
):
    client.force_login(certificate.holder)
    body = client.get(reverse("learning:my_learning")).content.decode()
    assert certificate.serial in body and reverse("certificates:pdf", args=[certificate.serial]) in body
    assert certificate.check_code in body and by_code(certificate) in body
    client.logout()
    assert "Chứng nhận hợp lệ" in client.get(by_code(certificate)).content.decode()


def test_the_offline_verifier_command_checks_a_pdf_and_a_qr_text(certificate, tmp_path, capsys, client):
    from certificates import rendering

    pdf = tmp_path / "chung-nhan.pdf"
    pdf.write_bytes(rendering.render_pdf(certificate, services.issuer_settings()).content)
    call_command("verify_certificate", str(pdf))
    out = capsys.readouterr().out
    assert "Signature: genuine" in out and "Nguyễn Thị Hồng Nhung" in out and "Register: valid" in out
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(client.get("/certificates/keys.json").content.decode())
    text = payloads.qr_text("http://x", certificate.serial, bytes(certificate.payload))
    call_command("verify_certificate", text, keys_file=keys_file, offline=True)
    forged = text[:-4] + ("AAAA" if not text.endswith("AAAA") else "BBBB")
    with pytest.raises(SystemExit) as caught:
        call_command("verify_certificate", forged, offline=True)
    assert caught.value.code == 1


def test_the_scan_pages_worker_is_served_for_its_page_only_and_never_cached(client):
    response = client.get("/v/quet/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/v/quet/"
    assert response["Cache-Control"] == "no-cache"
    assert b"keys.json" in response.content
    assert client.post("/v/quet/sw.js").status_code == 405
