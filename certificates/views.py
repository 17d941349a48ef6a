"""Public verification, the published keys, and the holder's own files (PDF, Open Badge)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from certificates import badges, keys, rendering, verification
from certificates.models import Certificate
from certificates.services import issuer_settings
from lms.service_workers import service_worker_view
from members import permissions, throttling

VERIFY_LIMIT_PER_MINUTE = 60


def _throttled(request) -> HttpResponse | None:
    if throttling.hit("verify", throttling.client_address(request), VERIFY_LIMIT_PER_MINUTE):
        return None
    response = render(request, "certificates/throttled.html", status=429)
    response["Retry-After"] = "60"
    return response


@require_GET
def verify(request, serial: str, payload: str | None = None):
    """``/v/<serial>/``: is this certificate genuine and still valid? No sign-in needed."""
    if (refused := _throttled(request)) is not None:
        return refused
    result = verification.verify(serial, payload)
    status = 404 if result.status == "unknown" else 200
    return render(
        request, "certificates/verify.html", {"result": result, "issuer": issuer_settings()}, status=status
    )


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    return JsonResponse(keys.jwks())


@require_GET
@cache_control(public=True, max_age=300)
def issuer_profile(request):
    return JsonResponse(badges.issuer_profile(settings.WAGTAILADMIN_BASE_URL, issuer_settings().issuing_body))


def _own_certificate(request, serial: str) -> Certificate:
    certificate = get_object_or_404(Certificate.objects.select_related("holder"), serial=serial.upper())
    if not permissions.can_view_records_of(request.user, certificate.holder):
        raise Http404
    if certificate.status == Certificate.Status.HOLDER_ERASED:
        raise Http404  # a stub: no holder, no name, nothing to download
    return certificate


@require_GET
@login_required
def pdf(request, serial: str):
    certificate = _own_certificate(request, serial)
    if not certificate.pdf or certificate.pdf_version != rendering.template_version():
        rendering.store_pdf(certificate, issuer_settings())
    response = FileResponse(certificate.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response


@require_GET
@login_required
def badge(request, serial: str):
    certificate = _own_certificate(request, serial)
    response = JsonResponse(
        badges.signed_credential(certificate, settings.WAGTAILADMIN_BASE_URL),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
        content_type="application/ld+json",
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.json"'
    return response


@require_GET
def scan(request):
    """Check a QR code in the browser, offline once loaded (static/certificates/scan.js)."""
    return render(
        request, "certificates/scan.html", {"keys_url": "/certificates/keys.json", "sw_url": "/v/quet/sw.js"}
    )


scan_service_worker = service_worker_view("certificates/scan-sw.js", scope="/v/quet/")
