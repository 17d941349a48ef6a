"""One function gives the client's address (members.throttling.client_address), and every limit
keyed on an address uses it: our own limits, the API's throttles and django-axes. A header that a
client can send never moves a client into a fresh bucket."""

import json

import pytest
from django.test import Client, RequestFactory

from members.throttling import client_address
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _request(forwarded=None, remote="192.0.2.10"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("198.51.100.1")) == "192.0.2.10"
    assert client_address(_request("198.51.100.1, 198.51.100.2")) == "192.0.2.10"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # One proxy (nginx appends $remote_addr): the right-most entry is what it saw.
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (1, " 6.6.6.6 ,7.7.7.7,  198.51.100.7 ", "198.51.100.7"),
        # A load balancer, then nginx: the client is the second from the right.
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        # Fewer entries than proxies: the left-most, which one of ours wrote.
        (2, "198.51.100.7", "198.51.100.7"),
        (1, "2001:db8::1", "2001:db8::"),  # an IPv6 client counts as its /64
        # Not an address, or no header at all: the connection's peer.
        (1, "6.6.6.6, not-an-address", "192.0.2.10"),
        (1, None, "192.0.2.10"),
        (1, "", "192.0.2.10"),
    ],
)
def test_behind_trusted_proxies_the_nth_entry_from_the_right_counts(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(_request(forwarded)) == expected


# The API's throttles ----------------------------------------------------------------------------


@pytest.fixture
def tight_address_throttle(settings):
    """Three sign-ins a minute per address (the real ceiling is 300), and no lockouts in the way."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_address": (3, 60)}


def _sign_in(client, phone, **extra):
    body = json.dumps({"phone": phone, "password": PASSWORD})
    return client.post("/api/v1/auth/token/", body, content_type="application/json", **extra)


def test_rotating_x_forwarded_for_does_not_escape_the_api_throttle(settings, tight_address_throttle):
    settings.TRUSTED_PROXY_COUNT = 0
    people = [UserFactory() for _ in range(4)]
    client = Client()
    answers = [
        _sign_in(client, person.phone, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n, person in enumerate(people)
    ]
    assert answers == [201, 201, 201, 429]


def test_behind_one_proxy_the_api_throttle_follows_the_right_most_entry(settings, tight_address_throttle):
    settings.TRUSTED_PROXY_COUNT = 1
    people = [UserFactory() for _ in range(5)]
    client = Client()
    answers = [
        _sign_in(client, person.phone, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7").status_code
        for n, person in enumerate(people[:4])
    ]
    assert answers == [201, 201, 201, 429]
    other = _sign_in(client, people[4].phone, HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.8")
    assert other.status_code == 201


# Our own limits (certificate verification) ------------------------------------------------------


def test_rotating_x_forwarded_for_does_not_escape_the_verify_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    # A serial typed by hand is answered with the form asking for its check code (200), whether or not
    # it exists; the limit counts every lookup.
    answers = {
        client.get("/v/CB-2026-999999/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(60)
    }
    assert answers == {200}
    assert client.get("/v/CB-2026-999999/", HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_behind_one_proxy_the_verify_limit_follows_the_right_most_entry(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(60):
        client.get("/v/CB-2026-999999/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7")
    assert client.get("/v/CB-2026-999999/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7").status_code == 429
    assert client.get("/v/CB-2026-999999/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.8").status_code == 200


# django-axes ------------------------------------------------------------------------------------


def test_behind_one_proxy_a_lockout_follows_the_right_most_entry(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    person = UserFactory(phone="+84912345678")
    client = Client()
    for n in range(5):
        client.post(
            "/dang-nhap/",
            {"username": "0912345678", "password": "sai-roi-nhe"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        )
    refused = client.post(
        "/dang-nhap/", {"username": "0912345678", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert refused.status_code == 429
    elsewhere = Client().post(
        "/dang-nhap/", {"username": "0912345678", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert elsewhere.status_code == 302 and elsewhere.wsgi_request.user == person


def test_an_ipv6_client_cannot_escape_a_limit_by_changing_address_within_its_64(client, settings):
    """A phone gets a whole /64 and may use a new address in it for each request."""
    settings.TRUSTED_PROXY_COUNT = 0
    answers = [
        client.get("/v/CB-2026-999999/", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}").status_code
        for n in range(61)
    ]
    assert answers[:60] == [200] * 60 and answers[60] == 429
    assert client.get("/v/CB-2026-999999/", REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


@pytest.mark.parametrize(
    ("remote", "seen"),
    [
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("203.0.113.9", "203.0.113.9"),
        ("not an address", "not an address"),
    ],
)
def test_an_ipv6_address_counts_as_its_64(rf, settings, remote, seen):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(rf.get("/", REMOTE_ADDR=remote)) == seen
