"""Fairness limits kept in the shared cache (fixed one-minute windows), for views that anyone can
call: certificate verification, sign-in. Throttling is not a security control on its own.

Vietnamese carriers put many people behind one address, so limits keyed on the address alone are
generous; sign-in is limited per account *and* address, never per address alone.
"""

import hashlib
import time

from django.core.cache import cache


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, ident: str, window: int) -> str:
    # Hash the identity: phone numbers and addresses never appear in cache keys.
    digest = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:24]
    return f"hocso:throttle:{scope}:{digest}:{window}"


def hit(scope: str, ident: str, limit: int, period: int = 60) -> bool:
    """Count one request; return False once ``ident`` made more than ``limit`` in this window."""
    window = int(time.time() // period)
    key = _key(scope, ident, window)
    if cache.add(key, 1, timeout=period + 5):
        return True
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=period + 5)
        count = 1
    return count <= limit


def is_over(scope: str, ident: str, limit: int, period: int = 60) -> bool:
    """Whether ``ident`` already went over ``limit`` in this window (without counting)."""
    window = int(time.time() // period)
    return (cache.get(_key(scope, ident, window)) or 0) > limit
