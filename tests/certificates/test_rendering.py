"""The PDF: Vietnamese text that extracts, embedded subset fonts, a QR code that decodes and
verifies, size, caching, and nothing fetched that should not be."""

import http.server
import io
import threading

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from certificates import keys, rendering
from certificates import payload as payloads
from certificates.models import Certificate
from certificates.services import issuer_settings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(completed):
    user, _course = completed()
    return Certificate.objects.get(holder=user)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_reads_in_vietnamese_with_correct_diacritics(certificate):
    pdf = rendering.render_pdf(certificate, issuer_settings()).content
    text = text_of(pdf)
    for expected in (
        "Nguyễn Thị Hồng Nhung",
        "Chứng nhận hoàn thành",
        "GIẤY CHỨNG NHẬN",
        "Cài đặt và sử dụng VNeID",
        "Sở Khoa học và Công nghệ".upper(),
        certificate.serial,
        "2.6 Quản lý danh tính số",
    ):
        assert expected in text, expected
    assert "mức 2" not in text  # a competency level is a "bậc"; "mức 2" is the VNeID account
    assert len(pdf) <= 40 * 1024


def test_fonts_are_embedded_and_subset(certificate):
    reader = PdfReader(io.BytesIO(rendering.render_pdf(certificate, issuer_settings()).content))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            fonts.append((font["/BaseFont"], "/FontFile2" in descendant["/FontDescriptor"]))
    names = {name for name, _embedded in fonts}
    assert all(embedded for _name, embedded in fonts)
    assert all(name[7] == "+" and "Be-Vietnam-Pro" in name for name in names), names  # ABCDEF+ subset tag
    assert len(names) == 2  # regular and bold


def test_the_qr_code_decodes_from_the_printed_page_and_verifies(certificate):
    pdf = rendering.render_pdf(certificate, issuer_settings()).content
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=300 / 72).to_pil()
    texts = {code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)}
    assert len(texts) == 1
    text = texts.pop()
    assert text.startswith("HTTP://TESTSERVER/V/" + certificate.serial + "/")
    claims = payloads.verify(payloads.payload_from_qr_text(text), keys.keyring())
    assert claims.serial == certificate.serial and claims.name == "Nguyễn Thị Hồng Nhung"
    assert claims.code == certificate.achievement_code


def test_the_pdf_carries_its_code_for_offline_verifiers(certificate):
    metadata = PdfReader(io.BytesIO(rendering.render_pdf(certificate, issuer_settings()).content)).metadata
    assert metadata["/Keywords"].startswith("HTTP://TESTSERVER/V/")


def test_a_revoked_certificate_prints_revoked(certificate, world):
    from certificates import services

    services.certificate_revoke(certificate=certificate, reason="Sai", acting_user=world.trainer)
    certificate.refresh_from_db()
    assert "ĐÃ THU HỒI" in text_of(rendering.render_pdf(certificate, issuer_settings()).content)


def test_the_check_code_is_printed_beside_the_serial_and_the_verify_address(certificate):
    text = text_of(rendering.render_pdf(certificate, issuer_settings()).content)
    lines = text.splitlines()
    assert f"Số: {certificate.serial} · Mã kiểm tra: {certificate.check_code}" in lines
    code_line = next(i for i, line in enumerate(lines) if certificate.check_code in line)
    address_line = next(i for i, line in enumerate(lines) if f"/v/{certificate.serial}/" in line)
    assert code_line < address_line <= code_line + 2


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body{color:red}")

    def log_message(self, *args):
        pass


def test_a_hostile_name_or_title_fetches_nothing_and_prints_as_text(completed, monkeypatch):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    hostile_title = (
        f'<img src="http://127.0.0.1:{port}/img.png"><link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">'
        "<style>@import url(file:///etc/hostname);</style>"
    )
    hostile_name = 'Lò <img src="file:///etc/passwd">'
    fetched = []
    original = rendering.OwnFilesOnly.fetch
    monkeypatch.setattr(
        rendering.OwnFilesOnly,
        "fetch",
        lambda self, url, headers=None: (fetched.append(url), original(self, url, headers))[1],
    )
    try:
        user, _course = completed(UserFactory(full_name=hostile_name))
        certificate = Certificate.objects.get(holder=user)
        certificate.achievement_title = hostile_title
        pdf = rendering.render_pdf(certificate, issuer_settings()).content
    finally:
        server.shutdown()
    assert _Recorder.hits == []
    assert all(url.startswith((rendering.STATIC_BASE, "data:")) for url in fetched), fetched
    text = text_of(pdf).replace("\n", "")
    assert "file:///etc/passwd" in text and f"127.0.0.1:{port}/x.css" in text  # printed, not followed


def test_the_fetcher_refuses_everything_but_our_static_files_and_data():
    fetcher = rendering.OwnFilesOnly()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://static.hocso.invalid/../../settings.py",
        "https://example.com/x.css",
    ):
        with pytest.raises(rendering.FetchRefused):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    assert fetcher.fetch(rendering.STATIC_BASE + "certificates/pdf/certificate.css").read().startswith(b"/*")
