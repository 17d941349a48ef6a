"""One error format for the whole API, with messages in the caller's language:

{"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"phone": ["…"]}}}
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

MESSAGES = {
    400: lambda: _("The request is not valid."),
    401: lambda: _("Sign in first: send a token in the Authorization header."),
    403: lambda: _("You are not allowed to do this."),
    404: lambda: _("Not found."),
    405: lambda: _("This method is not allowed here."),
    409: lambda: _("The same request is still being processed."),
    415: lambda: _("Send JSON."),
    422: lambda: _("This key was already used with a different request."),
    429: lambda: _("Too many requests: wait a little and try again."),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "in_progress"


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "key_reused"


def error_body(status_code: int, code: str, message: str, fields: dict | None = None) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {
            key: [str(item) for item in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {"non_field_errors": [str(item) for item in (detail if isinstance(detail, list) else [detail])]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = MESSAGES[400]()
        if list(fields) == ["non_field_errors"] and len(fields["non_field_errors"]) == 1:
            message = fields["non_field_errors"][0]
        response.data = error_body(response.status_code, "invalid", message, fields)
        return response
    detail = exc.detail if isinstance(exc.detail, str) else None
    default = MESSAGES.get(response.status_code, lambda: _("Something went wrong."))()
    message = str(detail) if detail and detail != exc.default_detail else default
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        response.headers["Retry-After"] = str(int(exc.wait) + 1)
    response.data = error_body(response.status_code, code, message)
    return response


def error_response(status_code: int, code: str, message: str) -> Response:
    return Response(error_body(status_code, code, message), status=status_code)
