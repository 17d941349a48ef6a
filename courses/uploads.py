"""What the media libraries accept, and how a stored file goes back out.

Documents are the files lessons link to or play: PDF, audio, MP4 video and pictures
(``WAGTAILDOCS_EXTENSIONS``). A file must also start the way its kind of file starts: an HTML page
named ``huong-dan.pdf`` is refused, since a browser that sniffs it would run it in the site's origin,
and so is any file that begins as markup (``<``), whatever its name.
Pictures are capped in pixels (``WAGTAILIMAGES_MAX_IMAGE_PIXELS``) before anything decodes them,
and Pillow is held to the same cap, so a picture stored before the cap was set is never decoded
either: an 11,000 × 11,000 PNG can be a few dozen bytes on disk and half a gigabyte in memory.
"""

import io
import os
import warnings
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import BigIntegerField, F
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from wagtail.documents.forms import BaseDocumentForm
from wagtail.documents.views.serve import serve
from wagtail.images import get_image_model
from wagtail.images.forms import BaseImageForm

# How much of a file the checks read: past what browsers look at to guess a file's kind (512 bytes).
_HEAD = 1024
_BLANK = b" \t\n\r\x0c"
_UTF8_BOM = b"\xef\xbb\xbf"


def _starts_with(*magics: bytes) -> Callable[[bytes, int], bool]:
    return lambda head, size: head.startswith(magics)


def _riff(form: bytes) -> Callable[[bytes, int], bool]:
    """WAV and WebP: a RIFF file whose form type names the kind."""
    return lambda head, size: head.startswith(b"RIFF") and head[8:12] == form


def _iso_media(head: bytes, size: int) -> bool:
    """MP4 and M4A: an ISO base media file, whose first box is the file type box ("ftyp"), of a
    size that fits its header and the file, with a brand of four letters, digits or trailing spaces as
    registered brands are ("isom", "mp42", "M4A ", "qt  ")."""
    if len(head) < 12 or head[4:8] != b"ftyp":
        return False
    box_size = int.from_bytes(head[:4], "big")
    return 8 <= box_size <= size and head[8:12].rstrip(b" ").isalnum()


# How each accepted kind of file begins (WAGTAILDOCS_EXTENSIONS): given the file's first bytes and
# its size, whether it does.
_SIGNATURES: dict[str, Callable[[bytes, int], bool]] = {
    "pdf": _starts_with(b"%PDF-"),
    "mp3": _starts_with(b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xfa"),
    "aac": _starts_with(b"\xff\xf1", b"\xff\xf9"),  # ADTS
    "m4a": _iso_media,
    "mp4": _iso_media,
    "ogg": _starts_with(b"OggS"),
    "oga": _starts_with(b"OggS"),
    "opus": _starts_with(b"OggS"),
    "wav": _riff(b"WAVE"),
    "jpg": _starts_with(b"\xff\xd8\xff"),
    "jpeg": _starts_with(b"\xff\xd8\xff"),
    "png": _starts_with(b"\x89PNG\r\n\x1a\n"),
    "webp": _riff(b"WEBP"),
}


def looks_like_markup(head: bytes) -> bool:
    """Whether a file reads as HTML, SVG or XML to a browser guessing its kind: its first bytes, after
    an optional UTF-8 byte order mark and blanks, are a "<". A head of nothing but blanks counts too:
    a browser would read on past it."""
    rest = head.removeprefix(_UTF8_BOM).lstrip(_BLANK)
    return rest.startswith(b"<") or (bool(head) and not rest)


def content_matches_name(name: str, head: bytes, *, size: int) -> bool:
    """Whether a file's first bytes (``head``, up to 1024) are those of the kind its extension names,
    and not markup whatever the extension. ``size`` is the whole file's, in bytes."""
    if looks_like_markup(head):
        return False
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    check = _SIGNATURES.get(extension)
    return check is None or check(head, size)


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form (single and multiple upload), checking the content as well. The
    extension itself is checked by Wagtail against WAGTAILDOCS_EXTENSIONS."""

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file and "file" in self.changed_data:
            file.seek(0)
            head = file.read(_HEAD)
            file.seek(0)
            if not content_matches_name(file.name, head, size=file.size):
                extension = os.path.splitext(file.name)[1].lower().lstrip(".")
                raise ValidationError(
                    _("The content of this file is not what its name says (.%(extension)s).")
                    % {"extension": extension},
                    code="content_mismatch",
                )
        return file


class ImageForm(BaseImageForm):
    """Wagtail's image form, saying in the trainer's words why a picture is too big."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            # Wagtail formats this message with the pixel count, or "unknown number" when Pillow
            # refused to open the file at all; the cap is what the trainer can act on.
            millions = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS // 1_000_000
            self.fields["file"].error_messages["file_too_many_pixels"] = _(
                "Picture too large: a lesson picture may have at most %(millions)s million pixels "
                "(for example 6000 × 4000). Make it smaller and upload it again."
            ) % {"millions": millions}


def limit_image_decoding() -> None:
    """Hold Pillow to the pixel cap everywhere (renditions, certificates, avatars). Pillow refuses
    to open a picture of more than twice MAX_IMAGE_PIXELS and only warns between once and twice;
    a refusal does not depend on warning filters (which a test runner or ``-W`` may change), so the
    cap is Pillow's refusal and the warning is noise. Called once at start-up."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS // 2
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def oversized_images():
    """Pictures stored before the cap that exceed it, by their recorded size (nothing is decoded).
    Pillow refuses to open them, so their renditions, and the admin lists that show them, fail
    until they are made smaller (``manage.py oversized_images --shrink``)."""
    pixels = Cast(F("width"), BigIntegerField()) * F("height")
    cap = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    return get_image_model().objects.alias(pixels=pixels).filter(pixels__gt=cap).order_by("pk")


def image_shrink(image) -> None:
    """Scale one oversized picture down to the cap, in its own format, and drop its renditions.
    Run by an operator, one picture at a time: this is the one place Pillow may open a picture
    over the cap (a JPEG is decoded at a half, a quarter or an eighth of its size)."""
    from PIL import Image

    scale = (settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS / (image.width * image.height)) ** 0.5
    size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with image.open_file() as handle, Image.open(handle) as picture:
            kind = picture.format
            exif = picture.info.get("exif")  # a phone photo's orientation
            picture.draft(picture.mode, size)
            picture.thumbnail(size)
            buffer = io.BytesIO()
            picture.save(buffer, format=kind, **({"exif": exif} if exif else {}))
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    storage, old_name = image.file.storage, image.file.name
    image.renditions.all().delete()
    image.file = ContentFile(buffer.getvalue(), name=os.path.basename(old_name))
    image._set_image_file_metadata()
    image.save()
    storage.delete(old_name)


def serve_document(request, document_id, document_filename):
    """Wagtail's document view, with the file's policy also sandboxed: a document never runs as
    a page of this site, whatever a browser makes of it."""
    response = serve(request, document_id, document_filename)
    if "Content-Security-Policy" in response:  # set on files only, not on the password page
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
