from django.conf import settings
from django.core.management.base import BaseCommand

from courses.uploads import image_shrink, oversized_images


class Command(BaseCommand):
    help = (
        "List the pictures stored before the pixel cap (WAGTAILIMAGES_MAX_IMAGE_PIXELS) that exceed it; "
        "with --shrink, scale each down to the cap. Nothing can show them until then."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shrink", action="store_true", help="Scale each one down to the cap.")

    def handle(self, *args, shrink, **options):
        images = list(oversized_images())
        for image in images:
            line = f"{image.pk}\t{image.width} × {image.height}\t{image.title}"
            if shrink:
                image_shrink(image)
                line += f"\t→ {image.width} × {image.height}"
            self.stdout.write(line)
        cap = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
        self.stdout.write(f"{len(images)} picture(s) over {cap:,} pixels{' shrunk' if shrink else ''}.")
