"""The task worker's heartbeat, kept in the shared cache.

`manage.py db_worker` (ops/management/commands/db_worker.py) beats every WORKER_HEARTBEAT_SECONDS
from a timer thread, and at the start and end of every task through django-tasks' signals. `/readyz`
reads `last_beat()`. The cache, not the database: every web process on every machine reads the
same Redis, a beat costs no write to the database, and a lost beat (Redis restarted) only makes
readiness wait for the next one. Several workers share one key: readiness asks whether *a* worker
is alive, not which.
"""

import logging
import threading
import time

from django.core.cache import cache

KEY = "ops:worker-heartbeat"
# Kept long past any sensible WORKER_HEARTBEAT_MAX_AGE so that `last_beat()` can say how stale it is.
KEPT_SECONDS = 24 * 3600

logger = logging.getLogger(__name__)


def beat() -> None:
    """Records that a worker is alive now. Never raises: a cache outage must not stop the worker."""
    try:
        cache.set(KEY, time.time(), timeout=KEPT_SECONDS)
    except Exception as error:  # any cache client error
        logger.warning("Worker heartbeat not recorded: %s", type(error).__name__)


def last_beat() -> float | None:
    """When a worker last beat (a Unix timestamp), or None if none has."""
    value = cache.get(KEY)
    return float(value) if value is not None else None


def beat_on_task(sender, **kwargs) -> None:
    """Receiver of django-tasks' task_started and task_finished."""
    beat()


_timer: threading.Thread | None = None


def start_periodic(interval: float) -> threading.Thread:
    """Beats now, then every `interval` seconds from a daemon thread, which dies with the worker.
    One thread per process, however often a worker is started in it (tests, the autoreloader)."""
    global _timer
    beat()
    if _timer is not None and _timer.is_alive():
        return _timer

    def loop():
        while True:
            time.sleep(interval)
            beat()

    _timer = threading.Thread(target=loop, name="ops-heartbeat", daemon=True)
    _timer.start()
    return _timer
