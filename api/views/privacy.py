from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from members.personal_data import export_person
from members.services import audit_record


class MyDataView(APIView):
    """Everything HọcSố holds about you, part by part (the same as “Dữ liệu của tôi” → Download):
    profile, consent, groups, attendance, learning and quiz answers, skills, certificates, sign-ins,
    and the record of changes about you and by you. ``not_exported`` names what is left out, and why."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        data = export_person(request.user)
        audit_record(actor=request.user, action="personal_data.export", target=request.user)
        return Response(data)
