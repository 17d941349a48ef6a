"""Public verification, the published keys and status list, the achievements a badge points to, and
the holder's own files (PDF, Open Badge)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from certificates import badges, files, keys, lookups, selectors, services
from certificates.forms import VerifyForm
from certificates.lookups import Refusal
from certificates.models import Certificate
from certificates.permissions import certificates_visible_to
from certificates.services import issuer_settings
from certificates.verification import Status
from courses.models import BASIC_SKILLS_DECISION
from members.service_workers import service_worker_view

JSON_LD = "application/ld+json"


def _refused(request, refusal: Refusal):
    response = render(request, "certificates/throttled.html", {"refusal": refusal}, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


@require_GET
def verify(request, serial: str = "", payload: str | None = None):
    """``/v/<serial>/`` (and ``/v/``): is this certificate genuine and still valid? No sign-in needed.

    The address in the QR code carries the signed payload and answers at once. A serial typed by
    hand asks for the check code printed beside it (a GET form, no JavaScript) and says nothing
    about the serial until both match: an unknown serial and a wrong code get the same page."""
    if payload is not None:
        outcome = lookups.lookup(request, serial=serial, payload=payload)
        if isinstance(outcome, Refusal):
            return _refused(request, outcome)
        return render(
            request,
            "certificates/verify.html",
            {"result": outcome, "issuer": issuer_settings(), "basis_decision": BASIC_SKILLS_DECISION},
        )

    typed = "code" in request.GET
    form = VerifyForm(
        {"serial": request.GET.get("serial", serial), "code": request.GET.get("code", "")} if typed else None,
        initial={"serial": serial.upper()},
    )
    outcome = lookups.lookup(
        request,
        serial=form.cleaned_data["serial"] if form.is_valid() else "",
        code=form.cleaned_data["code"] if form.is_valid() else "",
    )
    if isinstance(outcome, Refusal):
        return _refused(request, outcome)
    if outcome.status == Status.NO_MATCH:
        form.add_error(None, " ".join(outcome.messages))
    if outcome.status in (Status.CODE_NEEDED, Status.NO_MATCH):
        return render(request, "certificates/verify_form.html", {"form": form})
    return render(
        request,
        "certificates/verify.html",
        {"result": outcome, "issuer": issuer_settings(), "basis_decision": BASIC_SKILLS_DECISION},
    )


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    return JsonResponse(keys.jwks())


@require_GET
@cache_control(public=True, max_age=300)
def issuer_profile(request):
    return JsonResponse(badges.issuer_profile(settings.WAGTAILADMIN_BASE_URL, issuer_settings().issuing_body))


@require_GET
@cache_control(public=True, max_age=300)
def status_list(request):
    """The revocation list (W3C Bitstring Status List) that every Open Badge's credentialStatus names.
    Verifiers may cache it for five minutes: a revocation shows within that time."""
    credential = badges.status_list_credential(
        settings.WAGTAILADMIN_BASE_URL, selectors.status_list_bits(), issuer_settings().issuing_body
    )
    return JsonResponse(credential, content_type=JSON_LD, json_dumps_params={"ensure_ascii": False})


@require_GET
@vary_on_headers("Accept")
@cache_control(public=True, max_age=300)
def achievement(request, kind: str, code: str):
    """What a badge's achievement ``id`` and its alignments' ``targetUrl`` name: a course, a
    competency profile or a competency, as JSON-LD for programs and as a page for people."""
    found = selectors.achievement(kind, code)
    if found is None:
        raise Http404
    document = badges.achievement_document(kind, found, settings.WAGTAILADMIN_BASE_URL)
    wanted = request.GET.get("format")
    if wanted != "json" and (
        wanted == "html"
        or request.get_preferred_type([JSON_LD, "application/json", "text/html"]) == "text/html"
    ):
        return render(
            request,
            "certificates/achievement.html",
            {"kind": kind, "item": found, "document": document},
        )
    return JsonResponse(
        document, content_type=JSON_LD, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )


def _own_certificate(request, serial: str) -> Certificate:
    visible = certificates_visible_to(request.user).select_related("holder")
    certificate = get_object_or_404(visible, serial=serial.upper())
    if certificate.status == Certificate.Status.HOLDER_ERASED:
        raise Http404  # a stub: no holder, no name, nothing to download
    return certificate


@require_GET
@login_required
def pdf(request, serial: str):
    certificate = _own_certificate(request, serial)
    services.certificate_pdf(certificate=certificate, user=request.user)
    return files.pdf_response(certificate)


@require_GET
@login_required
def badge(request, serial: str):
    certificate = _own_certificate(request, serial)
    if not certificate.is_valid:
        # A revoked certificate never gets a fresh credential that a wallet would show as valid.
        return render(request, "certificates/badge_gone.html", {"certificate": certificate}, status=410)
    response = JsonResponse(
        badges.signed_credential(certificate, settings.WAGTAILADMIN_BASE_URL),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
        content_type=JSON_LD,
    )
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


def not_public(request):
    """Public media never serves certificate files (development's media serving included)."""
    raise Http404


@require_GET
def scan(request):
    """Check a QR code in the browser, offline once loaded (static/certificates/scan.js)."""
    return render(
        request, "certificates/scan.html", {"keys_url": "/certificates/keys.json", "sw_url": "/v/quet/sw.js"}
    )


scan_service_worker = service_worker_view("certificates/scan-sw.js", scope="/v/quet/")
