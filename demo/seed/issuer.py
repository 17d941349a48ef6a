"""The demo issuer: a fictional signer and a drawn signature, so the demo certificates look whole.
A real deployment enters its own in Settings → Certificate issuer."""

import io
import math

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image, ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Site

from certificates.models import IssuerSettings

SIGNER = "Hoàng Văn Quang"  # fictional, like every person in the demo data


def _signature_png() -> bytes:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = []
    for step in range(240):
        t = step / 239
        x = 40 + 480 * t
        y = 110 - 45 * math.sin(t * 9.5) * (1 - t * 0.6) - 25 * math.sin(t * 23)
        points.append((x, y))
    draw.line(points, fill=(20, 40, 120, 255), width=6, joint="curve")
    draw.line([(60, 150), (560, 125)], fill=(20, 40, 120, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def seed_issuer() -> None:
    site = Site.objects.filter(is_default_site=True).first()
    settings = IssuerSettings.for_site(site)
    if settings.signer_name:
        return
    Image_ = get_image_model()
    signature = Image_.objects.filter(title="Chữ ký mẫu (demo)").first()
    if signature is None:
        content = ContentFile(_signature_png(), name="chu-ky-mau.png")
        signature = Image_.objects.create(
            title="Chữ ký mẫu (demo)", file=ImageFile(content, name="chu-ky-mau.png")
        )
    settings.signer_name = SIGNER
    settings.signature_image = signature
    settings.save()
