"""Sign-in resists guessing on every surface: the site, Wagtail's admin, the Django admin and the API.

Failures are counted per account and address (django-axes, members/lockout.py). The address is the
one ``members.throttling.client_address`` gives: with no trusted proxy, X-Forwarded-For is ignored,
so a client that rotates it gains nothing.
"""

import itertools
import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from knox.models import AuthToken

from tests.factories import PASSWORD, admin

pytestmark = pytest.mark.django_db

PHONE = "+84912345678"


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = ["testserver"]


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
