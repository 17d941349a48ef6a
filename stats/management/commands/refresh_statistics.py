from django.core.management.base import BaseCommand

from stats import services


class Command(BaseCommand):
    help = "Recompute the statistics' numbers: every commune, or only those whose facts changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--changed", action="store_true", help="Only communes whose facts changed since last time."
        )

    def handle(self, *args, changed, **options):
        report = services.refresh_changed() if changed else services.refresh_all()
        self.stdout.write(
            f"Refreshed {report.communes} communes ({report.rows:,} rows) in {report.seconds:.1f} s."
        )
