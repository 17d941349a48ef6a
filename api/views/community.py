from django.db.models import Count, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from api.pagination import ByCode, ByName
from api.serializers import (
    GroupSerializer,
    MembershipEndInputSerializer,
    MembershipInputSerializer,
    MembershipSerializer,
    PersonSerializer,
)
from members import permissions, services
from members.models import CommunityGroup, Membership, User
from members.phone import normalize_phone


class GroupFilter(filters.FilterSet):
    commune = filters.CharFilter(field_name="commune__code")

    class Meta:
        model = CommunityGroup
        fields = ["commune", "is_active"]


class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    """Community digital-technology groups you can see: a leader their groups, an officer their
    commune's, a trainer the province's, a resident the groups they belong to."""

    serializer_class = GroupSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    pagination_class = ByCode
    filterset_class = GroupFilter

    def get_queryset(self):
        return (
            permissions.groups_visible_to(self.request.user)
            .select_related("commune", "village")
            .annotate(active_member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        )

    def _managed(self, code: str) -> CommunityGroup:
        group = get_object_or_404(permissions.groups_visible_to(self.request.user), code=code)
        if not permissions.can_manage_group(self.request.user, group):
            raise PermissionDenied
        return group

    @extend_schema(responses=MembershipSerializer(many=True), request=None)
    @action(detail=True, methods=["get"], url_path="memberships", pagination_class=None)
    def roster(self, request, code=None):
        """The group's members, current and former, by name (leaders, deputies and staff in scope).
        A roster is a village's worth of people, so it comes whole, in one query."""
        group = self._managed(code)
        queryset = Membership.objects.filter(group=group).select_related("user__village__commune", "group")
        return Response(MembershipSerializer(queryset.order_by("user__full_name", "id"), many=True).data)

    @extend_schema(request=MembershipInputSerializer, responses={201: MembershipSerializer})
    @roster.mapping.post
    def add_member(self, request, code=None):
        """Add a person by mobile number; someone new is signed up at once, with their consent."""
        group = self._managed(code)
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = User.objects.filter(phone=normalize_phone(values["phone"])).first()
        if person is None:
            person = services.user_create(
                phone=values["phone"],
                full_name=values.get("full_name", ""),
                password=values.get("password"),
                consent=values["consent"],
                village=values.get("village") or group.village,
                birth_year=values.get("birth_year"),
                acting_user=request.user,
            )
        membership = services.membership_add(
            group=group, user=person, role=values["role"], acting_user=request.user
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipViewSet(viewsets.GenericViewSet):
    queryset = Membership.objects.select_related("user__village__commune", "group")
    serializer_class = MembershipSerializer

    @extend_schema(request=MembershipEndInputSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """Record that a member left the group (the row stays, with their attendance history)."""
        # Someone else's membership in a group one cannot manage is not even acknowledged (404).
        reachable = Q(group__in=permissions.groups_managed_by(request.user)) | Q(user=request.user)
        membership = get_object_or_404(
            Membership.objects.select_related("group", "user").filter(reachable), pk=pk
        )
        if not permissions.can_manage_group(request.user, membership.group):
            raise PermissionDenied
        data = MembershipEndInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_end(
            membership=membership, left_on=data.validated_data.get("left_on"), acting_user=request.user
        )
        return Response(MembershipSerializer(membership).data)


class MemberFilter(filters.FilterSet):
    commune = filters.CharFilter(field_name="village__commune__code")
    group = filters.CharFilter(method="in_group")

    class Meta:
        model = User
        fields = ["commune", "group"]

    def in_group(self, queryset, name, value):
        return queryset.filter(memberships__group__code=value, memberships__left_on__isnull=True)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People in your scope (a resident: only yourself)."""

    serializer_class = PersonSerializer
    pagination_class = ByName
    lookup_value_regex = "[0-9]{1,10}"
    filterset_class = MemberFilter

    def get_queryset(self):
        return permissions.members_visible_to(self.request.user).select_related("village__commune")
