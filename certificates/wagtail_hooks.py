from wagtail import hooks
from wagtail.permissions import register_permission_policy

from certificates.admin_views import CERTIFICATE_POLICY, CertificateViewSet
from certificates.models import Certificate

# Before any view asks: Wagtail falls back to Django's model permissions for an unregistered model.
register_permission_policy(Certificate, CERTIFICATE_POLICY)


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet()
