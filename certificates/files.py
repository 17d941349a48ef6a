"""Certificate PDFs as files: kept in private storage (``STORAGES["certificates"]``) under a random
name that changes with every render, and handed out by ``pdf_response`` only, after the caller's
permission check. ``CERTIFICATE_FILE_SERVING`` says how:

- ``django``: the app streams the file (the embedded default);
- ``x-accel``: an empty response whose ``X-Accel-Redirect`` names the file under
  ``CERTIFICATE_X_ACCEL_PREFIX``, for nginx to send from an ``internal`` location (docs/certificates.md);
- ``signed-url``: a redirect to the storage's own short-lived signed URL (object storage).
"""

import datetime
import inspect
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from certificates import rendering
from certificates.models import Certificate

FOLDER = "certificates"


def new_name() -> str:
    """A name that says nothing about whose certificate it is and cannot be guessed: 128 random bits."""
    return f"{FOLDER}/{secrets.token_hex(16)}.pdf"


def store_pdf(certificate: Certificate, issuer) -> None:
    """Render the PDF and keep it under a new random name; the file it replaces is deleted once the
    new name is committed. Two renders racing each keep their own file until the row lock orders
    them: the one that loses deletes the other's old file, so no file is left behind."""
    rendered = rendering.render_pdf(certificate, issuer)
    storage = certificate.pdf.storage
    name = storage.save(new_name(), ContentFile(rendered.content))
    # Printed without a picture that could not be read: not kept as the finished certificate, so it
    # is made again on the next request, with the picture once someone has uploaded it again.
    version = "" if rendered.left_out else rendering.template_version()
    try:
        with transaction.atomic():
            current = Certificate.objects.select_for_update().only("pdf").get(pk=certificate.pk)
            old = current.pdf.name
            Certificate.objects.filter(pk=certificate.pk).update(pdf=name, pdf_version=version)
            if old and old != name:
                transaction.on_commit(lambda: storage.delete(old))
    except BaseException:
        storage.delete(name)
        raise
    certificate.pdf.name, certificate.pdf_version = name, version


def is_current(certificate: Certificate) -> bool:
    """Whether the stored PDF exists and was made by today's template."""
    if not certificate.pdf or certificate.pdf_version != rendering.template_version():
        return False
    return certificate.pdf.storage.exists(certificate.pdf.name)


def is_servable(certificate: Certificate) -> bool:
    """Whether the stored PDF exists and says what the certificate says today. One made by an
    earlier template still does (same holder, course, signature: only the layout is older), and is
    handed out while a worker renders it again; an empty version means its content changed (revoked,
    re-signed, a picture left out) and it must not be handed out."""
    if not certificate.pdf or not certificate.pdf_version:
        return False
    return certificate.pdf.storage.exists(certificate.pdf.name)


def current_pdf(certificate: Certificate, issuer) -> bool:
    """Make sure there is a stored PDF to hand out, rendering it now only when there is none that
    says what the certificate says (missing, or its content changed). One made by an earlier template
    is kept for now: whether it is (the caller then queues a render for a worker)."""
    if not is_servable(certificate):
        _render_once(certificate, issuer, needed=lambda locked: not is_servable(locked))
    return certificate.pdf_version != rendering.template_version()


def refresh_pdf(certificate: Certificate, issuer) -> None:
    """A worker's render: only if the stored PDF is missing or not made by today's template (a twin
    task, or a download, may have rendered it since this one was queued)."""
    if not is_current(certificate):
        _render_once(certificate, issuer, needed=lambda locked: not is_current(locked))


def _render_once(certificate: Certificate, issuer, *, needed) -> None:
    """Single-flight: renders that find the PDF missing or stale at the same moment would each make
    one, and all but the last would hand out a file the last one deletes. The first takes the
    certificate's row lock and renders; the others wait for that lock, find the PDF done and hand
    out the first one's file."""
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if needed(locked):
            store_pdf(locked, issuer)
    certificate.pdf.name, certificate.pdf_version = locked.pdf.name, locked.pdf_version


def purge_orphan_files(*, older_than=datetime.timedelta(hours=1), now=None) -> int:
    """Delete stored PDFs no certificate names, once they are older than ``older_than`` (a render in
    progress has not named its file yet). A render killed between storing its file and naming it
    (a worker's machine lost, ``kill -9``) leaves one: nothing else would ever delete it."""
    storage = Certificate._meta.get_field("pdf").storage
    try:
        stored = storage.listdir(FOLDER)[1]
    except FileNotFoundError:  # on disk, before the first PDF
        return 0
    named = set(Certificate.objects.exclude(pdf="").values_list("pdf", flat=True))
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    for name in (f"{FOLDER}/{file}" for file in stored):
        if name not in named and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            deleted += 1
    return deleted


def _signed_url(storage, name: str, disposition: str) -> str:
    # django-storages' S3 storage takes the download name as a signed response parameter; a storage
    # whose url() has no such parameter serves the object with the headers it was stored with.
    if "parameters" in inspect.signature(storage.url).parameters:
        return storage.url(name, parameters={"ResponseContentDisposition": disposition})
    return storage.url(name)


def pdf_response(certificate: Certificate) -> HttpResponse:
    """The stored PDF, for someone the view has already allowed to have it."""
    name = certificate.pdf.name
    # The download is named after the serial, never after the storage's random name.
    disposition = f'inline; filename="{certificate.serial}.pdf"'
    mode = settings.CERTIFICATE_FILE_SERVING
    if mode == "x-accel":
        response = HttpResponse(content_type="application/pdf")
        response["X-Accel-Redirect"] = f"{settings.CERTIFICATE_X_ACCEL_PREFIX.rstrip('/')}/{name}"
    elif mode == "signed-url":
        response = HttpResponseRedirect(_signed_url(certificate.pdf.storage, name, disposition))
    else:
        response = FileResponse(certificate.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = disposition
    # A holder's certificate must not stay in a shared or proxy cache, nor in the browser's.
    response["Cache-Control"] = "private, no-store"
    return response
