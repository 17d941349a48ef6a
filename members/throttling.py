"""Fairness limits kept in the shared cache (fixed one-minute windows), for views that anyone can
call: certificate verification, sign-in. Throttling is not a security control on its own.

Vietnamese carriers put many people behind one address, so limits keyed on the address alone are
generous; sign-in is limited per account *and* address, never per address alone.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac


def client_address(request) -> str:
    """The address of the client, as far as we can trust it. Every limit keyed on an address uses
    this (our own limits, the API's throttles, django-axes).

    With no trusted proxy (``TRUSTED_PROXY_COUNT=0``, the default) it is the peer of the connection,
    ``REMOTE_ADDR``: X-Forwarded-For is then a header anyone can send, and is ignored. Behind N
    trusted proxies, each of which appends the address it saw to X-Forwarded-For, the client is the
    N-th entry from the right: entries further left were written by the client and prove nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the request skipped an outer proxy. The left-most entry was still
    # written by one of ours (the same choice as DRF's NUM_PROXIES).
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _key(scope: str, ident: str, window: int) -> str:
    # A keyed hash of the identity: phone numbers and addresses never appear in cache keys, and a plain
    # hash of a nine-digit number could be reversed by trying them all.
    digest = salted_hmac("hocso.throttle", ident, algorithm="sha256").hexdigest()[:24]
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
