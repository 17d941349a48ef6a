from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The last link of the learning chain (members.services.learning): issue certificates.
        from certificates import services
        from members import extensions

        extensions.on_course_completed(services.issue_on_course_completed)
        extensions.on_profile_reached(services.issue_on_profile_reached)
        # What a holder's export shows of their certificates, and the stubs left when they are erased.
        from certificates.privacy import CERTIFICATES

        extensions.on_personal_data(CERTIFICATES)
