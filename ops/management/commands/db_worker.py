"""django-tasks-db's `db_worker`, beating the heartbeat that `/readyz` checks (ops/heartbeat.py).

The project's apps come before django_tasks_db in INSTALLED_APPS, so `manage.py db_worker` is this.
"""

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from ops import heartbeat


class Command(DatabaseWorkerCommand):
    def handle(self, *args, **options):
        heartbeat.start_periodic(settings.WORKER_HEARTBEAT_SECONDS)
        return super().handle(*args, **options)
