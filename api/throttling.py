"""The API's sign-in limits, counted by the project's one limiter (``members.throttling``, rates in
``RATE_LIMITS``). Sign-in is limited per account and address together, never per address alone: a
whole commune can share one carrier address. These are fairness, not security: guessing is stopped
by django-axes (members/lockout.py), which counts failed sign-ins on every surface."""

from collections.abc import Mapping

from rest_framework.throttling import BaseThrottle

from members import throttling
from members.phone import normalize_phone


class _Limit(BaseThrottle):
    scope: str

    def ident(self, request) -> str:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        return throttling.hit(self.scope, self.ident(request))

    def wait(self) -> int:
        return throttling.retry_after(self.scope)


class SignInThrottle(_Limit):
    scope = "sign_in"

    def ident(self, request) -> str:
        data = getattr(request, "data", None)
        raw = str(data.get("phone", "")) if isinstance(data, Mapping) else ""
        try:
            account = normalize_phone(raw)
        except Exception:  # a malformed number is still one "account" for counting
            account = raw.strip()[:32]
        return f"{account}|{throttling.client_address(request)}"


class SignInAddressThrottle(_Limit):
    """A generous ceiling per address, far above what one village's sign-ins need."""

    scope = "sign_in_address"

    def ident(self, request) -> str:
        return throttling.client_address(request)
