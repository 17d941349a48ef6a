"""After a deploy that changed the certificate template (its HTML, style, fonts or renderer), queue
a render of every stored PDF an earlier template made:

    manage.py rerender_certificates              # all of them
    manage.py rerender_certificates --limit 500  # the first 500 (by id), e.g. to spread the work

Workers render them on the ``certificates`` queue; until then a download hands out the earlier PDF,
which says the same (docs/deploy.md, "Upgrades"). The scheduler runs this nightly too, for any left.
"""

from django.core.management.base import BaseCommand

from certificates import rendering, services


class Command(BaseCommand):
    help = "Queue a render of every certificate PDF made by an earlier template."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Queue at most this many")

    def handle(self, *args, limit: int | None, **options):
        queued = services.rerender_stale_certificates(limit=limit)
        self.stdout.write(
            f"Template {rendering.template_version()}: {queued} certificate(s) queued for a new PDF."
        )
