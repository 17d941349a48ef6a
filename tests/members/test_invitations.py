"""Invitations to a group (members.services.invitations): a number with an account is invited, never
added, and its owner joins only by accepting, themselves or through the code only they can see."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members import invitation_codes, services
from members.models import AuditEvent, GroupInvitation, Membership
from members.models.invitations import LIFETIME, MAX_CODE_FAILURES
from members.services import LookupOutcome

pytestmark = pytest.mark.django_db


def _national(user) -> str:
    return "0" + user.phone[3:]


def _invite(world, person=None, group=None, by=None, **kwargs):
    lookup = services.number_lookup(
        group=group or world.group_a,
        phone=_national(person or world.resident_c),
        acting_user=by or world.leader_a,
        invite=True,
        **kwargs,
    )
    return lookup.invitation


def _lookups():
    return list(AuditEvent.objects.filter(action="member.lookup").order_by("pk"))


# Looking a number up ---------------------------------------------------------------------------


def test_a_new_number_is_only_said_to_be_new_and_the_lookup_is_audited(world):
    lookup = services.number_lookup(
        group=world.group_a, phone="0865 111 222", acting_user=world.leader_a, invite=True
    )
    assert lookup == services.Lookup(LookupOutcome.NEW, None)
    assert not GroupInvitation.objects.exists()
    (event,) = _lookups()
    assert event.actor == world.leader_a
    assert (event.target_type, event.target_id) == ("members.communitygroup", str(world.group_a.pk))
    assert event.changes["outcome"] == [None, "new"] and event.changes["group"] == [None, world.group_a.code]
    assert "865111222" not in json.dumps(event.changes).replace(" ", "")


def test_a_number_with_an_account_is_invited_not_added(world):
    invitation = _invite(world)
    assert invitation.person == world.resident_c and invitation.group == world.group_a
    assert invitation.status == "pending" and invitation.invited_by == world.leader_a
    assert invitation.expires_at - invitation.created_at == LIFETIME
    assert invitation.phone_hint == f"0{world.resident_c.phone[3:6]} *** {world.resident_c.phone[-3:]}"
    assert not Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()
    (event,) = _lookups()
    assert (event.target_type, event.target_id) == ("members.groupinvitation", str(invitation.pk))
    assert event.changes["outcome"] == [None, "invited"]
    # The number is never written down, only a keyed digest of it (the same for the same number).
    assert world.resident_c.phone[3:] not in json.dumps(event.changes)
    assert event.changes["number"] == [None, services.invitations.number_digest(world.resident_c.phone)]


def test_without_invite_an_account_is_only_offered_an_invitation(world):
    lookup = services.number_lookup(
        group=world.group_a, phone=_national(world.resident_c), acting_user=world.leader_a, invite=False
    )
    assert lookup == services.Lookup(LookupOutcome.OFFERED, None)
    assert not GroupInvitation.objects.exists()
    assert _lookups()[0].changes["outcome"] == [None, "offered"]


def test_inviting_again_returns_the_pending_invitation(world):
    first = _invite(world)
    again = _invite(world, by=world.officer_x)
    assert again.pk == first.pk and GroupInvitation.objects.count() == 1
    assert [e.changes["outcome"][1] for e in _lookups()] == ["invited", "invited"]


def test_a_current_member_is_refused_and_the_lookup_stays_on_record(world):
    with pytest.raises(ValidationError) as refused:
        _invite(world, person=world.resident_a)
    assert "đã là thành viên" in str(refused.value)
    assert _lookups()[0].changes["outcome"] == [None, "member"]
    assert not GroupInvitation.objects.exists()


def test_a_role_the_group_cannot_take_is_refused_before_any_lookup(world):
    with pytest.raises(ValidationError):
        _invite(world, role=Membership.Role.LEADER)  # group A has a leader
    assert _lookups() == [] and not GroupInvitation.objects.exists()


def test_the_database_holds_one_pending_invitation_per_person_and_group(world):
    invitation = _invite(world)
    duplicate = GroupInvitation(
        group=invitation.group,
        person=invitation.person,
        phone_hint="x",
        expires_at=invitation.expires_at,
        code_salt="00",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


# Answering ----------------------------------------------------------------------------------------


def test_the_person_accepts_and_joins_with_the_role_offered(world):
    invitation = _invite(world, role=Membership.Role.DEPUTY)
    membership = services.invitation_accept(invitation=invitation, acting_user=world.resident_c)
    assert (membership.user, membership.group, membership.role) == (world.resident_c, world.group_a, "deputy")
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.decided_at is not None
    event = AuditEvent.objects.get(action="invitation.accepted")
    assert event.actor == world.resident_c and event.changes["via"] == [None, "person"]
    assert AuditEvent.objects.filter(action="membership.add", actor=world.resident_c).exists()


def test_an_invitation_is_accepted_once(world):
    invitation = _invite(world)
    services.invitation_accept(invitation=invitation, acting_user=world.resident_c)
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept(invitation=invitation, acting_user=world.resident_c)
    assert refused.value.code == "accepted"
    assert Membership.objects.filter(user=world.resident_c, group=world.group_a).count() == 1


@pytest.mark.parametrize("someone", ["leader_a", "resident_a", "officer_x", "trainer"])
def test_nobody_else_can_accept_or_decline(world, someone):
    invitation = _invite(world)
    for answer in (services.invitation_accept, services.invitation_decline, services.invitation_new_code):
        with pytest.raises(PermissionDenied):
            answer(invitation=invitation, acting_user=getattr(world, someone))
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()


def test_an_expired_invitation_cannot_be_accepted_and_a_new_one_can_be_sent(world):
    invitation = _invite(world)
    later = timezone.now() + LIFETIME + datetime.timedelta(minutes=1)
    GroupInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - LIFETIME - datetime.timedelta(days=1),
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    invitation.refresh_from_db()
    assert invitation.current_status == "expired" and not GroupInvitation.objects.open().exists()
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept(invitation=invitation, acting_user=world.resident_c)
    assert refused.value.code == "expired"
    with pytest.raises(ValidationError):
        services.invitation_accept_by_code(
            invitation=invitation, code=invitation_codes.code_for(invitation), acting_user=world.leader_a
        )
    fresh = _invite(world)
    assert fresh.pk != invitation.pk and fresh.expires_at < later + datetime.timedelta(minutes=1)
    invitation.refresh_from_db()
    assert invitation.status == "expired" and invitation.decided_at == invitation.expires_at


def test_declining_closes_the_invitation(world):
    invitation = _invite(world)
    services.invitation_decline(invitation=invitation, acting_user=world.resident_c)
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, acting_user=world.resident_c)
    assert AuditEvent.objects.filter(action="invitation.declined", actor=world.resident_c).exists()


def test_those_who_manage_the_group_cancel_others_cannot(world):
    invitation = _invite(world)
    for outsider in (world.leader_b, world.officer_y, world.resident_a, world.resident_c):
        with pytest.raises(PermissionDenied):
            services.invitation_cancel(invitation=invitation, acting_user=outsider)
    services.invitation_cancel(invitation=invitation, acting_user=world.officer_x)
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept(invitation=invitation, acting_user=world.resident_c)
    assert refused.value.code == "cancelled"


def test_someone_who_joined_another_way_meanwhile_accepts_without_a_second_membership(world):
    invitation = _invite(world)
    services.membership_add(group=world.group_a, user=world.resident_c)
    services.invitation_accept(invitation=invitation, acting_user=world.resident_c)
    assert Membership.objects.filter(user=world.resident_c, group=world.group_a).count() == 1


# The code -------------------------------------------------------------------------------------------


def test_the_code_is_six_unambiguous_characters_and_not_stored(world):
    invitation = _invite(world)
    code = invitation_codes.code_for(invitation)
    assert len(code) == 6 and set(code) <= set(invitation_codes.ALPHABET)
    assert not set(code) & set("0O1IL5S8B2Z")
    assert invitation_codes.display(invitation) == f"{code[:3]}-{code[3:]}"
    stored = json.dumps(list(GroupInvitation.objects.values()), default=str)
    assert code not in stored
    assert invitation_codes.matches(invitation, f" {code[:3].lower()} - {code[3:]} ")


def test_the_leader_types_the_code_and_the_person_joins(world):
    invitation = _invite(world)
    code = invitation_codes.display(invitation)
    membership = services.invitation_accept_by_code(
        invitation=invitation, code=code, acting_user=world.leader_a
    )
    assert (membership.user, membership.group) == (world.resident_c, world.group_a)
    event = AuditEvent.objects.get(action="invitation.accepted")
    assert event.actor == world.leader_a and event.changes["via"] == [None, "code"]


def test_only_those_who_manage_the_group_may_type_a_code(world):
    invitation = _invite(world)
    code = invitation_codes.code_for(invitation)
    for outsider in (world.leader_b, world.officer_y, world.resident_a, world.resident_c):
        with pytest.raises(PermissionDenied):
            services.invitation_accept_by_code(invitation=invitation, code=code, acting_user=outsider)
    assert not Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()


def test_wrong_codes_lock_the_invitation_until_the_person_asks_for_a_new_code(world):
    invitation = _invite(world)
    right = invitation_codes.code_for(invitation)
    wrong = "".join(reversed(right)) if right != right[::-1] else "AAAAAA"
    for attempt in range(1, MAX_CODE_FAILURES + 1):
        with pytest.raises(ValidationError) as refused:
            services.invitation_accept_by_code(invitation=invitation, code=wrong, acting_user=world.leader_a)
        invitation.refresh_from_db()
        assert invitation.code_failures == attempt  # counted although the call raised
    assert refused.value.code == "code_locked"
    assert AuditEvent.objects.filter(action="invitation.wrong_code").count() == MAX_CODE_FAILURES
    # Locked: even the right code no longer works, and nothing more is counted.
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept_by_code(invitation=invitation, code=right, acting_user=world.leader_a)
    assert refused.value.code == "code_locked"
    assert not Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()
    # The person asks for a new code: the old one is dead, the new one works.
    services.invitation_new_code(invitation=invitation, acting_user=world.resident_c)
    invitation.refresh_from_db()
    assert invitation.code_failures == 0 and invitation_codes.code_for(invitation) != right
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept_by_code(invitation=invitation, code=right, acting_user=world.leader_a)
    assert refused.value.code == "wrong_code"
    services.invitation_accept_by_code(
        invitation=invitation, code=invitation_codes.code_for(invitation), acting_user=world.leader_a
    )
    assert Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()


def test_a_wrong_code_says_how_many_tries_are_left(world):
    invitation = _invite(world)
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept_by_code(invitation=invitation, code="XXXXXX", acting_user=world.leader_a)
    assert f"còn {MAX_CODE_FAILURES - 1} lần" in refused.value.messages[0]
