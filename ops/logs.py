"""Logs that follow one request across machines and keep personal data out.

`RequestIdMiddleware` takes the proxy's X-Request-ID when it is a sane token (so the proxy's access
log and ours share an id), else makes one, returns it in the response and keeps it in a context
variable for the length of the request; `RequestIdFilter` puts it on every record. It also writes
one line per request: method, path without its query string, status, milliseconds.
`PersonalDataFilter` blanks anything shaped like a Vietnamese phone number (the login) in a
message or a traceback, whatever the code that logged it. `JsonFormatter` writes only the named
fields: Django attaches the request to its records, and its repr holds the query string.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

request_id: ContextVar[str] = ContextVar("request_id", default="-")

# Letters, digits and a few separators: what proxies generate (nginx's $request_id, UUIDs, AWS
# trace ids); anything else (spaces, quotes, line breaks that forge log lines, huge values) is replaced.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+-]{7,127}")
# +84 or 0 then nine digits (mobiles), also URL-encoded (%2B84) or spaced/dotted as people type them.
PHONE_NUMBER = re.compile(r"(?<![\dA-Za-z])(?:(?:\+|%2B)?84|0)(?:[\s.-]?\d){9}(?!\d)")
REDACTED = "[phone]"

access_log = logging.getLogger("ops.request")


def redact(text: str) -> str:
    return PHONE_NUMBER.sub(REDACTED, text)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        current = offered if SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        token = request_id.set(current)
        request.request_id = current
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current
            access_log.info(
                "%s %s %s %dms",
                request.method,
                request.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return response
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class PersonalDataFilter(logging.Filter):
    """Redacts the message and the traceback in place, before any handler formats them."""

    def filter(self, record):
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line, with the fields of its format (and the traceback) and nothing else."""

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        fields = {*self._required_fields, "exc_info", "stack_info"}
        wanted = {self.rename_fields.get(field, field) for field in fields}
        for key in [key for key in log_record if key not in wanted]:
            del log_record[key]
