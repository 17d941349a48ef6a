"""Adding someone who already has an account is an invitation, not a membership: the leader learns
nothing about the account, and the person joins only once they accept (in their own account, or by
reading a short code out to the leader). Lookups by number are limited and audited."""

import pytest

from members.models import Membership

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
    for secret in (person.full_name, person.phone[3:], person.village.name, "1980"):
        assert secret not in text
    assert not Membership.objects.filter(user=person, group=world.group_a).exists()
