"""The scheduler runs each periodic job when due, and one failing job does not stop the others; the
purges forget only what is past its time."""

import datetime
import zoneinfo

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from knox.models import AuthToken

from ops import schedule
from ops.purges import purge_expired_tokens, purge_task_results
from stats.tasks import refresh_changed_communes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def test_every_growing_table_has_a_scheduled_purge():
    assert {
        "reclaim_tasks",
        "requeue_lost_statistics",
        "refresh_statistics",
        "purge_task_results",
        "purge_idempotency_keys",
        "purge_sessions",
        "purge_expired_tokens",
        "purge_import_files",
        "rerender_certificates",
        "purge_orphan_pdfs",
    } == set(schedule.JOBS_BY_NAME)


def test_daily_jobs_run_at_their_local_hour_and_frequent_ones_at_once():
    now = datetime.datetime(2026, 12, 7, 1, 30, tzinfo=HANOI)
    due = schedule.first_runs(now)
    assert due["reclaim_tasks"] == now
    assert due["refresh_statistics"] == datetime.datetime(2026, 12, 7, 2, 0, tzinfo=HANOI)
    later = datetime.datetime(2026, 12, 7, 2, 0, 5, tzinfo=HANOI)
    assert schedule.JOBS_BY_NAME["refresh_statistics"].next_run(later) == datetime.datetime(
        2026, 12, 8, 2, 0, tzinfo=HANOI
    )
    assert schedule.JOBS_BY_NAME["reclaim_tasks"].next_run(now) == now + datetime.timedelta(minutes=1)


def test_due_jobs_run_and_a_failing_one_does_not_stop_the_others(monkeypatch):
    ran = []
    jobs = (
        schedule.Job("fails", lambda: 1 / 0, every=schedule.MINUTE),
        schedule.Job("works", lambda: ran.append("works"), every=schedule.MINUTE),
        schedule.Job("nightly", lambda: ran.append("nightly"), daily_at=datetime.time(2, 0)),
    )
    monkeypatch.setattr(schedule, "JOBS", jobs)
    now = datetime.datetime(2026, 12, 7, 1, 30, tzinfo=HANOI)
    due = schedule.first_runs(now)
    assert schedule.run_due(due, now) == ["fails", "works"]
    assert schedule.run_due(due, now + datetime.timedelta(seconds=30)) == []
    assert schedule.run_due(due, now + datetime.timedelta(minutes=31)) == ["fails", "works", "nightly"]
    assert ran == ["works", "works", "nightly"]


def test_task_results_are_purged_once_finished_long_enough(database_tasks, settings):
    settings.TASKS_RESULTS_KEEP_DAYS = 14
    old, recent, waiting = (refresh_changed_communes.enqueue() for _ in range(3))
    for result, days in ((old, 15), (recent, 13)):
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now() - datetime.timedelta(days=days)
        )
    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(days=60)
    )
    assert purge_task_results() == 1
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        DBTaskResult.objects.get(pk=waiting.id).pk,
    }


def test_expired_tokens_are_purged():
    person = UserFactory()
    expired, _ = AuthToken.objects.create(user=person, expiry=datetime.timedelta(days=1))
    valid, _ = AuthToken.objects.create(user=person, expiry=datetime.timedelta(days=1))
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert purge_expired_tokens() == 1
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [valid.pk]


def test_one_job_can_be_run_by_name():
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    call_command("run_scheduler", job="purge_sessions")
    assert not Session.objects.exists()
