"""Production: PostgreSQL, Redis cache, HTTPS behind a proxy. Refuses to start without a secret."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_choice, env_database, env_int, env_str, shared_cache, site_url
from .logs import logging_config

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-", "django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )

# One cache for every process on every machine (rate limits, lockouts, sessions, the heartbeat).
CACHES = {"default": shared_cache("CACHE_URL")}
# Printed in every certificate's QR code and in e-mails: never the development default.
WAGTAILADMIN_BASE_URL = site_url("SITE_URL", allow_loopback=env_bool("ALLOW_LOOPBACK_SITE_URL", False))
# A request reuses its process's PostgreSQL connection for a minute (see env_database).
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        DEFAULT_DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        idle_in_transaction_seconds=env_int("DB_IDLE_IN_TRANSACTION_SECONDS", 60, minimum=0),
        session_settings=env_bool("DB_SESSION_SETTINGS", True),
    )
}
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[env_choice("TASKS_BACKEND", tuple(TASK_BACKENDS), "database")],
        "QUEUES": TASK_QUEUES,
    }
}
STATS_REFRESH = env_choice("STATS_REFRESH", ("on_view", "task"), "task")
HOCSO_DEMO_SEED_ALLOWED = False
# One JSON object a line for the log collector, unless LOG_FORMAT=plain.
LOGGING = logging_config(level=LOG_LEVEL, log_format=env_choice("LOG_FORMAT", ("plain", "json"), "json"))

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Static files are served by the app processes (WhiteNoise: compressed, cache-busting names).
# Right after SecurityMiddleware, as WhiteNoise asks.
_AFTER_SECURITY = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [
    *MIDDLEWARE[:_AFTER_SECURITY],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_AFTER_SECURITY:],
]

# Errors are reported when SENTRY_DSN is set, without personal data (ops/errors.py).
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from ops.errors import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE", ""),
    )

# Certificates are signed with keys from the environment; without one nothing can be issued.
CERTIFICATE_DEV_KEY_FILE = None
if not CERTIFICATE_SIGNING_KEYS:
    raise ImproperlyConfigured(
        "CERTIFICATE_SIGNING_KEYS must be set in production: run `manage.py generate_signing_key`."
    )

# Text messages carry reset codes: only a real gateway, never the console or memory.
if SMS_BACKEND not in (None, SMS_BACKENDS["http"]):
    raise ImproperlyConfigured("SMS_BACKEND must be 'http' (a gateway) or 'none' in production.")
if SMS_BACKEND and not (SMS_GATEWAY_URL.startswith("https://") and SMS_GATEWAY_TOKEN):
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_GATEWAY_URL (https://…) and SMS_GATEWAY_TOKEN.")
