"""Wagtail's users app, with the one change HọcSố needs: deleting a user from Settings → Users
erases their data (members.privacy_admin_views) instead of deleting the row. Installed in place of
``wagtail.users`` (same label, same migrations)."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersConfig(WagtailUsersAppConfig):
    user_viewset = "members.privacy_admin_views.UserViewSet"
