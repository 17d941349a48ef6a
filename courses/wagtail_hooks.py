from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

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
