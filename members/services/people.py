"""Writes. Every function is keyword-only, validates before saving, and records an audit event in
the same transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import consent as consent_texts
from members import extensions, roles
from members.models import AuditEvent, Commune, CommunityGroup, Membership, StaffScope, User, Village
from members.permissions import forget_scope
from members.phone import normalize_phone
from members.services.audit import audit_record


@transaction.atomic
def user_create(
    *,
    phone: str,
    full_name: str,
    password: str | None,
    consent: bool,
    village: Village | None = None,
    birth_year: int | None = None,
    preferred_language: str = "vi",
    acting_user: User | None = None,
) -> User:
    """Create a person. Consent is required: silence is not consent (Law 91/2025/QH15).

    When ``acting_user`` is someone else (a group leader signing up a neighbour), they are recorded
    as the witness of the consent.
    """
    if not consent:
        raise ValidationError({"consent": _("HọcSố can only keep your data with your consent.")})
    normalised = normalize_phone(phone)
    witness = acting_user if acting_user and acting_user.is_authenticated else None
    if User.objects.filter(phone=normalised).exists():
        raise ValidationError({"phone": _("An account with this mobile number already exists.")})
    user = User(
        phone=normalised,
        full_name=" ".join(full_name.split()),
        village=village,
        birth_year=birth_year,
        preferred_language=preferred_language,
        consent_at=timezone.now(),
        consent_recorded_by=witness,
        consent_version=(consent_texts.ASSISTED if witness else consent_texts.SIGNUP).version,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two sign-ups with the same number raced past the check above.
        raise ValidationError({"phone": _("An account with this mobile number already exists.")}) from None
    audit_record(
        actor=acting_user or user,
        action=AuditEvent.Action.USER_CREATE,
        target=user,
        changes={"consent_recorded_by": [None, user.consent_recorded_by_id]},
    )
    extensions.people_changed([user.pk])
    return user


@transaction.atomic
def group_create(
    *,
    code: str,
    name: str,
    commune: Commune,
    village: Village | None = None,
    acting_user: User | None = None,
) -> CommunityGroup:
    group = CommunityGroup(code=code.strip(), name=name.strip(), commune=commune, village=village)
    group.full_clean()
    group.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.GROUP_CREATE,
        target=group,
        changes={"name": [None, group.name]},
    )
    extensions.community_changed([commune.pk])
    return group


@transaction.atomic
def membership_add(
    *,
    group: CommunityGroup,
    user: User,
    role: str = Membership.Role.MEMBER,
    joined_on: datetime.date | None = None,
    acting_user: User | None = None,
) -> Membership:
    """Add a person to a group. The database refuses a second active membership or leader."""
    membership = Membership(group=group, user=user, role=role, joined_on=joined_on or timezone.localdate())
    # full_clean validates the conditional unique constraints too, with their translated messages.
    membership.full_clean()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ValidationError(_("This person is already an active member of this group.")) from None
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.MEMBERSHIP_ADD,
        target=membership,
        changes={"role": [None, role]},
    )
    extensions.people_changed([user.pk])
    forget_scope(user)
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, left_on: datetime.date | None = None, acting_user: User | None = None
) -> Membership:
    """Record that a person left a group. The row stays: attendance history points at it."""
    if membership.left_on is not None:
        raise ValidationError(_("This person has already left the group."))
    membership.left_on = left_on or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["left_on"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.MEMBERSHIP_END,
        target=membership,
        changes={"left_on": [None, membership.left_on.isoformat()]},
    )
    extensions.people_changed([membership.user_id])
    forget_scope(membership.user)
    return membership


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, acting_user: User | None = None
) -> Membership:
    old = membership.role
    if old == role:
        return membership
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.MEMBERSHIP_ROLE,
        target=membership,
        changes={"role": [old, role]},
    )
    forget_scope(membership.user)
    return membership


@transaction.atomic
def staff_scope_grant(
    *, user: User, role: str, commune: Commune | None = None, acting_user: User | None = None
) -> StaffScope:
    """Give someone a staff role over a territory, and the admin permissions that go with it."""
    existing = StaffScope.objects.filter(user=user, role=role, commune=commune).first()
    if existing is not None:
        return existing
    scope = StaffScope(user=user, role=role, commune=commune, granted_by=acting_user)
    scope.full_clean()
    scope.save()
    user.groups.add(roles.group_for(role))
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.STAFF_SCOPE_GRANT,
        target=scope,
        changes={"role": [None, role], "commune": [None, commune.code if commune else None]},
    )
    forget_scope(user)
    return scope


@transaction.atomic
def staff_scope_revoke(*, scope: StaffScope, acting_user: User | None = None) -> None:
    user, role = scope.user, scope.role
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.STAFF_SCOPE_REVOKE,
        target=scope,
        changes={"role": [role, None], "commune": [scope.commune.code if scope.commune else None, None]},
    )
    scope.delete()
    if not StaffScope.objects.filter(user=user, role=role).exists():
        user.groups.remove(roles.group_for(role))
    forget_scope(user)


@transaction.atomic
def group_update(
    *, group: CommunityGroup, changed: list[str], acting_user: User | None = None
) -> CommunityGroup:
    """Save edits made in a form; ``changed`` names the fields the form changed."""
    if not changed:
        return group
    before = CommunityGroup.objects.get(pk=group.pk)
    group.full_clean()
    group.save(update_fields=changed)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.GROUP_UPDATE,
        target=group,
        changes={name: [str(getattr(before, name)), str(getattr(group, name))] for name in changed},
    )
    extensions.community_changed([before.commune_id, group.commune_id])
    return group


@transaction.atomic
def user_set_village(*, user: User, village: Village, acting_user: User | None = None) -> User:
    old = user.village_id
    if old == village.pk:
        return user
    user.village = village
    user.save(update_fields=["village"])
    audit_record(
        actor=acting_user or user,
        action=AuditEvent.Action.USER_VILLAGE,
        target=user,
        changes={"village": [old, village.pk]},
    )
    extensions.people_changed([user.pk])
    return user
