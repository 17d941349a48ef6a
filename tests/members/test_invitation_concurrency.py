"""Invitations under races that only a real database with real threads can show (PostgreSQL)."""

import pytest
from django.core.exceptions import ValidationError

from members import invitation_codes, services
from members.models import AuditEvent, GroupInvitation, Membership
from members.models.invitations import MAX_CODE_FAILURES
from tests.concurrency import run_together
from tests.factories import CommunityGroupFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene():
    group = CommunityGroupFactory()
    leader = UserFactory()
    MembershipFactory(user=leader, group=group, role=Membership.Role.LEADER)
    return group, leader, UserFactory()


def test_ten_invitations_at_once_make_one_pending_invitation(scene):
    group, leader, person = scene
    results, errors = run_together(
        10, lambda _: services.invitation_invite(group=group, person=person, acting_user=leader)
    )
    assert errors == []
    assert len({invitation.pk for invitation in results}) == 1
    assert GroupInvitation.objects.filter(group=group, person=person).count() == 1


def test_accepting_at_once_in_the_account_and_by_code_makes_one_membership(scene):
    group, leader, person = scene
    invitation = services.invitation_invite(group=group, person=person, acting_user=leader)
    code = invitation_codes.code_for(invitation)

    def answer(index):  # half the threads answer in the person's account, half type the code
        if index % 2:
            return services.invitation_accept(invitation=invitation, acting_user=person)
        return services.invitation_accept_by_code(invitation=invitation, code=code, acting_user=leader)

    results, errors = run_together(10, answer)
    assert len(results) == 1 and len(errors) == 9
    assert all(isinstance(error, ValidationError) and error.code == "accepted" for error in errors)
    assert Membership.objects.filter(group=group, user=person).count() == 1
    assert AuditEvent.objects.filter(action="invitation.accepted").count() == 1


def test_guessing_in_parallel_cannot_get_past_the_limit(scene):
    """Twenty wrong codes sent at once: each is counted, and only MAX_CODE_FAILURES are ever tried."""
    group, leader, person = scene
    invitation = services.invitation_invite(group=group, person=person, acting_user=leader)
    right = invitation_codes.code_for(invitation)
    wrong = next(c * 6 for c in invitation_codes.ALPHABET if c * 6 != right)
    results, errors = run_together(
        20,
        lambda _: services.invitation_accept_by_code(invitation=invitation, code=wrong, acting_user=leader),
    )
    assert results == [] and len(errors) == 20
    codes = sorted(error.code for error in errors)
    assert codes.count("wrong_code") == MAX_CODE_FAILURES - 1
    assert codes.count("code_locked") == 20 - (MAX_CODE_FAILURES - 1)
    invitation.refresh_from_db()
    assert invitation.code_failures == MAX_CODE_FAILURES
    assert AuditEvent.objects.filter(action="invitation.wrong_code").count() == MAX_CODE_FAILURES
