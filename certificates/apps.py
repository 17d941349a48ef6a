from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The last link of the learning chain (members.services.learning): issue certificates.
        from certificates import keys, services
        from members import extensions

        extensions.on_course_completed(services.issue_on_course_completed)
        extensions.on_profile_reached(services.issue_on_profile_reached)
        if not settings.DEBUG:
            # A server must not start signing with a key that is known to be stolen.
            keys.check_current_key()
