"""Probes for the load balancer: `/healthz` (the process answers) and `/readyz` (it can serve: the
database, the shared cache, the default storage and, with queued tasks, a live worker).

`ProbeMiddleware` comes first in MIDDLEWARE and answers both paths itself, before anything that
could refuse or redirect a probe: the host check (a load balancer asks by address, not by the
site's name), the https redirect (it probes over plain http inside the network), sessions,
language redirects, the Content-Security-Policy and sign-in lockouts. The bodies hold only check
names and "ok"/"fail": no personal data, no error messages (they can carry hostnames and users).
"""

import logging
import os
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.cache import add_never_cache_headers

from . import heartbeat

logger = logging.getLogger(__name__)

DATABASE_TASKS_BACKEND = "django_tasks_db.DatabaseBackend"
STORAGE_PROBE_NAME = "ops-readiness-probe"


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache() -> bool:
    """A round trip: a cache that accepts writes and loses them (a dummy, a full Redis) fails."""
    key = f"ops:readyz:{os.getpid()}"
    token = uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    return cache.get(key) == token


def check_storage() -> bool:
    """The default storage and the certificates' private one answer (on object storage, a request to
    each bucket). On the file system the media folder must be there too, since a missing mount makes
    `exists()` answer False rather than fail (the private folder is made with the first PDF)."""
    storages["certificates"].exists(STORAGE_PROBE_NAME)
    default_storage.exists(STORAGE_PROBE_NAME)
    return not isinstance(default_storage, FileSystemStorage) or os.path.isdir(default_storage.location)


def check_worker() -> bool | None:
    """A worker beat recently; None (skipped) when tasks run inline and there is no worker."""
    if settings.TASKS["default"]["BACKEND"] != DATABASE_TASKS_BACKEND:
        return None
    last = heartbeat.last_beat()
    return last is not None and time.time() - last <= settings.WORKER_HEARTBEAT_MAX_AGE


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "worker": check_worker,
}


def run_check(name: str) -> str:
    try:
        passed = CHECKS[name]()
    except Exception as error:  # a probe reports any failure, it never raises
        logger.warning("Readiness check %s failed: %s", name, type(error).__name__)
        return "fail"
    if passed is None:
        return "skipped"
    if not passed:
        logger.warning("Readiness check %s failed", name)
    return "ok" if passed else "fail"


def probe_response(checks: dict[str, str]) -> JsonResponse:
    failed = "fail" in checks.values()
    response = JsonResponse(
        {"status": "fail" if failed else "ok", "checks": checks}, status=503 if failed else 200
    )
    add_never_cache_headers(response)
    return response


def healthz(request) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so a database outage never gets every
    app process restarted at once."""
    return probe_response({})


def readyz(request) -> JsonResponse:
    return probe_response({name: run_check(name) for name in CHECKS})


PROBES = {"/healthz": healthz, "/readyz": readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return probe(request)
