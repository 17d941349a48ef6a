"""Reads. Each selector returns data already joined, so views and templates add no queries."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from courses import visibility
from members import permissions
from members.models import CommunityGroup, Membership, User
from members.selectors.learning import continue_learning


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


@dataclass
class HomeSummary:
    """What the home page shows a person: where they stand and what to do next."""

    is_staff: bool = False
    is_provincial: bool = False
    staff_communes: list = field(default_factory=list)
    led_groups: list = field(default_factory=list)
    memberships: list = field(default_factory=list)
    next_step: object = None


def home_summary_for(user: User, viewer: visibility.Viewer | None = None) -> HomeSummary:
    if not user.is_authenticated:
        return HomeSummary()
    scope = permissions.scope_of(user)
    summary = HomeSummary(is_staff=scope.is_staff, is_provincial=scope.province)
    if scope.commune_ids and not scope.province:
        summary.staff_communes = list(permissions.communes_managed_by(user))
    if scope.led_group_ids:
        summary.led_groups = list(groups_led_by(user))
    summary.memberships = [m for m in memberships_of(user) if m.role == Membership.Role.MEMBER]
    summary.next_step = continue_learning(user, viewer)
    return summary
