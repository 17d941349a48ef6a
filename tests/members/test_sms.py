"""Text messages behind one service, ``members.sms.send_sms(to, text)``, with the backend chosen by
settings. The HTTP gateway is tested against a real server on 127.0.0.1 started here."""

import io
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from members import sms

NUMBER = "+84912345678"
TEXT = "HọcSố: mã đặt lại mật khẩu của bạn là 123456"


@pytest.fixture(autouse=True)
def _outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


class Gateway:
    """A local SMS gateway: records what it receives and answers ``status`` (or hangs until released)."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 202
        self.location = None
        self.hang = threading.Event()
        self.hanging = False
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                gateway.received.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(self.rfile.read(length).decode("utf-8")),
                    }
                )
                if gateway.hanging:
                    gateway.hang.wait(5)
                self.send_response(gateway.status)
                if gateway.location:
                    self.send_header("Location", gateway.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.hang.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    server = Gateway()
    settings.SMS_BACKEND = "members.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_TOKEN = "gateway-token-for-tests"
    settings.SMS_SENDER = "HOCSO-CB"
    settings.SMS_GATEWAY_TIMEOUT = 5
    yield server
    server.close()


def test_the_gateway_receives_one_json_post_with_the_token(gateway):
    sms.send_sms(NUMBER, TEXT)
    [request] = gateway.received
    assert request["path"] == "/v1/messages"
    assert request["headers"]["Authorization"] == "Bearer gateway-token-for-tests"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["body"] == {"to": NUMBER, "from": "HOCSO-CB", "text": TEXT}


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_a_refusal_is_an_error_that_names_neither_number_nor_text(gateway, caplog, status):
    gateway.status = status
    with caplog.at_level(logging.DEBUG), pytest.raises(sms.SmsError) as error:
        sms.send_sms(NUMBER, TEXT)
    assert str(status) in str(error.value)
    said = str(error.value) + "\n".join(record.getMessage() for record in caplog.records)
    assert "912345678" not in said and "123456" not in said and "gateway-token" not in said
    assert f"HTTP {status}" in caplog.text


def test_a_redirect_is_not_followed(gateway):
    gateway.status, gateway.location = 302, "http://127.0.0.1:9/elsewhere"
    with pytest.raises(sms.SmsError):
        sms.send_sms(NUMBER, TEXT)
    assert len(gateway.received) == 1


def test_an_unreachable_gateway_is_an_error(settings, caplog):
    with socket.socket() as probe:  # a port that nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_BACKEND = "members.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/"
    with caplog.at_level(logging.WARNING), pytest.raises(sms.SmsError):
        sms.send_sms(NUMBER, TEXT)
    assert "unreachable" in caplog.text and "912345678" not in caplog.text


def test_a_gateway_that_does_not_answer_in_time_is_an_error(gateway, settings):
    gateway.hanging = True
    settings.SMS_GATEWAY_TIMEOUT = 0.2
    with pytest.raises(sms.SmsError) as error:
        sms.send_sms(NUMBER, TEXT)
    assert "unreachable" in str(error.value)


def test_the_console_prints_the_whole_message(settings):
    stream = io.StringIO()
    sms.ConsoleBackend(stream=stream).send(sms.SmsMessage(to=NUMBER, text=TEXT, sender="HOCSO"))
    assert NUMBER in stream.getvalue() and TEXT in stream.getvalue()


def test_the_console_backend_is_chosen_by_settings(settings, capsys):
    settings.SMS_BACKEND = "members.sms.ConsoleBackend"
    sms.send_sms(NUMBER, TEXT)
    assert TEXT in capsys.readouterr().out


def test_the_tests_outbox(settings):
    settings.SMS_BACKEND = "members.sms.LocmemBackend"
    sms.send_sms(NUMBER, TEXT)
    assert sms.outbox == [sms.SmsMessage(to=NUMBER, text=TEXT, sender=settings.SMS_SENDER)]


def test_without_a_backend_nothing_is_sent_and_nothing_offers_it(settings):
    settings.SMS_BACKEND = None
    assert not sms.sms_enabled()
    with pytest.raises(sms.SmsError):
        sms.send_sms(NUMBER, TEXT)
    assert sms.outbox == []
