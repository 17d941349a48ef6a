"""Reclaiming tasks whose worker stopped.

django-tasks-db marks a task RUNNING when a worker claims it and only ever claims READY tasks: a
worker killed mid-run (deploy, out of memory, power cut) leaves its task RUNNING for good, and a
certificate then waits for its PDF until the holder downloads it. A task RUNNING for longer than
``TASKS_RECLAIM_AFTER`` seconds is taken as lost and put back to READY for another worker, up to
``TASKS_MAX_ATTEMPTS`` runs; then it is marked FAILED with a reason an operator reads in the Django
admin (Task results), and logged as an error.

Attempts are the library's own record: every claim appends the worker's id to ``worker_ids``, so
its length is the number of runs started, and the library's table needs no column of ours.

Taking a task that is only slow for a lost one runs it twice: our tasks are idempotent (a PDF render
replaces the file under a row lock, a statistics refresh recomputes from facts), and the lease is
set well above the longest task. Rows are locked with ``skip_locked``, so two machines running the
reclaim at the same minute share the stuck tasks instead of handling one twice.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

BATCH = 500


class WorkerLost(Exception):
    """What a task given up on failed with (named in the task result's exception class)."""


@dataclass
class ReclaimReport:
    retried: int = 0
    failed: int = 0


def attempts(result: DBTaskResult) -> int:
    """How many times a worker started this task."""
    return len(result.worker_ids)


def reclaim_stuck_tasks(*, now: datetime.datetime | None = None) -> ReclaimReport:
    """Put back the tasks whose worker stopped, or fail those that used up their attempts."""
    now = now or timezone.now()
    report = ReclaimReport()
    with transaction.atomic():
        for result in _stuck(now).select_for_update(skip_locked=True)[:BATCH]:
            if attempts(result) >= settings.TASKS_MAX_ATTEMPTS:
                report.failed += _give_up(result, now)
            else:
                report.retried += _put_back(result)
    return report


def _stuck(now: datetime.datetime):
    lease = datetime.timedelta(seconds=settings.TASKS_RECLAIM_AFTER)
    return DBTaskResult.objects.running().filter(started_at__lt=now - lease).order_by("started_at")


def _unchanged(result: DBTaskResult):
    # The row as it was read: a worker that finished meanwhile (SQLite takes no row lock) keeps its
    # outcome.
    return DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    )


def _put_back(result: DBTaskResult) -> int:
    put_back = _unchanged(result).update(status=TaskResultStatus.READY)
    if put_back:
        logger.warning(
            "Task %s (%s) was stuck running since %s; put back for attempt %d of %d",
            result.pk,
            result.task_path,
            result.started_at.isoformat(),
            attempts(result) + 1,
            settings.TASKS_MAX_ATTEMPTS,
        )
    return put_back


def failure_reason(result: DBTaskResult) -> str:
    """What an operator reads on a task given up on, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(
            "The worker running this task stopped without finishing it, %(attempts)d times (no news "
            "for more than %(seconds)d seconds each time). It will not be tried again: look for what "
            "stops the workers (memory, restarts), then enqueue the work again if it is still needed."
        ) % {"attempts": attempts(result), "seconds": settings.TASKS_RECLAIM_AFTER}


def _give_up(result: DBTaskResult, now: datetime.datetime) -> int:
    failed = _unchanged(result).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=failure_reason(result),
        return_value=None,
    )
    if failed:
        logger.error(
            "Task %s (%s) given up after %d attempts: its worker stopped each time",
            result.pk,
            result.task_path,
            attempts(result),
        )
    return failed
