"""Fairness limits, the one limiter of every surface: certificate verification, number lookups,
invitation and reset codes, data exports and the API's sign-in. Each scope's rate is a setting
(``RATE_LIMITS``: scope → count per period); counts are kept in the shared cache in fixed windows,
so a limit holds across app processes. Throttling is not a security control on its own: guessing
passwords is stopped by django-axes (``members.lockout``).

Vietnamese carriers put many people behind one address, so limits keyed on the address alone are
generous; sign-in is limited per account *and* address, never per address alone.
"""

import contextlib
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
    An IPv6 address counts as its /64 (``_subscriber``).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return _subscriber(remote)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return _subscriber(remote)
    # Fewer entries than proxies: the request skipped an outer proxy. The left-most entry was still
    # written by one of ours (the same choice as DRF's NUM_PROXIES).
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return _subscriber(str(ipaddress.ip_address(candidate)))
    except ValueError:
        return _subscriber(remote)


def _subscriber(address: str) -> str:
    """An IPv6 address stands for its /64: a phone or a home router is given a whole /64 and can pick
    a new address in it for every request, so a limit keyed on the full address would not hold.
    IPv4 addresses are kept as they are."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)


def _rate(scope: str) -> tuple[int, int]:
    """(count, seconds) of a scope, from the settings."""
    return settings.RATE_LIMITS[scope]


def _key(scope: str, ident: str, window: int) -> str:
    # A keyed hash of the identity: phone numbers and addresses never appear in cache keys, and a plain
    # hash of a nine-digit number could be reversed by trying them all.
    digest = salted_hmac("hocso.throttle", ident, algorithm="sha256").hexdigest()[:24]
    return f"hocso:throttle:{scope}:{digest}:{window}"


def hit(scope: str, ident: str) -> bool:
    """Count one request of ``ident`` in ``scope``; False once it made more than the scope allows in
    this window."""
    limit, period = _rate(scope)
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


def give_back(scope: str, ident: str) -> None:
    """Take back one count of this window, for a try that turned out not to count (a right answer
    where only wrong ones are limited). Counting first and giving back after keeps parallel tries
    from slipping past the limit while they are being checked."""
    window = int(time.time() // _rate(scope)[1])
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(_key(scope, ident, window))


def retry_after(scope: str) -> int:
    """Seconds until the scope's current window ends."""
    period = _rate(scope)[1]
    return period - int(time.time()) % period
