"""Serving learner pages within their query budgets (course page ≤ 10, catalogue ≤ 8 queries).

Wagtail's defaults spend most of that budget before a page runs a line of its own: a site lookup,
one query per URL segment, and two for view restrictions. Here:

- ``CachedSiteMiddleware`` keeps the request's Site (with its root page) in the cache;
- ``HomePage.route`` resolves the rest of the URL in one query (see ``resolve_descendant``);
- ``RestrictionAwareMixin`` reads view restrictions from the request's ``Viewer`` (all of the
  site's restrictions in one query, shared with the lists the page shows, see ``courses.visibility``).

The site cache is dropped by a signal (bookkeeping only) when sites change. Privacy never depends on
a cache: restrictions are read afresh for each request, so one added by any process counts at once.
"""

from django.core.cache import cache
from django.http.request import split_domain_port
from django.utils.cache import add_never_cache_headers
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
    A page under any restriction is never cached on the way, as Wagtail's check would have it.
    """

    def get_view_restrictions(self):
        viewer = getattr(self, "routed_viewer", None)
        if viewer is None:
            return super().get_view_restrictions()
        return viewer.refusals_on(self)

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        viewer = getattr(self, "routed_viewer", None)
        if viewer is not None and viewer.restrictions_on(self):
            add_never_cache_headers(response)
        return response
