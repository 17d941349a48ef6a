"""Two machines run the reclaim in the same minute (PostgreSQL, real threads): each stuck task is
handled once, so no task loses an attempt it never had and none is put back twice."""

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ops.reclaim import reclaim_stuck_tasks
from tests.concurrency import run_together
from tests.ops.test_reclaim import killed_while_running

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STUCK = 40


def test_concurrent_reclaims_handle_each_stuck_task_once(database_tasks, settings):
    settings.TASKS_RECLAIM_AFTER, settings.TASKS_MAX_ATTEMPTS = 300, 2
    half = STUCK // 2
    for _ in range(half):
        killed_while_running(minutes_ago=10)  # one attempt: put back
    for _ in range(half):
        row = killed_while_running(minutes_ago=10)
        row.claim("w2")  # the last attempt: failed
        DBTaskResult.objects.filter(pk=row.pk).update(started_at=row.started_at.replace(year=2020))

    reports, errors = run_together(4, lambda _: reclaim_stuck_tasks())

    assert errors == []
    assert sum(report.retried for report in reports) == half
    assert sum(report.failed for report in reports) == half
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == half
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == half
    assert not DBTaskResult.objects.running().exists()
