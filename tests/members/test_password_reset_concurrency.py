"""Races on reset codes, with real threads on PostgreSQL: a code works once, and parallel guesses
never get more tries than a code allows."""

import pytest
from django.core.exceptions import ValidationError

from members.models import PasswordResetCode
from members.services import passwords
from tests.concurrency import run_together
from tests.factories import CommunityGroupFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def member_and_leader():
    group = CommunityGroupFactory()
    leader = MembershipFactory(group=group, role="leader").user
    member = MembershipFactory(group=group, user=UserFactory(village=group.village)).user
    return member, leader


def test_ten_redemptions_of_one_code_set_one_password(member_and_leader):
    member, leader = member_and_leader
    issued = passwords.reset_code_issue(person=member, acting_user=leader)
    results, errors = run_together(
        10,
        lambda _: passwords.password_reset_redeem(
            phone=member.phone, code=issued.code, new_password="mat-khau-moi-2026"
        ),
    )
    assert len(results) == 1
    assert len(errors) == 9 and all(isinstance(error, ValidationError) for error in errors)


def test_twenty_parallel_guesses_get_five_tries(member_and_leader):
    member, leader = member_and_leader
    issued = passwords.reset_code_issue(person=member, acting_user=leader)
    wrong = str((int(issued.code) + 1) % 1_000_000).zfill(6)
    _results, errors = run_together(
        20,
        lambda _: passwords.password_reset_redeem(
            phone=member.phone, code=wrong, new_password="mat-khau-moi-2026"
        ),
    )
    assert len(errors) == 20
    assert PasswordResetCode.objects.get().attempts == PasswordResetCode.MAX_ATTEMPTS
    with pytest.raises(ValidationError):
        passwords.password_reset_redeem(
            phone=member.phone, code=issued.code, new_password="mat-khau-moi-2026"
        )


def test_two_issuers_at_once_leave_one_code(member_and_leader):
    member, leader = member_and_leader
    results, errors = run_together(8, lambda _: passwords.reset_code_issue(person=member, acting_user=leader))
    assert errors == [] and len(results) == 8
    assert PasswordResetCode.objects.filter(user=member).count() == 1
