"""Certificates and statistics wait in separate queues: a worker on ``--queue-name certificates``
renders a PDF even while a long statistics refresh waits (or runs) in the other queue."""

import pytest
from django.core.management import call_command
from django_tasks import task_backends
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from certificates.models import Certificate
from certificates.tasks import render_certificate
from stats.tasks import refresh_changed_communes, refresh_communes
from tests.factories import UserFactory
from tests.lms.test_settings import PRODUCTION, run_django

pytestmark = pytest.mark.django_db


def test_each_kind_of_work_has_its_queue():
    assert render_certificate.queue_name == "certificates"
    assert refresh_changed_communes.queue_name == refresh_communes.queue_name == "statistics"


def test_the_backends_accept_the_queues_in_every_settings(settings):
    assert {"default", "certificates", "statistics"} <= set(settings.TASKS["default"]["QUEUES"])
    code = "from django.conf import settings; print(sorted(settings.TASKS['default']['QUEUES']))"
    result = run_django(["shell", "-c", code], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['certificates', 'default', 'statistics']"


def test_a_certificate_worker_renders_while_statistics_wait(database_tasks, completed, world, monkeypatch):
    holder, _course = completed(UserFactory(village=world.resident_a.village))
    certificate = Certificate.objects.get(holder=holder)
    Certificate.objects.filter(pk=certificate.pk).update(pdf="", pdf_version="")
    DBTaskResult.objects.all().delete()
    waiting = [refresh_communes.enqueue() for _ in range(3)]  # queued first
    rendered = render_certificate.enqueue(certificate.pk)
    assert task_backends["default"].get_result(rendered.id).task.queue_name == "certificates"

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)  # see test_reclaim
    call_command(
        "db_worker", batch=True, queue_name="certificates", startup_delay=False, reload=False, verbosity=0
    )

    certificate.refresh_from_db()
    assert certificate.pdf
    assert all(DBTaskResult.objects.get(pk=result.id).status == "READY" for result in waiting)
