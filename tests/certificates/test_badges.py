"""Open Badges 3.0: the credential's shape (proof array, credentialStatus), the W3C Bitstring Status
List that shows revocation to any verifier, no fresh badge for a revoked certificate, and the
achievement and competency addresses a badge names."""

import base64
import gzip
import json

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from certificates import badges, services
from certificates.models import Certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture
def certificate(completed, world):
    user, _course = completed(UserFactory(village=world.resident_a.village))
    return Certificate.objects.get(holder=user)


def badge_of(client, certificate) -> dict:
    client.force_login(certificate.holder)
    response = client.get(reverse("certificates:badge", args=[certificate.serial]))
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    return json.loads(response.content)


def status_list(client) -> tuple[dict, bytes]:
    response = client.get("/certificates/status/revocation")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    credential = response.json()
    encoded = credential["credentialSubject"]["encodedList"]
    # Decoded by the letter of the specification, not with the module under test.
    assert encoded[0] == "u"
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return credential, raw


def bit(raw: bytes, index: int) -> int:
    return (raw[index // 8] >> (7 - index % 8)) & 1


def test_the_credential_has_the_open_badges_3_shape(client, certificate):
    credential = badge_of(client, certificate)
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(credential["type"])
    for field in ("id", "issuer", "validFrom", "name", "credentialSubject"):
        assert credential[field], field
    assert isinstance(credential["proof"], list) and len(credential["proof"]) == 1
    [proof] = credential["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["proofValue"].startswith("z")
    assert proof["verificationMethod"] == f"{SITE}/certificates/issuer.json#test2026"
    status = credential["credentialStatus"]
    assert status == {
        "id": f"{SITE}/certificates/status/revocation#{certificate.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.status_index),
        "statusListCredential": f"{SITE}/certificates/status/revocation",
    }
    assert badges.verify(credential)


def test_the_proof_covers_the_status_entry_and_a_single_proof_object_still_verifies(client, certificate):
    credential = badge_of(client, certificate)
    moved = {**credential, "credentialStatus": {**credential["credentialStatus"], "statusListIndex": "7"}}
    assert not badges.verify(moved)
    assert badges.verify({**credential, "proof": credential["proof"][0]})
    assert not badges.verify({**credential, "proof": []})
    assert not badges.verify(
        {**credential, "proof": [credential["proof"][0], {"type": "DataIntegrityProof"}]}
    )


def test_status_indexes_are_given_once_and_never_shared(completed):
    people = [completed()[0] for _ in range(3)]
    indexes = [Certificate.objects.get(holder=person).status_index for person in people]
    assert None not in indexes and len(set(indexes)) == 3
    certificate = Certificate.objects.get(holder=people[0])
    assert services.certificate_status_index(certificate=certificate) == indexes[0]


def test_a_certificate_made_without_an_index_gets_one_when_its_badge_is_made(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(status_index=None)
    certificate.refresh_from_db()
    credential = badge_of(client, certificate)
    certificate.refresh_from_db()
    assert certificate.status_index is not None
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.status_index)
    assert badge_of(client, certificate)["credentialStatus"] == credential["credentialStatus"]


def test_a_verifier_decoding_the_status_list_sees_a_revoked_certificate(
    client, certificate, completed, world
):
    other = Certificate.objects.get(holder=completed()[0])
    index = int(badge_of(client, certificate)["credentialStatus"]["statusListIndex"])
    credential, raw = status_list(client)
    assert len(raw) >= 16 * 1024 and bit(raw, index) == 0 and bit(raw, other.status_index) == 0
    services.certificate_revoke(certificate=certificate, reason="Cấp nhầm người", acting_user=world.trainer)
    credential, raw = status_list(client)
    assert bit(raw, index) == 1 and bit(raw, other.status_index) == 0 and sum(map(int.bit_count, raw)) == 1
    assert {"VerifiableCredential", "BitstringStatusListCredential"} <= set(credential["type"])
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert credential["id"] == f"{SITE}/certificates/status/revocation"
    assert badges.verify(credential)
    subject["encodedList"] = badges.encode_bitstring(len(raw) * 8, [])
    assert not badges.verify(credential)  # a tampered list (revocation wiped) fails its proof


def test_the_status_list_is_public_and_cached_only_briefly(client):
    response = client.get("/certificates/status/revocation")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]


def test_the_status_list_grows_in_16_kb_blocks():
    assert len(badges.decode_bitstring(badges.encode_bitstring(131072, [0, 131071]))) == 16 * 1024
    raw = badges.decode_bitstring(badges.encode_bitstring(2 * 131072, [131072]))
    assert len(raw) == 32 * 1024 and bit(raw, 131072) == 1 and raw[0] == 0


def test_a_revoked_holder_cannot_download_a_fresh_badge(client, certificate, world):
    services.certificate_revoke(certificate=certificate, reason="Sai", acting_user=world.trainer)
    client.force_login(certificate.holder)
    response = client.get(reverse("certificates:badge", args=[certificate.serial]))
    body = response.content.decode()
    assert response.status_code == 410 and "proofValue" not in body
    assert "Không còn tải được" in body and "thu hồi" in body
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=certificate.holder)[1]}")
    response = api.get(f"/api/v1/certificates/{certificate.serial}/badge/")
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "certificate_not_valid"
    assert response.json()["error"]["message"] == "Chứng nhận này không còn hiệu lực nên không có Open Badge."


def test_the_achievement_and_its_competencies_resolve(client, certificate):
    achievement = badge_of(client, certificate)["credentialSubject"]["achievement"]
    client.logout()
    response = client.get(achievement["id"].removeprefix(SITE), HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert document["id"] == achievement["id"] and document["type"] == ["Achievement"]
    assert document["name"] == certificate.achievement_title and document["criteria"]["narrative"]
    assert [a["targetCode"] for a in document["alignment"]] == ["2.6", "4.2"]
    for alignment in achievement["alignment"]:
        response = client.get(alignment["targetUrl"].removeprefix(SITE), HTTP_ACCEPT="application/json")
        competency = response.json()
        assert response.status_code == 200 and competency["id"] == alignment["targetUrl"]
        assert (
            competency["achievementType"] == "Competency"
            and competency["humanCode"] == alignment["targetCode"]
        )


def test_an_achievement_reads_as_a_page_in_a_browser(client, certificate):
    path = f"/achievements/course/{certificate.achievement_code}"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(path, HTTP_ACCEPT=browser)
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert f"<h1>{certificate.achievement_title}</h1>" in body and "2.6" in body
    assert response["Vary"] and "Accept" in response["Vary"]
    assert (
        client.get(path, {"format": "json"}, HTTP_ACCEPT=browser).json()["humanCode"]
        == certificate.achievement_code
    )


def test_a_profile_achievement_resolves(client):
    response = client.get("/achievements/profile/pho-cap-co-ban", HTTP_ACCEPT="application/ld+json")
    document = response.json()
    assert response.status_code == 200 and document["achievementType"] == "Competency"
    assert len(document["alignment"]) == 11  # one per requirement of basic universalisation


@pytest.mark.parametrize(
    "path", ["/achievements/course/NO-SUCH", "/achievements/profile/no-such", "/achievements/competency/9.9"]
)
def test_unknown_achievements_are_404(client, path):
    assert client.get(path, HTTP_ACCEPT="application/ld+json").status_code == 404


def test_a_course_taken_off_the_site_still_resolves_for_its_badges_a_draft_does_not(client, certificate):
    from tests import factories

    certificate.course.unpublish()
    response = client.get(f"/achievements/course/{certificate.achievement_code}", {"format": "json"})
    assert response.status_code == 200 and response.json()["name"] == certificate.achievement_title
    draft = factories.course(lessons=1)
    draft.unpublish()
    assert client.get(f"/achievements/course/{draft.code}", {"format": "json"}).status_code == 404
