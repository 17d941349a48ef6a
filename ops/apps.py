from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the site on several machines: probes for the load balancer, the task worker's
    heartbeat, request ids in the logs, error reports; and background work kept going: stuck tasks
    reclaimed, the scheduler and its purges (the scheduler's jobs call into the domain apps; the
    request side knows nothing of them)."""

    name = "ops"

    def ready(self):
        from django_tasks.signals import task_finished, task_started

        from . import heartbeat

        # A worker busy with a long task still beats at its start and end, besides the timer.
        task_started.connect(heartbeat.beat_on_task, dispatch_uid="ops.heartbeat.started")
        task_finished.connect(heartbeat.beat_on_task, dispatch_uid="ops.heartbeat.finished")
