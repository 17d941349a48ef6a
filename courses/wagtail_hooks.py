from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.api.actions.publish import PublishPageAPIAction
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page, PageViewRestriction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses import permissions, visibility, workflows
from courses.models import CompetencyArea, CompetencyFramework, CompetencyProfile


class FrameworkViewSet(SnippetViewSet):
    model = CompetencyFramework
    icon = "form"
    menu_label = _("Frameworks")
    list_display = ["name", "code", "version", "is_current"]


class AreaViewSet(SnippetViewSet):
    model = CompetencyArea
    icon = "list-ul"
    menu_label = _("Areas and competencies")
    list_display = ["number", "name", "framework"]
    list_filter = ["framework"]
    ordering = ["framework", "number"]


class ProfileViewSet(SnippetViewSet):
    model = CompetencyProfile
    icon = "tasks"
    menu_label = _("Competency profiles")
    list_display = ["name", "code"]


class CompetencyViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Digital competencies")
    menu_icon = "pick"
    menu_order = 160
    items = (FrameworkViewSet, AreaViewSet, ProfileViewSet)


register_snippet(CompetencyViewSetGroup)


# Publishing outside a review: only administrators can (trainers hold no publish permission), and
# every way the admin offers is recorded as an override: the editor's "Publish", the bulk action,
# and the admin API's publish action.


@hooks.register("after_publish_page")
def record_direct_publish(request, page):
    workflows.published_directly(request.user, page)


@hooks.register("after_bulk_action")
def record_bulk_publish(request, action_type, objects, action_class_instance):
    if action_type == "publish":
        for page in objects:
            if isinstance(page, Page):
                workflows.published_directly(request.user, page)


class RecordedPublishPageAPIAction(PublishPageAPIAction):
    def execute(self, instance, data):
        response = super().execute(instance, data)
        workflows.published_directly(self.request.user, instance)
        return response


class ReviewedPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    actions = {**PagesAdminAPIViewSet.actions, "publish": RecordedPublishPageAPIAction}


@hooks.register("construct_admin_api")
def record_api_publish(router):
    router.register_endpoint("pages", ReviewedPagesAdminAPIViewSet)


# Pages a group restriction keeps from someone already signed in: Wagtail would send them to sign
# in, and the sign-in page sends a signed-in person straight back (a loop the browser gives up on).
# The page is not there for them, as a document is not.


@hooks.register("before_serve_page")
def signed_in_people_outside_the_groups_find_nothing(page, request, serve_args, serve_kwargs):
    if not request.user.is_authenticated:
        return
    refused = {
        restriction.restriction_type for restriction in visibility.Viewer.of(request).refusals_on(page)
    }
    if refused & {PageViewRestriction.LOGIN, PageViewRestriction.GROUPS}:
        raise Http404


# Documents: a lesson's audio or video file is as private as the lessons that use it.


@hooks.register("before_serve_document")
def serve_documents_of_visible_pages_only(document, request):
    if visibility.may_see_document(visibility.Viewer.of(request), document):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.WAGTAIL_FRONTEND_LOGIN_URL)
    raise Http404


# The admin's choosers (pictures, documents, pages): for the people who author content only ------


@hooks.register("construct_image_chooser_queryset")
@hooks.register("construct_document_chooser_queryset")
@hooks.register("construct_page_chooser_queryset")
def choosers_for_authors_only(objects, request):
    return objects if permissions.is_author(request.user, objects.model) else objects.none()


class AuthorsOnlyAdminAPIMixin:
    """The admin API's lists of pictures and documents, narrowed like the choosers."""

    def get_queryset(self):
        objects = super().get_queryset()
        return objects if permissions.is_author(self.request.user, objects.model) else objects.none()


class AuthorsImagesAdminAPIViewSet(AuthorsOnlyAdminAPIMixin, ImagesAdminAPIViewSet):
    pass


class AuthorsDocumentsAdminAPIViewSet(AuthorsOnlyAdminAPIMixin, DocumentsAdminAPIViewSet):
    pass


# After Wagtail's own endpoints (order 0), which these replace.
@hooks.register("construct_admin_api", order=100)
def admin_api_for_authors_only(router):
    router.register_endpoint("images", AuthorsImagesAdminAPIViewSet)
    router.register_endpoint("documents", AuthorsDocumentsAdminAPIViewSet)
