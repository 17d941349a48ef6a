"""Certificate PDFs. The only module that imports WeasyPrint.

Rendering is safe by construction: the template autoescapes every string, and WeasyPrint may fetch
nothing but the project's own static files and ``data:`` URLs (``OwnFilesOnly``). One FontConfiguration is
kept per process (made lazily, so after a worker forks) and shared by every render: without it
WeasyPrint leaks memory on each document and renders more slowly.
"""

import base64
import functools
import hashlib
import io
import logging
import mimetypes
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.images.models import Filter
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from certificates import payload as payloads
from courses.models import BASIC_SKILLS_DECISION

logger = logging.getLogger(__name__)

TEMPLATE = "certificates/pdf/certificate.html"
_BETWEEN_TAGS = re.compile(r">\s+<")
STATIC_BASE = "https://static.hocso.invalid/"
_OWN_FILES = [
    Path(__file__).resolve().parent / "templates" / "certificates" / "pdf" / "certificate.html",
    Path(__file__).resolve().parent / "static" / "certificates" / "pdf" / "certificate.css",
    Path(__file__).resolve().parent / "static" / "certificates" / "fonts" / "BeVietnamPro-400.ttf",
    Path(__file__).resolve().parent / "static" / "certificates" / "fonts" / "BeVietnamPro-700.ttf",
    Path(__file__),
]


class FetchRefused(ValueError):
    """WeasyPrint asked for something that is neither our static file nor a data: URL."""


@functools.cache
def template_version() -> str:
    """Changes whenever the template, its style, its fonts or this module change: cached PDFs made
    with another version are rendered again."""
    digest = hashlib.sha256()
    for path in _OWN_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def stylesheet() -> CSS:
    """The certificate's stylesheet, parsed once per process with its @font-face rules registered
    in the shared font configuration."""
    return CSS(
        url=f"{STATIC_BASE}certificates/pdf/certificate.css",
        url_fetcher=OwnFilesOnly(),
        font_config=font_config(),
    )


class OwnFilesOnly(URLFetcher):
    """WeasyPrint's URL fetcher, narrowed to our static files and data: URLs. It never touches the
    network or the file system outside the static files (no file://, no http://127.0.0.1)."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            header, _, data = url[5:].partition(",")
            mime = header.split(";")[0] or "text/plain"
            content = base64.b64decode(data) if header.endswith(";base64") else unquote(data).encode()
            return URLFetcherResponse(url, content, {"Content-Type": mime})
        if url.startswith(STATIC_BASE):
            relative = unquote(urlsplit(url).path).lstrip("/")
            found = finders.find(relative) if ".." not in relative.split("/") else None
            if found:
                mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(url, Path(found).read_bytes(), {"Content-Type": mime})
        logger.warning("Certificate rendering refused to fetch a URL")
        raise FetchRefused("refused")


@functools.lru_cache(maxsize=256)
def qr_data_uri(text: str) -> str:
    """The QR code as a one-bit PNG, one pixel per module, drawn with interpolation off (see the
    stylesheet): every module prints as an exact square at any size, like a vector drawing. The
    same code as SVG paths costs WeasyPrint ~11 ms per render to parse and stroke, a quarter of the
    whole certificate (bench/bench_certificates.py). Cached: a certificate's code never changes."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=1, border=0, dark="#1c2620")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# The issuer's pictures as printed: (name, IssuerSettings field, print width in pixels).
PICTURES = (("signature", "signature_image", 400), ("seal", "seal_image", 360))


def _print_size(width: int) -> str:
    return f"width-{width}|format-png"


def _read_picture(image, width: int) -> bytes | None:
    """A logo or signature pre-sized to print size (a full-size photo doubles render time), or
    None when it cannot be read. A picture whose file is gone or damaged fails in as many ways as
    there are image decoders (OSError, SyntaxError, AttributeError, Pillow's DecompressionBombError
    for one over the pixel cap...); a certificate is printed without it rather than not at all."""
    try:
        rendition = image.get_rendition(_print_size(width))
        with rendition.file.open("rb") as handle:
            return handle.read()
    except Exception:
        return None


def _printable(image, width: int) -> bool:
    """Whether a certificate rendered now would carry the picture, without reading it: its
    print-size copy, which is what a render reads, is recorded and its file is in storage. With no
    copy yet, one is made from the original, as the next render would make it (once; a damaged
    original is tried again on each check until it is replaced)."""
    try:
        copy = image.find_existing_rendition(Filter(spec=_print_size(width)))
    except image.get_rendition_model().DoesNotExist:
        try:
            image.get_rendition(_print_size(width))
        except Exception:
            return False
        return True
    return copy.file.storage.exists(copy.file.name)


def _picture_data_uri(issuer, name: str, field: str, width: int) -> str | None:
    image = getattr(issuer, field)
    if image is None:
        return None
    content = _read_picture(image, width)
    if content is None:
        # The image's id only: the signer and the holder are people.
        logger.warning("Certificate %s image %s cannot be read; printed without it", name, image.pk)
        return None
    return "data:image/png;base64," + base64.b64encode(content).decode("ascii")


def unreadable_pictures(issuer) -> list[str]:
    """The names of the issuer's pictures that are chosen but would be left out of a certificate
    rendered now ("signature", "seal"): certificates are printed without them until someone uploads
    them again. Cheap enough for every view of a list: asks the storage, reads no picture."""
    return [
        name
        for name, field, width in PICTURES
        if getattr(issuer, field) is not None and not _printable(getattr(issuer, field), width)
    ]


class RenderedPdf(NamedTuple):
    """A certificate's PDF, and the issuer's pictures it is printed without ("signature", "seal"):
    chosen, but they could not be read."""

    content: bytes
    left_out: tuple[str, ...]


def render_pdf(certificate, issuer) -> RenderedPdf:
    site_url = settings.WAGTAILADMIN_BASE_URL
    qr_text = payloads.qr_text(site_url, certificate.serial, bytes(certificate.payload))
    pictures = {name: _picture_data_uri(issuer, name, field, width) for name, field, width in PICTURES}
    with translation.override(certificate.language):
        html = render_to_string(
            TEMPLATE,
            {
                "certificate": certificate,
                "issuer": issuer,
                "qr_image": qr_data_uri(qr_text),
                "qr_text": qr_text,
                "verify_url": f"{site_url.rstrip('/')}/v/{certificate.serial}/",
                **pictures,
                "static_base": STATIC_BASE,
                "basis_decision": BASIC_SKILLS_DECISION,
            },
        )
    # Whitespace between tags would become anonymous boxes, each a few hundred microseconds of layout.
    html = _BETWEEN_TAGS.sub("><", html)
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=OwnFilesOnly())
    content = document.write_pdf(stylesheets=[stylesheet()], font_config=font_config())
    left_out = tuple(
        name
        for name, field, _width in PICTURES
        if getattr(issuer, field) is not None and pictures[name] is None
    )
    return RenderedPdf(content=content, left_out=left_out)


def minimal_pdf() -> bytes:
    """The baseline of the benchmarks: a one-paragraph document rendered the same way."""
    return HTML(string="<p>Hello</p>", url_fetcher=OwnFilesOnly()).write_pdf(font_config=font_config())
