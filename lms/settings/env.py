"""Small typed readers for settings that come from the environment.

Each reader fails loudly (ImproperlyConfigured) when a value is present but malformed, so a typo in
a deployment never silently falls back to a default.
"""

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_MISSING = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: Any) -> str | Any:
    value = os.environ.get(name)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_str(name: str, default: Any = _MISSING) -> str:
    return _raw(name, default)


def env_choice(name: str, choices: tuple[str, ...], default: str | Any = _MISSING) -> str:
    value = _raw(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_bool(name: str, default: bool | Any = _MISSING) -> bool:
    value = _raw(name, default)
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), not {value!r}.")


def env_int(name: str, default: int | Any = _MISSING, *, minimum: int | None = None) -> int:
    value = _raw(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


_PERIODS = {"s": 1, "sec": 1, "min": 60, "h": 3600, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def env_rate(name: str, default: str | Any = _MISSING) -> tuple[int, int]:
    """A limit written as "count/period": ``10/min``, ``60/10min``, ``3/h``, ``10/day``, ``30/s``.
    Returns (count, seconds)."""
    value = _raw(name, default)
    found = _RATE.match(value)
    if not found or found.group(3) not in _PERIODS or int(found.group(1)) < 1 or found.group(2) == "0":
        raise ImproperlyConfigured(
            f"{name} must be a limit such as 10/min, 60/10min, 3/h or 10/day, not {value!r}."
        )
    return int(found.group(1)), int(found.group(2) or 1) * _PERIODS[found.group(3)]


def env_float(name: str, default: float | Any = _MISSING, *, minimum: float | None = None) -> float:
    raw = _raw(name, default)
    if isinstance(raw, float | int):
        return float(raw)
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str] | Any = _MISSING) -> list[str]:
    value = _raw(name, default)
    if isinstance(value, list):
        return value
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path | Any = _MISSING) -> Path:
    return Path(_raw(name, default)).expanduser().resolve()


def env_database(
    name: str,
    default: str,
    *,
    conn_max_age: int = 0,
    idle_in_transaction_seconds: int = 0,
    session_settings: bool = True,
) -> dict[str, Any]:
    """Parse a database URL; SQLite gets WAL mode and immediate transactions, PostgreSQL keeps its
    connection for ``conn_max_age`` seconds (checked before reuse) and notices a lost peer within
    about a minute (below)."""
    url = _raw(name, default)
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"{name} is not a database URL I understand: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock when a
        # transaction starts, so two writers queue (busy_timeout) instead of failing on upgrade.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Persistent connections, not psycopg's pool: a gunicorn sync worker serves one request at
        # a time, so a pool per process would hold one connection anyway, and pooling across
        # processes and machines belongs to PgBouncer. The health check replaces a connection the
        # server or a failover dropped before the request uses it.
        config["CONN_MAX_AGE"] = conn_max_age
        config["CONN_HEALTH_CHECKS"] = True
        # TCP keepalives on both ends: an app machine that loses power or its network mid-request
        # would otherwise keep its transaction, and the row locks it holds (an Idempotency-Key being
        # processed, a certificate being rendered), for the kernel's two hours; with these the
        # server drops it after about a minute. Production also ends a transaction left idle.
        keepalives = {"keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
        config["OPTIONS"] = {**config.get("OPTIONS", {}), "keepalives": 1, **keepalives}
        if session_settings:  # startup parameters; behind PgBouncer set them on the role (docs/deploy.md)
            server = {f"tcp_{key}": value for key, value in keepalives.items()}
            if idle_in_transaction_seconds:
                server["idle_in_transaction_session_timeout"] = f"{idle_in_transaction_seconds}s"
            config["OPTIONS"]["options"] = " ".join(f"-c {key}={value}" for key, value in server.items())
    else:
        raise ImproperlyConfigured(f"{name}: only SQLite and PostgreSQL are supported.")
    return config


_CACHE_BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
    "redis": "ops.cache.ResilientRedisCache",
    "rediss": "ops.cache.ResilientRedisCache",
}


def env_cache(name: str, default: str) -> dict[str, Any]:
    """Parse a cache URL: ``locmem://``, ``dummy://`` or ``redis://host:port/db``; empty is unset."""
    url = _raw(name, default) or default
    parts = urlsplit(url)
    backend = _CACHE_BACKENDS.get(parts.scheme)
    if backend is None:
        raise ImproperlyConfigured(f"{name}: unknown cache scheme {parts.scheme!r} in {url!r}.")
    config: dict[str, Any] = {"BACKEND": backend}
    if parts.scheme.startswith("redis"):
        config["LOCATION"] = url
        # Give up on a Redis machine that went silent instead of hanging the request (ops/cache.py).
        seconds = env_float("CACHE_SOCKET_TIMEOUT", 1.0, minimum=0.05)
        config["OPTIONS"] = {"socket_connect_timeout": seconds, "socket_timeout": seconds}
    elif parts.scheme == "locmem":
        config["LOCATION"] = parts.netloc or "hocso"
    timeout = parse_qs(parts.query).get("timeout")
    if timeout:
        config["TIMEOUT"] = int(timeout[0])
    return config


_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def is_local_database(config: dict[str, Any]) -> bool:
    """SQLite, or PostgreSQL on this machine (loopback or a unix socket, whose HOST is a path)."""
    if config["ENGINE"] != "django.db.backends.postgresql":
        return True
    host = config.get("HOST") or ""
    return host in _LOCAL_HOSTS or host.startswith("/")


def shared_cache(name: str) -> dict[str, Any]:
    """A cache every app process and machine sees: rate limits, sign-in lockouts, sessions and the
    task worker's heartbeat are counted there, and a per-process cache would count each apart."""
    url = _raw(name, "")
    if not url:
        raise ImproperlyConfigured(f"{name} must be set to a shared cache (redis://host:6379/0).")
    config = env_cache(name, url)
    if not config["BACKEND"].endswith("RedisCache"):
        raise ImproperlyConfigured(
            f"{name} must be a shared cache (redis://…), not {urlsplit(url).scheme}://: each process "
            "would keep its own rate limits and sessions."
        )
    return config


def site_url(name: str, *, allow_loopback: bool) -> str:
    """The public address printed in certificates' QR codes and in e-mails: https, and a real host
    unless a loopback test stack says so."""
    url = _raw(name, "")
    if not url:
        raise ImproperlyConfigured(
            f"{name} must be set to the site's public address (https://…): it is printed in every "
            "certificate's QR code."
        )
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host in _LOCAL_HOSTS or host.startswith("127."):
        if not allow_loopback:
            raise ImproperlyConfigured(
                f"{name} points at this machine ({url}); set ALLOW_LOOPBACK_SITE_URL=1 only for a "
                "test stack on loopback."
            )
    elif parts.scheme != "https":
        raise ImproperlyConfigured(f"{name} must be an https:// address, not {url!r}.")
    return url.rstrip("/")


def s3_storages(
    *,
    media_bucket: str,
    private_bucket: str,
    media_url: str,
    endpoint_url: str | None = None,
    region_name: str = "us-east-1",
    access_key: str | None = None,
    secret_key: str | None = None,
    signed_url_seconds: int = 60,
) -> dict[str, dict[str, Any]]:
    """The default and certificate storages on S3-compatible object storage (ops/storage.py says
    which file goes to which bucket). Names are never overwritten: two uploads of photo.jpg keep
    two files."""
    parts = urlsplit(media_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"S3_MEDIA_URL must be an http(s):// address, not {media_url!r}.")
    common = {
        "endpoint_url": endpoint_url or None,
        "region_name": region_name,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "signature_version": "s3v4",
        "addressing_style": "path",
        "file_overwrite": False,
        "default_acl": None,
    }
    return {
        "default": {
            "BACKEND": "ops.storage.MediaStorage",
            "OPTIONS": {
                **common,
                "bucket_name": media_bucket,
                "private_bucket_name": private_bucket,
                "custom_domain": f"{parts.netloc}{parts.path.rstrip('/')}",
                "url_protocol": f"{parts.scheme}:",
            },
        },
        "certificates": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": private_bucket,
                "querystring_auth": True,
                "querystring_expire": signed_url_seconds,
            },
        },
    }


def env_s3_storages() -> dict[str, dict[str, Any]]:
    """``MEDIA_STORAGE=s3``: the buckets and the media address are required; the endpoint (empty for
    AWS itself) and the keys (empty for the machine's own role) are not."""
    required = ("S3_MEDIA_BUCKET", "S3_PRIVATE_BUCKET", "S3_MEDIA_URL")
    missing = [name for name in required if not _raw(name, "")]
    if missing:
        raise ImproperlyConfigured(f"MEDIA_STORAGE=s3 needs {', '.join(missing)}.")
    if _raw("S3_MEDIA_BUCKET", "") == _raw("S3_PRIVATE_BUCKET", ""):
        raise ImproperlyConfigured(
            "S3_MEDIA_BUCKET and S3_PRIVATE_BUCKET must differ: anyone may read the media bucket."
        )
    return s3_storages(
        media_bucket=env_str("S3_MEDIA_BUCKET"),
        private_bucket=env_str("S3_PRIVATE_BUCKET"),
        media_url=env_str("S3_MEDIA_URL"),
        endpoint_url=env_str("S3_ENDPOINT_URL", ""),
        region_name=env_str("S3_REGION_NAME", "us-east-1"),
        access_key=env_str("S3_ACCESS_KEY_ID", ""),
        secret_key=env_str("S3_SECRET_ACCESS_KEY", ""),
        signed_url_seconds=env_int("S3_SIGNED_URL_SECONDS", 60, minimum=1),
    )
