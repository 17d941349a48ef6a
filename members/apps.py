from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("People and groups")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from members import checks  # noqa: F401  (registers the database checks)
        from members.lockout import remember_device

        # Bookkeeping: a device that signed in is "known" to the sign-in guard (members/lockout.py).
        user_logged_in.connect(remember_device, dispatch_uid="members.remember_device")
