"""Settings shared by every environment. Values that differ between deployments come from the
environment through the typed readers in ``lms.settings.env``; ``dev``, ``test`` and ``production``
override a handful."""

from datetime import timedelta
from pathlib import Path

import django.conf.locale
from django.utils.translation import gettext_lazy as _

from .env import (
    env_bool,
    env_cache,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_path,
    env_rate,
    env_s3_storages,
    env_str,
)
from .logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Project apps first so that their templates and translations win.
    "members",
    "learning",
    "attendance",
    "courses",
    "certificates",
    "api",
    "stats",
    "demo",
    "ops",  # before django_tasks_db: its db_worker beats the heartbeat (ops/heartbeat.py)
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "members.wagtail_users.UsersConfig",  # wagtail.users, deleting through the erasure
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz before host checks, https redirects and sessions.
    "ops.health.ProbeMiddleware",
    # Then: every response, redirects included, carries its request id.
    "ops.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Learner pages for visitors, whole from the shared cache, before sessions and the rest.
    "courses.serving.SharedPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lms.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "courses.serving.CachedSiteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lms.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "members.lockout.KnownDeviceMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the "wait or reset" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": env_database(
        "DATABASE_URL", DEFAULT_DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0)
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env_cache("CACHE_URL", "locmem://hocso")}

# People log in with a Vietnamese mobile number (members.User.phone).
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses an attempt while its account and address are locked out (members/lockout.py).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Our people have a full name and a phone number, not Django's first/last name and username.
        "OPTIONS": {"user_attributes": ("full_name", "phone", "email")},
    },
    {
        "NAME": "members.passwords.MinimumLengthValidator",
        # Residents type on cheap phones; 8 characters is the floor, not a target.
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
CSRF_FAILURE_VIEW = "members.csrf.csrf_failure"
LOGIN_URL = "members:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Languages. The interface speaks Vietnamese first and English second. Tày, Nùng and H'Mông are
# content languages (Wagtail locales, often audio): Django does not know them, so they are
# declared here; a person who prefers one of them sees the Vietnamese interface.
django.conf.locale.LANG_INFO.update(
    {
        "tyz": {"bidi": False, "code": "tyz", "name": "Tay", "name_local": "Tày"},
        "nut": {"bidi": False, "code": "nut", "name": "Nung", "name_local": "Nùng"},
        "hmn": {"bidi": False, "code": "hmn", "name": "Hmong", "name_local": "H'Mông"},
    }
)
LANGUAGE_CODE = "vi"
LANGUAGES = [
    ("vi", _("Vietnamese")),
    ("en", _("English")),
    ("tyz", _("Tày")),
    ("nut", _("Nùng")),
    ("hmn", _("H'Mông")),
]
INTERFACE_LANGUAGES = ["vi", "en"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
FORMAT_MODULE_PATH = ["lms.formats"]
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]

STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", BASE_DIR / "media")
# Files that only their owners and staff may open (certificate PDFs): outside MEDIA_ROOT, under no URL.
PRIVATE_MEDIA_ROOT = env_path("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "certificates": {
        "BACKEND": "certificates.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
}
# On object storage (ops/storage.py): pictures in a bucket anyone may read at S3_MEDIA_URL, lesson
# documents and certificate PDFs in a private one. Local disk stays the embedded default.
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", ("filesystem", "s3"), "filesystem")
if MEDIA_STORAGE == "s3":
    STORAGES = {**STORAGES, **env_s3_storages()}

# Wagtail
WAGTAIL_SITE_NAME = "HọcSố"
WAGTAILADMIN_BASE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"jpeg": "webp", "png": "webp", "bmp": "webp"}
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # through Django, so that page privacy applies (courses.visibility)
# Private pages and documents send people to the phone sign-in and ask passwords in the site's own page.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "courses/password_required.html"  # noqa: S105 (a template)
WAGTAILDOCS_PASSWORD_REQUIRED_TEMPLATE = "courses/password_required.html"  # noqa: S105
# Only what lessons use: PDF, audio, MP4 video (courses.blocks) and pictures. An upload must also
# begin as its kind of file does (courses.uploads). Stored documents of other kinds still download.
_LESSON_AUDIO = ["mp3", "m4a", "aac", "ogg", "oga", "opus", "wav"]
WAGTAILDOCS_EXTENSIONS = ["pdf", *_LESSON_AUDIO, "mp4", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "courses.uploads.DocumentForm"
WAGTAILDOCS_MAX_UPLOAD_SIZE = 100 * 1024 * 1024  # a few minutes of phone video
# Every document downloads (none opens as a page of the site), under a sandboxed policy.
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
# 24 million pixels: every phone camera's usual photo (12 to 20 MP) and a 6000 × 4000 camera fit;
# a 48 to 200 MP full-resolution shot does not. Lessons show pictures at most 720 px wide, and one
# decoded picture of 24 MP takes about 96 MB. Pillow is held to the same cap (courses.uploads).
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 24_000_000
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_IMAGE_FORM_BASE = "courses.uploads.ImageForm"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_USER_CUSTOM_FIELDS = ["full_name", "preferred_language"]
# Trainers cannot publish: an approved review publishes on its own authority (courses.workflows).
WAGTAIL_FINISH_WORKFLOW_ACTION = "courses.workflows.publish_approved"
# Staff with an e-mail address reset their password by e-mail (Wagtail's admin, Django's signed
# links); everyone else gets a reset code from someone who knows them (members/services/passwords.py).
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "members.forms.StaffPasswordResetForm"  # noqa: S105
PASSWORD_RESET_TIMEOUT = 3600  # seconds a reset link in an e-mail stays valid

# Tasks (PDF rendering, renditions) run inline in the embedded default. TASKS_BACKEND=database queues
# them in the database for `manage.py db_worker` processes (django-tasks-db), as production does.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
# Each kind of work waits in its own queue, so that a PDF never waits behind a statistics rollup: run
# one `db_worker --queue-name NAME` per queue ("default" holds Wagtail's own tasks). Every backend
# must list them, or enqueuing refuses the task.
TASK_QUEUES = ["default", "certificates", "statistics"]
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[env_choice("TASKS_BACKEND", tuple(TASK_BACKENDS), "immediate")],
        "QUEUES": TASK_QUEUES,
    }
}
# A task RUNNING this long is taken as lost (its worker stopped) and put back by `manage.py
# reclaim_tasks`: keep it well above the longest task (a certificate renders in < 5 s).
TASKS_RECLAIM_AFTER = env_int("TASKS_RECLAIM_AFTER", 300, minimum=30)
# Runs started before a lost task is marked FAILED instead of put back.
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 3, minimum=1)
# Finished task results (and why failed ones failed) are kept this long, then purged by the scheduler.
TASKS_RESULTS_KEEP_DAYS = env_int("TASKS_RESULTS_KEEP_DAYS", 14, minimum=1)

# The worker beats this often into the shared cache (ops/heartbeat.py); with TASKS_BACKEND=database,
# /readyz fails once the last beat is older than WORKER_HEARTBEAT_MAX_AGE seconds.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 30, minimum=1)
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 120, minimum=1)

# When the statistics' numbers (stats app) are recomputed after a change: "task" enqueues a refresh
# for a worker; "on_view" (no worker: the embedded default) refreshes the changed communes when
# someone opens the statistics. `manage.py refresh_statistics` recomputes everything (nightly).
STATS_REFRESH = env_choice("STATS_REFRESH", ("on_view", "task"), "on_view")
# With a worker: a commune noted as changed this long ago, and still not refreshed, lost its refresh
# task; the scheduler queues one again (every 10 minutes).
STATS_REFRESH_LOST_AFTER = env_int("STATS_REFRESH_LOST_AFTER", 900, minimum=60)

# E-mail (moderation notices, staff password resets): SMTP in production, the console in development.
EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
EMAIL_BACKEND = EMAIL_BACKENDS[env_choice("EMAIL_BACKEND", tuple(EMAIL_BACKENDS), "smtp")]
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "HọcSố <no-reply@localhost>")

# Text messages (password reset codes; later reminders): none, the console (development), an
# in-memory outbox (tests) or an HTTP gateway that takes a JSON POST (members/sms.py).
SMS_BACKENDS = {
    "none": None,
    "console": "members.sms.ConsoleBackend",
    "locmem": "members.sms.LocmemBackend",
    "http": "members.sms.HttpGatewayBackend",
}
SMS_BACKEND = SMS_BACKENDS[env_choice("SMS_BACKEND", tuple(SMS_BACKENDS), "none")]
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_SENDER = env_str("SMS_SENDER", "HOCSO")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10, minimum=1)  # seconds

# The client's address (members.throttling.client_address) is REMOTE_ADDR, unless the app runs
# behind this many reverse proxies that each append the address they saw to X-Forwarded-For.
# Never more than there really are: the entries further left are written by the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Fairness limits, one table for every surface (members.throttling counts them in the shared cache,
# in fixed windows, keyed by a keyed hash of who asks): scope → (count, seconds), each overridable as
# RATE_LIMIT_<SCOPE>=count/period (10/min, 60/10min, 3/h, 10/day). Guessing passwords is stopped
# by django-axes below, not by these.
_RATE_LIMITS = {
    "sign_in": "10/min",  # API sign-in, per number and address together
    "sign_in_address": "300/min",  # API sign-in, per address: a whole commune can share one
    "verify": "60/min",  # certificate lookups, per address
    "verify_code": "10/day",  # wrong check codes typed for one serial from one address
    "verify_code_serial": "100/day",  # wrong check codes typed for one serial from all addresses
    "number_lookup": "60/h",  # numbers checked by a signed-in leader or officer
    "number_lookup_address": "60/10min",  # numbers checked on the public sign-up form, per address
    "number_lookup_address_day": "600/day",
    "invitation_code": "20/10min",  # invitation codes typed, per person
    "personal_data_export": "5/min",  # "Dữ liệu của tôi" downloads, per person
    "erase_my_data": "5/15min",  # passwords typed to erase one's data, per person
    "reset_sms_number": "3/h",  # reset codes texted, per number
    "reset_sms_address": "60/h",
    "reset_redeem_number": "10/15min",  # reset codes typed, per number
    "reset_redeem_address": "200/15min",
    "reset_email": "3/h",  # reset e-mails, per e-mail address
}
RATE_LIMITS = {scope: env_rate(f"RATE_LIMIT_{scope.upper()}", rate) for scope, rate in _RATE_LIMITS.items()}

# Sign-in that resists guessing (django-axes; the rules are explained in members/lockout.py).
AXES_HANDLER = "members.lockout.SignInGuard"
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5, minimum=1)  # per account and address
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SIGN_IN_ACCOUNT_CEILING = env_int("SIGN_IN_ACCOUNT_CEILING", 20, minimum=1)  # one account, all addresses
SIGN_IN_ADDRESS_CEILING = env_int("SIGN_IN_ADDRESS_CEILING", 300, minimum=1)  # one address, all accounts
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "members.throttling.client_address"
AXES_USERNAME_FORM_FIELD = "username"  # the key of authenticate()'s credentials, on every surface
AXES_USERNAME_CALLABLE = "members.lockout.account_of"
AXES_LOCKOUT_CALLABLE = "members.lockout.lockout_response"
# Keep only what locking out needs: no log of successful sign-ins, and no form value in the records
# (axes always masks the password; the number and the CSRF token are masked too).
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "phone", "ip_address", "csrfmiddlewaretoken", "code"]

# Security defaults that hold in every environment.
# Sessions are read from the cache and written through to the database: no query per request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "frame-src": ["https://www.youtube-nocookie.com", "https://www.youtube.com"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# The Wagtail and Django admins ship inline scripts; they keep the framework's own protections.
CSP_EXEMPT_PATH_PREFIXES = ["/admin/", "/django-admin/", "/api/v1/docs/"]

# One line a request with its id (ops.logs), phone numbers blanked; LOG_FORMAT=json for a collector.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = logging_config(level=LOG_LEVEL, log_format=env_choice("LOG_FORMAT", ("plain", "json"), "plain"))

# Certificates: signing keys come from the environment (certificates/keys.py explains the format).
CERTIFICATE_SIGNING_KEYS = env_str("CERTIFICATE_SIGNING_KEYS", "")
CERTIFICATE_SIGNING_KEY_ID = env_str("CERTIFICATE_SIGNING_KEY_ID", "")
CERTIFICATE_PUBLIC_KEYS = env_str("CERTIFICATE_PUBLIC_KEYS", "")
CERTIFICATE_COMPROMISED_KEY_IDS = env_list("CERTIFICATE_COMPROMISED_KEY_IDS", [])
CERTIFICATE_DEV_KEY_FILE = None
CERTIFICATE_SERIAL_PREFIX = env_str("CERTIFICATE_SERIAL_PREFIX", "CB")
# How a certificate PDF reaches its holder once the view has checked who asks (certificates/files.py):
# "django" streams it from the app; "x-accel" hands it to nginx (an `internal` location at
# CERTIFICATE_X_ACCEL_PREFIX, see docs/certificates.md); "signed-url" redirects to a short-lived
# signed URL of the storage (object storage with query-string authentication).
CERTIFICATE_FILE_SERVING = env_choice(
    "CERTIFICATE_FILE_SERVING", ("django", "x-accel", "signed-url"), "django"
)
CERTIFICATE_X_ACCEL_PREFIX = env_str("CERTIFICATE_X_ACCEL_PREFIX", "/private-files/")

# HọcSố
HOCSO_PROVINCE_NAME = "Cao Bằng"
HOCSO_DEMO_SEED_ALLOWED = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",  # apps: "Authorization: Token <token>", hashed in the database
        "rest_framework.authentication.SessionAuthentication",  # our own pages, with CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # The API's throttles take the client's address from members.throttling.client_address; this
    # keeps DRF's own get_ident in step for any throttle that does not.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_METADATA_CLASS": "api.metadata.Metadata",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=90),
    "AUTO_REFRESH": True,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HọcSố API",
    "DESCRIPTION": (
        "The REST API of HọcSố, Cao Bằng's learning and digital-skills system. Every list is narrowed "
        "to the caller's scope. Errors share one format: "
        '{"error": {"status", "code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "PREPROCESSING_HOOKS": ["api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.document_errors"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"InvitationStatusEnum": "members.models.GroupInvitation.Status"},
}
