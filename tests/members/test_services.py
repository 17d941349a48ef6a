import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members import roles, services
from members.models import AuditEvent, Membership, StaffScope, User
from tests.factories import CommunityGroupFactory, MembershipFactory, UserFactory, VillageFactory, commune

pytestmark = pytest.mark.django_db


def test_user_create_normalises_the_phone_and_records_consent():
    user = services.user_create(
        phone="0912 345 678", full_name="  Hoàng   Thị  Hoa ", password="mat-khau-dai", consent=True
    )
    assert user.phone == "+84912345678"
    assert user.full_name == "Hoàng Thị Hoa"
    assert user.consent_at is not None and user.consent_recorded_by is None
    assert user.check_password("mat-khau-dai")
    assert AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).exists()


def test_without_consent_nothing_is_stored():
    with pytest.raises(ValidationError) as caught:
        services.user_create(phone="0912345678", full_name="A", password="x" * 10, consent=False)
    assert "consent" in caught.value.message_dict
    assert not User.objects.exists()


def test_a_leader_signing_up_a_neighbour_is_recorded_as_witness():
    leader = UserFactory()
    neighbour = services.user_create(
        phone="0865123456", full_name="Vàng Thị Mỷ", password=None, consent=True, acting_user=leader
    )
    assert neighbour.consent_recorded_by == leader
    assert not neighbour.has_usable_password()
    event = AuditEvent.objects.get(action="user.create", target_id=str(neighbour.pk))
    assert event.actor == leader


def test_a_second_account_for_the_same_number_is_refused_in_vietnamese():
    UserFactory(phone="+84912345678")
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        services.user_create(phone="84912345678", full_name="B", password="x" * 10, consent=True)
    assert "đã có tài khoản" in caught.value.message_dict["phone"][0]


def test_membership_add_refuses_a_second_active_membership_with_a_message():
    membership = MembershipFactory()
    with pytest.raises(ValidationError):
        services.membership_add(group=membership.group, user=membership.user)
    assert Membership.objects.count() == 1


def test_membership_end_keeps_the_row_and_allows_rejoining():
    membership = MembershipFactory()
    services.membership_end(membership=membership)
    with pytest.raises(ValidationError):
        services.membership_end(membership=membership)
    again = services.membership_add(group=membership.group, user=membership.user)
    assert Membership.objects.filter(user=membership.user).count() == 2
    assert again.is_active


def test_a_group_gets_a_second_leader_only_after_the_first_steps_down():
    group = CommunityGroupFactory()
    first = services.membership_add(group=group, user=UserFactory(), role=Membership.Role.LEADER)
    with pytest.raises(ValidationError):
        services.membership_add(group=group, user=UserFactory(), role=Membership.Role.LEADER)
    services.membership_change_role(membership=first, role=Membership.Role.MEMBER)
    services.membership_add(group=group, user=UserFactory(), role=Membership.Role.LEADER)


def test_granting_a_scope_gives_the_admin_group_and_revoking_takes_it_back():
    user = UserFactory()
    scope = services.staff_scope_grant(user=user, role=StaffScope.Role.COMMUNE_OFFICER, commune=commune())
    assert (
        services.staff_scope_grant(user=user, role=StaffScope.Role.COMMUNE_OFFICER, commune=commune())
        == scope
    )
    assert list(user.groups.all()) == [roles.group_for(StaffScope.Role.COMMUNE_OFFICER)]
    assert user.has_perm("wagtailadmin.access_admin")
    services.staff_scope_revoke(scope=scope)
    user = User.objects.get(pk=user.pk)
    assert not user.groups.exists()
    assert not user.has_perm("wagtailadmin.access_admin")
    assert AuditEvent.objects.filter(action__startswith="staff_scope.").count() == 2


def test_an_officer_without_a_commune_is_refused():
    with pytest.raises(ValidationError):
        services.staff_scope_grant(user=UserFactory(), role=StaffScope.Role.COMMUNE_OFFICER)


def test_a_trainer_joins_the_trainers_group():
    user = UserFactory()
    services.staff_scope_grant(user=user, role=StaffScope.Role.PROVINCIAL_TRAINER)
    assert user.groups.get() == roles.group_for(StaffScope.Role.PROVINCIAL_TRAINER)


def test_group_create_validates_the_village_commune():
    with pytest.raises(ValidationError):
        services.group_create(
            code="X-1", name="Tổ", commune=commune("01273"), village=VillageFactory(commune=commune("01477"))
        )


def test_a_staff_group_is_found_by_its_role_whatever_its_name(db):
    group = roles.group_for(StaffScope.Role.COMMUNE_OFFICER)
    group.name = "Cán bộ văn hóa - xã hội"  # an administrator renames it in Settings → Groups
    group.save()
    user = UserFactory()
    services.staff_scope_grant(user=user, role=StaffScope.Role.COMMUNE_OFFICER, commune=commune())
    assert list(user.groups.all()) == [group]
    assert roles.disagreements() == []


def test_groups_and_scopes_that_disagree_are_reported(db):
    from django.core.management import call_command

    officer_group = roles.group_for(StaffScope.Role.COMMUNE_OFFICER)
    stray = UserFactory()
    stray.groups.add(officer_group)  # in the group by hand, without a scope
    scoped = UserFactory()
    services.staff_scope_grant(user=scoped, role=StaffScope.Role.PROVINCIAL_TRAINER)
    scoped.groups.clear()  # the scope without its group
    assert {(person, role) for person, role, _problem in roles.disagreements()} == {
        (stray, StaffScope.Role.COMMUNE_OFFICER),
        (scoped, StaffScope.Role.PROVINCIAL_TRAINER),
    }
    from django.core.management.base import SystemCheckError

    with pytest.raises(SystemCheckError, match=r"members\.W001"):
        call_command("check", "--database", "default", "--fail-level", "WARNING")


def test_an_audit_action_is_one_of_the_typed_choices(db):
    from members.models import AuditEvent

    person = UserFactory()
    event = services.audit_record(actor=None, action=AuditEvent.Action.USER_VILLAGE, target=person)
    assert event.get_action_display() == "đổi thôn"
    with pytest.raises(ValueError):
        services.audit_record(actor=None, action="user.renamed_by_a_typo", target=person)
