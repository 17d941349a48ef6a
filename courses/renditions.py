"""Image renditions: made when a page is published, fetched in one query when it is shown.

Templates ask for the specs below; making them at publish time keeps image processing (a phone
photo costs 200 ms per rendition) off the request path, and ``prefetch`` lets a page with many
pictures look them all up at once.
"""

from django.db.models import Prefetch, prefetch_related_objects
from wagtail.images import get_image_model
from wagtail.images.models import Filter

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


# What the templates ask of a picture: a cover (course_page.html, course_index_page.html), or a
# picture in a lesson (the blocks' srcset).
SHOWN_AS = (("fill-360x180|format-webp",), tuple(BODY_SPECS))


def _cached(image) -> bool:
    """Whether Wagtail's rendition cache holds what the templates ask of ``image`` as a cover or as
    a lesson picture (so that showing it costs no query)."""
    Rendition = get_image_model().get_rendition_model()
    specs = {spec for shown in SHOWN_AS for spec in shown}
    keys = {
        spec: Rendition.construct_cache_key(image, Filter(spec).get_cache_key(image), spec) for spec in specs
    }
    found = Rendition.cache_backend.get_many(list(keys.values()))
    return any(all(keys[spec] in found for spec in shown) for shown in SHOWN_AS)


def prefetch(images: list) -> None:
    """Make the renditions templates use ready for each image without a query per image: a running
    server finds them all in Wagtail's rendition cache (no query); otherwise they are attached to the
    images in one query."""
    images = [image for image in images if image is not None]
    if not images or all(_cached(image) for image in images):
        return
    Rendition = get_image_model().get_rendition_model()
    prefetch_related_objects(
        images,
        Prefetch("renditions", queryset=Rendition.objects.filter(filter_spec__in=COVER_SPECS + BODY_SPECS)),
    )


def prepare_page_renditions(page) -> None:
    """Make every rendition a page's templates will ask for (on publish, or from the seed)."""
    page = page.specific
    for image in images_in(page):
        specs = COVER_SPECS if image == getattr(page, "cover", None) else BODY_SPECS
        image.get_renditions(*specs)
