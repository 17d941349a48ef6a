from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The last link of the learning chain (learning.services): issue certificates.
        from certificates import keys, services
        from learning import extensions as learning_extensions
        from members import extensions

        learning_extensions.on_course_completed(services.issue_on_course_completed)
        learning_extensions.on_profile_reached(services.issue_on_profile_reached)
        # What a holder's export shows of their certificates, and the stubs left when they are erased.
        from certificates.privacy import CERTIFICATES

        extensions.on_personal_data(CERTIFICATES)

        # A certificate signed again (its key was compromised): the holder is told by SMS too.
        from certificates import extensions as certificate_extensions

        certificate_extensions.on_certificate_reissued(services.tell_holder_to_download_again)

        if not settings.DEBUG:
            # A server must not start signing with a key that is known to be stolen.
            keys.check_current_key()
