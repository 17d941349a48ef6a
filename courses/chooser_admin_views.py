"""The admin's page chooser, for the people who author content only (``courses.permissions.is_author``).

Wagtail's page chooser views ask no permission: the queryset hook (``choosers_for_authors_only`` in
wagtail_hooks) narrows their lists, but the browse view still names the page it is opened on (a
draft's title, say), "chosen" answers any id and the external link step names the page a URL leads
to. So every step of it is served here first (lms/urls.py), refused to anyone else. The choosers of
pictures and documents need nothing of the kind: their views ask Wagtail's "choose" permission,
which only authors hold."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.models import Page

from courses import permissions

# Browsing, searching and choosing pages, and the link steps of the same modal.
CHOOSER_URL_NAMES = "wagtailadmin_choose_page"


def authors_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # Anonymous people go on to Wagtail's own check, which asks them to sign in.
        if request.user.is_authenticated and not permissions.is_author(request.user, Page):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def urlpatterns() -> list[URLPattern]:
    """Wagtail's page chooser patterns (already requiring admin access), each behind ``authors_only``."""
    return [
        path(str(pattern.pattern), authors_only(pattern.callback), name=pattern.name)
        for pattern in wagtailadmin_urls.urlpatterns
        if isinstance(pattern, URLPattern) and (pattern.name or "").startswith(CHOOSER_URL_NAMES)
    ]
