from django.db.models import Count, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from api.errors import error_response
from api.pagination import ByCode, ByName
from api.serializers import (
    GroupInvitationSerializer,
    GroupSerializer,
    InvitationCodeInputSerializer,
    InvitationReplySerializer,
    MembershipEndInputSerializer,
    MembershipInputSerializer,
    MembershipSerializer,
    MyInvitationSerializer,
    PersonSerializer,
)
from members import lookups, permissions, selectors, services
from members.models import CommunityGroup, GroupInvitation, Membership, User

INVITATION_ID = OpenApiParameter("invitation", int, OpenApiParameter.PATH, description="The invitation's id.")


def too_many(limit: lookups.Limit) -> Response:
    response = error_response(status.HTTP_429_TOO_MANY_REQUESTS, "throttled", str(limit.message))
    response["Retry-After"] = str(limit.retry_after())
    return response


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

    @extend_schema(
        request=MembershipInputSerializer,
        responses={
            201: MembershipSerializer,
            202: OpenApiResponse(
                InvitationReplySerializer,
                description="The number has an account: the person is invited, and joins once they accept.",
            ),
        },
    )
    @roster.mapping.post
    def add_member(self, request, code=None):
        """Add a person by mobile number. A number without an account is signed up at once, with the
        person's consent (201). A number that has one gets an invitation instead (202, or the pending
        one again), and the reply says nothing about the account: the person joins once they accept
        in their own account, or read out their code (``invitations/<id>/accept-code/``). Each lookup
        is limited per caller (429) and audited."""
        group = self._managed(code)
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if (limit := lookups.number_lookup_refused(request)) is not None:
            return too_many(limit)
        lookup = services.number_lookup(
            group=group, phone=values["phone"], acting_user=request.user, invite=True, role=values["role"]
        )
        if lookup.invitation is not None:
            reply = InvitationReplySerializer({"invitation": lookup.invitation})
            return Response(reply.data, status=status.HTTP_202_ACCEPTED)
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

    @extend_schema(responses=GroupInvitationSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="invitations", pagination_class=None)
    def invitations(self, request, code=None):
        """The group's invitations of the last 30 days, newest first (leaders, deputies and staff in
        scope): the number typed, masked, and the status; never who is behind it."""
        group = self._managed(code)
        return Response(GroupInvitationSerializer(selectors.invitations_of_group(group), many=True).data)

    def _invitation(self, group: CommunityGroup, invitation_id: str) -> GroupInvitation:
        invitations = permissions.invitations_managed_by(self.request.user).filter(group=group)
        return get_object_or_404(invitations.select_related("group", "invited_by"), pk=invitation_id)

    @extend_schema(request=None, responses=GroupInvitationSerializer, parameters=[INVITATION_ID])
    @action(
        detail=True,
        methods=["post"],
        url_path=r"invitations/(?P<invitation>[0-9]{1,10})/cancel",
        url_name="invitation-cancel",
    )
    def cancel_invitation(self, request, code=None, invitation=None):
        """Take back an invitation that is still waiting for an answer."""
        group = self._managed(code)
        cancelled = services.invitation_cancel(
            invitation=self._invitation(group, invitation), acting_user=request.user
        )
        return Response(GroupInvitationSerializer(cancelled).data)

    @extend_schema(
        request=InvitationCodeInputSerializer, responses=MembershipSerializer, parameters=[INVITATION_ID]
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"invitations/(?P<invitation>[0-9]{1,10})/accept-code",
        url_name="invitation-accept-code",
    )
    def accept_invitation_code(self, request, code=None, invitation=None):
        """Type the code the invited person reads out from their own phone: it shows they agreed, and
        they join. After a few wrong codes the invitation needs a new code, which only the person can
        ask for; codes typed are also limited per caller (429)."""
        group = self._managed(code)
        target = self._invitation(group, invitation)
        data = InvitationCodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if (limit := lookups.code_entry_refused(request)) is not None:
            return too_many(limit)
        membership = services.invitation_accept_by_code(
            invitation=target, code=data.validated_data["code"], acting_user=request.user
        )
        return Response(MembershipSerializer(membership).data)


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


class MyInvitationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Invitations to join a group that wait for your answer. Accept to join; or, with the group
    leader, read them the code: they type it and you join. Nobody else ever sees your code."""

    serializer_class = MyInvitationSerializer
    lookup_value_regex = "[0-9]{1,10}"

    def get_queryset(self):
        if self.action == "list":
            return selectors.open_invitations_for(self.request.user)
        # Answered and expired ones too, so that answering them again says why it cannot be done.
        return permissions.invitations_for(self.request.user).select_related(
            "group__commune", "group__village", "invited_by"
        )

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        membership = services.invitation_accept(invitation=self.get_object(), acting_user=request.user)
        return Response(MembershipSerializer(membership).data)

    @extend_schema(request=None, responses=MyInvitationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        invitation = services.invitation_decline(invitation=self.get_object(), acting_user=request.user)
        return Response(MyInvitationSerializer(invitation).data)

    @extend_schema(request=None, responses=MyInvitationSerializer)
    @action(detail=True, methods=["post"], url_path="new-code")
    def new_code(self, request, pk=None):
        """A new code, after too many wrong ones were typed: the old code stops working."""
        invitation = services.invitation_new_code(invitation=self.get_object(), acting_user=request.user)
        return Response(MyInvitationSerializer(invitation).data)
