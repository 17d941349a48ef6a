"""Request ids and personal data in the logs (ops/logs.py, lms/settings/logs.py)."""

import io
import json
import logging
import sys

import pytest

from lms.settings.logs import logging_config
from ops import logs
from tests.lms.test_settings import PRODUCTION, run_django

PHONE = "0912345678"


@pytest.fixture
def log_output():
    """What the configured console handler writes, with its own filters and formatter."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_request_logs_one_line_with_its_id_and_never_the_phone_number_in_its_query(client, log_output):
    response = client.get(
        f"/manifest.webmanifest?phone={PHONE}&p=%2B84912345678", HTTP_X_REQUEST_ID="lb-7f3a9c2e1d"
    )
    assert response["X-Request-ID"] == "lb-7f3a9c2e1d"
    lines = [line for line in log_output.getvalue().splitlines() if "ops.request" in line]
    assert len(lines) == 1
    assert "[lb-7f3a9c2e1d]" in lines[0] and "GET /manifest.webmanifest 200" in lines[0]
    assert PHONE not in log_output.getvalue() and "912345678" not in log_output.getvalue()


@pytest.mark.django_db
def test_a_phone_number_in_the_path_is_blanked(client, log_output):
    client.get(f"/tim/{PHONE}/")
    client.get("/tim/+84 912 345 678/")
    output = log_output.getvalue()
    assert "/tim/[phone]/" in output and "912" not in output


@pytest.mark.django_db
@pytest.mark.parametrize("offered", ["", "short", "two words here", "a\nforged line", "x" * 200, "<script>"])
def test_an_insane_request_id_is_replaced_by_a_fresh_one(client, offered):
    response = client.get("/manifest.webmanifest", HTTP_X_REQUEST_ID=offered)
    assert response["X-Request-ID"] != offered and len(response["X-Request-ID"]) == 32
    assert client.get("/manifest.webmanifest")["X-Request-ID"] != response["X-Request-ID"]


def test_outside_a_request_the_id_is_a_dash(log_output):
    logging.getLogger("hocso.test").warning("no request here")
    assert "[-] no request here" in log_output.getvalue()


def _record(message, *args, **extra):
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    for log_filter in (logs.RequestIdFilter(), logs.PersonalDataFilter()):
        log_filter.filter(record)
    return record


def test_json_lines_hold_only_their_named_fields():
    options = dict(logging_config(level="INFO", log_format="json")["formatters"]["json"])
    formatter = logs.JsonFormatter(**{key: value for key, value in options.items() if key != "()"})

    class Request:
        def __repr__(self):
            return f"<WSGIRequest: GET '/?phone={PHONE}'>"

    token = logs.request_id.set("req-0123456789")
    try:
        record = _record("Not Found: %s", f"/u/{PHONE}/", request=Request(), status_code=404)
    finally:
        logs.request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert set(line) == {"time", "level", "logger", "request_id", "message"}
    assert line["request_id"] == "req-0123456789" and line["message"] == "Not Found: /u/[phone]/"


def test_a_traceback_loses_its_phone_numbers_too():
    try:
        raise ValueError(f"Key (phone)=(+84{PHONE[1:]}) already exists.")
    except ValueError:
        record = _record("could not save", exc_info=sys.exc_info())
    assert "[phone]" in record.exc_text and PHONE[1:] not in record.exc_text


def test_json_in_production_plain_elsewhere():
    expression = "settings.LOGGING['handlers']['console']['formatter']"
    command = ["shell", "-c", f"from django.conf import settings; print({expression})"]
    assert run_django(command, **PRODUCTION).stdout.strip().endswith("json")
    assert run_django(command, **PRODUCTION, LOG_FORMAT="plain").stdout.strip().endswith("plain")
    assert run_django(command).stdout.strip().endswith("plain")
