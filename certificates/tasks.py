from django_tasks import task

from certificates import rendering
from certificates.models import Certificate
from certificates.services import issuer_settings


@task()
def render_certificate(certificate_id: int) -> None:
    """Render (or re-render) a certificate's PDF into media storage, in a worker process."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    # A stub whose holder was erased has nothing to print (a render queued before the erasure).
    if certificate is not None and certificate.status != Certificate.Status.HOLDER_ERASED:
        rendering.store_pdf(certificate, issuer_settings())
