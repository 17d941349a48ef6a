"""Fair-use limits. Sign-in is limited per account and address together, never per address alone:
a whole commune can share one carrier address. These are fairness, not security: guessing is
stopped by django-axes (members/lockout.py), which counts failed sign-ins on every surface."""

from collections.abc import Mapping

from django.utils.crypto import salted_hmac
from rest_framework.throttling import SimpleRateThrottle

from members.phone import normalize_phone
from members.throttling import client_address


class _AddressThrottle(SimpleRateThrottle):
    """A throttle whose idea of "the client's address" is the project's one, never a forgeable header."""

    def get_ident(self, request):
        return client_address(request)


class SignInThrottle(_AddressThrottle):
    scope = "sign_in"

    def get_cache_key(self, request, view):
        data = getattr(request, "data", None)
        raw = str(data.get("phone", "")) if isinstance(data, Mapping) else ""
        try:
            account = normalize_phone(raw)
        except Exception:  # a malformed number is still one "account" for counting
            account = raw.strip()[:32]
        # Keyed: a plain hash of a nine-digit number could be reversed by trying them all.
        ident = salted_hmac("hocso.throttle.sign_in", f"{account}|{self.get_ident(request)}").hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SignInAddressThrottle(_AddressThrottle):
    """A generous ceiling per address, far above what one village's sign-ins need."""

    scope = "sign_in_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
