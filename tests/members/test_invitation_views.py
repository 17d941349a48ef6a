"""The leader's and the invited person's pages for invitations, without JavaScript."""

import pytest
from django.urls import reverse

from members import invitation_codes, services
from members.models import AuditEvent, GroupInvitation, Membership, User
from members.models.invitations import MAX_CODE_FAILURES
from tests.factories import CommunityGroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def _assisted(world, phone, **extra):
    return {
        "full_name": "Vàng Thị Mỷ",
        "phone": phone,
        "village": world.group_a.village_id,
        "password": "Nam-2026-xa",
        "consent": "on",
        **extra,
    }


def test_an_existing_number_on_the_assisted_form_offers_an_invitation(client, world):
    """On the old code the form only said "An account with this mobile number already exists"."""
    client.force_login(world.leader_a)
    url = reverse("members:assisted_signup", args=[world.group_a.code])
    response = client.post(url, _assisted(world, "0" + world.resident_c.phone[3:]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mời vào tổ" in body
    assert world.resident_c.full_name not in body
    assert not Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()


def _national(user) -> str:
    return "0" + user.phone[3:]


def _invitation(world, person=None, group=None, by=None):
    return services.invitation_invite(
        group=group or world.group_a, person=person or world.resident_c, acting_user=by or world.leader_a
    )


def test_the_offer_says_nothing_about_the_account_and_keeps_what_was_typed(client, world):
    person = world.resident_c
    person.birth_year = 1971
    person.save(update_fields=["birth_year"])
    client.force_login(world.leader_a)
    url = reverse("members:assisted_signup", args=[world.group_a.code])
    body = client.post(url, _assisted(world, _national(person), full_name="Hà Văn Gõ")).content.decode()
    for secret in (person.full_name, person.village.name, "1971", world.group_c.name, world.commune_y.name):
        assert secret not in body
    assert "đã có tài khoản" in body and 'value="Hà Văn Gõ"' in body
    assert "Số điện thoại này đã có tài khoản" not in body  # the old dead end
    assert not GroupInvitation.objects.exists()
    event = AuditEvent.objects.get(action="member.lookup")
    assert event.actor == world.leader_a and event.changes["outcome"] == [None, "offered"]


def test_a_leader_invites_from_the_offer_and_the_group_page_lists_it(client, world):
    client.force_login(world.leader_a)
    response = client.post(
        reverse("members:assisted_invite", args=[world.group_a.code]), {"phone": _national(world.resident_c)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("attendance:group", args=[world.group_a.code]) + "#loi-moi"
    invitation = GroupInvitation.objects.get()
    assert (invitation.person, invitation.group, invitation.status) == (
        world.resident_c,
        world.group_a,
        "pending",
    )
    body = client.get(response["Location"]).content.decode()
    assert "Đã gửi lời mời" in body and invitation.phone_hint in body
    assert "Nhập mã" in body and "Hủy lời mời" in body
    assert reverse("attendance:invitation_enter_code", args=[world.group_a.code, invitation.pk]) in body
    assert world.resident_c.full_name not in body
    assert invitation_codes.display(invitation) not in body  # the code is the person's, never the leader's
    assert not Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()


def test_the_leader_types_the_code_and_the_person_joins(client, world):
    invitation = _invitation(world)
    client.force_login(world.leader_a)
    url = reverse("attendance:invitation_enter_code", args=[world.group_a.code, invitation.pk])
    response = client.post(url, {"code": invitation_codes.display(invitation).lower()}, follow=True)
    body = response.content.decode()
    assert "Mã đúng: người này đã vào tổ." in body
    assert world.resident_c.full_name in body  # now a member, on the roster
    assert Membership.objects.filter(user=world.resident_c, group=world.group_a, left_on=None).exists()


def test_a_wrong_code_is_explained_next_to_the_invitation_and_kept(client, world):
    invitation = _invitation(world)
    client.force_login(world.leader_a)
    url = reverse("attendance:invitation_enter_code", args=[world.group_a.code, invitation.pk])
    response = client.post(url, {"code": "XXX-XXX"})
    body = response.content.decode()
    assert response.status_code == 400
    assert f"còn {MAX_CODE_FAILURES - 1} lần thử" in body and 'value="XXX-XXX"' in body
    for _ in range(MAX_CODE_FAILURES - 1):
        response = client.post(url, {"code": "XXX-XXX"})
    body = response.content.decode()
    assert "Nhập sai mã quá nhiều lần" in body and 'name="code"' not in body
    assert not Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()


def test_the_leader_cancels_an_invitation(client, world):
    invitation = _invitation(world)
    client.force_login(world.deputy_a)
    response = client.post(
        reverse("attendance:invitation_cancel", args=[world.group_a.code, invitation.pk]), follow=True
    )
    body = response.content.decode()
    assert f"Đã hủy lời mời gửi số {invitation.phone_hint}." in body and "Nhập mã" not in body
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"


@pytest.mark.parametrize("persona", ["leader_b", "officer_y", "resident"])
def test_those_who_do_not_manage_the_group_can_do_none_of_it(client, world, persona):
    invitation = _invitation(world)
    client.force_login(world.personas()[persona])
    code = invitation_codes.display(invitation)
    group = world.group_a.code
    assert (
        client.post(reverse("members:assisted_invite", args=[group]), {"phone": "0865111222"}).status_code
        == 403
    )
    url = reverse("attendance:invitation_enter_code", args=[group, invitation.pk])
    assert client.post(url, {"code": code}).status_code == 403
    assert (
        client.post(reverse("attendance:invitation_cancel", args=[group, invitation.pk])).status_code == 403
    )
    invitation.refresh_from_db()
    assert invitation.status == "pending" and invitation.code_failures == 0


def test_an_invitation_of_another_group_is_not_found_through_this_one(client, world):
    invitation = _invitation(world, group=world.group_b, by=world.leader_b)
    client.force_login(world.officer_x)  # manages both A and B
    url = reverse("attendance:invitation_enter_code", args=[world.group_a.code, invitation.pk])
    assert client.post(url, {"code": invitation_codes.display(invitation)}).status_code == 404


@pytest.mark.parametrize("page", ["/", "/hoc-cua-toi/"])
def test_the_invited_person_sees_the_card_with_their_code(client, world, page):
    invitation = _invitation(world)
    client.force_login(world.resident_c)
    body = client.get(page).content.decode()
    assert "Lời mời vào tổ" in body and world.group_a.name in body
    assert world.group_a.village.name in body and world.commune_x.display_name in body
    assert f"{world.leader_a.full_name} mời bạn vào tổ này" in body
    assert "Đọc mã này cho tổ trưởng" in body or "hãy đọc mã này cho tổ trưởng" in body
    assert invitation_codes.display(invitation) in body
    assert reverse("members:invitation_accept", args=[invitation.pk]) in body
    assert reverse("members:invitation_decline", args=[invitation.pk]) in body
    assert body.count('name="csrfmiddlewaretoken"') >= 3  # both answers, and signing out
    # Nobody else sees it.
    client.force_login(world.resident_a)
    assert "Lời mời vào tổ" not in client.get(page).content.decode()


def test_the_invited_person_accepts_and_lands_back_where_they_were(client, world):
    invitation = _invitation(world)
    client.force_login(world.resident_c)
    response = client.post(reverse("members:invitation_accept", args=[invitation.pk]), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Membership.objects.filter(user=world.resident_c, group=world.group_a, left_on=None).exists()
    body = client.get("/").content.decode()
    assert f"Chào mừng bạn đến với {world.group_a.name}!" in body and "Lời mời vào tổ" not in body


def test_the_invited_person_declines(client, world):
    invitation = _invitation(world)
    client.force_login(world.resident_c)
    client.post(reverse("members:invitation_decline", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Membership.objects.filter(user=world.resident_c, group=world.group_a).exists()


def test_someone_else_cannot_answer_by_address(client, world):
    invitation = _invitation(world)
    for someone in (world.leader_a, world.resident_a, world.trainer):
        client.force_login(someone)
        for name in ("invitation_accept", "invitation_decline", "invitation_new_code"):
            assert client.post(reverse(f"members:{name}", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_after_too_many_wrong_codes_the_person_gets_a_new_one(client, world):
    invitation = _invitation(world)
    GroupInvitation.objects.filter(pk=invitation.pk).update(code_failures=MAX_CODE_FAILURES)
    old = invitation_codes.display(invitation)
    client.force_login(world.resident_c)
    body = client.get("/hoc-cua-toi/").content.decode()
    assert "Lấy mã mới" in body and old not in body
    response = client.post(reverse("members:invitation_new_code", args=[invitation.pk]), follow=True)
    invitation.refresh_from_db()
    new = invitation_codes.display(invitation)
    assert new != old and new in response.content.decode()


def test_lookups_on_the_assisted_form_are_limited_with_a_clear_429(client, world, rate_limit):
    rate_limit("number_lookup", 1)
    client.force_login(world.leader_a)
    url = reverse("members:assisted_signup", args=[world.group_a.code])
    client.post(url, _assisted(world, _national(world.resident_c)))
    response = client.post(url, _assisted(world, "0865 111 222", full_name="Lò Thị Nhớ"))
    body = response.content.decode()
    assert response.status_code == 429
    assert "Vui lòng chờ một giờ rồi thử lại." in body and 'value="Lò Thị Nhớ"' in body
    assert not User.objects.filter(phone="+84865111222").exists()
    assert AuditEvent.objects.filter(action="member.lookup").count() == 1


def test_the_public_sign_up_is_limited_per_address_and_still_says_when_a_number_is_taken(client, rate_limit):
    rate_limit("number_lookup_address", 2)
    taken = UserFactory(phone="+84865000999")
    data = {
        "full_name": "Lý Thị Mai",
        "phone": "0865 000 999",
        "password": "Ca0Bang-2026",
        "commune": taken.village.commune_id,
        "consent": "on",
    }
    response = client.post(reverse("members:signup"), data)
    assert response.status_code == 200 and "Số điện thoại này đã có tài khoản." in response.content.decode()
    client.post(reverse("members:signup"), data)
    response = client.post(reverse("members:signup"), data | {"phone": "0865 000 998"})
    assert response.status_code == 429 and "Vui lòng chờ vài phút" in response.content.decode()
    assert not User.objects.filter(phone="+84865000998").exists()
    # Another address is counted apart.
    response = client.post(
        reverse("members:signup"), data | {"phone": "0865 000 998"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302


@pytest.mark.parametrize("count", [1, 8])
def test_the_pages_cost_the_same_whatever_the_number_of_invitations(
    client, world, count, django_assert_num_queries
):
    person = world.loner
    for group in [world.group_a, *(CommunityGroupFactory() for _ in range(count - 1))]:
        _invitation(world, person=person, group=group, by=world.officer_x)
    for someone in UserFactory.create_batch(count - 1):
        _invitation(world, person=someone)
    client.force_login(world.leader_a)
    group_page = reverse("attendance:group", args=[world.group_a.code])
    client.get(group_page)
    with django_assert_num_queries(QUERIES["group page"]):
        body = client.get(group_page).content.decode()
    assert body.count("Hủy lời mời</button>") == count
    client.force_login(person)
    for page in ("/", "/hoc-cua-toi/"):
        client.get(page)
        with django_assert_num_queries(QUERIES[page]):
            body = client.get(page).content.decode()
        assert body.count("Lời mời vào tổ</h2>") == count


# Exact queries once warm, whatever the number of invitations: one of them reads the invitations (with
# their groups, communes, villages and inviters on the person's pages); the group page also reads
# whom the leader may give a password reset code (one query). The person's pages also read the site's
# view restrictions (one query, never from a cache: page privacy, issue 14).
QUERIES = {"group page": 8, "/": 10, "/hoc-cua-toi/": 8}


@pytest.mark.parametrize(
    ("phone", "status", "message"),
    [
        ("12345", 400, "không phải số điện thoại di động"),
        ("resident_a", 400, "Người này đã là thành viên của tổ."),
        ("0865 111 222", 200, "Số này chưa có tài khoản: hãy đăng ký cho người này ở dưới."),
    ],
)
def test_inviting_a_number_that_cannot_be_invited_says_why(client, world, phone, status, message):
    if phone == "resident_a":
        phone = _national(world.resident_a)
    client.force_login(world.leader_a)
    response = client.post(reverse("members:assisted_invite", args=[world.group_a.code]), {"phone": phone})
    body = response.content.decode()
    assert response.status_code == status and message in body
    assert f'value="{phone}"' in body  # kept in the form
    assert not GroupInvitation.objects.exists()


def test_inviting_is_limited_like_any_lookup(client, world, rate_limit):
    rate_limit("number_lookup", 1)
    client.force_login(world.leader_a)
    url = reverse("members:assisted_invite", args=[world.group_a.code])
    assert client.post(url, {"phone": _national(world.resident_c)}).status_code == 302
    response = client.post(url, {"phone": _national(world.resident_b)})
    assert response.status_code == 429 and "Vui lòng chờ một giờ rồi thử lại." in response.content.decode()
    assert GroupInvitation.objects.count() == 1
