"""Error reports (ops/errors.py): started only with a DSN, and nothing that names a person leaves."""

import json

import pytest
import sentry_sdk
from django.urls import path
from sentry_sdk.transport import Transport

from ops import errors
from tests.factories import UserFactory
from tests.lms.test_settings import PRODUCTION, run_django

PHONE = "0912345678"
# Nothing listens there; the recording transport below never sends anyway.
DSN = "http://public@127.0.0.1:9/1"


class Recorder(Transport):
    def __init__(self):
        super().__init__()
        self.events = []

    def capture_envelope(self, envelope):
        self.events += [item.payload.json for item in envelope.items if item.type == "event"]


def test_production_starts_error_reports_only_with_a_dsn():
    command = ["shell", "-c", "import sentry_sdk; print('active', sentry_sdk.get_client().is_active())"]
    assert run_django(command, **PRODUCTION).stdout.strip().endswith("active False")
    reporting = run_django(command, **PRODUCTION, SENTRY_DSN=DSN)
    assert reporting.stdout.strip().endswith("active True"), reporting.stderr[-2000:]
    options = "import sentry_sdk; c = sentry_sdk.get_client(); print(c.should_send_default_pii(), c.dsn)"
    assert (
        run_django(["shell", "-c", options], **PRODUCTION, SENTRY_DSN=DSN)
        .stdout.strip()
        .endswith(f"False {DSN}")
    )


@pytest.fixture
def reported():
    recorder = Recorder()
    errors.init_sentry(dsn=DSN, environment="test", release=None, transport=recorder)
    yield recorder.events
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)  # what the rest of the test run had: no reports
    assert not sentry_sdk.get_client().is_active()


def _boom(request):
    raise ValueError(f"Key (phone)=({PHONE}) already exists.")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.django_db
@pytest.mark.urls("tests.lms.test_errors")
def test_an_error_report_holds_no_body_cookie_header_query_or_user(client, reported):
    person = UserFactory()
    client.raise_request_exception = False
    client.force_login(person)
    response = client.post(
        f"/boom/?phone={PHONE}",
        {"phone": PHONE, "password": "bi-mat"},
        HTTP_X_REQUEST_ID="lb-1234567890",
        HTTP_USER_AGENT=f"phone {PHONE}",
    )
    assert response.status_code == 500
    sentry_sdk.flush()
    [event] = reported
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["exception"]["values"][0]["value"] == "Key (phone)=([phone]) already exists."
    # Under gunicorn the WSGI layer adds the method and URL; the test client has no WSGI layer.
    assert set(event.get("request", {})) <= {"method", "url"}
    assert "user" not in event and event["tags"]["request_id"] == "lb-1234567890"
    text = json.dumps(event)
    assert PHONE not in text and "912345678" not in text and "sessionid" not in text
    assert "bi-mat" not in text and str(person.phone)[-9:] not in text and person.full_name not in text


def test_scrub_event_drops_what_the_sdk_collected():
    event = {
        "user": {"id": 7, "ip_address": "10.0.0.9"},
        "server_name": "web-3",
        "request": {
            "method": "POST",
            "url": f"https://hocso.example.vn/u/{PHONE}/?q=1",
            "query_string": f"phone={PHONE}",
            "data": {"phone": PHONE, "password": "bi-mat"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "x"},
            "env": {"REMOTE_ADDR": "10.0.0.9"},
        },
        "logentry": {"message": "for %s", "params": [PHONE], "formatted": f"for {PHONE}"},
        "breadcrumbs": {"values": [{"message": f"saw {PHONE}", "data": {"params": [PHONE]}}]},
    }
    scrubbed = errors.scrub_event(event)
    assert scrubbed["request"] == {"method": "POST", "url": "https://hocso.example.vn/u/[phone]/"}
    text = json.dumps(scrubbed)
    assert PHONE not in text and "10.0.0.9" not in text and "web-3" not in text and "bi-mat" not in text
