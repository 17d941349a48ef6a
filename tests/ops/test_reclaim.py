"""A task whose worker stopped mid-run is put back and run again, up to a limit, then failed with a
reason an operator reads; never lost in RUNNING."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from certificates.models import Certificate
from certificates.tasks import render_certificate
from ops.reclaim import WorkerLost, reclaim_stuck_tasks
from stats.tasks import refresh_changed_communes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def killed_while_running(*, minutes_ago: int, task=refresh_changed_communes, args=(), worker="w1"):
    """A task a worker claimed ``minutes_ago`` and never finished (the process was killed)."""
    result = task.enqueue(*args)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return row


def status(row) -> str:
    row.refresh_from_db()
    return row.status


def test_a_task_stuck_longer_than_the_lease_is_put_back(database_tasks, settings):
    settings.TASKS_RECLAIM_AFTER = 300
    stuck = killed_while_running(minutes_ago=6)
    report = reclaim_stuck_tasks()
    assert (report.retried, report.failed) == (1, 0)
    assert status(stuck) == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=stuck.pk).exists()  # what db_worker claims


def test_a_task_within_its_lease_and_finished_tasks_are_left_alone(database_tasks, settings):
    settings.TASKS_RECLAIM_AFTER = 300
    running = killed_while_running(minutes_ago=4)
    finished = killed_while_running(minutes_ago=60)
    finished.set_successful(0)
    assert reclaim_stuck_tasks().retried == 0
    assert status(running) == TaskResultStatus.RUNNING
    assert status(finished) == TaskResultStatus.SUCCESSFUL


def test_after_the_last_attempt_the_task_fails_with_a_reason(database_tasks, settings):
    settings.TASKS_RECLAIM_AFTER, settings.TASKS_MAX_ATTEMPTS = 300, 3
    stuck = killed_while_running(minutes_ago=6)
    for worker in ("w2", "w3"):
        assert reclaim_stuck_tasks().retried == 1
        DBTaskResult.objects.get(pk=stuck.pk).claim(worker)
        DBTaskResult.objects.filter(pk=stuck.pk).update(
            started_at=timezone.now() - datetime.timedelta(minutes=6)
        )
    report = reclaim_stuck_tasks()
    assert (report.retried, report.failed) == (0, 1)
    stuck.refresh_from_db()
    assert stuck.status == TaskResultStatus.FAILED and stuck.finished_at is not None
    assert stuck.exception_class_path == f"{WorkerLost.__module__}.WorkerLost"
    assert "3" in stuck.traceback and "300" in stuck.traceback
    # The operator sees it among the failures, in the task result as the library shows it.
    assert stuck.task_result.errors[0].traceback == stuck.traceback


def test_a_killed_render_is_run_again_and_the_certificate_gets_its_pdf(
    database_tasks, settings, completed, world, monkeypatch
):
    # The worker drops connections it finds in a transaction: this test's own, on PostgreSQL.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    holder, _course = completed(UserFactory(village=world.resident_a.village))
    certificate = Certificate.objects.get(holder=holder)
    Certificate.objects.filter(pk=certificate.pk).update(pdf="", pdf_version="")
    DBTaskResult.objects.all().delete()
    stuck = killed_while_running(minutes_ago=10, task=render_certificate, args=(certificate.pk,))

    out = io.StringIO()
    call_command("reclaim_tasks", stdout=out)
    assert "1" in out.getvalue()
    call_command("db_worker", batch=True, queue_name="*", startup_delay=False, reload=False, verbosity=0)

    assert status(stuck) == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=stuck.pk).worker_ids[0] == "w1"  # the same task, a second run
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name)
