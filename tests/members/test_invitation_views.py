"""The leader's and the invited person's pages for invitations, without JavaScript."""

import pytest
from django.urls import reverse

from members.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = ["testserver"]


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
