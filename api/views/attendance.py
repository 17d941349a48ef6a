import datetime
import uuid

from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import run_once
from api.pagination import ByStart, Cursor
from api.serializers import (
    AttendanceMarkSerializer,
    CurrentAttendanceSerializer,
    SessionInputSerializer,
    SessionSerializer,
    SyncInputSerializer,
    SyncResultSerializer,
)
from attendance import permissions as attendance_permissions
from attendance.models import AttendanceMark, Session
from attendance.selectors import current_statuses
from attendance.services import MarkInput, SessionInput, attendance_sync
from members import permissions
from members.dates import validate_plausible


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant in the plausible years (members.dates), turned into UTC before it reaches
    the database: PostgreSQL refuses offsets beyond ±15:59 that Python accepts."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        # Checked here, before converting: an instant at the edge of year 1 cannot move zones.
        validate_plausible(parsed)
        return parsed.astimezone(datetime.UTC)


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class SessionFilter(filters.FilterSet):
    group = filters.CharFilter(field_name="group__code")
    after = UtcDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    before = UtcDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Session
        fields = ["group", "after", "before"]


class SessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Group meetings. Leaders and staff in scope create them; members see their group's."""

    serializer_class = SessionSerializer
    lookup_field = "uuid"
    pagination_class = ByStart
    filterset_class = SessionFilter

    def get_queryset(self):
        return attendance_permissions.sessions_visible_to(self.request.user)

    @extend_schema(request=SessionInputSerializer, responses={201: SessionSerializer})
    def create(self, request):
        data = SessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = get_object_or_404(permissions.groups_visible_to(request.user), code=values["group"])
        if not attendance_permissions.can_record_attendance(request.user, group):
            raise PermissionDenied
        result = attendance_sync(
            user=request.user,
            sessions=[
                SessionInput(
                    values.get("uuid") or uuid.uuid4(),
                    group.code,
                    values["starts_at"],
                    values["topic"],
                    values["place"],
                )
            ],
            marks=[],
        )
        outcome = result.sessions[0]
        if outcome.outcome == "rejected":
            raise ValidationError(
                {"starts_at" if outcome.reason == "bad_time" else "uuid": [outcome.message]}
            )
        session = Session.objects.select_related("group").get(uuid=outcome.uuid)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CurrentAttendanceSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def attendance(self, request, uuid=None):
        """Each member's current status at this session (the mark recorded last wins). For those who
        take attendance: members of a group do not see each other's."""
        session = self.get_object()
        if not attendance_permissions.can_record_attendance(request.user, session.group):
            raise PermissionDenied
        current = current_statuses([session.pk])
        return Response(
            CurrentAttendanceSerializer(sorted(current.values(), key=lambda m: m.member_id), many=True).data
        )


class MarkFilter(filters.FilterSet):
    session = filters.UUIDFilter(field_name="session__uuid")
    member = filters.NumberFilter(field_name="member_id", min_value=1, max_value=2**31 - 1)

    class Meta:
        model = AttendanceMark
        fields = ["session", "member"]


class MarkViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every attendance mark received, in scope: nothing is ever overwritten."""

    serializer_class = AttendanceMarkSerializer
    pagination_class = Cursor
    filterset_class = MarkFilter

    def get_queryset(self):
        return AttendanceMark.objects.filter(
            session__group__in=permissions.groups_managed_by(self.request.user)
        ).select_related("session")


class AttendanceSyncView(APIView):
    """Send attendance taken offline: up to 500 marks (and the sessions they belong to) per batch.

    Requires an ``Idempotency-Key`` header. Each mark gets its own outcome: ``accepted``,
    ``duplicate`` (already received: nothing changed) or ``rejected`` with a reason.
    """

    @extend_schema(
        request=SyncInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        responses={
            200: SyncResultSerializer,
            400: OpenApiResponse(description="Missing Idempotency-Key, or a batch that does not parse"),
            409: OpenApiResponse(description="The same key is still being processed"),
            422: OpenApiResponse(description="The same key was used with a different body"),
        },
    )
    def post(self, request):
        def work():
            data = SyncInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            result = attendance_sync(
                user=request.user,
                sessions=[
                    SessionInput(s["uuid"], s["group"], s["starts_at"], s["topic"], s["place"])
                    for s in values["sessions"]
                ],
                marks=[
                    MarkInput(
                        m["uuid"], m["session"], m["member"], m["status"], m["recorded_at"], m["device_id"]
                    )
                    for m in values["marks"]
                ],
            )
            body = {
                "sessions": [vars(o) | {"message": o.message} for o in result.sessions],
                "marks": [vars(o) | {"message": o.message} for o in result.marks],
                "counts": result.counts(),
            }
            return Response(SyncResultSerializer(body).data)

        return run_once(request, "attendance.sync", work)
