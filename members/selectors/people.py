"""Reads. Each selector returns data already joined, so views and templates add no queries."""

from django.db.models import Count, Prefetch, Q, QuerySet

from members import permissions
from members.models import CommunityGroup, Membership, User


def memberships_of(user: User) -> QuerySet[Membership]:
    """A person's active memberships, with each group's commune, village and leader."""
    leaders = Membership.objects.active().filter(role=Membership.Role.LEADER).select_related("user")
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("group__commune", "group__village")
        .prefetch_related(Prefetch("group__memberships", queryset=leaders, to_attr="leaders"))
        .order_by("group__code")
    )


def groups_with_counts(groups: QuerySet[CommunityGroup]) -> QuerySet[CommunityGroup]:
    return groups.select_related("commune", "village").annotate(
        active_member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
    )


def groups_led_by(user: User) -> QuerySet[CommunityGroup]:
    scope = permissions.scope_of(user)
    return groups_with_counts(CommunityGroup.objects.filter(id__in=scope.led_group_ids)).order_by("code")
