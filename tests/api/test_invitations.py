"""Adding someone who already has an account is an invitation, not a membership: the leader learns
nothing about the account, and the person joins only once they accept (in their own account, or by
reading a short code out to the leader). Lookups by number are limited and audited."""

import json
import re

import pytest

from members import invitation_codes, services
from members.models import AuditEvent, GroupInvitation, Membership, User
from members.models.invitations import MAX_CODE_FAILURES
from tests.factories import CommunityGroupFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAL = {"full_name", "person", "name", "village", "birth_year", "commune", "phone", "groups"}


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for child in value.values() for key in _keys(child)}
    if isinstance(value, list):
        return {key for child in value for key in _keys(child)}
    return set()


def test_adding_an_existing_number_invites_and_reveals_nothing(api, world):
    """On the old code the leader got resident_c (another commune) into their group at once, with
    name, number, village and birth year in the reply."""
    person = world.resident_c
    person.birth_year = 1980
    person.save(update_fields=["birth_year"])
    response = api(world.leader_a).post(
        f"/api/v1/groups/{world.group_a.code}/memberships/",
        {"phone": "0" + person.phone[3:], "role": "member"},
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"invitation"}
    assert set(body["invitation"]) == {"id", "status", "expires_at"}
    assert body["invitation"]["status"] == "pending"
    assert not _keys(body) & PERSONAL
    text = response.content.decode()
    for secret in (person.full_name, person.phone[3:], person.village.name):
        assert secret not in text
    # The birth year as a number of its own (a timestamp's fraction of a second may hold "1980").
    assert not re.search(r"(?<!\d)1980(?!\d)", text)
    assert not Membership.objects.filter(user=person, group=world.group_a).exists()


def _add(client, group, phone, **extra):
    return client.post(
        f"/api/v1/groups/{group.code}/memberships/",
        {"phone": phone, "role": "member", **extra},
        format="json",
    )


def _national(user) -> str:
    return "0" + user.phone[3:]


def test_the_reply_is_the_same_whoever_is_behind_the_number(api, world):
    """In another group or in none, in this commune or another: the same answer, field for field."""
    client = api(world.leader_a)
    replies = [_add(client, world.group_a, _national(person)) for person in (world.loner, world.resident_c)]
    assert [r.status_code for r in replies] == [202, 202]
    shapes = [{k: type(v).__name__ for k, v in r.json()["invitation"].items()} for r in replies]
    assert shapes[0] == shapes[1]
    assert {r.json()["invitation"]["status"] for r in replies} == {"pending"}


def test_adding_the_same_number_again_returns_the_pending_invitation(api, world):
    client = api(world.leader_a)
    first = _add(client, world.group_a, _national(world.loner)).json()["invitation"]
    again = _add(api(world.officer_x), world.group_a, world.loner.phone).json()["invitation"]
    assert again == first and GroupInvitation.objects.count() == 1


def test_a_new_number_is_still_signed_up_at_once_with_consent(api, world):
    client = api(world.leader_a)
    refused = _add(client, world.group_a, "0865 432 100", full_name="Lò Văn Mới", password="Nam-2026-xa")
    assert refused.status_code == 400 and "consent" in refused.json()["error"]["fields"]
    response = _add(
        client, world.group_a, "0865 432 100", full_name="Lò Văn Mới", password="Nam-2026-xa", consent=True
    )
    assert response.status_code == 201, response.content
    person = User.objects.get(phone="+84865432100")
    assert Membership.objects.filter(user=person, group=world.group_a).exists()
    assert person.consent_recorded_by == world.leader_a


def test_a_current_member_is_said_to_be_one(api, world):
    response = _add(api(world.leader_a), world.group_a, _national(world.resident_a))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["phone"] == ["Người này đã là thành viên của tổ."]


def test_a_bad_number_is_refused_on_its_field_and_not_counted(api, world, rate_limit):
    rate_limit("number_lookup", 1)
    client = api(world.leader_a)
    for _ in range(3):
        response = _add(client, world.group_a, "12345")
        assert response.status_code == 400 and "phone" in response.json()["error"]["fields"]
    assert _add(client, world.group_a, _national(world.loner)).status_code == 202
    assert not AuditEvent.objects.filter(action="member.lookup").exclude(changes__outcome=[None, "invited"])


def test_each_lookup_is_audited_without_the_number(api, world):
    client = api(world.leader_a)
    _add(client, world.group_a, _national(world.loner))
    _add(client, world.group_a, "0865 432 100", full_name="Lò Văn Mới", password="Nam-2026-xa", consent=True)
    events = AuditEvent.objects.filter(action="member.lookup").order_by("pk")
    assert [(e.actor, e.changes["outcome"][1], e.changes["group"][1]) for e in events] == [
        (world.leader_a, "invited", world.group_a.code),
        (world.leader_a, "new", world.group_a.code),
    ]
    for event, digits in zip(events, (world.loner.phone[3:], "865432100"), strict=True):
        assert digits not in json.dumps(event.changes)


def test_lookups_are_limited_per_caller_with_a_clear_429(api, world, rate_limit):
    rate_limit("number_lookup", 2)
    client = api(world.leader_a)
    assert _add(client, world.group_a, _national(world.loner)).status_code == 202
    assert _add(client, world.group_a, _national(world.resident_c)).status_code == 202
    refused = _add(client, world.group_a, _national(world.resident_b))
    assert refused.status_code == 429
    assert refused.json()["error"]["message"] == (
        "Bạn đã kiểm tra nhiều số điện thoại trong thời gian ngắn. Vui lòng chờ một giờ rồi thử lại."
    )
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert not GroupInvitation.objects.filter(person=world.resident_b).exists()
    assert AuditEvent.objects.filter(action="member.lookup").count() == 2
    # Another leader is counted on their own.
    assert _add(api(world.leader_b), world.group_b, _national(world.resident_c)).status_code == 202


def test_the_leader_lists_invitations_masked_and_the_person_sees_theirs(api, world):
    leader = api(world.leader_a)
    invitation_id = _add(leader, world.group_a, _national(world.resident_c)).json()["invitation"]["id"]
    (row,) = leader.get(f"/api/v1/groups/{world.group_a.code}/invitations/").json()
    phone = world.resident_c.phone
    assert row["id"] == invitation_id and row["phone"] == f"0{phone[3:6]} *** {phone[-3:]}"
    assert row["status"] == "pending" and row["invited_by"] == world.leader_a.full_name
    assert "code" not in row and world.resident_c.full_name not in json.dumps(row)

    mine = api(world.resident_c).get("/api/v1/me/invitations/").json()["results"]
    (card,) = mine
    invitation = GroupInvitation.objects.get(pk=invitation_id)
    assert card["group_name"] == world.group_a.name and card["commune"] == world.commune_x.display_name
    assert card["village"] == world.group_a.village.name and card["invited_by"] == world.leader_a.full_name
    assert card["code"] == invitation_codes.display(invitation)


def test_the_person_accepts_and_then_appears_on_the_roster(api, world):
    leader = api(world.leader_a)
    invitation_id = _add(leader, world.group_a, _national(world.resident_c)).json()["invitation"]["id"]
    roster = leader.get(f"/api/v1/groups/{world.group_a.code}/memberships/").json()
    assert world.resident_c.pk not in {m["person"]["id"] for m in roster}
    response = api(world.resident_c).post(f"/api/v1/me/invitations/{invitation_id}/accept/")
    assert response.status_code == 200 and response.json()["group"] == world.group_a.code
    roster = leader.get(f"/api/v1/groups/{world.group_a.code}/memberships/").json()
    assert world.resident_c.pk in {m["person"]["id"] for m in roster}
    again = api(world.resident_c).post(f"/api/v1/me/invitations/{invitation_id}/accept/")
    assert again.status_code == 400 and again.json()["error"]["message"] == "Lời mời này đã được chấp nhận."
    assert api(world.resident_c).get("/api/v1/me/invitations/").json()["results"] == []


def test_wrong_codes_are_counted_then_the_invitation_needs_a_new_code(api, world):
    leader, person = api(world.leader_a), api(world.resident_c)
    invitation_id = _add(leader, world.group_a, _national(world.resident_c)).json()["invitation"]["id"]
    url = f"/api/v1/groups/{world.group_a.code}/invitations/{invitation_id}/accept-code/"
    invitation = GroupInvitation.objects.get(pk=invitation_id)
    right = invitation_codes.display(invitation)
    for _ in range(MAX_CODE_FAILURES):
        response = leader.post(url, {"code": "XXX-XXX"}, format="json")
        assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Nhập sai mã quá nhiều lần.")
    assert leader.post(url, {"code": right}, format="json").status_code == 400
    (row,) = leader.get(f"/api/v1/groups/{world.group_a.code}/invitations/").json()
    assert row["code_locked"] is True
    (card,) = person.get("/api/v1/me/invitations/").json()["results"]
    assert card["code"] is None and card["code_locked"] is True
    renewed = person.post(f"/api/v1/me/invitations/{invitation_id}/new-code/").json()
    assert renewed["code"] not in (None, right) and renewed["code_locked"] is False
    response = leader.post(url, {"code": renewed["code"].lower().replace("-", " ")}, format="json")
    assert response.status_code == 200 and response.json()["group"] == world.group_a.code
    assert Membership.objects.filter(user=world.resident_c, group=world.group_a, left_on=None).exists()


def test_codes_typed_are_limited_per_caller(api, world, rate_limit):
    rate_limit("invitation_code", 2)
    leader = api(world.leader_a)
    invitation_id = _add(leader, world.group_a, _national(world.resident_c)).json()["invitation"]["id"]
    url = f"/api/v1/groups/{world.group_a.code}/invitations/{invitation_id}/accept-code/"
    assert [leader.post(url, {"code": "XXXXXX"}, format="json").status_code for _ in range(3)] == [
        400,
        400,
        429,
    ]
    assert GroupInvitation.objects.get(pk=invitation_id).code_failures == 2


def test_a_cancelled_invitation_cannot_be_accepted(api, world):
    leader = api(world.leader_a)
    invitation_id = _add(leader, world.group_a, _national(world.resident_c)).json()["invitation"]["id"]
    cancelled = leader.post(f"/api/v1/groups/{world.group_a.code}/invitations/{invitation_id}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    response = api(world.resident_c).post(f"/api/v1/me/invitations/{invitation_id}/accept/")
    assert response.status_code == 400 and response.json()["error"]["message"] == "Lời mời này đã bị hủy."


@pytest.mark.parametrize("count", [1, 12])
def test_the_invitation_lists_cost_the_same_whatever_their_length(
    api, world, count, django_assert_num_queries
):
    """Leader's list: 2 authentication + 2 scope + the group + its invitations. The person's own list:
    2 authentication + the invitations with their groups, communes, villages and inviters."""
    person = world.loner
    groups = [world.group_a] + [CommunityGroupFactory() for _ in range(count - 1)]
    for group in groups:
        services.invitation_invite(group=group, person=person, acting_user=world.officer_x)
    for someone in UserFactory.create_batch(count - 1):
        services.invitation_invite(group=world.group_a, person=someone, acting_user=world.leader_a)
    leader, mine = api(world.leader_a), api(person)
    leader.get("/api/v1/me/")
    mine.get("/api/v1/me/")
    with django_assert_num_queries(6):
        rows = leader.get(f"/api/v1/groups/{world.group_a.code}/invitations/").json()
    with django_assert_num_queries(3):
        cards = mine.get("/api/v1/me/invitations/").json()["results"]
    assert len(rows) == len(cards) == count
