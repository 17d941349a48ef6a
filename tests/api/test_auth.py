import pytest
from django.core.cache import cache
from knox.models import AuthToken

from members.services import passwords
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


# A way back from a forgotten password ------------------------------------------------------------


def _reset(client, phone, code, password="mat-khau-moi-2026", **extra):
    body = {"phone": phone, "code": code, "new_password": password}
    return client.post("/api/v1/auth/password-reset/", body, format="json", **extra)


def test_a_leader_gets_a_code_for_a_member_and_the_member_sets_a_new_password(api, world):
    response = api(world.leader_a).post(f"/api/v1/members/{world.resident_a.pk}/reset-code/")
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["person"] == world.resident_a.pk and len(data["code"]) == 6
    AuthToken.objects.create(user=world.resident_a)
    assert _reset(api(), world.resident_a.phone_display, data["code"]).status_code == 204
    assert not AuthToken.objects.filter(user=world.resident_a).exists()
    signed_in = api().post(
        "/api/v1/auth/token/",
        {"phone": world.resident_a.phone, "password": "mat-khau-moi-2026"},
        format="json",
    )
    assert signed_in.status_code == 201


def test_a_wrong_code_and_an_unknown_number_get_the_same_error(api, world):
    issued = passwords.reset_code_issue(person=world.resident_a, acting_user=world.leader_a)
    wrong = str((int(issued.code) + 1) % 1_000_000).zfill(6)
    first = _reset(api(), world.resident_a.phone, wrong).json()["error"]
    second = _reset(api(), "0987 654 321", issued.code).json()["error"]
    assert first == second and first["status"] == 400 and "Mã không đúng" in first["message"]
    weak = _reset(api(), world.resident_a.phone, issued.code, "12345678").json()["error"]
    assert list(weak["fields"]) == ["new_password"]


def test_redeeming_through_the_api_is_limited_too(api, world):
    for _ in range(10):
        _reset(api(), world.resident_a.phone, "000000")
    limited = _reset(api(), world.resident_a.phone, "000000", REMOTE_ADDR="10.7.0.1")
    assert limited.status_code == 429 and limited["Retry-After"] == "900"
    assert limited.json()["error"]["code"] == "throttled"


def test_nobody_gets_a_code_for_someone_with_more_rights(api, world):
    assert api(world.leader_a).post(f"/api/v1/members/{world.deputy_a.pk}/reset-code/").status_code == 403
    assert api(world.officer_x).post(f"/api/v1/members/{world.officer_x.pk}/reset-code/").status_code == 403
    assert api(world.trainer).post(f"/api/v1/members/{world.officer_y.pk}/reset-code/").status_code == 403
    assert api(world.admin).post(f"/api/v1/members/{world.officer_y.pk}/reset-code/").status_code == 201
