"""Serving learner pages within their query budgets (course page ≤ 10, catalogue ≤ 8 queries).

Wagtail's defaults spend most of that budget before a page runs a line of its own: a site lookup,
one query per URL segment, and two for view restrictions. Here:

- ``CachedSiteMiddleware`` keeps the request's Site (with its root page) in the cache;
- ``HomePage.route`` resolves the rest of the URL in one query (see ``resolve_descendant``);
- ``RestrictionAwareMixin`` skips the view-restriction queries while no page has a restriction.

Caches are dropped by signals (bookkeeping only) when sites or view restrictions change.
"""

from django.core.cache import cache
from django.http.request import split_domain_port
from wagtail.models import PageViewRestriction, Site

SITE_KEY = "hocso:site:{version}:{host}:{port}"
SITE_VERSION_KEY = "hocso:site-version"
RESTRICTED_KEY = "hocso:restricted-page-paths"
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


def restricted_paths() -> list[str]:
    return cache.get_or_set(
        RESTRICTED_KEY,
        lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True)),
        TIMEOUT,
    )


def forget_restrictions(**kwargs) -> None:
    cache.delete(RESTRICTED_KEY)


class RestrictionAwareMixin:
    """Pages that skip the view-restriction queries while the site has no restrictions at all."""

    def get_view_restrictions(self):
        if not restricted_paths():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
