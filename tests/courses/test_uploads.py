"""Uploads that cannot hurt: the document library takes only what lessons use (PDF, audio, video,
pictures), checked by content as well as by name; a picture is refused above the pixel cap before
anything decodes it, and an oversized picture already stored is never decoded either."""

import io
import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 64
OGG = b"OggS\x00\x02" + b"\x00" * 64
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41" + b"\x00\x00\x00\x08free" + b"\x00" * 64
AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def editor(client, world):
    client.force_login(world.admin)
    return client


def add_document(client, name: str, content: bytes):
    return client.post(
        "/admin/documents/add/",
        {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1},
    )


def add_documents(client, name: str, content: bytes) -> dict:
    """The multiple uploader (drag and drop) answers each file in JSON."""
    return client.post(
        "/admin/documents/multiple/add/", {"files[]": SimpleUploadedFile(name, content)}
    ).json()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bai-hoc.html", b"<!doctype html><script>alert(document.cookie)</script>"),
        ("app.js", b"fetch('/api/v1/me/').then(r => r.text())"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("ghi-chu.txt", b"ghi chu"),
    ],
)
def test_documents_of_other_types_are_refused(editor, name, content):
    response = add_document(editor, name, content)
    assert response.status_code == 200
    assert not get_document_model().objects.exists()
    assert add_documents(editor, name, content)["success"] is False
    assert not get_document_model().objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("huong-dan.pdf", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("bai-doc.mp3", b"<html><body onload=alert(1)>"),
        ("anh.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("video.mp4", b"%PDF-1.4 not a video"),
    ],
)
def test_a_document_whose_content_is_not_what_its_name_says_is_refused(editor, name, content):
    response = add_document(editor, name, content)
    assert response.status_code == 200
    assert "không đúng" in response.content.decode()
    answer = add_documents(editor, name, content)
    assert answer["success"] is False and "không đúng" in answer["error_message"]
    assert not get_document_model().objects.exists()


# Each would pass a check that looks at one offset only: WAVE/WEBP at 8, "ftyp" at 4.
BYPASSES = [
    ("noi.wav", b"<script>WAVEalert(document.cookie)</script>"),
    ("anh.webp", b"<script>WEBPalert(document.cookie)</script>"),
    ("video.mp4", b"<!--ftyp --><script>alert(document.cookie)</script>"),
    ("bai-doc.m4a", b"<!--ftyp --><script>alert(document.cookie)</script>"),
    ("video.mp4", b"\xef\xbb\xbf ftypisom<html><script>alert(1)</script></html>"),
    ("video.mp4", b"\x00\x00\x10\x00ftypisom<script>alert(1)</script>"),  # a box beyond the file
    ("video.mp4", b"\x00\x00\x00\x18ftyp<scr\x00\x00\x02\x00<script>alert(1)</script>"),  # brand
    ("video.mp4", b"\x00\x00\x00\x04ftypisom<script>alert(1)</script>"),  # a box smaller than its header
]


@pytest.mark.parametrize(("name", "content"), BYPASSES)
def test_a_page_dressed_up_as_audio_video_or_a_picture_is_refused(editor, name, content):
    response = add_document(editor, name, content)
    assert response.status_code == 200
    assert "Nội dung tệp này không đúng với tên của nó" in response.content.decode()
    answer = add_documents(editor, name, content)
    assert answer["success"] is False and "không đúng với tên" in answer["error_message"]
    assert not get_document_model().objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"\xef\xbb\xbf\r\n  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b" " * 2000 + b"<script>alert(1)</script>",  # blanks further than the check reads
    ],
)
def test_markup_is_refused_whatever_the_extension(editor, settings, content):
    """Even a kind of file that has no signature to check (should one be added to the list)."""
    settings.WAGTAILDOCS_EXTENSIONS = [*settings.WAGTAILDOCS_EXTENSIONS, "txt"]
    assert add_document(editor, "ghi-chu.txt", b"ghi chu").status_code == 302
    response = add_document(editor, "trang.txt", content)
    assert response.status_code == 200
    assert "Nội dung tệp này không đúng với tên của nó (.txt)" in response.content.decode()
    assert add_documents(editor, "trang.txt", content)["success"] is False
    assert get_document_model().objects.count() == 1


def picture(kind: str) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 6), (40, 120, 60)).save(buffer, format=kind)
    return buffer.getvalue()


ACCEPTED = [
    ("huong-dan.pdf", PDF),
    ("bai-doc.mp3", MP3),
    ("bai-doc.m4a", M4A),
    ("bai-doc.aac", AAC),
    ("ke.ogg", OGG),
    ("ke.oga", OGG),
    ("ke.opus", OGG),
    ("noi.wav", WAV),
    ("video.mp4", MP4),
    ("anh.jpg", picture("JPEG")),
    ("anh.jpeg", picture("JPEG")),
    ("anh.png", picture("PNG")),
    ("anh.webp", picture("WEBP")),
]


def test_every_accepted_kind_has_a_sample_below(settings):
    assert sorted({name.rsplit(".", 1)[1] for name, _ in ACCEPTED}) == sorted(settings.WAGTAILDOCS_EXTENSIONS)


@pytest.mark.parametrize(("name", "content"), ACCEPTED)
def test_the_types_lessons_use_are_accepted(editor, name, content):
    assert add_document(editor, name, content).status_code == 302
    assert add_documents(editor, "hai-" + name, content)["success"] is True
    assert get_document_model().objects.count() == 2


def test_a_stored_document_of_another_type_still_downloads_without_running(editor):
    """Its editor downloads it (a document no published page uses is for its editors only,
    courses.visibility): as a file, never as a page of the site."""
    old = get_document_model().objects.create(title="Cũ", file=ContentFile(b"<p>cu</p>", name="cu.html"))
    response = editor.get(old.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "sandbox" in response["Content-Security-Policy"]


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds almost nothing: what a hostile upload looks like
    (a few hundred bytes that would expand to gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # one bit per pixel, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (40, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def add_image(client, name: str, content: bytes):
    return client.post(
        "/admin/images/add/", {"title": name, "file": SimpleUploadedFile(name, content), "collection": 1}
    )


def test_a_picture_of_eleven_thousand_pixels_square_is_refused_in_vietnamese(editor):
    response = add_image(editor, "khong-lo.png", png_header(11_000, 11_000))
    assert response.status_code == 200
    assert not get_image_model().objects.exists()
    text = response.content.decode()
    assert "Ảnh quá lớn" in text and "24 triệu điểm ảnh" in text
    answer = editor.post(
        "/admin/images/multiple/add/", {"files[]": SimpleUploadedFile("b.png", png_header(11_000, 11_000))}
    ).json()
    assert answer["success"] is False and "Ảnh quá lớn" in answer["error_message"]


def test_a_picture_just_over_the_cap_is_refused_and_one_at_it_accepted(editor):
    assert add_image(editor, "lon.png", png_header(6001, 4000)).status_code == 200
    assert not get_image_model().objects.exists()
    assert add_image(editor, "vua.png", png(60, 40)).status_code == 302
    assert get_image_model().objects.count() == 1


def stored_before_the_cap(width: int, height: int):
    name = default_storage.save("original_images/cu.png", ContentFile(png_header(width, height)))
    return get_image_model().objects.create(title="Cũ", file=name, width=width, height=height)


def test_an_oversized_picture_already_stored_is_never_decoded():
    image = stored_before_the_cap(11_000, 11_000)
    with pytest.raises(PILImage.DecompressionBombError):
        image.get_rendition("width-360|format-webp")
    image = stored_before_the_cap(6001, 4000)  # over the cap, under Pillow's own hard limit
    with pytest.raises(PILImage.DecompressionBombError):
        image.get_rendition("width-360|format-webp")


def test_an_oversized_picture_stored_before_the_cap_is_shrunk_by_the_operator(client, world):
    name = default_storage.save("original_images/lon.png", ContentFile(b""))
    with default_storage.open(name, "wb") as handle:
        PILImage.new("1", (7000, 4000), 1).save(handle, format="PNG")  # 28 MP in a few kilobytes
    image = get_image_model().objects.create(title="Lớn", file=name, width=7000, height=4000)
    small = get_image_model().objects.create(title="Nhỏ", file=ContentFile(png(60, 40), name="nho.png"))
    out = io.StringIO()
    call_command("oversized_images", stdout=out)
    assert f"{image.pk}\t7000 × 4000\tLớn" in out.getvalue() and "1 picture(s)" in out.getvalue()
    call_command("oversized_images", "--shrink", stdout=io.StringIO())
    image.refresh_from_db()
    assert image.width * image.height <= 24_000_000 and abs(image.width / image.height - 7 / 4) < 0.01
    with image.open_file() as handle:
        assert PILImage.open(handle).size == (image.width, image.height)
    assert image.get_rendition("width-360|format-webp").width == 360
    assert not default_storage.exists(name) and small.file.storage.exists(small.file.name)
    client.force_login(world.admin)
    assert client.get("/admin/images/").status_code == 200
