from django.conf import settings
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_response
from api.pagination import BySerial
from api.serializers import (
    CertificateSerializer,
    RevokeInputSerializer,
    VerificationSerializer,
    VerifyInputSerializer,
)
from certificates import badges, files, keys, lookups, services
from certificates.lookups import Refusal
from certificates.models import Certificate
from certificates.permissions import certificates_visible_to
from members import permissions


class CertificateFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Certificate.Status.choices)
    achievement = filters.CharFilter(field_name="achievement_code")
    commune = filters.CharFilter(field_name="holder__village__commune__code")

    class Meta:
        model = Certificate
        fields = ["status", "achievement", "commune"]


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your certificates, and for staff those of the people in their territory."""

    queryset = Certificate.objects.none()  # for the schema; get_queryset() narrows to the caller
    serializer_class = CertificateSerializer
    lookup_field = "serial"
    lookup_value_regex = "[A-Za-z0-9-]+"
    pagination_class = BySerial
    filterset_class = CertificateFilter

    def get_queryset(self):
        return certificates_visible_to(self.request.user)

    def _downloadable(self) -> Certificate:
        certificate = self.get_object()
        if certificate.status == Certificate.Status.HOLDER_ERASED:
            raise NotFound  # a stub whose holder's data was deleted: nothing to download
        return certificate

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, serial=None):
        """The PDF: streamed, or handed to the web server or object storage (CERTIFICATE_FILE_SERVING)."""
        certificate = self._downloadable()
        services.certificate_pdf(certificate=certificate, user=request.user)
        return files.pdf_response(certificate)

    @extend_schema(
        responses={
            200: OpenApiTypes.OBJECT,
            410: OpenApiResponse(description="The certificate is no longer valid: it has no credential."),
        }
    )
    @action(detail=True, methods=["get"])
    def badge(self, request, serial=None):
        """The Open Badges 3.0 credential, signed (eddsa-jcs-2022), with its revocation status entry."""
        certificate = self._downloadable()
        if not certificate.is_valid:
            return error_response(
                status.HTTP_410_GONE,
                "certificate_not_valid",
                _("This certificate is no longer valid, so it has no Open Badge."),
            )
        response = Response(badges.signed_credential(certificate, settings.WAGTAILADMIN_BASE_URL))
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=RevokeInputSerializer, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, serial=None):
        """Revoke with a reason (provincial trainers). The certificate stays, marked revoked."""
        certificate = get_object_or_404(self.get_queryset(), serial=serial.upper())
        if not permissions.can_manage_certificates(request.user):
            raise PermissionDenied
        data = RevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = services.certificate_revoke(
            certificate=certificate, reason=data.validated_data["reason"], acting_user=request.user
        )
        return Response(CertificateSerializer(certificate).data)


class VerifyView(APIView):
    """Anyone: is a certificate genuine and valid? Give the text of its QR code (``payload``), or its
    serial with the check code printed beside it (``serial`` and ``code``). A serial without its code
    is refused; an unknown serial and a wrong code both answer ``no_match``. Limited per client
    address, and to 10 wrong codes per serial a day (429)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    # The limits are certificates.lookups', the same as the verify page's.
    throttle_classes = []

    @extend_schema(
        parameters=[VerifyInputSerializer],
        responses={200: VerificationSerializer, 400: OpenApiResponse(description="No code, or a bad one.")},
        auth=[],
    )
    def get(self, request):
        data = VerifyInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        outcome = lookups.lookup(request, **data.validated_data)
        if isinstance(outcome, Refusal):
            code = "throttled" if outcome.reason == "address" else "too_many_wrong_codes"
            response = error_response(status.HTTP_429_TOO_MANY_REQUESTS, code, outcome.message)
            response["Retry-After"] = str(outcome.retry_after)
            return response
        return Response(VerificationSerializer(outcome).data)


class KeysView(APIView):
    """The issuer's public keys as a JWK set (also at /certificates/keys.json)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, auth=[])
    def get(self, request):
        return Response(keys.jwks())
