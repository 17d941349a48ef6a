import datetime

from django.core.management.base import BaseCommand

from members.services.imports import KEEP_UNCOMMITTED_FOR, import_files_purge


class Command(BaseCommand):
    help = (
        "Delete the uploaded lists of imports nobody committed within "
        f"{KEEP_UNCOMMITTED_FOR.days} days (run daily, e.g. from cron). Committed files are deleted "
        "at once; the record of each import and its counts stay."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=KEEP_UNCOMMITTED_FOR.days, help="Keep files younger than this."
        )

    def handle(self, *args, days, **options):
        count = import_files_purge(older_than=datetime.timedelta(days=days))
        self.stdout.write(f"{count} uploaded files deleted.")
