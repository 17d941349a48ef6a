"""Fair-use limits. Sign-in is limited per account and address together, never per address alone:
a whole commune can share one carrier address."""

import hashlib
from collections.abc import Mapping

from rest_framework.throttling import SimpleRateThrottle

from members.phone import normalize_phone


class SignInThrottle(SimpleRateThrottle):
    scope = "sign_in"

    def get_cache_key(self, request, view):
        data = getattr(request, "data", None)
        raw = str(data.get("phone", "")) if isinstance(data, Mapping) else ""
        try:
            account = normalize_phone(raw)
        except Exception:  # a malformed number is still one "account" for counting
            account = raw.strip()[:32]
        ident = hashlib.sha256(f"{account}|{self.get_ident(request)}".encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SignInAddressThrottle(SimpleRateThrottle):
    """A generous ceiling per address, far above what one village's sign-ins need."""

    scope = "sign_in_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyThrottle(SimpleRateThrottle):
    scope = "verify"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
