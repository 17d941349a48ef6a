"""A signing key marked compromised: nothing is signed with it any more, the serial page and the QR
check give the same verdict, and `resign_certificates` signs the valid certificates again and asks
their holders to download them again."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from knox.models import AuthToken
from pypdf import PdfReader
from rest_framework.test import APIClient

from certificates import badges, extensions, keys, services
from certificates import payload as payloads
from certificates.models import Certificate
from members.models import AuditEvent
from tests.factories import UserFactory
from tests.lms.test_settings import run_django

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hồng Nhung"
TEST_KEY = "test2026=" + "dGVzdC1vbmx5LXNpZ25pbmcta2V5LWZvci1ob2Nzby0"  # lms/settings/test.py
NEW_KEY = "cb2027=" + keys.b64url_encode(b"cb2027-test-only-signing-key-000")
THIRD_KEY = "cb2028=" + keys.b64url_encode(b"cb2028-test-only-signing-key-000")
VERDICT = "Hãy xin bản mới"
REISSUE_WORDS = "Bản này được ký bằng một khóa HọcSố không còn tin cậy"


@pytest.fixture
def certificate(completed, world):
    user, _course = completed(UserFactory(full_name=NAME, village=world.resident_a.village))
    return Certificate.objects.get(holder=user)


@pytest.fixture
def compromised(settings):
    """test2026 (which signed the certificates so far) is stolen; cb2027 now signs."""
    settings.CERTIFICATE_SIGNING_KEYS = f"{TEST_KEY};{NEW_KEY}"
    settings.CERTIFICATE_SIGNING_KEY_ID = "cb2027"
    settings.CERTIFICATE_COMPROMISED_KEY_IDS = ["test2026"]


@pytest.fixture
def reissued(monkeypatch):
    """What the certificate_reissued extension point was called with."""
    calls = []
    monkeypatch.setattr(extensions, "_certificate_reissued", [])
    extensions.on_certificate_reissued(calls.append)
    return calls


def qr_path(payload: bytes, serial: str) -> str:
    return payloads.qr_text("http://testserver", serial, payload).split("TESTSERVER", 1)[1]


def verdicts(client, certificate, payload: bytes) -> dict[str, str]:
    """The verdict of the serial page (with its code), the QR address, and the API's two ways."""
    serial_page = client.get(f"/v/{certificate.serial}/", {"code": certificate.check_code}).content.decode()
    qr_page = client.get(qr_path(payload, certificate.serial)).content.decode()
    api = APIClient()
    by_code = api.get(
        "/api/v1/certificates/verify/", {"serial": certificate.serial, "code": certificate.check_code}
    ).json()
    by_payload = api.get("/api/v1/certificates/verify/", {"payload": payloads.to_text(payload)}).json()

    def title(body):
        return re.search(r'<p class="verdict-title">(.*?)</p>', body).group(1)

    return {
        "serial page": title(serial_page),
        "qr page": title(qr_page),
        "api by code": by_code["status"],
        "api by payload": by_payload["status"],
    }


def test_nothing_is_signed_with_a_compromised_key(settings):
    settings.CERTIFICATE_COMPROMISED_KEY_IDS = ["test2026"]
    ring = keys.keyring()
    claims = payloads.Claims("test2026", "CB-2026-000001", datetime.date(2026, 1, 2), 1, "VNEID", "Lò Văn A")
    with pytest.raises(keys.KeyCompromised):
        payloads.sign(claims, ring)
    with pytest.raises(keys.KeyCompromised):
        badges.sign(
            {"@context": badges.CONTEXT, "id": "urn:x"},
            "http://testserver",
            datetime.datetime.now(datetime.UTC),
        )
    with pytest.raises(keys.KeyCompromised):
        keys.check_current_key()


def test_issuing_with_a_compromised_current_key_is_refused_and_leaves_nothing(settings, completed):
    settings.CERTIFICATE_COMPROMISED_KEY_IDS = ["test2026"]
    with pytest.raises(keys.KeyCompromised):
        completed()
    assert not Certificate.objects.exists()


def test_production_refuses_to_start_while_the_current_key_is_compromised():
    common = {
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": "k" * 20 + "9f8e7d6c5b4a39281706f5e4d3c2b1a0zyxwvutsrq",
        "ALLOWED_HOSTS": "hocso.example.vn",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        "SITE_URL": "https://hocso.example.vn",
    }
    refused = run_django(
        ["check"],
        **common,
        CERTIFICATE_SIGNING_KEYS="cb2026=" + "A" * 43,
        CERTIFICATE_COMPROMISED_KEY_IDS="cb2026",
    )
    assert refused.returncode != 0 and "is listed in CERTIFICATE_COMPROMISED_KEY_IDS" in refused.stderr
    rotated = run_django(
        ["check"],
        **common,
        CERTIFICATE_SIGNING_KEYS="cb2026=" + "A" * 43 + ";cb2027=" + "B" * 43,
        CERTIFICATE_COMPROMISED_KEY_IDS="cb2026",
    )
    assert rotated.returncode == 0, rotated.stderr


def test_a_compromised_key_gets_the_same_verdict_on_every_path(client, certificate, compromised):
    old_payload = bytes(certificate.payload)
    assert set(verdicts(client, certificate, old_payload).values()) == {VERDICT, "key_compromised"}
    for body in (
        client.get(f"/v/{certificate.serial}/", {"code": certificate.check_code}).content.decode(),
        client.get(qr_path(old_payload, certificate.serial)).content.decode(),
    ):
        assert REISSUE_WORDS in body and "Chứng nhận hợp lệ" not in body and "là thật" not in body
        assert 'class="verdict key_compromised invalid"' in body
        assert NAME in body  # the holder's paper: the record is shown, not as valid


def test_the_offline_scan_page_says_it_in_the_same_words(client, certificate, compromised):
    scan = client.get(reverse("certificates:scan")).content.decode()
    assert f'data-msg-compromised="{REISSUE_WORDS}' in scan
    published = {key["kid"]: key["status"] for key in client.get("/certificates/keys.json").json()["keys"]}
    assert published == {"test2026": "compromised", "cb2027": "active"}


def test_a_payload_forged_with_the_stolen_key_shows_no_record(client, certificate, compromised):
    stolen = keys._build(TEST_KEY, "test2026", "", ())  # the thief's copy of the key
    forged = payloads.sign(
        payloads.Claims("test2026", certificate.serial, datetime.date(2026, 1, 2), 1, "GIA-MAO", "Kẻ Gian"),
        stolen,
    )
    body = client.get(qr_path(forged, certificate.serial)).content.decode()
    assert VERDICT in body and REISSUE_WORDS in body
    assert NAME not in body and "Kẻ Gian" not in body and certificate.achievement_title not in body


def test_resigning_makes_both_verdicts_valid_again_and_asks_the_holder_to_download_again(
    client, certificate, compromised, reissued, django_capture_on_commit_callbacks, capsys
):
    old_payload, code = bytes(certificate.payload), certificate.check_code

    call_command("resign_certificates")
    out = capsys.readouterr().out
    assert "Dry run: 1 valid certificate(s)" in out and "test2026: 1" in out and "--apply" in out
    certificate.refresh_from_db()
    assert certificate.key_id == "test2026" and bytes(certificate.payload) == old_payload

    with django_capture_on_commit_callbacks(execute=True):
        call_command("resign_certificates", apply=True)
    assert "Signed 1 certificate(s) again with cb2027" in capsys.readouterr().out
    certificate.refresh_from_db()
    new_payload = bytes(certificate.payload)
    assert certificate.key_id == "cb2027" and new_payload != old_payload and certificate.check_code == code
    claims = payloads.verify(new_payload, keys.keyring())
    assert (claims.kid, claims.serial, claims.name) == ("cb2027", certificate.serial, NAME)
    assert AuditEvent.objects.filter(
        action="certificate.resign", target_id=str(certificate.pk), changes={"key_id": ["test2026", "cb2027"]}
    ).exists()
    assert [c.pk for c in reissued] == [certificate.pk]

    # Both ways say valid again with the new paper; the old paper still says "ask for a new copy".
    assert set(verdicts(client, certificate, new_payload).values()) == {"Chứng nhận hợp lệ", "valid"}
    old_page = client.get(qr_path(old_payload, certificate.serial)).content.decode()
    assert VERDICT in old_page and NAME not in old_page

    # The PDF was rendered again in the background, with the new code in its QR.
    assert certificate.pdf and certificate.pdf_version
    keywords = PdfReader(io.BytesIO(certificate.pdf.read())).metadata["/Keywords"]
    assert keywords.endswith(payloads.to_text(new_payload))

    # A second run finds nothing to do.
    call_command("resign_certificates", apply=True)
    assert "nothing to do" in capsys.readouterr().out


def test_the_holder_sees_a_notice_until_they_download_it_again(client, certificate, compromised, world):
    services.certificate_resign(certificate=certificate)
    page = reverse("learning:my_learning")
    client.force_login(certificate.holder)
    body = client.get(page).content.decode()
    assert (
        "Hãy tải lại chứng nhận" in body and f'href="/certificates/{certificate.serial}/pdf/">Tải lại' in body
    )
    client.force_login(world.trainer)  # staff opening it does not count
    assert client.get(reverse("certificates:pdf", args=[certificate.serial])).status_code == 200
    client.force_login(certificate.holder)
    assert "Hãy tải lại chứng nhận" in client.get(page).content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=certificate.holder)[1]}")
    assert api.get("/api/v1/certificates/").json()["results"][0]["awaits_download"] is True
    assert client.get(reverse("certificates:pdf", args=[certificate.serial])).status_code == 200
    assert "Hãy tải lại chứng nhận" not in client.get(page).content.decode()
    assert api.get("/api/v1/certificates/").json()["results"][0]["awaits_download"] is False


def test_revoked_certificates_and_trusted_keys_are_left_alone(
    client, certificate, completed, world, settings
):
    other = Certificate.objects.get(holder=completed()[0])
    services.certificate_revoke(certificate=other, reason="Sai", acting_user=world.trainer)
    settings.CERTIFICATE_SIGNING_KEYS = f"{TEST_KEY};{NEW_KEY}"
    settings.CERTIFICATE_SIGNING_KEY_ID = "cb2027"
    fresh = Certificate.objects.get(holder=completed()[0])  # signed with cb2027
    settings.CERTIFICATE_COMPROMISED_KEY_IDS = ["test2026"]
    call_command("resign_certificates", apply=True)
    other.refresh_from_db()
    fresh.refresh_from_db()
    certificate.refresh_from_db()
    assert other.key_id == "test2026" and other.reissued_at is None
    assert fresh.key_id == "cb2027" and fresh.reissued_at is None
    assert certificate.key_id == "cb2027" and certificate.reissued_at is not None
    # A revoked certificate signed with the stolen key still reads as revoked, on the serial page and
    # from its own paper (the register knows those exact bytes).
    for body in (
        client.get(f"/v/{other.serial}/", {"code": other.check_code}).content.decode(),
        client.get(qr_path(bytes(other.payload), other.serial)).content.decode(),
    ):
        assert "Đã bị thu hồi" in body


def test_the_command_line_verifier_says_the_same(certificate, compromised, capsys, world):
    text = payloads.qr_text("http://testserver", certificate.serial, bytes(certificate.payload))
    with pytest.raises(SystemExit) as caught:
        call_command("verify_certificate", text, offline=True)
    assert caught.value.code == 1 and "key_compromised" in capsys.readouterr().out
    with pytest.raises(SystemExit) as caught:
        call_command("verify_certificate", text)
    assert caught.value.code == 1 and "Register: key_compromised" in capsys.readouterr().out
    # Revoked, on its own paper signed with the stolen key: "revoked", as the verify page says.
    services.certificate_revoke(certificate=certificate, reason="Cấp nhầm", acting_user=world.trainer)
    with pytest.raises(SystemExit) as caught:
        call_command("verify_certificate", text)
    assert caught.value.code == 1 and "Register: revoked" in capsys.readouterr().out
    certificate = Certificate.objects.get(pk=certificate.pk)
    Certificate.objects.filter(pk=certificate.pk).update(status="valid", revoked_at=None, revoked_reason="")
    certificate.refresh_from_db()
    services.certificate_resign(certificate=certificate)
    certificate.refresh_from_db()
    call_command(
        "verify_certificate", payloads.qr_text("http://x", certificate.serial, bytes(certificate.payload))
    )
    assert "Register: valid" in capsys.readouterr().out


def test_the_holder_is_texted_when_the_province_has_an_sms_channel(
    certificate, compromised, django_capture_on_commit_callbacks, settings
):
    from members import sms

    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_resign(certificate=certificate)
    [message] = sms.outbox
    assert message.to == certificate.holder.phone
    assert certificate.serial in message.text and "/hoc-cua-toi/" in message.text
    assert "tải bản mới" in message.text  # in the holder's language, Vietnamese here

    # Without a channel, nothing is sent and the re-signing still happens.
    sms.outbox.clear()
    settings.SMS_BACKEND = None
    settings.CERTIFICATE_SIGNING_KEYS = f"{TEST_KEY};{NEW_KEY};{THIRD_KEY}"
    settings.CERTIFICATE_SIGNING_KEY_ID = "cb2028"
    settings.CERTIFICATE_COMPROMISED_KEY_IDS = ["test2026", "cb2027"]
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_resign(certificate=certificate)
    assert sms.outbox == []
    certificate.refresh_from_db()
    assert certificate.key_id == "cb2028"
