"""Writes for invitations: how someone who already has an account joins a group.

Adding a mobile number to a group tells the one adding it only whether the number has an account
(``number_lookup``); someone who has one is invited, and joins once they accept, in their own account
(``invitation_accept``) or by reading out the code HọcSố shows only them (``invitation_accept_by_code``).
Every lookup is an audit event, and so is every answer.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from members import invitation_codes, permissions
from members.models import AuditEvent, CommunityGroup, GroupInvitation, Membership, User
from members.models.invitations import LIFETIME, MAX_CODE_FAILURES
from members.phone import mask_phone, normalize_phone, number_digest
from members.services.audit import audit_record
from members.services.people import membership_add


class LookupOutcome(models.TextChoices):
    NEW = "new", gettext_lazy("no account yet")
    OFFERED = "offered", gettext_lazy("has an account: invitation offered")
    INVITED = "invited", gettext_lazy("has an account: invited")
    MEMBER = "member", gettext_lazy("already a member of the group")


@dataclass(frozen=True)
class Lookup:
    """What a lookup tells the one who made it: never who the person is."""

    outcome: str
    invitation: GroupInvitation | None = None


def _record_lookup(
    *, acting_user: User, group: CommunityGroup, phone: str, outcome: str, invitation=None
) -> None:
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.MEMBER_LOOKUP,
        target=invitation or group,
        changes={
            "group": [None, group.code],
            "outcome": [None, outcome],
            "number": [None, number_digest(phone)],
        },
    )


def number_lookup(
    *,
    group: CommunityGroup,
    phone: str,
    acting_user: User,
    invite: bool,
    role: str = Membership.Role.MEMBER,
) -> Lookup:
    """Whether ``phone`` has an account, for adding its owner to ``group``, and nothing more about it.

    With ``invite``, a person with an account is invited (or their pending invitation comes back);
    without, the caller only learns that an invitation is possible. A number without an account is
    for the caller to sign up (``user_create``, with the person's consent). Each lookup is an audit
    event saved even if what the caller does next fails: a lookup that told something stays on record.
    The caller limits how many lookups one person makes (``members.lookups``).
    """
    normalised = normalize_phone(phone)
    # Refuse a role the group cannot take before looking anyone up: this says nothing about the number.
    Membership(group=group, role=role, joined_on=timezone.localdate()).validate_constraints(exclude={"user"})
    person = User.objects.filter(phone=normalised).first()
    if person is not None and Membership.objects.active().filter(user=person, group=group).exists():
        with transaction.atomic():
            _record_lookup(
                acting_user=acting_user, group=group, phone=normalised, outcome=LookupOutcome.MEMBER
            )
        raise ValidationError({"phone": _("This person is already a member of this group.")})
    with transaction.atomic():
        invitation = None
        if person is None:
            outcome = LookupOutcome.NEW
        elif invite:
            outcome = LookupOutcome.INVITED
            invitation = invitation_invite(
                group=group,
                person=person,
                role=role,
                acting_user=acting_user,
                phone_hint=mask_phone(normalised),
            )
        else:
            outcome = LookupOutcome.OFFERED
        _record_lookup(
            acting_user=acting_user, group=group, phone=normalised, outcome=outcome, invitation=invitation
        )
    return Lookup(outcome, invitation)


@transaction.atomic
def invitation_invite(
    *,
    group: CommunityGroup,
    person: User,
    acting_user: User | None,
    role: str = Membership.Role.MEMBER,
    phone_hint: str = "",
) -> GroupInvitation:
    """Invite ``person`` into ``group``; if they already have a pending invitation there, return it."""
    now = timezone.now()
    # An invitation past its date no longer holds the "one pending per person and group" place.
    GroupInvitation.objects.filter(
        group=group, person=person, status=GroupInvitation.Status.PENDING, expires_at__lte=now
    ).update(status=GroupInvitation.Status.EXPIRED, decided_at=models.F("expires_at"))
    existing = GroupInvitation.objects.open().filter(group=group, person=person).first()
    if existing is not None:
        return existing
    invitation = GroupInvitation(
        group=group,
        person=person,
        invited_by=acting_user if acting_user and acting_user.is_authenticated else None,
        role=role,
        phone_hint=phone_hint or mask_phone(person.phone),
        created_at=now,
        expires_at=now + LIFETIME,
        code_salt=invitation_codes.new_salt(),
    )
    invitation.full_clean(exclude=["person", "group"])
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        # Two invitations for the same person and group raced past the check above: the other won.
        return GroupInvitation.objects.open().get(group=group, person=person)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.INVITATION_CREATE,
        target=invitation,
        changes={"group": [None, group.code], "role": [None, role], "person": [None, person.pk]},
    )
    return invitation


def _locked(invitation: GroupInvitation) -> GroupInvitation:
    """The invitation read again under a row lock: two answers at once cannot both win."""
    return GroupInvitation.objects.select_for_update().select_related("group", "person").get(pk=invitation.pk)


def _refuse_unless_open(invitation: GroupInvitation) -> None:
    status = invitation.current_status
    if status == GroupInvitation.Status.PENDING:
        return
    messages = {
        GroupInvitation.Status.ACCEPTED: _("This invitation has already been accepted."),
        GroupInvitation.Status.DECLINED: _("This invitation was declined."),
        GroupInvitation.Status.CANCELLED: _("This invitation was cancelled."),
        GroupInvitation.Status.EXPIRED: _(
            "This invitation has expired. Ask the group leader to invite you again."
        ),
    }
    raise ValidationError(messages[status], code=status)


CLOSING_ACTIONS = {
    GroupInvitation.Status.ACCEPTED: AuditEvent.Action.INVITATION_ACCEPTED,
    GroupInvitation.Status.DECLINED: AuditEvent.Action.INVITATION_DECLINED,
    GroupInvitation.Status.CANCELLED: AuditEvent.Action.INVITATION_CANCELLED,
}


def _close(invitation: GroupInvitation, *, status: str, acting_user: User, via: str | None = None) -> None:
    old = invitation.status
    invitation.status = status
    invitation.decided_at = timezone.now()
    invitation.full_clean(exclude=["person", "group"])
    invitation.save(update_fields=["status", "decided_at"])
    changes = {"status": [old, status]}
    if via:
        changes["via"] = [None, via]
    audit_record(actor=acting_user, action=CLOSING_ACTIONS[status], target=invitation, changes=changes)


def _join(invitation: GroupInvitation, *, acting_user: User, via: str) -> Membership:
    existing = Membership.objects.active().filter(user=invitation.person, group=invitation.group).first()
    # Someone who joined another way meanwhile (an import, a second invitation) is simply in.
    membership = existing or membership_add(
        group=invitation.group, user=invitation.person, role=invitation.role, acting_user=acting_user
    )
    _close(invitation, status=GroupInvitation.Status.ACCEPTED, acting_user=acting_user, via=via)
    return membership


@transaction.atomic
def invitation_accept(*, invitation: GroupInvitation, acting_user: User) -> Membership:
    """The invited person accepts, in their own account, and joins the group."""
    invitation = _locked(invitation)
    if not permissions.can_answer_invitation(acting_user, invitation):
        raise PermissionDenied
    _refuse_unless_open(invitation)
    return _join(invitation, acting_user=acting_user, via="person")


@transaction.atomic
def invitation_decline(*, invitation: GroupInvitation, acting_user: User) -> GroupInvitation:
    invitation = _locked(invitation)
    if not permissions.can_answer_invitation(acting_user, invitation):
        raise PermissionDenied
    _refuse_unless_open(invitation)
    _close(invitation, status=GroupInvitation.Status.DECLINED, acting_user=acting_user)
    return invitation


@transaction.atomic
def invitation_cancel(*, invitation: GroupInvitation, acting_user: User) -> GroupInvitation:
    """Someone who manages the group takes the invitation back."""
    invitation = _locked(invitation)
    if not permissions.can_manage_invitation(acting_user, invitation):
        raise PermissionDenied
    _refuse_unless_open(invitation)
    _close(invitation, status=GroupInvitation.Status.CANCELLED, acting_user=acting_user)
    return invitation


@transaction.atomic
def invitation_new_code(*, invitation: GroupInvitation, acting_user: User) -> GroupInvitation:
    """The invited person asks for a new code (after too many wrong ones): the old one stops working."""
    invitation = _locked(invitation)
    if not permissions.can_answer_invitation(acting_user, invitation):
        raise PermissionDenied
    _refuse_unless_open(invitation)
    failures = invitation.code_failures
    invitation.code_salt = invitation_codes.new_salt()
    invitation.code_failures = 0
    invitation.save(update_fields=["code_salt", "code_failures"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.INVITATION_NEW_CODE,
        target=invitation,
        changes={"code_failures": [failures, 0]},
    )
    return invitation


def invitation_accept_by_code(*, invitation: GroupInvitation, code: str, acting_user: User) -> Membership:
    """Someone who manages the group types the code the invited person read out from their own phone:
    the code proves the person agreed, and they join.

    A wrong code is counted (and audited) before the error is raised, so call this outside any
    transaction that the error would roll back. After ``MAX_CODE_FAILURES`` wrong codes the code stops
    working until the person asks for a new one: with six characters, nobody can guess their way in.
    """
    with transaction.atomic():
        invitation = _locked(invitation)
        if not permissions.can_manage_invitation(acting_user, invitation):
            raise PermissionDenied
        _refuse_unless_open(invitation)
        if invitation.code_locked:
            raise ValidationError(_locked_message(), code="code_locked")
        if invitation_codes.matches(invitation, code):
            return _join(invitation, acting_user=acting_user, via="code")
        invitation.code_failures += 1
        invitation.save(update_fields=["code_failures"])
        audit_record(
            actor=acting_user,
            action=AuditEvent.Action.INVITATION_WRONG_CODE,
            target=invitation,
            changes={"code_failures": [invitation.code_failures - 1, invitation.code_failures]},
        )
    if invitation.code_locked:
        raise ValidationError(_locked_message(), code="code_locked")
    left = MAX_CODE_FAILURES - invitation.code_failures
    raise ValidationError(
        ngettext(
            "This code is not right. Check it with the person: %(left)d more try.",
            "This code is not right. Check it with the person: %(left)d more tries.",
            left,
        )
        % {"left": left},
        code="wrong_code",
    )


def _locked_message() -> str:
    return _(
        "Too many wrong codes. Ask the person to open HọcSố and tap “Get a new code”, "
        "or to accept the invitation there themselves."
    )
