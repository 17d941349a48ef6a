"""Scope rules for every role: who sees and manages which communes, groups and people."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from attendance import permissions as attendance_permissions
from attendance.models import Session
from members import permissions
from members.models import Commune
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_everyone_sees_the_56_communes_but_only_staff_manage_them(world):
    for user in [world.resident_a, world.leader_a, world.officer_x, world.trainer]:
        assert permissions.communes_visible_to(user).count() == 56
    assert ids(permissions.communes_managed_by(world.resident_a)) == set()
    assert ids(permissions.communes_managed_by(world.leader_a)) == set()
    assert ids(permissions.communes_managed_by(world.officer_x)) == {world.commune_x.pk}
    assert permissions.communes_managed_by(world.trainer).count() == Commune.objects.count()


def test_the_commune_object_check_agrees_with_the_list(world, django_assert_num_queries):
    people = [world.resident_a, world.leader_a, world.officer_x, world.officer_y, world.trainer, world.admin]
    communes = list(Commune.objects.all())
    for user in [*people, AnonymousUser()]:
        managed = ids(permissions.communes_managed_by(user))
        # Asked for every row of an import: from the cached scope, never a query.
        with django_assert_num_queries(0):
            checked = {commune.pk for commune in communes if permissions.can_manage_commune(user, commune.pk)}
        assert checked == managed


def test_a_leader_sees_and_manages_their_own_group_only(world):
    assert ids(permissions.groups_visible_to(world.leader_a)) == {world.group_a.pk}
    assert ids(permissions.groups_managed_by(world.leader_a)) == {world.group_a.pk}
    assert permissions.can_manage_group(world.leader_a, world.group_a)
    assert not permissions.can_manage_group(world.leader_a, world.group_b)
    assert attendance_permissions.can_record_attendance(world.deputy_a, world.group_a)


def test_a_leader_sees_the_people_of_their_group_and_nobody_else(world):
    visible = ids(permissions.members_visible_to(world.leader_a))
    assert visible == {world.leader_a.pk, world.deputy_a.pk, world.resident_a.pk, world.resident_a2.pk}


def test_a_commune_officer_sees_their_commune_only(world):
    assert ids(permissions.groups_visible_to(world.officer_x)) == {world.group_a.pk, world.group_b.pk}
    visible = ids(permissions.members_visible_to(world.officer_x))
    in_x = {
        world.leader_a,
        world.deputy_a,
        world.leader_b,
        world.resident_a,
        world.resident_a2,
        world.resident_b,
        world.loner,
        world.officer_x,
    }
    assert visible == {p.pk for p in in_x}
    assert not permissions.can_view_member(world.officer_x, world.resident_c)
    assert not permissions.can_manage_group(world.officer_x, world.group_c)
    assert ids(permissions.groups_visible_to(world.officer_y)) == {world.group_c.pk}


def test_a_trainer_and_an_admin_see_the_province(world):
    for user in [world.trainer, world.admin]:
        assert ids(permissions.groups_visible_to(user)) == {
            world.group_a.pk,
            world.group_b.pk,
            world.group_c.pk,
        }
        assert permissions.can_view_member(user, world.resident_c)
        assert permissions.can_manage_group(user, world.group_c)
        assert permissions.is_provincial(user)


def test_a_resident_sees_only_themselves_and_their_group(world):
    assert ids(permissions.members_visible_to(world.resident_a)) == {world.resident_a.pk}
    assert ids(permissions.groups_visible_to(world.resident_a)) == {world.group_a.pk}
    assert ids(permissions.groups_managed_by(world.resident_a)) == set()
    assert not permissions.can_view_member(world.resident_a, world.resident_a2)
    assert permissions.can_view_member(world.resident_a, world.resident_a)
    assert not permissions.can_manage_group(world.resident_a, world.group_a)


def test_anonymous_sees_no_people_and_no_groups(world):
    anonymous = AnonymousUser()
    assert not permissions.members_visible_to(anonymous).exists()
    assert not permissions.groups_visible_to(anonymous).exists()
    assert not permissions.can_manage_group(anonymous, world.group_a)


def test_a_member_who_left_loses_the_group(world):
    from members import services

    membership = world.resident_a.memberships.get()
    services.membership_end(membership=membership)
    assert ids(permissions.groups_visible_to(world.resident_a)) == set()


def test_the_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    user = world.officer_x
    permissions.forget_scope(user)
    with django_assert_num_queries(2):
        permissions.scope_of(user)
        permissions.scope_of(user)
        permissions.is_staff_member(user)


def test_who_may_change_a_persons_record(world):
    """Name, year of birth and village: the person, staff of the person's own commune, the province."""
    w = world
    assert permissions.can_change_record_of(w.officer_x, w.resident_a)
    assert not permissions.can_change_record_of(w.officer_y, w.resident_a)
    assert permissions.can_change_record_of(w.trainer, w.resident_c)
    assert permissions.can_change_record_of(w.admin, w.resident_c)
    assert permissions.can_change_record_of(w.resident_c, w.resident_c)
    assert not permissions.can_change_record_of(w.leader_a, w.resident_a)
    assert not permissions.can_change_record_of(w.resident_a, w.resident_a2)
    # Someone of commune Y who joined a group of commune X: officer X reaches them, but their
    # record stays with officer Y.
    MembershipFactory(user=w.resident_c, group=w.group_a)
    assert permissions.can_view_member(w.officer_x, w.resident_c)
    assert not permissions.can_change_record_of(w.officer_x, w.resident_c)
    assert permissions.can_change_record_of(w.officer_y, w.resident_c)


def test_sessions_are_seen_with_their_group_and_the_object_check_agrees(world):
    starts = timezone.now()
    sessions = {
        group: Session.objects.create(group=group, starts_at=starts, topic="VNeID")
        for group in (world.group_a, world.group_b, world.group_c)
    }
    for name, user in world.personas().items():
        user = user or AnonymousUser()
        visible = ids(attendance_permissions.sessions_visible_to(user))
        assert visible == {sessions[group].pk for group in permissions.groups_visible_to(user)}, name
        for session in sessions.values():
            assert attendance_permissions.can_view_session(user, session) == (session.pk in visible), name
    assert ids(attendance_permissions.sessions_visible_to(world.resident_a)) == {sessions[world.group_a].pk}
    assert ids(attendance_permissions.sessions_visible_to(world.officer_y)) == {sessions[world.group_c].pk}
