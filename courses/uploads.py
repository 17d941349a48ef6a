"""What the media libraries accept, and how a stored file goes back out.

Documents are the files lessons link to or play: PDF, audio, MP4 video and pictures
(``WAGTAILDOCS_EXTENSIONS``). A file must also start the way its kind of file starts: an HTML page
named ``huong-dan.pdf`` is refused, since a browser that sniffs it would run it in the site's origin.
Pictures are capped in pixels (``WAGTAILIMAGES_MAX_IMAGE_PIXELS``) before anything decodes them,
and Pillow is held to the same cap, so a picture stored before the cap was set is never decoded
either: an 11,000 × 11,000 PNG can be a few dozen bytes on disk and half a gigabyte in memory.
"""

import io
import os
import warnings

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

# How each accepted kind of file begins: (offset, bytes), any of which will do.
_ISO_MEDIA = ((4, b"ftyp"),)  # MP4 and M4A: an ISO base media file
_SIGNATURES = {
    "pdf": ((0, b"%PDF-"),),
    "mp3": ((0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"), (0, b"\xff\xf2"), (0, b"\xff\xfa")),
    "aac": ((0, b"\xff\xf1"), (0, b"\xff\xf9")),  # ADTS
    "m4a": _ISO_MEDIA,
    "mp4": _ISO_MEDIA,
    "ogg": ((0, b"OggS"),),
    "oga": ((0, b"OggS"),),
    "opus": ((0, b"OggS"),),
    "wav": ((8, b"WAVE"),),
    "jpg": ((0, b"\xff\xd8\xff"),),
    "jpeg": ((0, b"\xff\xd8\xff"),),
    "png": ((0, b"\x89PNG\r\n\x1a\n"),),
    "webp": ((8, b"WEBP"),),
}


def content_matches_name(name: str, head: bytes) -> bool:
    """Whether a file's first bytes are those of the kind its extension names."""
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    signatures = _SIGNATURES.get(extension, ())
    return any(head[offset : offset + len(magic)] == magic for offset, magic in signatures)


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form (single and multiple upload), checking the content as well. The
    extension itself is checked by Wagtail against WAGTAILDOCS_EXTENSIONS."""

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file and "file" in self.changed_data:
            file.seek(0)
            head = file.read(16)
            file.seek(0)
            extension = os.path.splitext(file.name)[1].lower().lstrip(".")
            if extension in _SIGNATURES and not content_matches_name(file.name, head):
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
