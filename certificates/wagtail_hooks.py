from wagtail import hooks
from wagtail.permissions import register_permission_policy

from certificates.admin_views import CERTIFICATE_POLICY, CertificateViewSet, warn_about_unreadable_pictures
from certificates.models import Certificate, IssuerSettings

# Before any view asks: Wagtail falls back to Django's model permissions for an unregistered model.
register_permission_policy(Certificate, CERTIFICATE_POLICY)


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet()


@hooks.register("before_edit_setting")
def warn_on_the_issuer_settings(request, instance):
    if isinstance(instance, IssuerSettings) and request.method == "GET":
        warn_about_unreadable_pictures(request, instance)
