"""Serving learner pages within their query budgets (course page ≤ 10, catalogue ≤ 8 queries).

Wagtail's defaults spend most of that budget before a page runs a line of its own: a site lookup,
one query per URL segment, and two for view restrictions. Here:

- ``CachedSiteMiddleware`` keeps the request's Site (with its root page) in the cache;
- ``HomePage.route`` resolves the rest of the URL in one query (see ``resolve_descendant``);
- ``RestrictionAwareMixin`` reads view restrictions from the request's ``Viewer`` (all of the
  site's restrictions in one query, shared with the lists the page shows, see ``courses.visibility``).

The site cache is dropped by a signal (bookkeeping only) when sites change. Restrictions are read
afresh for each request that renders a page, so one added by any process counts at once.

Visitors who are not signed in get pages that anyone may read from the shared cache
(``SharedPageCacheMiddleware``). Only pages under no restriction are stored, and every write through
the ORM that could change one (a page published, unpublished, moved or deleted; a restriction, site,
locale, picture or competency saved or deleted) retires them all in the shared cache, whichever
process wrote it. A write that skips the ORM's signals (``bulk_create``, ``update()``, SQL, a
restore) must call ``forget_pages()``; ``manage.py migrate`` does, so every deploy does.
"""

import functools
import hashlib
import time
import uuid
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils.cache import (
    add_never_cache_headers,
    cc_delim_re,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.http import http_date
from wagtail.models import Site

SITE_KEY = "hocso:site:{version}:{host}:{port}"
SITE_VERSION_KEY = "hocso:site-version"
TIMEOUT = 300


class CachedSiteMiddleware:
    """Put the Wagtail Site for this host on the request, from the cache when possible."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        hostname = split_domain_port(request._get_raw_host())[0]
        version = cache.get_or_set(SITE_VERSION_KEY, 1, None)
        key = SITE_KEY.format(version=version, host=hostname, port=request.get_port())
        site = cache.get(key)
        if site is None:
            site = Site._find_for_request(request)
            if site is not None:
                site = Site.objects.select_related("root_page").get(pk=site.pk)
                cache.set(key, site, TIMEOUT)
        request._wagtail_site = site
        return self.get_response(request)


def forget_sites(**kwargs) -> None:
    try:
        cache.incr(SITE_VERSION_KEY)
    except ValueError:
        cache.set(SITE_VERSION_KEY, 2, None)


class RestrictionAwareMixin:
    """Pages whose view restrictions come from the viewer that routing put on them (one query for
    the whole request, see ``courses.visibility``); served any other way (previews), Wagtail reads
    them as usual.

    Wagtail's check (``before_serve_page``) gets only the restrictions that refuse the viewer: it
    answers those with the sign-in or password page, and the accepted ones cost no further query.
    A page under any restriction is never cached on the way, as Wagtail's check would have it;
    one under none, served to a visitor who is not signed in, is shared (``share``).
    """

    def get_view_restrictions(self):
        viewer = getattr(self, "routed_viewer", None)
        if viewer is None:
            return super().get_view_restrictions()
        return viewer.refusals_on(self)

    #: The query parameters the page reads; with any other, its answer is not shared.
    shared_query_parameters: tuple[str, ...] = ()

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        viewer = getattr(self, "routed_viewer", None)
        if viewer is not None and viewer.restrictions_on(self):
            add_never_cache_headers(response)
        elif (
            viewer is not None
            and not request.user.is_authenticated
            and set(request.GET) <= set(self.shared_query_parameters)
        ):
            share(request)  # the same for every visitor: SharedPageCacheMiddleware may keep it
        return response


# The shared page cache ----------------------------------------------------------------------------

PAGE_KEY = "hocso:page:{release}:{digest}"
GENERATION_KEY = "hocso:pages:generation"
PAGE_TIMEOUT = 3600
SHAREABLE_ATTRIBUTE = "_hocso_shareable"
# A longer query string is never looked up: no page reads one, and each would be a key of its own.
LONGEST_QUERY = 100
# Kept out of a stored response: they belong to the request that made it.
UNSTORED_HEADERS = {"date", "set-cookie", "x-request-id", "x-page-cache"}
# Vary values that a shared page does not depend on (see SharedPageCacheMiddleware).
UNVARIED = {"cookie", "accept-language"}


def release() -> str:
    """What the code, templates, translations and static files of this deployment look like: part of
    every page's key, so that a deploy never serves pages made by the code before it (a rolling one
    included: each version fills its own keys). Computed once per process from the files' contents,
    so that every app server of one release agrees."""
    return _release(str(settings.BASE_DIR), str(settings.STATIC_ROOT))


@functools.cache
def _release(base: str, static_root: str) -> str:
    digest = hashlib.sha256()
    base_path = Path(base)
    folders = {base_path / "templates", base_path / "locale"}
    folders |= {Path(app.path) for app in apps.get_app_configs() if Path(app.path).is_relative_to(base_path)}
    files = [
        path for folder in folders for path in folder.rglob("*") if path.suffix in {".py", ".html", ".mo"}
    ]
    files.append(Path(static_root) / "staticfiles.json")  # the hashed names of CSS and scripts
    for path in sorted(files):
        if path.is_file():
            digest.update(
                str(path.relative_to(base_path) if path.is_relative_to(base_path) else path).encode()
            )
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def forget_pages(**kwargs) -> None:
    """Every stored page is out of date from now on (a page published, unpublished, moved or
    deleted; a view restriction, a site, a picture or the competency framework changed; a deploy's
    migrate). A new generation rather than a count: one lost with Redis must not bring an old one
    back."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def share(request) -> None:
    """Mark the page this request is getting as the same for every visitor who is not signed in
    (``RestrictionAwareMixin.serve`` decides)."""
    setattr(request, SHAREABLE_ATTRIBUTE, True)


class SharedPageCacheMiddleware:
    """Learner pages that anyone may read, stored whole in the shared cache (Redis in production,
    local memory in the embedded default) for visitors who are not signed in, with validators.

    Why our own: Django's cache middleware keys by the Vary headers (``Cookie`` makes a key per
    visitor) and cannot be told a signed-in person from a visitor; wagtail-cache (3.0) supports
    Wagtail up to 7, clears its whole cache backend on publish and sends no ETag; Wagtail's frontend
    cache purges a proxy cache that stock nginx cannot purge.

    Which requests: a GET or HEAD that carries no session cookie and no messages cookie. Such a
    request is never a signed-in person's (a session holds the sign-in, and the passwords of
    password-protected pages), and its page shows no message. A request with either cookie goes
    past this middleware untouched; a signed-in person's answer is marked ``Cache-Control:
    private``. So nobody signed in gets a stored page, and nothing of theirs is ever stored.

    Which answers are stored: only pages that said so (``share``: a page under no view restriction,
    for a visitor, with no query string it does not read), with status 200 and no cookie set. They
    go out without ``Vary: Cookie`` (reading ``request.user`` added it; the choice by cookie is made
    here, before the page, and a browser or proxy revalidates every time: ``max-age=0,
    must-revalidate``) and without ``Vary: Accept-Language`` (LocaleMiddleware adds it to the
    Vietnamese pages, but with i18n_patterns the language is the path's: none is the default).

    The key: the release (``release()``), the scheme, host and full path. The entry records the
    generation it was made in (``forget_pages``); the entry and the current generation are read in
    one round trip, and an entry of another generation is not served. A page published while
    another process renders the old one is stored under the old generation, so never served.

    Validators: an ETag (a hash of the body) and Last-Modified (when it was stored); a repeat visit
    with either gets 304 without the body. A hit costs no database query.

    It stands right after SecurityMiddleware (and WhiteNoise): the headers that every response gets
    per request (request id, HSTS) are added around it; those of the middleware within (CSP, frame
    options, Content-Language) are stored with the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.may_share(request):
            return self.private(request, self.get_response(request))
        key = PAGE_KEY.format(
            release=release(),
            digest=hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32],
        )
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            generation = cache.get(GENERATION_KEY)
        entry = found.get(key)
        if entry is not None and entry["generation"] == generation:
            return self.answer(request, entry, "hit")
        response = self.get_response(request)
        if (
            request.method == "GET"
            and getattr(request, SHAREABLE_ATTRIBUTE, False)
            and self.storable(response)
        ):
            entry = self.entry(response, generation)
            if generation is not None:
                cache.set(key, entry, PAGE_TIMEOUT)
            if response.has_header("Vary"):
                del response["Vary"]
            return self.answer(request, entry, "miss", response)
        return response

    @staticmethod
    def may_share(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
            and len(request.META.get("QUERY_STRING", "")) <= LONGEST_QUERY
        )

    @staticmethod
    def private(request, response):
        """A signed-in person's answer is theirs: no shared cache on the way may keep it."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response

    @staticmethod
    def storable(response) -> bool:
        cache_control = response.get("Cache-Control", "").lower()
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        )

    @staticmethod
    def entry(response, generation) -> dict:
        headers = [(name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS]
        headers = [
            (name, ", ".join(v for v in cc_delim_re.split(value) if v.lower() not in UNVARIED))
            if name.lower() == "vary"
            else (name, value)
            for name, value in headers
        ]
        return {
            "generation": generation,
            "content": response.content,
            "headers": [(name, value) for name, value in headers if value],
            "etag": f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"',
            "last_modified": int(time.time()),
        }

    @staticmethod
    def answer(request, entry, how: str, response=None):
        """The stored page (or, just stored, the response it came from) with its validators."""
        if response is None:
            response = HttpResponse(entry["content"])
        for name, value in entry["headers"]:
            response[name] = value
        response["ETag"] = entry["etag"]
        response["Last-Modified"] = http_date(entry["last_modified"])
        response["Cache-Control"] = "max-age=0, must-revalidate"
        response["X-Page-Cache"] = how
        return get_conditional_response(
            request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
        )
