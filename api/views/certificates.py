from django.conf import settings
from django.db.models import Q
from django.http import FileResponse
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import BySerial
from api.serializers import CertificateSerializer, RevokeInputSerializer, VerificationSerializer
from api.throttling import VerifyThrottle
from certificates import badges, keys, rendering, services, verification
from certificates.models import Certificate
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
        user = self.request.user
        if permissions.is_provincial(user):
            return Certificate.objects.all()
        if permissions.is_staff_member(user):
            return Certificate.objects.filter(
                Q(holder=user) | Q(holder__in=permissions.members_visible_to(user))
            )
        return Certificate.objects.filter(holder=user)

    def _downloadable(self) -> Certificate:
        certificate = self.get_object()
        if certificate.status == Certificate.Status.HOLDER_ERASED:
            raise NotFound  # a stub whose holder's data was deleted: nothing to download
        return certificate

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, serial=None):
        certificate = self._downloadable()
        if not certificate.pdf or certificate.pdf_version != rendering.template_version():
            rendering.store_pdf(certificate, services.issuer_settings())
        response = FileResponse(certificate.pdf.open("rb"), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{certificate.serial}.pdf"'
        return response

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def badge(self, request, serial=None):
        """The Open Badges 3.0 credential, signed (eddsa-jcs-2022)."""
        return Response(badges.signed_credential(self._downloadable(), settings.WAGTAILADMIN_BASE_URL))

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
    """Anyone: is a certificate genuine and valid? Give its serial, or the text of its QR code."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("serial", str, description="e.g. CB-2026-000123"),
            OpenApiParameter(
                "payload", str, description="The QR code's text, its verify URL, or the base32 payload"
            ),
        ],
        responses=VerificationSerializer,
        auth=[],
    )
    def get(self, request):
        serial = request.query_params.get("serial", "")[:40]
        payload = request.query_params.get("payload", "")[:1000] or None
        result = verification.verify(serial, payload)
        return Response(VerificationSerializer(result).data)


class KeysView(APIView):
    """The issuer's public keys as a JWK set (also at /certificates/keys.json)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, auth=[])
    def get(self, request):
        return Response(keys.jwks())
