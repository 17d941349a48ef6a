"""One error format for the whole API, with messages in the caller's language:

{"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"marks[3].recorded_at": ["…"]}}}

DRF's views answer through ``exception_handler``; what Django itself refuses under /api/ (a body over
DATA_UPLOAD_MAX_MEMORY_SIZE, a bad Host, an address no view serves, an unexpected error) through
``django_error``, which api/views/fallback.py hands to Django as its error handlers.
"""

import logging
import uuid

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

MESSAGES = {
    400: lambda: _("The request is not valid."),
    401: lambda: _("Sign in first: send a token in the Authorization header."),
    403: lambda: _("You are not allowed to do this."),
    404: lambda: _("Not found."),
    405: lambda: _("This method is not allowed here."),
    406: lambda: _("This address answers in JSON only: ask for application/json."),
    409: lambda: _("The same request is still being processed."),
    413: lambda: _("The request is too large: send less at a time."),
    415: lambda: _("Send JSON."),
    422: lambda: _("This key was already used with a different request."),
    429: lambda: _("Too many requests: wait a little and try again."),
    500: lambda: _("Something went wrong on our side. Please try again later."),
}
CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    413: "too_large",
    500: "server_error",
}


class BadRequest(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def error_body(status_code: int, code: str, message: str, fields: dict | None = None, **extra) -> dict:
    body = {"status": status_code, "code": code, "message": message, **extra}
    if fields:
        body["fields"] = fields
    return {"error": body}


def field_errors(detail, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as flat field paths, e.g. ``marks[3].recorded_at``, each with its
    messages as plain strings (never the repr of a dict, a list or an ErrorDetail)."""
    if isinstance(detail, dict):
        fields: dict[str, list[str]] = {}
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY and path:
                name = path  # a list's own error ("at most 500 marks") belongs to the list
            elif isinstance(key, int):
                name = f"{path}[{key}]"
            else:
                name = f"{path}.{key}" if path else str(key)
            for field, messages in field_errors(value, name).items():
                fields.setdefault(field, []).extend(messages)
        return fields
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        return field_errors({index: item for index, item in enumerate(detail) if item}, path)
    items = detail if isinstance(detail, list) else [detail]
    return {path or api_settings.NON_FIELD_ERRORS_KEY: [str(item) for item in items]} if items else {}


def _as_api_exception(exc):
    """Django's exceptions as DRF's, so that one code path answers them all."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, SuspiciousOperation):
        # Logged as Django logs them when they reach it (django.security.<name>), without the body.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(str(exc))
        return TooLarge() if isinstance(exc, RequestDataTooBig) else BadRequest()
    return exc


def exception_handler(exc, context):
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's error handler answers it (django_error, 500)
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = field_errors(exc.detail)
        general = fields.get(api_settings.NON_FIELD_ERRORS_KEY, [])
        # One message about the request as a whole is the message; field errors get a general one.
        message = general[0] if len(fields) == 1 and len(general) == 1 else MESSAGES[400]()
        response.data = error_body(response.status_code, "invalid", message, fields)
        return response
    if isinstance(exc, exceptions.ParseError):
        # DRF's detail quotes Python's JSON decoder, in English whatever the caller's language.
        message = _("The request body is not valid JSON.")
    else:
        detail = exc.detail if isinstance(exc.detail, str) else None
        default = MESSAGES.get(response.status_code, lambda: _("Something went wrong."))()
        message = str(detail) if detail and detail != exc.default_detail else default
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        response.headers["Retry-After"] = str(int(exc.wait) + 1)
    response.data = error_body(response.status_code, code, message)
    return response


def error_response(status_code: int, code: str, message: str) -> Response:
    return Response(error_body(status_code, code, message), status=status_code)


def django_error(status_code: int, exception=None) -> JsonResponse:
    """The answer to an error Django handled itself, for a request under /api/."""
    if isinstance(exception, RequestDataTooBig):
        status_code = 413
    extra = {}
    if status_code == 500:
        # Quoted by whoever reports the problem; the log line next to the traceback carries it too.
        extra["id"] = uuid.uuid4().hex[:12]
        logger.error("API server error %s", extra["id"])
    body = error_body(status_code, CODES.get(status_code, "error"), MESSAGES[status_code](), **extra)
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})
