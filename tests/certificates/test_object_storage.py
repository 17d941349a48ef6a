"""Certificate PDFs on object storage (MEDIA_STORAGE=s3), against a real S3 server (SeaweedFS on
loopback): kept in the private bucket, handed out by short-lived signed URLs or streamed by the app,
replaced files deleted, and never readable without a signature."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from certificates import files
from certificates.models import Certificate
from certificates.services import issuer_settings
from tests.factories import UserFactory
from tests.ops.test_object_storage import anonymous_get, stored_keys
from tests.seaweed import MEDIA_BUCKET, PRIVATE_BUCKET

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(object_storage, completed, world):
    user, _course = completed(UserFactory(village=world.resident_a.village))
    return Certificate.objects.get(holder=user)


def download(client, certificate):
    client.force_login(certificate.holder)
    return client.get(reverse("certificates:pdf", args=[certificate.serial]))


def test_a_signed_url_opens_the_pdf_for_a_minute_and_the_object_never_without_it(
    client, certificate, settings, object_storage
):
    settings.CERTIFICATE_FILE_SERVING = "signed-url"
    response = download(client, certificate)
    certificate.refresh_from_db()

    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == object_storage.endpoint_url
    assert location.path == f"/{PRIVATE_BUCKET}/{certificate.pdf.name}"
    assert parse_qs(location.query)["X-Amz-Expires"] == ["60"]
    assert certificate.pdf.name in stored_keys(object_storage, PRIVATE_BUCKET)
    assert certificate.pdf.name not in stored_keys(object_storage, MEDIA_BUCKET)

    status, body = anonymous_get(response["Location"])
    assert status == 200 and body.startswith(b"%PDF")
    assert anonymous_get(f"{object_storage.endpoint_url}/{PRIVATE_BUCKET}/{certificate.pdf.name}")[0] == 403


def test_a_signed_url_stops_working_when_it_expires(
    client, certificate, settings, object_storage, monkeypatch
):
    settings.CERTIFICATE_FILE_SERVING = "signed-url"
    settings.STORAGES = {**settings.STORAGES, **object_storage.storages(signed_url_seconds=1)}
    from django.core.files.storage import storages

    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", storages["certificates"])
    location = download(client, certificate)["Location"]
    time.sleep(2.5)
    assert anonymous_get(location)[0] == 403


def test_streamed_by_the_app_from_the_private_bucket(client, certificate, settings):
    settings.CERTIFICATE_FILE_SERVING = "django"
    response = download(client, certificate)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"] == f'inline; filename="{certificate.serial}.pdf"'


def test_a_new_render_replaces_the_object_and_deletes_the_old_one(
    certificate, object_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        files.store_pdf(certificate, issuer_settings())
    first = certificate.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        files.store_pdf(certificate, issuer_settings())
    keys = stored_keys(object_storage, PRIVATE_BUCKET)
    assert certificate.pdf.name in keys and first not in keys


def test_a_pdf_missing_from_the_bucket_is_rendered_again_on_download(client, certificate, object_storage):
    files.store_pdf(certificate, issuer_settings())
    object_storage.client().delete_object(Bucket=PRIVATE_BUCKET, Key=certificate.pdf.name)
    response = download(client, certificate)
    certificate.refresh_from_db()
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert certificate.pdf.name in stored_keys(object_storage, PRIVATE_BUCKET)
