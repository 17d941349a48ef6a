"""A signature or seal picture that cannot be read (file gone, damaged) does not stop certificates:
they print without it, the signer's name still on them, and the trainer is told to upload it again."""

import io
import logging
from collections import Counter

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import reverse
from PIL import Image as PILImage
from pypdf import PdfReader
from wagtail.images import get_image_model
from wagtail.models import Site

from certificates import files, rendering
from certificates.models import Certificate
from certificates.services import issuer_settings

pytestmark = pytest.mark.django_db

WARNING = "Không đọc được ảnh chữ ký"


def picture(name: str):
    buffer = io.BytesIO()
    PILImage.new("RGB", (300, 100), (20, 40, 120)).save(buffer, format="PNG")
    return get_image_model().objects.create(
        title=name, file=ImageFile(ContentFile(buffer.getvalue()), name=name)
    )


@pytest.fixture
def issuer():
    issuer = issuer_settings()
    issuer.signer_name = "Hoàng Văn Quang"
    issuer.signature_image = picture("chu-ky.png")
    issuer.seal_image = picture("con-dau.png")
    issuer.save()
    return issuer


@pytest.fixture
def certificate(completed):
    user, _course = completed()
    return Certificate.objects.get(holder=user)


def lose(image) -> None:
    """The file is gone from the media folder (a restore without media, a disk cleaned by hand)."""
    image.file.storage.delete(image.file.name)


def damage(image) -> None:
    with image.file.storage.open(image.file.name, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n not a picture any more")


def images_in(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_both_pictures_print_when_readable(certificate, issuer):
    rendered = rendering.render_pdf(certificate, issuer)
    assert images_in(rendered.content) == 3  # the signature, the seal and the QR code
    assert rendered.left_out == ()


@pytest.mark.parametrize("spoil", [lose, damage])
def test_a_certificate_prints_without_a_signature_that_cannot_be_read(certificate, issuer, spoil, caplog):
    spoil(issuer.signature_image)
    with caplog.at_level(logging.WARNING, logger="certificates.rendering"):
        rendered = rendering.render_pdf(certificate, issuer)
    pdf = rendered.content
    assert pdf.startswith(b"%PDF")
    assert images_in(pdf) == 2  # the seal and the QR code
    assert "Hoàng Văn Quang" in text_of(pdf) and certificate.serial in text_of(pdf)
    assert rendered.left_out == ("signature",)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "signature" in logged and "Hoàng" not in logged and certificate.serial not in logged


def test_the_holder_downloads_it_and_it_is_printed_again_once_the_signature_is_back(
    client, certificate, issuer
):
    lose(issuer.signature_image)
    client.force_login(certificate.holder)
    response = client.get(reverse("certificates:pdf", args=[certificate.serial]))
    assert response.status_code == 200
    assert images_in(b"".join(response.streaming_content)) == 2
    certificate.refresh_from_db()
    assert certificate.pdf_version == ""  # not kept as if whole: made again on the next request
    issuer.signature_image = picture("chu-ky-moi.png")
    issuer.save()
    files.current_pdf(certificate, issuer)
    with certificate.pdf.open("rb") as handle:
        assert images_in(handle.read()) == 3
    assert certificate.pdf_version == rendering.template_version()


@pytest.mark.parametrize("spoil", [None, lose, damage])
def test_each_picture_is_read_once_per_pdf(certificate, issuer, spoil, monkeypatch):
    """The render says what it printed without; nothing reads the pictures again to find out."""
    if spoil:
        spoil(issuer.signature_image)
    reads = Counter()
    image_model = get_image_model()
    get_rendition = image_model.get_rendition

    def counting(image, spec):
        reads[image.pk] += 1
        return get_rendition(image, spec)

    monkeypatch.setattr(image_model, "get_rendition", counting)
    files.store_pdf(certificate, issuer)
    assert reads == {issuer.signature_image.pk: 1, issuer.seal_image.pk: 1}
    assert certificate.pdf_version == ("" if spoil else rendering.template_version())


def print_size_copy(image):
    """The picture as the certificate prints it (made from the original on first use)."""
    width = {field: width for _name, field, width in rendering.PICTURES}["signature_image"]
    return image.get_rendition(f"width-{width}|format-png")


def lose_print_size_copy(image) -> None:
    """The original is fine, but the copy every certificate prints has gone from the media folder."""
    copy = print_size_copy(image)
    copy.file.storage.delete(copy.file.name)


@pytest.mark.parametrize("spoil", [lose, damage, lose_print_size_copy])
def test_the_trainer_is_told_on_the_certificates_list_whenever_a_certificate_would_lack_it(
    client, world, issuer, certificate, spoil
):
    spoil(issuer.signature_image)
    assert rendering.render_pdf(certificate, issuer).left_out == ("signature",)
    client.force_login(world.trainer)
    assert WARNING in client.get("/admin/certificate/").content.decode()
    assert WARNING in client.get("/admin/certificate/").content.decode()  # on every view while broken


def test_the_manager_is_told_on_the_issuer_settings(client, world, issuer):
    lose(issuer.signature_image)
    client.force_login(world.admin)
    site = Site.objects.get(is_default_site=True)
    page = client.get(f"/admin/settings/certificates/issuersettings/{site.pk}/")
    assert page.status_code == 200 and WARNING in page.content.decode()


def test_nobody_is_told_anything_when_the_pictures_are_fine(client, world, issuer):
    client.force_login(world.trainer)
    assert WARNING not in client.get("/admin/certificate/").content.decode()
    assert WARNING not in client.get("/admin/certificate/").content.decode()


def test_checking_the_pictures_reads_no_picture_and_costs_the_certificates_list_one_query(
    client, world, issuer, certificate, django_assert_num_queries, monkeypatch
):
    """Whether the print-size copies are there is asked of the storage; their bytes are not read.
    The issuer's settings, needed anyway, come with their pictures in one query."""
    client.force_login(world.trainer)
    client.get("/admin/certificate/")  # the print-size renditions exist from here on
    reads = []
    image_model = get_image_model()
    monkeypatch.setattr(image_model, "get_rendition", lambda image, spec: reads.append(image.pk))
    # 14 without any check; 18 when the check read the pictures (the site, the settings, each
    # picture); now the settings with their pictures, and nothing for the pictures themselves.
    with django_assert_num_queries(14 + 1):
        assert WARNING not in client.get("/admin/certificate/").content.decode()
    assert reads == []
