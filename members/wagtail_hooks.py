from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from members import import_views, password_admin_views, permissions, privacy_admin_views
from members.admin_views import COMMUNE_POLICY, GROUP_POLICY, VILLAGE_POLICY, CommunityViewSetGroup
from members.models import Commune, CommunityGroup, Village

# Before any view asks: Wagtail falls back to Django's model permissions for an unregistered model.
# (Not the User model: Wagtail's own user views keep those, which only administrators hold.)
for model, policy in ((Commune, COMMUNE_POLICY), (Village, VILLAGE_POLICY), (CommunityGroup, GROUP_POLICY)):
    register_permission_policy(model, policy)


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


# Erasing a person's data (members.privacy_admin_views) -------------------------------------------


@hooks.register("register_admin_urls")
def register_erasure_urls():
    return [
        path(
            "xoa-du-lieu/",
            include((privacy_admin_views.urlpatterns(), "members_erase"), namespace="members_erase"),
        )
    ]


# After Wagtail's own "delete" bulk action for users (order 0), which it replaces.
hooks.register("register_bulk_action", privacy_admin_views.EraseUsersBulkAction, order=1)


@hooks.register("moderation_overridden")  # courses.extensions.MODERATION_OVERRIDDEN
def record_moderation_override(*, user, page, how: str):
    """An administrator's override of content moderation is an audit event."""
    from members.services.moderation import moderation_override_record

    moderation_override_record(user=user, page=page, how=how)
