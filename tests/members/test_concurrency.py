"""Races that only a real database with real threads can show (PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from members import services
from members.models import Membership, User
from tests.factories import CommunityGroupFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_together(count, work):
    """Start ``count`` threads that call ``work`` at the same moment; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def runner():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # collected and asserted on by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_twenty_sign_ups_with_one_number_make_one_account():
    results, errors = run_together(
        20,
        lambda: services.user_create(phone="0912345678", full_name="Lý Thị Mai", password=None, consent=True),
    )
    assert len(results) == 1
    assert len(errors) == 19 and all(isinstance(error, ValidationError) for error in errors)
    assert User.objects.filter(phone="+84912345678").count() == 1


def test_twenty_leaders_adding_one_neighbour_make_one_membership():
    group, person = CommunityGroupFactory(), UserFactory()
    results, errors = run_together(20, lambda: services.membership_add(group=group, user=person))
    assert len(results) == 1 and all(isinstance(error, ValidationError) for error in errors)
    assert Membership.objects.filter(group=group, user=person).count() == 1
