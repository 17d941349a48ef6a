"""The shared cache (Redis), which degrades instead of failing while Redis is away.

Every request reads the cache (the Wagtail site, sessions, fairness limits), so with Django's own
Redis backend a Redis restart turned every page and API call into a server error. Here an
unreachable Redis reads as a miss and takes writes as done (logged, at most once every ten seconds
per process), so that for that moment:

- pages and the API keep answering; the site is read from the database (``CachedSiteMiddleware``);
- sessions are read from the database (``SESSION_ENGINE`` is ``cached_db``): nobody is signed out;
- fairness limits and the sign-in ceilings are not counted (``members.throttling``): a short gap in
  rate limiting, not an outage; django-axes keeps counting failed sign-ins in the database;
- ``/readyz`` answers 503 (its write-then-read round trip fails), so monitoring sees it.

Connections give up after ``CACHE_SOCKET_TIMEOUT`` seconds (1), so a Redis machine that vanished (no
refusal, just silence) costs each request that long, not a hang.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
LOG_EVERY = 10.0
_last_logged = 0.0


def _unavailable(operation: str, error: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY:
        _last_logged = now
        logger.warning("Cache unavailable (%s: %s): answering without it", operation, type(error).__name__)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache; while Redis cannot be reached, reads miss and writes are dropped."""

    def _or(self, fallback, operation, *args, **kwargs):
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except UNAVAILABLE as error:
            _unavailable(operation, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._or(default, "get", key, default, version)

    def get_many(self, keys, version=None):
        return self._or({}, "get_many", keys, version)

    def has_key(self, key, version=None):
        return self._or(False, "has_key", key, version)

    def get_or_set(self, key, default, timeout=None, version=None):
        fallback = default() if callable(default) else default
        return self._or(fallback, "get_or_set", key, default, timeout, version)

    def set(self, *args, **kwargs):
        return self._or(None, "set", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._or([], "set_many", *args, **kwargs)

    def add(self, *args, **kwargs):
        # As if the key was new: a limit counts nothing while Redis is away.
        return self._or(True, "add", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._or(False, "touch", *args, **kwargs)

    def incr(self, key, delta=1, version=None):
        return self._or(delta, "incr", key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._or(0, "decr", key, delta, version)

    def delete(self, *args, **kwargs):
        return self._or(False, "delete", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._or(None, "delete_many", *args, **kwargs)

    def clear(self):
        return self._or(None, "clear")
