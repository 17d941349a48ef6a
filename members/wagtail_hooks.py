from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from members import import_views, password_admin_views, permissions
from members.admin_views import CommunityViewSetGroup


@hooks.register("register_admin_viewset")
def register_community_viewsets():
    return CommunityViewSetGroup()


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("import/", include((import_views.urlpatterns(), "members_import"), namespace="members_import"))
    ]


@hooks.register("register_admin_urls")
def register_reset_code_urls():
    return [
        path(
            "reset-code/",
            include(
                (password_admin_views.urlpatterns(), "members_reset_code"), namespace="members_reset_code"
            ),
        )
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can_import(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    # Next to "Community" (menu_order 150), whose groups and people an import fills.
    return ImportMenuItem(
        _("Import lists"), reverse("members_import:start"), name="import-lists", icon_name="upload", order=151
    )
