"""Sign-in that resists guessing, on every surface: the site's form, Wagtail's admin, the Django admin
and the API's token endpoint all call ``authenticate(request, …)``, so django-axes sees every failed
attempt. This module says how failures count, and what a person who is refused sees.

Three rules, over the failures of the last cool-off period (``AXES_COOLOFF_TIME``):

1. **One account from one address**: ``AXES_FAILURE_LIMIT`` failures refuse that pair. This stops a
   neighbour guessing a password. Never the address alone: a carrier puts a whole commune behind
   one address, and one guesser must not lock everyone else out.
2. **One account from anywhere**: ``SIGN_IN_ACCOUNT_CEILING`` failures, each address counting at
   most the pair limit (so it takes several addresses), refuse the account on devices that never
   signed into it. Guessing spread over many addresses (a phone re-dialling for a new carrier
   address, hired machines) is stopped, yet a stranger cannot lock a resident out: their own phone
   carries a signed "known device" cookie from an earlier sign-in and is not refused by this rule.
3. **One address, many accounts**: ``SIGN_IN_ADDRESS_CEILING`` failures (one password tried on many
   numbers) refuse new devices at that address. Set far above what a commune's typing mistakes reach
   in a cool-off period; known devices are not refused by it either.

Failures made while refused are not counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``
off), so a refusal always ends one cool-off after it began. The way back is always there: wait, or
get a reset code (``members.services.passwords``), which clears the account's failures.

Axes keeps the account (a phone number, normalised) and the address of each failure for one
cool-off period, never the password typed; successful sign-ins are not logged.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from members.phone import normalize_phone

DEVICE_COOKIE = "hocso_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
_DEVICE_SALT = "members.lockout.device"
# A shared family phone may sign in as several people; the oldest are forgotten first.
_DEVICE_ACCOUNTS = 6


def account_of(request, credentials: dict | None) -> str | None:
    """The account an attempt is for (``AXES_USERNAME_CALLABLE``): the number in E.164 form, so that
    "0912 345 678" and "+84912345678" are one account for counting as they are for signing in."""
    raw = None
    if credentials:
        raw = credentials.get("username")
    if raw is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = data.get("username") or data.get("phone")
    if raw is None:
        return None
    raw = str(raw)
    try:
        return normalize_phone(raw)
    except ValidationError:
        return " ".join(raw.split())[:64]


# Known devices ------------------------------------------------------------------------------------


def _account_mark(account: str) -> str:
    return salted_hmac(_DEVICE_SALT, account).hexdigest()[:20]


def _device_marks(request) -> list[str]:
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        marks = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return []
    return [mark for mark in marks if isinstance(mark, str)] if isinstance(marks, list) else []


def knows_device(request, account: str | None) -> bool:
    """Whether this browser or app signed into ``account`` before (it holds our signed cookie)."""
    return bool(account) and _account_mark(account) in _device_marks(request)


def remember_device(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: note the account, for the middleware to put in the cookie."""
    if request is None:
        return
    target = getattr(request, "_request", request)  # DRF wraps Django's request
    target.hocso_signed_in_account = user.get_username()


class KnownDeviceMiddleware:
    """After a successful sign-in, add the account to the device's signed cookie (rule 2 and 3)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        account = getattr(request, "hocso_signed_in_account", None)
        if account:
            mark = _account_mark(account)
            others = [m for m in _device_marks(request) if m != mark]
            marks = [*others[-(_DEVICE_ACCOUNTS - 1) :], mark]
            response.set_cookie(
                DEVICE_COOKIE,
                signing.dumps(marks, salt=_DEVICE_SALT),
                max_age=DEVICE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


# The rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Sign-ins like this one are refused for ``wait`` more, by ``rule``: ``number`` (this number from
    this address, or spread over many addresses) or ``address`` (many numbers tried from here)."""

    wait: timedelta
    rule: str


def refusal(request, credentials: dict | None = None) -> Refusal | None:
    """Whether, and how much longer, sign-ins like this one are refused; None when they are allowed."""
    AxesProxyHandler.update_request(request)
    account = get_client_username(request, credentials)
    address = request.axes_ip_address
    cool_off = get_cool_off(request)
    now = request.axes_attempt_time
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
    pair_limit = get_failure_limit(request, credentials)
    per_address = {
        row["ip_address"]: row
        for row in recent.filter(username=account)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by()
    }
    refused_since: list[tuple] = []
    pair = per_address.get(address)
    if pair and pair["failures"] >= pair_limit:
        refused_since.append((pair["last"], "number"))
    if not knows_device(request, account):
        spread = sum(min(row["failures"], pair_limit) for row in per_address.values())
        if per_address and spread >= settings.SIGN_IN_ACCOUNT_CEILING:
            refused_since.append((max(row["last"] for row in per_address.values()), "number"))
        here = recent.filter(ip_address=address).aggregate(
            failures=Sum("failures_since_start"), last=Max("attempt_time")
        )
        if (here["failures"] or 0) >= settings.SIGN_IN_ADDRESS_CEILING:
            refused_since.append((here["last"], "address"))
    if not refused_since:
        return None
    since, rule = max(refused_since, key=lambda item: item[0])
    return Refusal(since + cool_off - now, rule)


class SignInGuard(AxesDatabaseHandler):
    """Axes' database handler with the three rules above (``AXES_HANDLER``)."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return refusal(request, credentials) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes itself only knows rule 1; the failure just recorded may have reached a ceiling.
        if request is not None and not request.axes_locked_out and self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def clear_failures(*, account: str) -> int:
    """Forget the failed sign-ins of an account (after a password reset: the way back)."""
    return AxesProxyHandler.reset_attempts(username=account)


# What a refused person sees ----------------------------------------------------------------------


def wait_minutes(refused: Refusal | None) -> int:
    seconds = refused.wait.total_seconds() if refused else get_cool_off().total_seconds()
    return max(1, math.ceil(seconds / 60))


def refusal_message(refused: Refusal | None, minutes: int) -> str:
    if refused is not None and refused.rule == "address":
        return ngettext(
            "Many wrong passwords were typed from this connection, so phones that never signed in here "
            "must wait %(minutes)d minute. A phone that signed in before can sign in now.",
            "Many wrong passwords were typed from this connection, so phones that never signed in here "
            "must wait %(minutes)d minutes. A phone that signed in before can sign in now.",
            minutes,
        ) % {"minutes": minutes}
    return ngettext(
        "Too many wrong passwords for this number. Wait %(minutes)d minute and try again, or ask your "
        "group leader for a password reset code.",
        "Too many wrong passwords for this number. Wait %(minutes)d minutes and try again, or ask your "
        "group leader for a password reset code.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """``AXES_LOCKOUT_CALLABLE``: the page a refused person sees, on the site and in the admins."""
    if request.path.startswith("/api/") and original_response is not None:
        # The API answers refusals itself, in its one error format (api/views/auth.py).
        return original_response
    refused = refusal(request, credentials)
    minutes = wait_minutes(refused)
    response = render(
        request,
        "members/locked_out.html",
        {"minutes": minutes, "message": refusal_message(refused, minutes)},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
