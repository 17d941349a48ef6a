"""Certificate PDFs are private files: kept outside public media under names nobody can guess, and
handed out only through the authorised views, in the way CERTIFICATE_FILE_SERVING says."""

import importlib
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.urls import clear_url_caches, reverse
from knox.models import AuthToken
from pypdf import PdfReader
from rest_framework.test import APIClient

from certificates import files, rendering, services
from certificates.models import CHECK_CODE_ALPHABET, Certificate, StatusListCounter
from certificates.services import issuer_settings
from certificates.tasks import render_certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"certificates/[0-9a-f]{32}\.pdf")


@pytest.fixture
def certificate(completed, world):
    user, _course = completed(UserFactory(village=world.resident_a.village))
    return Certificate.objects.get(holder=user)


def download_html(client, certificate):
    client.force_login(certificate.holder)
    return client.get(reverse("certificates:pdf", args=[certificate.serial]))


def download_api(client, certificate):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=certificate.holder)[1]}")
    return api.get(f"/api/v1/certificates/{certificate.serial}/pdf/")


DOWNLOADS = pytest.mark.parametrize("download", [download_html, download_api], ids=["page", "api"])


def test_a_downloaded_pdf_is_kept_in_private_storage_under_a_random_name(client, certificate, settings):
    assert b"".join(download_html(client, certificate).streaming_content).startswith(b"%PDF")
    certificate.refresh_from_db()
    assert RANDOM_NAME.fullmatch(certificate.pdf.name) and certificate.serial not in certificate.pdf.name
    stored = Path(certificate.pdf.path)
    assert stored.is_file() and stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not (Path(settings.MEDIA_ROOT) / "certificates").exists()


def test_private_files_have_no_url():
    with pytest.raises(ValueError, match="no public URL"):
        Certificate._meta.get_field("pdf").storage.url("certificates/x.pdf")


def test_each_render_gets_a_new_name_and_the_old_file_goes(certificate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        files.store_pdf(certificate, issuer_settings())
    first = Path(certificate.pdf.path)
    with django_capture_on_commit_callbacks(execute=True):
        files.store_pdf(certificate, issuer_settings())
    second = Path(certificate.pdf.path)
    assert first != second and second.is_file() and not first.exists()
    certificate.refresh_from_db()
    assert certificate.pdf.name == f"certificates/{second.name}"
    assert certificate.pdf_version == rendering.template_version()


def test_a_stored_file_that_went_missing_is_rendered_again(client, certificate):
    files.store_pdf(certificate, issuer_settings())
    Path(certificate.pdf.path).unlink()
    response = download_html(client, certificate)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.fixture
def queued(settings):
    """Tasks are queued for a worker that has not run yet; the queue's results, to look at."""
    from django_tasks import default_task_backend

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }
    default_task_backend.clear()
    return default_task_backend.results


@DOWNLOADS
def test_after_a_template_change_a_download_hands_out_the_pdf_and_a_worker_renders_it(
    client, certificate, download, queued, django_capture_on_commit_callbacks
):
    """A deploy that changes the template must not make every download render in the request."""
    files.store_pdf(certificate, issuer_settings())
    earlier = certificate.pdf.name
    Certificate.objects.filter(pk=certificate.pk).update(pdf_version="earlier")
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = download(client, certificate)
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.pdf.name == earlier and certificate.pdf_version == "earlier"  # not rendered here
    assert [(r.task.name, r.args) for r in queued] == [("render_certificate", [certificate.pk])]

    render_certificate.call(certificate.pk)  # the worker
    certificate.refresh_from_db()
    assert certificate.pdf.name != earlier and certificate.pdf_version == rendering.template_version()


def test_after_a_deploy_every_pdf_of_an_earlier_template_is_queued_once_and_rendered_once(
    certificate, completed, queued
):
    second = Certificate.objects.get(holder=completed()[0])
    for each in (certificate, second):
        files.store_pdf(each, issuer_settings())
    Certificate.objects.filter(pk=second.pk).update(pdf_version="earlier")
    queued.clear()

    out = io.StringIO()
    call_command("rerender_certificates", stdout=out)
    assert [r.args for r in queued] == [[second.pk]] and "1 certificate(s) queued" in out.getvalue()

    render_certificate.call(second.pk)
    render_certificate.call(second.pk)  # a twin task finds it current and renders nothing
    second.refresh_from_db()
    assert second.pdf_version == rendering.template_version()
    queued.clear()
    call_command("rerender_certificates", stdout=io.StringIO())
    assert list(queued) == []


def test_files_no_certificate_names_are_purged_once_they_are_an_hour_old(certificate):
    """What a render killed between storing its file and naming it leaves behind."""
    import datetime
    import os

    files.store_pdf(certificate, issuer_settings())
    storage = certificate.pdf.storage
    orphan = storage.save(files.new_name(), ContentFile(b"%PDF-1.7 left by a killed render"))
    in_progress = storage.save(files.new_name(), ContentFile(b"%PDF-1.7 being rendered"))
    two_hours_ago = (datetime.datetime.now() - datetime.timedelta(hours=2)).timestamp()
    for name in (orphan, certificate.pdf.name):
        os.utime(storage.path(name), (two_hours_ago, two_hours_ago))

    assert files.purge_orphan_files() == 1
    assert not storage.exists(orphan)
    assert storage.exists(in_progress) and storage.exists(certificate.pdf.name)


def test_a_twin_render_task_leaves_a_current_pdf_alone(certificate):
    files.store_pdf(certificate, issuer_settings())
    name = certificate.pdf.name
    render_certificate.call(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf.name == name


def test_a_revoked_certificate_downloads_as_revoked_before_the_worker_renders_it(
    client, certificate, world, settings
):
    files.store_pdf(certificate, issuer_settings())
    # Tasks are queued for a worker that has not run yet.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }
    services.certificate_revoke(certificate=certificate, reason="Sai", acting_user=world.trainer)
    pdf = b"".join(download_html(client, certificate).streaming_content)
    assert "ĐÃ THU HỒI" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def debug_urls(settings):
    """lms.urls as DEBUG builds it (development serves MEDIA_ROOT)."""
    import lms.urls

    settings.DEBUG = True
    importlib.reload(lms.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(lms.urls)
    clear_url_caches()


def test_public_media_never_serves_a_certificate_even_with_debug_on(
    client, certificate, settings, debug_urls
):
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    public.save(f"certificates/{certificate.serial}.pdf", ContentFile(b"%PDF-1.7 left by an old version"))
    public.save("other/picture.txt", ContentFile(b"public"))
    assert client.get("/media/other/picture.txt").status_code == 200  # media is served here
    assert client.get(f"/media/certificates/{certificate.serial}.pdf").status_code == 404
    download_html(client, certificate)
    certificate.refresh_from_db()
    assert client.get(f"/media/{certificate.pdf.name}").status_code == 404


@DOWNLOADS
def test_served_by_django_the_file_streams_named_after_its_serial(client, certificate, settings, download):
    settings.CERTIFICATE_FILE_SERVING = "django"
    response = download(client, certificate)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"] == f'inline; filename="{certificate.serial}.pdf"'
    assert response["Cache-Control"] == "private, no-store"


@DOWNLOADS
def test_served_by_nginx_the_response_is_an_internal_redirect(client, certificate, settings, download):
    settings.CERTIFICATE_FILE_SERVING = "x-accel"
    settings.CERTIFICATE_X_ACCEL_PREFIX = "/private-files/"
    response = download(client, certificate)
    certificate.refresh_from_db()
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/private-files/{certificate.pdf.name}"
    assert RANDOM_NAME.fullmatch(certificate.pdf.name) and Path(certificate.pdf.path).is_file()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{certificate.serial}.pdf"'
    assert response["Cache-Control"] == "private, no-store"


class SignedUrlStorage(FileSystemStorage):
    """Stands in for object storage with query-string authentication (django-storages' S3 storage
    has the same url() signature); the real thing is tested against an S3 server elsewhere."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        query = "X-Amz-Expires=300&X-Amz-Signature=0123abcd"
        if parameters and "ResponseContentDisposition" in parameters:
            query += "&response-content-disposition=" + parameters["ResponseContentDisposition"]
        return f"https://objects.example.vn/hocso-private/{name}?{query}"


@DOWNLOADS
def test_served_from_object_storage_the_response_redirects_to_a_signed_url(
    client, certificate, settings, tmp_path, monkeypatch, download
):
    settings.CERTIFICATE_FILE_SERVING = "signed-url"
    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", SignedUrlStorage(location=tmp_path))
    response = download(client, certificate)
    certificate.refresh_from_db()
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert (
        location.netloc == "objects.example.vn" and location.path == f"/hocso-private/{certificate.pdf.name}"
    )
    query = parse_qs(location.query)
    assert query["X-Amz-Signature"] and query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"] == [f'inline; filename="{certificate.serial}.pdf"']
    assert (tmp_path / certificate.pdf.name).is_file()
    assert response["Cache-Control"] == "private, no-store"


def test_the_migration_takes_old_pdfs_out_of_public_media_and_fills_codes_and_indexes(
    completed, settings, django_capture_on_commit_callbacks
):
    migration = importlib.import_module(
        "certificates.migrations.0006_fill_check_codes_status_indexes_remove_public_pdfs"
    )
    people = [completed()[0] for _ in range(3)]
    old = list(Certificate.objects.filter(holder__in=people).order_by("pk"))
    for certificate in old:
        name = default_storage.save(f"certificates/{certificate.serial}.pdf", ContentFile(b"%PDF old"))
        Certificate.objects.filter(pk=certificate.pk).update(
            pdf=name, pdf_version="old", check_code="", status_index=None
        )
    stray = default_storage.save("certificates/CB-2025-000009.pdf", ContentFile(b"%PDF stray"))
    default_storage.save("keep/other.pdf", ContentFile(b"not a certificate"))

    with django_capture_on_commit_callbacks(execute=True):
        migration.forwards(apps, None)

    assert not default_storage.exists(stray) and default_storage.exists("keep/other.pdf")
    for certificate in old:
        assert not default_storage.exists(f"certificates/{certificate.serial}.pdf")
    after = list(Certificate.objects.filter(holder__in=people).order_by("pk"))
    assert all(c.pdf.name == "" and c.pdf_version == "" for c in after)
    assert all(len(c.check_code) == 6 and set(c.check_code) <= set(CHECK_CODE_ALPHABET) for c in after)
    indexes = list(Certificate.objects.order_by("status_index").values_list("status_index", flat=True))
    assert len(set(indexes)) == len(indexes) and None not in indexes
    assert StatusListCounter.objects.get(purpose="revocation").last == max(indexes)
