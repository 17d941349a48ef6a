"""While Redis is away, the site degrades instead of failing (ops/cache.py): reads miss, writes are
dropped, pages and the API answer, nobody is signed out, and /readyz says 503."""

import json
import socket

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_away(settings):
    """The shared cache points at a loopback port nothing listens on (a Redis being restarted)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "ops.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    return port


def test_reads_miss_and_writes_are_dropped(redis_away):
    cache.set("a", 1)
    assert cache.get("a") is None and cache.get("a", "x") == "x"
    assert cache.add("a", 1) is True and cache.incr("a") == 1 and cache.get_many(["a"]) == {}
    assert cache.get_or_set("v", 1, None) == 1 and cache.get_or_set("w", lambda: 2) == 2
    assert cache.delete("a") is False and cache.has_key("a") is False


def test_pages_and_the_api_answer_and_nobody_is_signed_out(redis_away, client, world):
    from rest_framework.test import APIClient

    assert client.get("/").status_code == 200
    client.force_login(world.resident_a)  # the session is written to the database
    assert client.get("/hoc-cua-toi/").status_code == 200
    api = APIClient()
    api.force_authenticate(world.leader_a)
    assert api.get("/api/v1/groups/").status_code == 200
    assert client.get("/v/CB-2026-000001/").status_code == 200


def test_readiness_says_the_cache_is_away(redis_away, client):
    response = client.get("/readyz")
    assert response.status_code == 503 and json.loads(response.content)["checks"]["cache"] == "fail"


def test_a_cache_url_gets_the_resilient_backend_and_socket_timeouts(monkeypatch):
    from lms.settings import env

    monkeypatch.setenv("CACHE_SOCKET_TIMEOUT", "2.5")
    config = env.env_cache("X_UNSET", "redis://127.0.0.1:6379/1")
    assert config["BACKEND"] == "ops.cache.ResilientRedisCache"
    assert config["OPTIONS"] == {"socket_connect_timeout": 2.5, "socket_timeout": 2.5}
