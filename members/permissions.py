"""Who may see and manage what. The one home for authorisation rules.

HTML views, DRF permission classes and Wagtail admin views all ask these functions. The rules:

- an administrator (superuser) and a provincial trainer see and manage the whole province;
- a commune officer sees and manages the groups and people of their commune(s);
- a group leader or deputy sees and manages their groups and the people in them;
- everyone sees themselves, and the groups they belong to (but not the other members);
- an invitation to a group is answered by the invited person alone; those who manage the group see
  it (the masked number they typed, its status) and may cancel it, never who is behind it.

A higher app's records are ruled in that app's permissions module, built on these (``members`` never
imports it): who may see a certificate is ``certificates.permissions``.
"""

from dataclasses import dataclass, replace

from django.db.models import Q, QuerySet

from members.models import Commune, CommunityGroup, GroupInvitation, Membership, StaffScope, User, Village

_CACHE_ATTRIBUTE = "_hocso_scope"


@dataclass(frozen=True)
class Scope:
    """What one person's roles add up to. Computed once per request and cached on the user."""

    user_id: int | None
    province: bool
    commune_ids: frozenset[int]
    led_group_ids: frozenset[int]
    member_group_ids: frozenset[int]

    @property
    def is_staff(self) -> bool:
        return self.province or bool(self.commune_ids)


_ANONYMOUS = Scope(None, False, frozenset(), frozenset(), frozenset())


def scope_of(user: User) -> Scope:
    if not user or not user.is_authenticated or not user.is_active:
        return _ANONYMOUS
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    province = user.is_superuser
    commune_ids: set[int] = set()
    for role, commune_id in StaffScope.objects.filter(user=user).values_list("role", "commune_id"):
        if role == StaffScope.Role.PROVINCIAL_TRAINER:
            province = True
        elif commune_id is not None:
            commune_ids.add(commune_id)
    led, member = set(), set()
    for group_id, role in Membership.objects.active().filter(user=user).values_list("group_id", "role"):
        member.add(group_id)
        if role in Membership.LEADING_ROLES:
            led.add(group_id)
    scope = Scope(user.pk, province, frozenset(commune_ids), frozenset(led), frozenset(member))
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def forget_scope(user: User) -> None:
    """Call after changing someone's roles within a request."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


# Roles -------------------------------------------------------------------------------------------


def is_provincial(user: User) -> bool:
    return scope_of(user).province


def is_staff_member(user: User) -> bool:
    """A trainer, an officer or an administrator: someone with a territory."""
    return scope_of(user).is_staff


# Communes ----------------------------------------------------------------------------------------


def communes_visible_to(user: User) -> QuerySet[Commune]:
    """The communes are public reference data: everyone sees all 56."""
    return Commune.objects.all()


def communes_managed_by(user: User) -> QuerySet[Commune]:
    scope = scope_of(user)
    if scope.province:
        return Commune.objects.all()
    return Commune.objects.filter(id__in=scope.commune_ids)


def can_manage_commune(user: User, commune_id: int) -> bool:
    """The object check of ``communes_managed_by``, answered from the scope without a query (an
    import asks it for every row)."""
    scope = scope_of(user)
    return scope.province or commune_id in scope.commune_ids


# Groups ------------------------------------------------------------------------------------------


def groups_managed_by(user: User) -> QuerySet[CommunityGroup]:
    scope = scope_of(user)
    if scope.province:
        return CommunityGroup.objects.all()
    return CommunityGroup.objects.filter(Q(commune_id__in=scope.commune_ids) | Q(id__in=scope.led_group_ids))


def groups_visible_to(user: User) -> QuerySet[CommunityGroup]:
    scope = scope_of(user)
    if scope.province:
        return CommunityGroup.objects.all()
    return CommunityGroup.objects.filter(
        Q(commune_id__in=scope.commune_ids) | Q(id__in=scope.led_group_ids) | Q(id__in=scope.member_group_ids)
    )


def can_manage_group(user: User, group: CommunityGroup) -> bool:
    scope = scope_of(user)
    return scope.province or group.commune_id in scope.commune_ids or group.pk in scope.led_group_ids


# People ------------------------------------------------------------------------------------------


def _people_filter(scope: Scope) -> Q:
    """People a scope reaches: in its communes (by village or by group) or in the groups it leads."""
    reach = Q(pk=scope.user_id)
    if scope.commune_ids:
        reach |= Q(village__commune_id__in=scope.commune_ids)
        reach |= Q(
            memberships__group__commune_id__in=scope.commune_ids,
            memberships__left_on__isnull=True,
        )
    if scope.led_group_ids:
        reach |= Q(memberships__group_id__in=scope.led_group_ids)
    return reach


def members_visible_to(user: User) -> QuerySet[User]:
    scope = scope_of(user)
    if scope.user_id is None:
        return User.objects.none()
    if scope.province:
        return User.objects.all()
    if not scope.commune_ids and not scope.led_group_ids:
        return User.objects.filter(pk=scope.user_id)
    # The joins through memberships can repeat a person; a subquery keeps the outer query simple.
    reachable = User.objects.filter(_people_filter(scope)).values("pk")
    return User.objects.filter(pk__in=reachable)


def members_managed_by(user: User) -> QuerySet[User]:
    """Whose profile this user may edit: the same reach as visibility, minus plain self-service."""
    return members_visible_to(user)


def can_view_member(user: User, member: User) -> bool:
    scope = scope_of(user)
    if scope.user_id is None:
        return False
    if scope.province or member.pk == scope.user_id:
        return True
    if not scope.commune_ids and not scope.led_group_ids:
        return False
    return members_visible_to(user).filter(pk=member.pk).exists()


def can_change_record_of(user: User, person: User) -> bool:
    """Whether ``user`` may change who ``person`` is on record: their name, year of birth, village.

    A trainer or administrator anyone's; a commune officer only of people registered (by village)
    in their communes. An officer also reaches people of other communes who joined one of their
    groups (``members_managed_by``): they may add them to their groups, but renaming or moving them
    is for the officer of the person's own commune. Reads ``person.village`` (select it with the
    person when asking about many)."""
    scope = scope_of(user)
    if scope.province or person.pk == scope.user_id:
        return True
    return person.village_id is not None and person.village.commune_id in scope.commune_ids


def can_manage_certificates(user: User) -> bool:
    """Issue and revoke: provincial trainers and administrators."""
    return scope_of(user).province


# Statistics --------------------------------------------------------------------------------------


def can_view_statistics(user: User) -> bool:
    """Trainers, administrators and commune officers; an officer's numbers cover their communes."""
    return scope_of(user).is_staff


def statistics_commune_ids(user: User) -> frozenset[int] | None:
    """The communes whose numbers this user sees: None for the whole province."""
    scope = scope_of(user)
    return None if scope.province else scope.commune_ids


# Imports -----------------------------------------------------------------------------------------


def can_import(user: User) -> bool:
    """Import lists of groups and members: provincial trainers and administrators for the whole
    province, commune officers for their communes. Group leaders sign neighbours up one by one.

    A row is imported into a commune ``user`` manages (``can_manage_commune``), about people they
    reach (``members_managed_by``); it changes who someone is on record only where
    ``can_change_record_of`` allows."""
    return scope_of(user).is_staff


# Erasing a person's data -------------------------------------------------------------------------


def people_erasable_by(user: User) -> QuerySet[User]:
    """Whose data a staff member may erase on their request: a commune officer the people of their
    communes (by village or active group), a trainer or administrator the province. Never a group
    leader (leaders sign neighbours up; deleting is for the commune). Accounts with more power than a
    resident (staff, administrators) only by an administrator. People erase their own data from
    "Dữ liệu của tôi", not through this."""
    scope = scope_of(user)
    if not scope.is_staff:
        return User.objects.none()
    people = User.objects.filter(erased_at__isnull=True).exclude(pk=scope.user_id)
    if not scope.province:
        # The territory's reach, without the groups one leads: leaders never erase.
        territory = replace(scope, led_group_ids=frozenset())
        people = people.filter(pk__in=User.objects.filter(_people_filter(territory)).values("pk"))
    if not user.is_superuser:
        people = people.exclude(_admin_powers())
    return people


def can_erase_person(user: User, person: User) -> bool:
    return people_erasable_by(user).filter(pk=person.pk).exists()


# The admin ---------------------------------------------------------------------------------------


def is_administrator(user: User) -> bool:
    """Administrators (superusers) manage accounts, reference data and the site itself. Trainers and
    officers see people only through the scoped views, never through Wagtail's own user views."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def villages_managed_by(user: User) -> QuerySet[Village]:
    """The villages of this user's territory. (Anyone signing up may pick any village; in the admin
    a village's page lists who lives there, so it follows the territory.)"""
    scope = scope_of(user)
    if scope.province:
        return Village.objects.all()
    return Village.objects.filter(commune_id__in=scope.commune_ids)


# Invitations -------------------------------------------------------------------------------------


def invitations_managed_by(user: User) -> QuerySet[GroupInvitation]:
    """Invitations to the groups ``user`` manages (to list, cancel, or accept with the person's code)."""
    return GroupInvitation.objects.filter(group__in=groups_managed_by(user))


def can_manage_invitation(user: User, invitation: GroupInvitation) -> bool:
    return can_manage_group(user, invitation.group)


def _signed_in_id(user: User) -> int | None:
    # Answering one's own invitations needs no roles: no need to read the scope for it.
    return user.pk if user and user.is_authenticated and user.is_active else None


def invitations_for(user: User) -> QuerySet[GroupInvitation]:
    """Invitations addressed to ``user``: only they may see the code, accept or decline."""
    user_id = _signed_in_id(user)
    if user_id is None:
        return GroupInvitation.objects.none()
    return GroupInvitation.objects.filter(person_id=user_id)


def can_answer_invitation(user: User, invitation: GroupInvitation) -> bool:
    user_id = _signed_in_id(user)
    return user_id is not None and invitation.person_id == user_id


# Password reset codes ----------------------------------------------------------------------------


def _admin_powers() -> Q:
    """People with any way into an admin: an administrator, the Django admin, a staff territory, or
    any Django group or permission (a Wagtail editor, say)."""
    return (
        Q(is_superuser=True)
        | Q(is_staff=True)
        | Q(pk__in=User.groups.through.objects.values("user_id"))
        | Q(pk__in=User.user_permissions.through.objects.values("user_id"))
        | Q(pk__in=StaffScope.objects.values("user_id"))
    )


def no_more_power_than_a_resident() -> Q:
    """No admin access of any kind, no staff territory, leading no group: whose account a code given
    by someone else (or texted to the number) may open."""
    return ~(_admin_powers() | Q(pk__in=Membership.objects.active().leading().values("user_id")))


def people_resettable_by(user: User) -> QuerySet[User]:
    """Whose password ``user`` may reset by giving them a one-time code, as someone who knows them:
    a leader or deputy the members of the groups they lead, a commune officer the people of their
    commune, a provincial trainer anyone in the province. Only people with no more power than a
    plain resident, so that nobody can take over an officer's or another leader's account: staff use
    the e-mail reset or ask an administrator, who may reset anyone's. Never one's own, never an
    account that is switched off."""
    scope = scope_of(user)
    if scope.user_id is None:
        return User.objects.none()
    people = User.objects.filter(is_active=True).exclude(pk=scope.user_id)
    if user.is_superuser:
        return people
    if not scope.province:
        active = Membership.objects.active()
        reach = Q(pk__in=active.filter(group_id__in=scope.led_group_ids).values("user_id"))
        if scope.commune_ids:
            reach |= Q(village__commune_id__in=scope.commune_ids)
            reach |= Q(pk__in=active.filter(group__commune_id__in=scope.commune_ids).values("user_id"))
        people = people.filter(reach)
    return people.filter(no_more_power_than_a_resident())


def can_issue_reset_code(user: User, person: User) -> bool:
    return people_resettable_by(user).filter(pk=person.pk).exists()
