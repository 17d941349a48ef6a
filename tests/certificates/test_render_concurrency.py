"""Downloads of a certificate whose PDF is missing or stale render it once (PostgreSQL, real
threads): the others wait for that render and hand out its file, or hand out the earlier template's
file while one render runs; no second file is left behind."""

import threading

import pytest

from certificates import files, rendering, services
from certificates.models import Certificate
from tests.concurrency import run_together
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DOWNLOADS = 4


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs rendered, in any thread."""
    counted = []
    lock = threading.Lock()
    real = rendering.render_pdf

    def counting(*args, **kwargs):
        with lock:
            counted.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_pdf", counting)
    return counted


def stored_files(certificate) -> list[str]:
    storage = certificate.pdf.storage
    return sorted(storage.listdir(files.FOLDER)[1]) if storage.exists(files.FOLDER) else []


@pytest.mark.parametrize("state", ["missing", "stale"])
def test_concurrent_downloads_render_once_and_share_the_file(completed, world, renders, state):
    holder, _course = completed(UserFactory(village=world.resident_a.village))
    certificate = Certificate.objects.get(holder=holder)
    if state == "stale":
        files.store_pdf(certificate, services.issuer_settings())
        Certificate.objects.filter(pk=certificate.pk).update(pdf_version="old")
    else:  # as if it was never rendered (the render after issuing is queued for a worker)
        if certificate.pdf:
            certificate.pdf.storage.delete(certificate.pdf.name)
        Certificate.objects.filter(pk=certificate.pk).update(pdf="", pdf_version="")
    renders.clear()

    def download(_index):
        mine = Certificate.objects.get(pk=certificate.pk)
        return services.certificate_pdf(certificate=mine, user=holder).name

    earlier = Certificate.objects.get(pk=certificate.pk).pdf.name
    names, errors = run_together(DOWNLOADS, download)

    assert errors == []
    # Missing: the first download renders and the others hand out its file. Made by an earlier
    # template: each download hands out that file and queues a render (inline here, as a worker
    # would run it): the twin renders wait for the first and find the PDF current.
    assert len(renders) == 1
    certificate.refresh_from_db()
    assert set(names) == ({certificate.pdf.name} if state == "missing" else {earlier})
    assert certificate.pdf_version == rendering.template_version()
    assert stored_files(certificate) == [certificate.pdf.name.rsplit("/", 1)[1]]
