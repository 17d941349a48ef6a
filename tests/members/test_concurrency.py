"""Races that only a real database with real threads can show (PostgreSQL)."""

import pytest
from django.core.exceptions import ValidationError

from members import services
from members.models import Membership, User
from tests.concurrency import run_together
from tests.factories import CommunityGroupFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_twenty_sign_ups_with_one_number_make_one_account():
    results, errors = run_together(
        20,
        lambda _: services.user_create(
            phone="0912345678", full_name="Lý Thị Mai", password=None, consent=True
        ),
    )
    assert len(results) == 1
    assert len(errors) == 19 and all(isinstance(error, ValidationError) for error in errors)
    assert User.objects.filter(phone="+84912345678").count() == 1


def test_twenty_leaders_adding_one_neighbour_make_one_membership():
    group, person = CommunityGroupFactory(), UserFactory()
    results, errors = run_together(20, lambda _: services.membership_add(group=group, user=person))
    assert len(results) == 1 and all(isinstance(error, ValidationError) for error in errors)
    assert Membership.objects.filter(group=group, user=person).count() == 1
