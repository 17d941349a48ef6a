"""Sign-in resists guessing on every surface: the site, Wagtail's admin, the Django admin and the API.

Failures are counted per account and address (django-axes, members/lockout.py). The address is the
one ``members.throttling.client_address`` gives: with no trusted proxy, X-Forwarded-For is ignored,
so a client that rotates it gains nothing.
"""

import datetime
import itertools
import json
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from knox.models import AuthToken

from tests.factories import PASSWORD, UserFactory, admin

pytestmark = pytest.mark.django_db

PHONE = "+84912345678"


def _form(path):
    def send(client, phone, password, **extra):
        return client.post(path, {"username": phone, "password": password}, **extra)

    return send


def _api(client, phone, password, **extra):
    body = json.dumps({"phone": phone, "password": password})
    return client.post("/api/v1/auth/token/", body, content_type="application/json", **extra)


SURFACES = {
    "site": _form("/dang-nhap/"),
    "wagtail": _form("/admin/login/"),
    "django_admin": _form("/django-admin/login/?next=/django-admin/"),
    "api": _api,
}


def signed_in(client, response, user) -> bool:
    """Whether the request signed ``user`` in: a session for the pages, a token for the API."""
    if response.status_code == 201:
        return AuthToken.objects.filter(user=user).exists()
    return client.session.get(SESSION_KEY) == str(user.pk)


def _forged_addresses():
    return (f"203.0.113.{n % 250}" for n in itertools.count(1))


@pytest.fixture
def person():
    # An administrator can sign in on all four surfaces.
    return admin(phone=PHONE)


@pytest.mark.parametrize("surface", SURFACES)
def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(surface, person):
    send, client, forged = SURFACES[surface], Client(), _forged_addresses()
    for _ in range(30):
        send(client, "0912 345 678", "doan-mo-123", HTTP_X_FORWARDED_FOR=next(forged))
    response = send(client, "0912 345 678", PASSWORD, HTTP_X_FORWARDED_FOR=next(forged))
    assert not signed_in(client, response, person)
    assert response.status_code == 429


def _fail(send, client, times, phone="0912345678", **extra):
    for _ in range(times):
        send(client, phone, "doan-mo-123", **extra)


def _make_old(minutes):
    """Move every recorded failure ``minutes`` into the past (instead of waiting)."""
    past = datetime.timedelta(minutes=minutes)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - past)


@pytest.mark.parametrize("surface", SURFACES)
def test_another_address_is_not_locked(surface, person):
    send = SURFACES[surface]
    _fail(send, Client(), 30, REMOTE_ADDR="10.0.0.1")
    client = Client()
    response = send(client, "0912345678", PASSWORD, REMOTE_ADDR="10.0.0.2")
    assert signed_in(client, response, person)


@pytest.mark.parametrize("surface", SURFACES)
def test_another_account_behind_the_same_address_is_not_locked(surface, person):
    send = SURFACES[surface]
    _fail(send, Client(), 30)
    neighbour = admin(phone="+84912345679")
    client = Client()
    assert signed_in(client, send(client, "0912 345 679", PASSWORD), neighbour)


@pytest.mark.parametrize("surface", SURFACES)
def test_after_the_cool_off_sign_in_works_again(surface, person, settings):
    send, client = SURFACES[surface], Client()
    _fail(send, client, 5)
    assert send(client, "0912345678", PASSWORD).status_code == 429
    _make_old(settings.AXES_COOLOFF_TIME.total_seconds() / 60 - 1)
    assert send(client, "0912345678", PASSWORD).status_code == 429, "still within the cool-off"
    _make_old(2)
    assert signed_in(client, send(client, "0912345678", PASSWORD), person)


def test_failures_made_while_locked_do_not_prolong_the_lock(person, settings):
    send, client = SURFACES["site"], Client()
    _fail(send, client, 5)
    _make_old(10)
    _fail(send, client, 20)  # refused without being counted
    _make_old(6)
    assert signed_in(client, send(client, "0912345678", PASSWORD), person)


def test_the_number_written_another_way_is_the_same_account(person):
    send, client = SURFACES["site"], Client()
    for written in ("0912345678", "+84912345678", "84912345678", "0912 345 678", "0912.345.678"):
        send(client, written, "doan-mo-123")
    assert AccessAttempt.objects.get().username == PHONE
    response = send(client, "+84 912 345 678", PASSWORD)
    assert response.status_code == 429 and not signed_in(client, response, person)


def test_a_success_forgets_the_failures_of_its_address(person):
    send, client = SURFACES["site"], Client()
    _fail(send, client, 4)
    assert signed_in(client, send(client, "0912345678", PASSWORD), person)
    client.logout()
    _fail(send, client, 4)
    assert signed_in(client, send(client, "0912345678", PASSWORD), person)


def test_the_page_of_a_refused_sign_in_says_how_long_and_offers_the_way_back(person):
    send, client = SURFACES["site"], Client()
    _fail(send, client, 4)
    fifth = send(client, "0912345678", "doan-mo-123")
    assert fifth.status_code == 429 and fifth["Retry-After"] == "900"
    body = fifth.content.decode()
    assert "Bạn đã nhập sai mật khẩu quá nhiều lần" in body and "15 phút" in body
    assert 'href="/quen-mat-khau/"' in body and "Quên mật khẩu?" in body
    wagtail = SURFACES["wagtail"](client, "0912345678", PASSWORD)
    assert wagtail.status_code == 429 and "Quên mật khẩu?" in wagtail.content.decode()


def test_the_api_answers_a_refusal_in_its_error_format_and_language(person):
    client = Client()
    _fail(_api, client, 4)
    fifth = _api(client, "0912345678", "doan-mo-123")
    assert fifth.status_code == 429 and fifth["Retry-After"] == "900"
    error = fifth.json()["error"]
    assert error["code"] == "locked_out" and "15 phút" in error["message"]
    english = _api(client, "0912345678", PASSWORD, HTTP_ACCEPT_LANGUAGE="en").json()["error"]
    assert english["message"].startswith("Too many wrong passwords for this number. Wait 15 minutes")


def test_guessing_spread_over_many_addresses_meets_the_account_ceiling(person, settings):
    settings.SIGN_IN_ACCOUNT_CEILING = 20
    send = SURFACES["site"]
    for n in range(4):
        _fail(send, Client(), 30, REMOTE_ADDR=f"10.0.1.{n}")  # each address counts 5 at most
    stranger = Client()
    assert send(stranger, "0912345678", PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 429


def test_the_ceilings_never_refuse_the_persons_own_phone(person, settings):
    """A stranger can make the account refuse new devices, but not the phone the resident signed in on."""
    settings.SIGN_IN_ACCOUNT_CEILING = 20
    send, own_phone = SURFACES["site"], Client()
    assert signed_in(own_phone, send(own_phone, "0912345678", PASSWORD, REMOTE_ADDR="10.0.3.1"), person)
    device = own_phone.cookies["hocso_device"].value
    own_phone.logout()  # forgets every cookie: the phone keeps the device cookie, as browsers do
    own_phone.cookies["hocso_device"] = device
    for n in range(4):
        _fail(send, Client(), 5, REMOTE_ADDR=f"10.0.1.{n}")
    response = send(own_phone, "0912345678", PASSWORD, REMOTE_ADDR="10.0.3.2")
    assert signed_in(own_phone, response, person)
    # The device cookie is worth nothing once tampered with, nor for another account.
    tampered = Client()
    tampered.cookies["hocso_device"] = device[:-2] + "xx"
    assert send(tampered, "0912345678", PASSWORD, REMOTE_ADDR="10.0.3.2").status_code == 429
    neighbour = UserFactory()
    for n in range(4):
        _fail(send, Client(), 5, phone=neighbour.phone, REMOTE_ADDR=f"10.0.1.{n}")
    other = Client()
    other.cookies["hocso_device"] = device
    assert send(other, neighbour.phone, PASSWORD, REMOTE_ADDR="10.0.3.2").status_code == 429


def test_one_address_trying_many_accounts_meets_the_address_ceiling(settings):
    settings.SIGN_IN_ADDRESS_CEILING = 12
    send = SURFACES["site"]
    people = [UserFactory() for _ in range(4)]
    for someone in people[:3]:
        _fail(send, Client(), 4, phone=someone.phone)  # below the per-account limit each time
    client = Client()
    response = send(client, people[3].phone, PASSWORD)
    assert response.status_code == 429 and not signed_in(client, response, people[3])
    # The page says what happened here (this connection, new phones), not "wrong passwords for
    # this number", which would be untrue for people[3].
    body = response.content.decode()
    assert "từ đường truyền này" in body and "sai mật khẩu quá nhiều lần" not in body
    assert send(Client(), people[3].phone, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_the_api_remembers_a_device_too(person, settings):
    """An app that keeps cookies is a known device after its first sign-in."""
    settings.SIGN_IN_ACCOUNT_CEILING = 20
    app = Client()
    assert _api(app, "0912345678", PASSWORD).status_code == 201
    for n in range(4):
        _fail(_api, Client(), 5, REMOTE_ADDR=f"10.0.1.{n}")
    assert _api(app, "0912345678", PASSWORD, REMOTE_ADDR="10.0.3.9").status_code == 201
    assert _api(Client(), "0912345678", PASSWORD, REMOTE_ADDR="10.0.3.9").status_code == 429


def test_no_password_and_no_number_is_kept_in_the_records_or_the_logs(person, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client()
    for surface in ("site", "wagtail", "django_admin", "api"):
        SURFACES[surface](client, "0912 345 678", "bi-mat-khong-ai-biet")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == PHONE  # the account, for the data-rights export and erasure
    stored = attempt.get_data + attempt.post_data
    assert "bi-mat" not in stored and "912" not in stored
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "bi-mat" not in logged and "912" not in logged and "345 678" not in logged
