"""Local development: ``make run``. SQLite, local media, inline tasks, verbose errors."""

from .base import *  # noqa: F403
from .env import env_bool, env_choice, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

# Without CERTIFICATE_SIGNING_KEYS, development signs with a key generated once into var/ (git-ignored).
CERTIFICATE_DEV_KEY_FILE = BASE_DIR / "var" / "dev-signing-key"

# E-mails and text messages (reset codes) are printed in the terminal that runs `make run`.
EMAIL_BACKEND = EMAIL_BACKENDS[env_choice("EMAIL_BACKEND", tuple(EMAIL_BACKENDS), "console")]
SMS_BACKEND = SMS_BACKENDS[env_choice("SMS_BACKEND", tuple(SMS_BACKENDS), "console")]
