"""The periodic jobs, and when each runs. ``manage.py run_scheduler`` runs them in one long-lived
process per province; a PostgreSQL advisory lock lets only one scheduler run them at a time, so a
second machine can run one as a standby that takes over when the first stops.

Times are kept in memory: after a restart, frequent jobs run at once and daily jobs at their next
hour. A missed daily run is harmless: each job catches up everything due when it runs next."""

import datetime
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import connection

logger = logging.getLogger(__name__)

# Any fixed number, the same on every machine: the key of the scheduler's advisory lock.
LOCK_KEY = 0x686F6373  # "hocs"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every: datetime.timedelta | None = None
    daily_at: datetime.time | None = None  # in the province's time zone

    def next_run(self, after: datetime.datetime) -> datetime.datetime:
        """When the job is next due, strictly after ``after`` (an aware datetime)."""
        if self.every is not None:
            return after + self.every
        local = after.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        due = datetime.datetime.combine(local.date(), self.daily_at, tzinfo=local.tzinfo)
        return due if due > local else due + datetime.timedelta(days=1)


def _reclaim():
    from ops.reclaim import reclaim_stuck_tasks

    return reclaim_stuck_tasks()


def _requeue_statistics():
    from stats.services import requeue_lost_refreshes

    return requeue_lost_refreshes()


def _refresh_statistics():
    call_command("refresh_statistics")


def _rerender_certificates():
    from certificates.services import rerender_stale_certificates

    return rerender_stale_certificates()


def _purge_orphan_pdfs():
    from certificates.files import purge_orphan_files

    return purge_orphan_files()


def _purge_task_results():
    from ops.purges import purge_task_results

    return purge_task_results()


def _purge_idempotency_keys():
    from api.idempotency import purge

    return purge()


def _purge_sessions():
    call_command("clearsessions")


def _purge_tokens():
    from ops.purges import purge_expired_tokens

    return purge_expired_tokens()


def _purge_import_files():
    from members.services.imports import import_files_purge

    return import_files_purge()


MINUTE = datetime.timedelta(minutes=1)
JOBS = (
    Job("reclaim_tasks", _reclaim, every=MINUTE),
    Job("requeue_lost_statistics", _requeue_statistics, every=10 * MINUTE),
    Job("refresh_statistics", _refresh_statistics, daily_at=datetime.time(2, 0)),
    Job("purge_task_results", _purge_task_results, daily_at=datetime.time(3, 0)),
    Job("rerender_certificates", _rerender_certificates, daily_at=datetime.time(4, 0)),
    Job("purge_orphan_pdfs", _purge_orphan_pdfs, daily_at=datetime.time(4, 30)),
    Job("purge_idempotency_keys", _purge_idempotency_keys, daily_at=datetime.time(3, 10)),
    Job("purge_sessions", _purge_sessions, daily_at=datetime.time(3, 20)),
    Job("purge_expired_tokens", _purge_tokens, daily_at=datetime.time(3, 30)),
    Job("purge_import_files", _purge_import_files, daily_at=datetime.time(3, 40)),
)
JOBS_BY_NAME = {job.name: job for job in JOBS}


def run_job(job: Job) -> bool:
    """Run one job; a job that fails is logged and does not stop the others. Whether it succeeded."""
    try:
        outcome = job.run()
    except Exception:
        logger.exception("Scheduled job %s failed", job.name)
        return False
    logger.info("Scheduled job %s done: %s", job.name, outcome)
    return True


def first_runs(now: datetime.datetime) -> dict[str, datetime.datetime]:
    """Frequent jobs are due at once; daily jobs at their next hour."""
    return {job.name: now if job.every is not None else job.next_run(now) for job in JOBS}


def run_due(due: dict[str, datetime.datetime], now: datetime.datetime) -> list[str]:
    """Run the jobs due by ``now`` and move their next run on; the names of those run."""
    ran = []
    for job in JOBS:
        if due[job.name] <= now:
            run_job(job)
            due[job.name] = job.next_run(now)
            ran.append(job.name)
    return ran


def try_lock() -> bool:
    """Take the province's scheduler lock for this connection (PostgreSQL; held until it closes).
    SQLite serves one machine: there is nothing to share."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]
