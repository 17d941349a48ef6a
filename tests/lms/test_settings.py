import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lms.settings import env

ROOT = Path(__file__).resolve().parents[2]


def run_django(args, **env_vars):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "CERTIFICATE_SIGNING_KEYS",
            "CACHE_URL",
            "SITE_URL",
            "ALLOW_LOOPBACK_SITE_URL",
            "ALLOW_REMOTE_DATABASE_IN_DEV",
            "DB_CONN_MAX_AGE",
            "LOG_FORMAT",
            "SENTRY_DSN",
        }
    }
    environment.update(env_vars)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django(["check"], DJANGO_SETTINGS_MODULE="lms.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_certificate_signing_key():
    result = run_django(
        ["check"],
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        SECRET_KEY="k" * 20 + "9f8e7d6c5b4a3928170zyxwvutsrqponm",
        CACHE_URL="redis://127.0.0.1:6379/1",
        SITE_URL="https://hocso.example.vn",
    )
    assert result.returncode != 0 and "CERTIFICATE_SIGNING_KEYS must be set" in result.stderr


def test_production_refuses_a_short_or_development_secret_key():
    result = run_django(
        ["check"], DJANGO_SETTINGS_MODULE="lms.settings.production", SECRET_KEY="dev-" + "x" * 60
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        SECRET_KEY="k" * 20 + "9f8e7d6c5b4a39281706f5e4d3c2b1a0zyxwvutsrq",
        ALLOWED_HOSTS="hocso.example.vn",
        CERTIFICATE_SIGNING_KEYS="cb2026=" + "A" * 43,
        CACHE_URL="redis://127.0.0.1:6379/1",
        SITE_URL="https://hocso.example.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "lms.settings.production",
    "SECRET_KEY": "k" * 20 + "9f8e7d6c5b4a39281706f5e4d3c2b1a0zyxwvutsrq",
    "ALLOWED_HOSTS": "hocso.example.vn",
    "CERTIFICATE_SIGNING_KEYS": "cb2026=" + "A" * 43,
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "SITE_URL": "https://hocso.example.vn",
}


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"SMS_BACKEND": "console"}, "SMS_BACKEND must be 'http'"),
        ({"SMS_BACKEND": "http"}, "needs SMS_GATEWAY_URL"),
        (
            {"SMS_BACKEND": "http", "SMS_GATEWAY_URL": "http://sms.example.vn/", "SMS_GATEWAY_TOKEN": "t"},
            "https",
        ),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be at least 0"),
        ({"SIGN_IN_FAILURE_LIMIT": "0"}, "SIGN_IN_FAILURE_LIMIT must be at least 1"),
    ],
)
def test_production_refuses_unsafe_sign_in_and_text_message_settings(variables, complaint):
    result = run_django(["check"], **PRODUCTION, **variables)
    assert result.returncode != 0 and complaint in result.stderr


def test_production_accepts_a_text_message_gateway_and_a_proxy():
    result = run_django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SMS_BACKEND="http",
        SMS_GATEWAY_URL="https://sms.example.vn/v1/messages",
        SMS_GATEWAY_TOKEN="t0k3n",
        TRUSTED_PROXY_COUNT="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("HOCSO_FLAG", raw)
    assert env.env_bool("HOCSO_FLAG", False) is expected


def test_env_readers_fail_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("HOCSO_FLAG", "maybe")
    monkeypatch.setenv("HOCSO_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured):
        env.env_bool("HOCSO_FLAG", False)
    with pytest.raises(ImproperlyConfigured):
        env.env_int("HOCSO_NUMBER", 1)
    with pytest.raises(ImproperlyConfigured):
        env.env_str("HOCSO_SURELY_UNSET")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10/min", (10, 60)),
        ("60/10min", (60, 600)),
        ("3/h", (3, 3600)),
        ("10/day", (10, 86400)),
        ("5 / 15min", (5, 900)),
    ],
)
def test_env_rate_reads_a_count_per_period(monkeypatch, raw, expected):
    monkeypatch.setenv("HOCSO_RATE", raw)
    assert env.env_rate("HOCSO_RATE", "1/s") == expected


@pytest.mark.parametrize("raw", ["10", "ten/min", "10/fortnight", "0/min", "10/0min", "-1/min"])
def test_env_rate_fails_loudly_on_nonsense(monkeypatch, raw):
    monkeypatch.setenv("HOCSO_RATE", raw)
    with pytest.raises(ImproperlyConfigured):
        env.env_rate("HOCSO_RATE", "1/s")


def test_every_limit_is_read_from_the_environment():
    result = run_django(
        ["shell", "-c", "from django.conf import settings; print(settings.RATE_LIMITS['verify'])"],
        RATE_LIMIT_VERIFY="120/2min",
    )
    assert result.stdout.strip().endswith("(120, 120)"), result.stderr


def test_a_lost_app_machine_does_not_hold_its_locks_for_hours():
    """Power or network lost mid-request: PostgreSQL drops the connection, and the row locks of its
    transaction (an Idempotency-Key being processed), after about a minute, not the kernel's two
    hours; production also ends a transaction left idle."""
    production = env.env_database(
        "HOCSO_UNSET_DB", "postgres://postgres@127.0.0.1:5432/hocso", idle_in_transaction_seconds=60
    )["OPTIONS"]
    assert production["keepalives"] == 1 and production["keepalives_idle"] == 30
    assert production["options"] == (
        "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3 "
        "-c idle_in_transaction_session_timeout=60s"
    )
    behind_pgbouncer = env.env_database(
        "HOCSO_UNSET_DB", "postgres://u@10.0.0.9:6432/hocso?sslmode=require", session_settings=False
    )["OPTIONS"]
    assert "options" not in behind_pgbouncer and behind_pgbouncer["sslmode"] == "require"
    assert behind_pgbouncer["keepalives_count"] == 3


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_server_takes_the_session_settings():
    import psycopg
    from django.db import connection

    options = env.env_database(
        "HOCSO_UNSET_DB", "postgres://postgres@127.0.0.1:5432/x", idle_in_transaction_seconds=60
    )["OPTIONS"]
    parameters = connection.get_connection_params()
    parameters.update(options)
    parameters.pop("cursor_factory", None)
    with psycopg.connect(**parameters) as raw:
        shown = [
            raw.execute(f"SHOW {name}").fetchone()[0]
            for name in ("tcp_keepalives_idle", "idle_in_transaction_session_timeout")
        ]
    assert shown == ["30", "1min"]


def test_database_and_cache_urls(monkeypatch):
    sqlite = env.env_database("HOCSO_UNSET_DB", "sqlite:////tmp/x.sqlite3")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    postgres = env.env_database("HOCSO_UNSET_DB", "postgres://postgres@127.0.0.1:5432/hocso")
    assert postgres["ENGINE"] == "django.db.backends.postgresql" and postgres["NAME"] == "hocso"
    monkeypatch.setenv("HOCSO_DB", "mysql://root@localhost/x")
    with pytest.raises(ImproperlyConfigured):
        env.env_database("HOCSO_DB", "")
    assert env.env_cache("X_UNSET", "redis://127.0.0.1:6379/1")["BACKEND"].endswith("RedisCache")
    with pytest.raises(ImproperlyConfigured):
        env.env_cache("X_UNSET", "memcached://localhost")


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "vi" and settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert [code for code, _name in settings.LANGUAGES][:2] == ["vi", "en"]


def test_the_embedded_sqlite_database_runs_in_wal_mode(tmp_path, django_db_blocker):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    config = env.env_database("HOCSO_UNSET_DB", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    wrapper = DatabaseWrapper({**config, "TIME_ZONE": None, "AUTOCOMMIT": True}, alias="wal-check")
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        wrapper.close()


def print_setting(expression, **env_vars):
    """Imports the settings chosen by DJANGO_SETTINGS_MODULE in a fresh process and prints one value."""
    return run_django(["shell", "-c", f"from django.conf import settings; print({expression})"], **env_vars)


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"CACHE_URL": ""}, "CACHE_URL must be set to a shared cache"),
        ({"CACHE_URL": "locmem://hocso"}, "CACHE_URL must be a shared cache"),
        ({"CACHE_URL": "dummy://"}, "CACHE_URL must be a shared cache"),
        ({"SITE_URL": ""}, "SITE_URL must be set to the site's public address"),
        ({"SITE_URL": "http://hocso.example.vn"}, "SITE_URL must be an https:// address"),
        ({"SITE_URL": "http://127.0.0.1:8000"}, "ALLOW_LOOPBACK_SITE_URL=1"),
        ({"SITE_URL": "https://localhost"}, "ALLOW_LOOPBACK_SITE_URL=1"),
        ({"DB_CONN_MAX_AGE": "-5"}, "DB_CONN_MAX_AGE must be at least 0"),
    ],
)
def test_production_refuses_a_per_process_cache_and_a_missing_or_local_site_url(variables, complaint):
    result = run_django(["check"], **{**PRODUCTION, **variables})
    assert result.returncode != 0 and complaint in result.stderr, result.stderr[-2000:]


def test_production_accepts_a_loopback_site_url_when_told_it_is_a_test_stack():
    result = print_setting(
        "settings.WAGTAILADMIN_BASE_URL",
        **{**PRODUCTION, "SITE_URL": "http://127.0.0.1:8000/", "ALLOW_LOOPBACK_SITE_URL": "1"},
    )
    assert result.stdout.strip().endswith("http://127.0.0.1:8000"), result.stderr[-2000:]


def test_production_keeps_postgresql_connections_a_minute_with_health_checks():
    expression = "*(settings.DATABASES['default'][key] for key in ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS'))"
    database = "postgres://hocso@db.internal:5432/hocso"
    result = print_setting(expression, **PRODUCTION, DATABASE_URL=database)
    assert result.stdout.strip().endswith("60 True"), result.stderr[-2000:]
    result = print_setting(expression, **PRODUCTION, DATABASE_URL=database, DB_CONN_MAX_AGE="0")
    assert result.stdout.strip().endswith("0 True"), result.stderr[-2000:]


def test_connections_are_not_kept_outside_production_unless_asked(monkeypatch):
    assert env.env_database("X_UNSET", "postgres://postgres@127.0.0.1/hocso")["CONN_MAX_AGE"] == 0
    kept = env.env_database("X_UNSET", "postgres://postgres@127.0.0.1/hocso", conn_max_age=30)
    assert kept["CONN_MAX_AGE"] == 30 and kept["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    "database",
    ["postgres://hocso@db.example.vn:5432/hocso", "postgres://hocso@10.0.0.5/hocso"],
)
def test_development_settings_refuse_a_database_on_another_machine(database):
    result = run_django(["check"], DATABASE_URL=database)
    assert result.returncode != 0
    assert "refuses a database on another machine" in result.stderr, result.stderr[-2000:]
    allowed = run_django(
        ["shell", "-c", "print('dev ok')"], DATABASE_URL=database, ALLOW_REMOTE_DATABASE_IN_DEV="1"
    )
    assert "refuses" not in allowed.stderr and "dev ok" in allowed.stdout, allowed.stderr[-2000:]


@pytest.mark.parametrize(
    "database",
    [
        "postgres://postgres@127.0.0.1:5432/postgres",
        "postgres://postgres@localhost/postgres",
        "postgres://postgres@[::1]:5432/postgres",
        "postgres://postgres@%2Fvar%2Frun%2Fpostgresql/postgres",
        "sqlite:////tmp/hocso-dev.sqlite3",
    ],
)
def test_development_settings_accept_a_database_on_this_machine(database):
    assert env.is_local_database(env.env_database("X_UNSET", database))
