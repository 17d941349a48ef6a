"""Image renditions: made when a page is published, fetched in one query when it is shown.

Templates ask for the specs below; making them at publish time keeps image processing (a phone
photo costs 200 ms per rendition) off the request path, and ``prefetch`` lets a page with many
pictures look them all up at once.
"""

from django.db.models import Prefetch, prefetch_related_objects
from wagtail.images import get_image_model

COVER_SPECS = ["fill-360x180|format-webp", "fill-720x360|format-webp"]
BODY_SPECS = ["width-360|format-webp", "width-720|format-webp"]


def images_in(page) -> list:
    """Every image a course or lesson page shows (cover, body images, screenshots, posters)."""
    images = []
    if getattr(page, "cover", None) is not None:
        images.append(page.cover)
    body = getattr(page, "body", None)
    for block in body or []:
        value = block.value
        if block.block_type == "image":
            images.append(value["image"])
        elif block.block_type == "video" and value.get("poster"):
            images.append(value["poster"])
        elif block.block_type == "steps":
            images.extend(step["screenshot"] for step in value if step.get("screenshot"))
    return [image for image in images if image is not None]


def prefetch(images: list) -> None:
    """Attach the renditions templates use to each image, in one query."""
    Rendition = get_image_model().get_rendition_model()
    prefetch_related_objects(
        [image for image in images if image is not None],
        Prefetch("renditions", queryset=Rendition.objects.filter(filter_spec__in=COVER_SPECS + BODY_SPECS)),
    )


def prepare_page_renditions(page) -> None:
    """Make every rendition a page's templates will ask for (on publish, or from the seed)."""
    page = page.specific
    for image in images_in(page):
        specs = COVER_SPECS if image == getattr(page, "cover", None) else BODY_SPECS
        image.get_renditions(*specs)
