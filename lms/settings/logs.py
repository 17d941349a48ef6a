"""The LOGGING setting, built once for every environment so that the request id, the personal-data
filter and the format (LOG_FORMAT: plain for a terminal, json for a log collector) stay together."""

from typing import Any

LOGGERS = {
    # Django's request logs carry the request (and, for errors, bodies): keep them to errors.
    "django.request": {"level": "ERROR"},
    "django.server": {"level": "WARNING"},
    "django_tasks": {"level": "WARNING"},
    "wagtail": {"level": "WARNING"},
    "axes": {"level": "WARNING"},
    "weasyprint": {"level": "WARNING"},
    "fontTools": {"level": "WARNING"},
}


def logging_config(*, level: str, log_format: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "ops.logs.RequestIdFilter"},
            "personal_data": {"()": "ops.logs.PersonalDataFilter"},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "ops.logs.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                "json_ensure_ascii": False,
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "personal_data"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": LOGGERS,
    }
