import pytest
from django.core.cache import cache
from knox.models import AuthToken

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_for_a_phone_number_and_password_then_revoked(api):
    user = UserFactory(phone="+84912345678")
    client = api()
    response = client.post(
        "/api/v1/auth/token/", {"phone": "0912 345 678", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert response.json()["user"]["id"] == user.pk
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["full_name"] == user.full_name
    assert AuthToken.objects.filter(user=user).count() == 1
    assert token not in {t.digest for t in AuthToken.objects.all()}  # only a hash is kept
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_a_wrong_password_gets_the_one_error_format_in_vietnamese(api):
    UserFactory(phone="+84912345678")
    response = api().post("/api/v1/auth/token/", {"phone": "0912345678", "password": "sai"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_login" and "không đúng" in error["message"]


def test_an_english_client_gets_english_errors(api):
    response = api().get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("Sign in first")


def test_sign_in_is_throttled_per_account_and_address_not_per_address(api, settings):
    cache.clear()
    UserFactory(phone="+84912345678")
    client = api()
    for _ in range(10):
        client.post("/api/v1/auth/token/", {"phone": "0912345678", "password": "sai"}, format="json")
    blocked = client.post("/api/v1/auth/token/", {"phone": "0912345678", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429 and "Retry-After" in blocked
    # A neighbour behind the same carrier address signs in normally.
    UserFactory(phone="+84912345679")
    other = client.post("/api/v1/auth/token/", {"phone": "0912345679", "password": PASSWORD}, format="json")
    assert other.status_code == 201


def test_me_tells_roles_and_scope(api, world):
    data = api(world.officer_x).get("/api/v1/me/").json()
    assert (
        "commune_officer" in data["roles"]
        and data["communes"] == [world.commune_x.code]
        and not data["province"]
    )
    data = api(world.leader_a).get("/api/v1/me/").json()
    assert "group_leader" in data["roles"] and data["groups_led"] == [world.group_a.code]
    assert api(world.trainer).get("/api/v1/me/").json()["province"] is True
