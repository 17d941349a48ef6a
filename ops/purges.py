"""Tables that grow without bound, each purged by the scheduler (daily): finished task results,
sign-in tokens past their expiry. The other purges live with their app and are scheduled from here:
Idempotency-Keys (``api.idempotency.purge``), uploaded import lists (``members.services.imports
.import_files_purge``) and sessions (Django's ``clearsessions``)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from knox.models import AuthToken


def purge_task_results(now: datetime.datetime | None = None) -> int:
    """Forget task results finished more than ``TASKS_RESULTS_KEEP_DAYS`` ago (failed ones too:
    an operator has had that long to read why). READY and RUNNING tasks are never touched."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.TASKS_RESULTS_KEEP_DAYS)
    deleted, _details = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


def purge_expired_tokens(now: datetime.datetime | None = None) -> int:
    """Delete API sign-in tokens past their expiry: knox refuses them already, and deletes one only
    when it is presented again, which a lost phone never does."""
    deleted, _details = AuthToken.objects.filter(expiry__lt=now or timezone.now()).delete()
    return deleted
