"""May this person see this page? One rule, for every way in: HTML pages, the API, learner actions,
lists and documents.

A page is visible when it and every ancestor are live, and every Wagtail view restriction on it or
above it accepts the person, as ``PageViewRestriction.accept_request`` decides:

- "signed in": any signed-in person;
- "groups": members of one of the chosen groups (and superusers);
- "password": only a browser session that entered the password (Wagtail marks it passed in the
  session). The API authenticates apps by token, without a session, so a password-protected page
  is not found through it (404), unless the request carries the browser session that passed (the
  offline outbox of a phone's browser does).

A restriction on a page applies to all its translations (the pages sharing its
``translation_key``): restricting the Vietnamese course closes its English copy too, and the other
way round, whenever the restriction was added.

Restrictions are few (a handful of pages), so they are read whole, once per request, in one query
that also says whether the person is in each one's groups (and, when there are any, a second one
for the paths of their pages' translations), and turned into path prefixes a list excludes:
``visible(pages, viewer)`` filters a queryset; ``may_see(viewer, page)`` is derived from it.
Nothing here is cached beyond the request: a restriction added by any process counts at once.
"""

from collections import defaultdict
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Substr
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction, ReferenceIndex

from courses.permissions import is_author

VIEWER_ATTRIBUTE = "_hocso_viewer"


class Viewer:
    """Who is asking, as far as page privacy goes: a user (perhaps anonymous) and the password
    restrictions their browser session passed. Quacks like the request ``accept_request`` reads."""

    def __init__(self, user, passed_passwords=()):
        self.user = user
        self.session = {PageViewRestriction.passed_view_restrictions_session_key: list(passed_passwords)}

    @classmethod
    def of(cls, request) -> "Viewer":
        """The viewer of a request (Django's or DRF's), read once per request."""
        viewer = getattr(request, VIEWER_ATTRIBUTE, None)
        if viewer is None:
            session = getattr(request, "session", None) or {}
            passed = session.get(PageViewRestriction.passed_view_restrictions_session_key, [])
            viewer = cls(request.user, passed)
            setattr(request, VIEWER_ATTRIBUTE, viewer)
        return viewer

    @cached_property
    def restrictions(self) -> list[PageViewRestriction]:
        """Every restriction of the site, each with whether the viewer is in one of its groups."""
        chosen = PageViewRestriction.groups.through.objects.filter(pageviewrestriction=OuterRef("pk"))
        in_groups = (
            Exists(chosen.filter(group__user=self.user)) if self.user.is_authenticated else Value(False)
        )
        restrictions = list(
            PageViewRestriction.objects.annotate(
                page_path=F("page__path"), page_key=F("page__translation_key"), viewer_in_groups=in_groups
            )
        )
        paths = defaultdict(list)
        if restrictions:
            translations = Page.objects.filter(translation_key__in={r.page_key for r in restrictions})
            for key, path in translations.values_list("translation_key", "path"):
                paths[key].append(path)
        for restriction in restrictions:
            # The restricted page and its translations (and everything below them).
            restriction.page_paths = tuple(paths[restriction.page_key]) or (restriction.page_path,)
        return restrictions

    def accepts(self, restriction: PageViewRestriction) -> bool:
        """Wagtail's ``accept_request``, with the group check read along with the restriction."""
        if restriction.restriction_type == PageViewRestriction.GROUPS and not self.user.is_superuser:
            return restriction.viewer_in_groups
        return restriction.accept_request(self)

    @cached_property
    def refused_paths(self) -> tuple[str, ...]:
        """The paths of the restricted pages this viewer may not see (nor anything below them)."""
        return tuple(path for r in self.restrictions if not self.accepts(r) for path in r.page_paths)

    def restrictions_on(self, page: Page) -> list[PageViewRestriction]:
        """The restrictions on ``page`` and its ancestors (or on a translation of one of them)."""
        return [r for r in self.restrictions if page.path.startswith(r.page_paths)]

    def refusals_on(self, page: Page) -> list[PageViewRestriction]:
        """The restrictions on ``page`` and its ancestors that refuse this viewer."""
        return [r for r in self.restrictions_on(page) if not self.accepts(r)]


def under_unpublished_page():
    """True for a page with an ancestor that is not live (the tree's root, depth 1, never counts)."""
    return Exists(
        Page.objects.filter(
            live=False,
            depth__gt=1,
            depth__lt=OuterRef("depth"),
            path=Substr(OuterRef("path"), 1, F("depth") * Page.steplen),
        )
    )


def visible(pages: QuerySet, viewer: Viewer) -> QuerySet:
    """The pages of ``pages`` that ``viewer`` may see."""
    pages = pages.filter(live=True).exclude(under_unpublished_page())
    for path in viewer.refused_paths:
        pages = pages.exclude(path__startswith=path)
    return pages


def may_see(viewer: Viewer, page: Page) -> bool:
    return visible(Page.objects.filter(pk=page.pk), viewer).exists()


def pages_using(obj) -> QuerySet:
    """The pages whose content uses ``obj`` (a document, an image), from Wagtail's reference index."""
    page_type = ContentType.objects.get_for_model(Page)
    ids = ReferenceIndex.get_references_to(obj).filter(base_content_type=page_type).values_list("object_id")
    return Page.objects.filter(pk__in=[int(pk) for (pk,) in ids])


def may_see_document(viewer: Viewer, document) -> bool:
    """A document is public through the pages that use it: served when a page ``viewer`` may see
    uses it. One used by no live page (a draft's, a restricted page's) is for its editors only."""
    if visible(pages_using(document), viewer).exists():
        return True
    return is_author(viewer.user, get_document_model())
