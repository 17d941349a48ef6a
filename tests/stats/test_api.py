"""/api/v1/stats/…: each caller's rows, the filters, how fresh the numbers are, and a fixed cost.
(Who may call each endpoint at all is in tests/api/test_permission_matrix.py.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from stats import services
from tests.stats.conftest import at, grow, mark, session

pytestmark = pytest.mark.django_db

ENDPOINTS = ["attainment", "profiles", "funnel", "activity"]


def get(user, endpoint, **params):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/stats/{endpoint}/", params)


def test_an_officer_gets_the_groups_of_their_commune_only(numbers):
    body = get(numbers.officer_x, "activity").json()
    assert body["rows_are"] == "groups"
    assert {row["code"] for row in body["rows"]} == {numbers.group_a.code, numbers.group_b.code}
    assert body["total"]["sessions"] == 1
    assert body["total"]["marked"] == 2 and body["total"]["attended"] == 1
    assert body["total"]["attendance_rate"] == 50.0


def test_an_officer_asking_for_another_commune_gets_a_clear_400(numbers):
    response = get(numbers.officer_x, "attainment", commune=numbers.commune_y.code)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["commune"] == [
        "Không có xã, phường nào bạn theo dõi mang mã này."
    ]


def test_a_trainer_gets_every_commune_and_can_narrow(numbers):
    province = get(numbers.trainer, "profiles").json()
    assert province["rows_are"] == "communes"
    assert len(province["rows"]) == 56
    basic = next(t for t in province["total"]["profiles"] if t["profile"] == "pho-cap-co-ban")
    assert basic["people"] == 2
    one = get(numbers.trainer, "profiles", commune=numbers.commune_y.code).json()
    assert [row["code"] for row in one["rows"]] == [numbers.group_c.code]


def test_filters_by_area_tier_and_months(numbers):
    body = get(numbers.trainer, "attainment", area=1, tier="basic", start="2026-01", end="2026-02").json()
    assert [a["number"] for a in body["areas"]] == [1]
    assert body["start"] == "2026-01" and body["end"] == "2026-02"
    x = next(row for row in body["rows"] if row["code"] == numbers.commune_x.code)
    # resident_a reached 1.1 in February; resident_c (commune Y) only in March.
    assert x["areas"][0]["people"] >= 1
    y = next(row for row in body["rows"] if row["code"] == numbers.commune_y.code)
    assert y["areas"][0]["people"] == 0


@pytest.mark.parametrize(
    "params",
    [{"start": "2026-13"}, {"tier": "godlike"}, {"area": "x"}, {"commune": "99999"}, {"group": "nope"}],
)
def test_bad_filters_are_named_in_a_400(numbers, params):
    response = get(numbers.trainer, "attainment", **params)
    assert response.status_code == 400
    assert next(iter(params)) in str(response.json())


def test_the_reply_says_how_fresh_the_numbers_are(numbers):
    freshness = get(numbers.trainer, "activity").json()["freshness"]
    assert freshness["computed_at"]
    assert freshness["missing"] == 0 or freshness["missing"] is False


def test_a_new_session_shows_up_at_the_next_call_without_a_worker(
    numbers, settings, django_capture_on_commit_callbacks
):
    settings.STATS_REFRESH = "on_view"
    mark(session(numbers.group_b, at(6)), numbers.resident_b, "present", at(6))
    with django_capture_on_commit_callbacks(execute=True):
        services.communes_changed({numbers.commune_x.pk})
    body = get(numbers.officer_x, "activity").json()
    assert body["total"]["sessions"] == 2


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_endpoint_costs_the_same_queries_whatever_the_size_of_the_province(numbers, endpoint):
    get(numbers.trainer, endpoint)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(numbers.trainer, endpoint).status_code == 200
        return len(queries)

    small = count()
    grow(numbers)
    assert count() == small
    assert small <= 12
