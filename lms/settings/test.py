"""The test suite. Same as base with fast password hashing and in-memory caches and email."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .env import env_str

SECRET_KEY = env_str("SECRET_KEY", "test-only-insecure-key")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "members.sms.LocmemBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Django's test client and the live server of the browser tests.
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# A fixed key for tests, so that signatures are reproducible (never used outside tests).
CERTIFICATE_SIGNING_KEYS = "test2026=" + "dGVzdC1vbmx5LXNpZ25pbmcta2V5LWZvci1ob2Nzby0"
CERTIFICATE_SIGNING_KEY_ID = "test2026"

# Files written by tests (PDFs, renditions) stay out of the project's media folder.
MEDIA_ROOT = Path(tempfile.gettempdir()) / "hocso-test-media"
PRIVATE_MEDIA_ROOT = Path(tempfile.gettempdir()) / "hocso-test-private"
STORAGES["certificates"] = {**STORAGES["certificates"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}}
