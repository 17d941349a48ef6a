"""Text messages, behind one small service: ``send_sms(to, text)``. Password reset codes use it;
group reminders and certificate notices can later.

The backend is chosen by ``SMS_BACKEND`` (as Django's EMAIL_BACKEND): ``None`` (no text messages:
``sms_enabled()`` is false and nothing offers them), the console (development: prints every message
in full), an in-memory outbox (tests) or a generic HTTP gateway (a JSON POST, see
``HttpGatewayBackend``). Production accepts only the gateway or none (lms/settings/production.py).

Numbers and message texts are personal data, and a text may hold a reset code: errors and logs
never carry either.
"""

import json
import logging
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """A message could not be handed over. The text says why, never to whom or what."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. +84912345678
    text: str
    sender: str


class BaseBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Development: prints the whole message, so that a developer can read the code off the terminal."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message: SmsMessage) -> None:
        self.stream.write(f"SMS from {message.sender} to {message.to}:\n{message.text}\n{'-' * 40}\n")
        self.stream.flush()


# The tests' outbox, like django.core.mail.outbox. Only LocmemBackend writes to it.
outbox: list[SmsMessage] = []


class LocmemBackend(BaseBackend):
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A gateway that redirects is misconfigured; following it would report success for a GET.
    def redirect_request(self, *args, **kwargs):
        return None


class HttpGatewayBackend(BaseBackend):
    """A generic gateway: ``POST SMS_GATEWAY_URL`` with ``Authorization: Bearer SMS_GATEWAY_TOKEN`` and
    the JSON body ``{"to": "+84…", "from": SMS_SENDER, "text": "…"}``; any 2xx answer means accepted.
    Gives up after ``SMS_GATEWAY_TIMEOUT`` seconds."""

    def send(self, message: SmsMessage) -> None:
        body = json.dumps(
            {"to": message.to, "from": message.sender, "text": message.text}, ensure_ascii=False
        )
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            settings.SMS_GATEWAY_URL,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            logger.warning("SMS gateway unreachable (%s)", type(reason).__name__)
            raise SmsError(f"the SMS gateway is unreachable ({type(reason).__name__})") from None
        if not 200 <= status < 300:
            logger.warning("SMS gateway refused a message: HTTP %s", status)
            raise SmsError(f"the SMS gateway answered HTTP {status}")


def language_for(person) -> str:
    """The language to text a person in: theirs if the interface speaks it, else Vietnamese."""
    language = person.preferred_language
    return language if language in settings.INTERFACE_LANGUAGES else settings.LANGUAGE_CODE


def sms_enabled() -> bool:
    return bool(settings.SMS_BACKEND)


def get_backend() -> BaseBackend | None:
    path = settings.SMS_BACKEND
    return import_string(path)() if path else None


def send_sms(to: str, text: str) -> None:
    """Send ``text`` to the mobile number ``to`` (E.164). Raises SmsError when it cannot be handed over."""
    backend = get_backend()
    if backend is None:
        raise SmsError("no SMS backend is configured")
    backend.send(SmsMessage(to=to, text=text, sender=settings.SMS_SENDER))
