from django_tasks import task

from certificates import files
from certificates.models import Certificate
from certificates.services import issuer_settings


@task(queue_name="certificates")
def render_certificate(certificate_id: int) -> None:
    """Render (or re-render) a certificate's PDF into its private storage, in a worker process."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    # A stub whose holder was erased has nothing to print (a render queued before the erasure); one
    # rendered by today's template since this was queued (a download, a twin task) needs nothing.
    if certificate is None or certificate.status == Certificate.Status.HOLDER_ERASED:
        return
    files.refresh_pdf(certificate, issuer_settings())
