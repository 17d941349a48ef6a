import datetime

import pytest
from django.db import IntegrityError, transaction

from members.models import Commune, Membership, StaffScope, User, Village
from tests.factories import CommunityGroupFactory, MembershipFactory, UserFactory, VillageFactory, commune

pytestmark = pytest.mark.django_db


def test_the_56_communes_are_loaded_by_migration():
    assert Commune.objects.count() == 56
    assert Commune.objects.filter(kind=Commune.Kind.WARD).count() == 3
    assert str(Commune.objects.get(code="01477")) in {"Xã Trùng Khánh", "Trùng Khánh Commune"}


def test_a_phone_number_belongs_to_one_person():
    UserFactory(phone="+84912345678")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(phone="+84912345678")


def test_the_database_refuses_a_phone_that_is_not_vietnamese_e164():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(phone="0912345678", full_name="X")])


def test_one_active_membership_per_person_and_group():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, group=membership.group)


def test_a_person_may_rejoin_a_group_they_left():
    membership = MembershipFactory(joined_on=datetime.date(2025, 5, 1))
    membership.left_on = datetime.date(2025, 9, 1)
    membership.save()
    again = Membership.objects.create(user=membership.user, group=membership.group)
    assert again.is_active and not Membership.objects.get(pk=membership.pk).is_active


def test_one_active_leader_per_group():
    leader = MembershipFactory(role=Membership.Role.LEADER)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(group=leader.group, role=Membership.Role.LEADER)
    MembershipFactory(group=leader.group, role=Membership.Role.DEPUTY)


def test_a_member_cannot_leave_before_joining():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(joined_on=datetime.date(2025, 6, 1), left_on=datetime.date(2025, 5, 1))


def test_village_names_are_unique_within_a_commune_only():
    VillageFactory(commune=commune("01477"), name="Bản Giốc")
    VillageFactory(commune=commune("01273"), name="Bản Giốc")
    with pytest.raises(IntegrityError), transaction.atomic():
        Village.objects.create(commune=commune("01477"), name="Bản Giốc")


def test_a_commune_code_has_five_digits():
    with pytest.raises(IntegrityError), transaction.atomic():
        Commune.objects.create(code="1477", name="Sai mã", kind="commune")


@pytest.mark.parametrize(
    ("role", "with_commune"),
    [(StaffScope.Role.COMMUNE_OFFICER, False), (StaffScope.Role.PROVINCIAL_TRAINER, True)],
)
def test_a_staff_scope_territory_matches_its_role(role, with_commune):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffScope.objects.create(user=user, role=role, commune=commune() if with_commune else None)


def test_a_staff_scope_is_not_granted_twice():
    user = UserFactory()
    StaffScope.objects.create(user=user, role=StaffScope.Role.PROVINCIAL_TRAINER)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffScope.objects.create(user=user, role=StaffScope.Role.PROVINCIAL_TRAINER)


def test_a_group_village_must_lie_in_the_group_commune():
    from django.core.exceptions import ValidationError

    group = CommunityGroupFactory.build(
        commune=commune("01273"), village=VillageFactory(commune=commune("01477"))
    )
    with pytest.raises(ValidationError) as caught:
        group.full_clean()
    assert "village" in caught.value.message_dict


def test_the_short_name_is_the_given_name():
    assert UserFactory.build(full_name="Nông Thị Hồng Nhung").get_short_name() == "Nhung"
