"""Local development: ``make run``. SQLite, local media, inline tasks, verbose errors."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_choice, env_str, is_local_database

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

# `manage.py` without DJANGO_SETTINGS_MODULE lands here, with DEBUG on: never against a database on
# another machine (production's) unless someone says so on purpose.
if not is_local_database(DATABASES["default"]) and not env_bool("ALLOW_REMOTE_DATABASE_IN_DEV", False):
    raise ImproperlyConfigured(
        "lms.settings.dev (DEBUG on) refuses a database on another machine "
        f"({DATABASES['default']['HOST']}). Set DJANGO_SETTINGS_MODULE=lms.settings.production, or "
        "ALLOW_REMOTE_DATABASE_IN_DEV=1 if you mean it."
    )

# Without CERTIFICATE_SIGNING_KEYS, development signs with a key generated once into var/ (git-ignored).
CERTIFICATE_DEV_KEY_FILE = BASE_DIR / "var" / "dev-signing-key"

# E-mails and text messages (reset codes) are printed in the terminal that runs `make run`.
EMAIL_BACKEND = EMAIL_BACKENDS[env_choice("EMAIL_BACKEND", tuple(EMAIL_BACKENDS), "console")]
SMS_BACKEND = SMS_BACKENDS[env_choice("SMS_BACKEND", tuple(SMS_BACKENDS), "console")]
