"""The load balancer's probes (ops/health.py) and the worker's heartbeat (ops/heartbeat.py)."""

import time

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import OperationalError, connection
from django_tasks import task
from django_tasks_db.management.commands import db_worker

from ops import heartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@task()
def nothing_much():
    return 1


@pytest.fixture
def ready(settings, tmp_path):
    """Everything in order: a media folder, tasks inline (no worker to wait for)."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = IMMEDIATE_TASKS
    return settings


def test_liveness_answers_without_the_database_whatever_the_host(client):
    # No django_db mark: a query would raise.
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200 and response.json() == {"status": "ok", "checks": {}}
    assert "no-cache" in response["Cache-Control"] and "Content-Security-Policy" not in response
    assert "Set-Cookie" not in response and "Vary" not in response


@pytest.mark.django_db
def test_readiness_checks_database_cache_and_storage_in_one_query(client, ready, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "worker": "skipped"},
    }
    assert "no-cache" in response["Cache-Control"] and "Content-Security-Policy" not in response


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https_or_to_a_language(client, ready):
    ready.SECURE_SSL_REDIRECT = True
    ready.LANGUAGE_CODE = "en"
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, path
    assert client.post("/readyz").status_code == 405


def _fail(*args, **kwargs):
    raise OperationalError("connection to server at 10.1.2.3, user hocso, failed")


def _readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_readiness_fails_without_the_database(client, ready, monkeypatch, caplog):
    monkeypatch.setattr(connection, "cursor", _fail)
    status, body = _readyz(client)
    assert status == 503 and body["status"] == "fail" and body["checks"]["database"] == "fail"
    assert body["checks"]["cache"] == "ok"
    # The error's message (hosts, users) reaches neither the body nor the log; its kind does.
    assert "10.1.2.3" not in caplog.text and "OperationalError" in caplog.text


@pytest.mark.django_db
def test_readiness_fails_when_the_cache_is_down_or_loses_writes(client, ready, monkeypatch):
    monkeypatch.setattr(cache, "set", _fail)
    assert _readyz(client)[1]["checks"]["cache"] == "fail"
    monkeypatch.undo()
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    status, body = _readyz(client)
    assert status == 503 and body["checks"]["cache"] == "fail" and body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readiness_fails_when_the_media_folder_is_missing_or_the_storage_errors(
    client, ready, tmp_path, monkeypatch
):
    ready.MEDIA_ROOT = tmp_path / "not-mounted"
    status, body = _readyz(client)
    assert status == 503 and body["checks"]["storage"] == "fail"
    ready.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(default_storage, "exists", _fail)
    assert _readyz(client)[1]["checks"]["storage"] == "fail"


@pytest.mark.django_db
def test_readiness_with_queued_tasks_needs_a_recent_worker_heartbeat(client, ready):
    ready.TASKS = DATABASE_TASKS
    ready.WORKER_HEARTBEAT_MAX_AGE = 120
    status, body = _readyz(client)
    assert status == 503 and body["checks"]["worker"] == "fail"  # never beat
    cache.set(heartbeat.KEY, time.time() - 121)
    assert _readyz(client)[1]["checks"]["worker"] == "fail"  # stale
    heartbeat.beat()
    status, body = _readyz(client)
    assert status == 200 and body["checks"]["worker"] == "ok"


@pytest.mark.django_db
def test_a_task_beats_when_it_starts_and_ends(ready):
    assert heartbeat.last_beat() is None
    nothing_much.enqueue()
    assert heartbeat.last_beat() == pytest.approx(time.time(), abs=60)


def test_a_beat_never_stops_the_worker_when_the_cache_is_down(monkeypatch, caplog):
    monkeypatch.setattr(cache, "set", _fail)
    heartbeat.beat()
    assert "Worker heartbeat not recorded: OperationalError" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_worker_beats_when_it_starts(settings, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    settings.WORKER_HEARTBEAT_SECONDS = 3600  # the timer's next beat is long after this test
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert heartbeat.last_beat() == pytest.approx(time.time(), abs=60)


def test_a_process_has_one_heartbeat_timer_however_often_a_worker_starts(monkeypatch):
    monkeypatch.setattr(heartbeat, "_timer", None)
    first = heartbeat.start_periodic(3600)
    assert heartbeat.start_periodic(3600) is first and first.daemon and first.is_alive()
