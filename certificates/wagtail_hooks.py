from wagtail import hooks

from certificates.admin_views import CertificateViewSet


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet()
