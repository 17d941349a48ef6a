from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ops.reclaim import reclaim_stuck_tasks


class Command(BaseCommand):
    help = "Put back the tasks whose worker stopped, or fail those that used up their attempts."

    def handle(self, *args, **options):
        report = reclaim_stuck_tasks()
        self.stdout.write(
            _("Stuck tasks: %(retried)d put back, %(failed)d given up.")
            % {"retried": report.retried, "failed": report.failed}
        )
