import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ops import schedule

TICK = 15  # seconds between looks at the clock
STANDBY = 30  # seconds between tries for the lock while another scheduler holds it


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (reclaim stuck tasks, statistics safety refresh, purges) for as long as "
        "it runs; one per province runs them, any other waits as a standby. --job NAME runs one job now."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--job", choices=sorted(schedule.JOBS_BY_NAME), help="Run this job once and exit."
        )

    def handle(self, *args, job=None, **options):
        if job is not None:
            if not schedule.run_job(schedule.JOBS_BY_NAME[job]):
                raise CommandError(_("The job %(job)s failed; see the log.") % {"job": job})
            return
        self._wait_for_lock()
        due = schedule.first_runs(timezone.now())
        while True:
            schedule.run_due(due, timezone.now())
            time.sleep(TICK)

    def _wait_for_lock(self):
        announced = False
        while not schedule.try_lock():
            if not announced:
                self.stdout.write(_("Another scheduler is running; waiting to take over."))
                announced = True
            time.sleep(STANDBY)
        self.stdout.write(_("Scheduler started."))
