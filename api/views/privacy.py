from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_response
from members.models import AuditEvent
from members.personal_data import EXPORT_REFUSED, export_allowed, export_person
from members.services import audit_record


class MyDataView(APIView):
    """Everything HọcSố holds about you, part by part (the same as “Dữ liệu của tôi” → Download):
    profile, consent, groups, attendance, learning and quiz answers, skills, certificates, sign-ins,
    and the record of changes about you and by you. ``not_exported`` names what is left out, and why."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 429: None})
    def get(self, request):
        if not export_allowed(request.user):
            response = error_response(429, "throttled", str(EXPORT_REFUSED))
            response["Retry-After"] = "60"
            return response
        data = export_person(request.user)
        audit_record(actor=request.user, action=AuditEvent.Action.PERSONAL_DATA_EXPORT, target=request.user)
        return Response(data)
