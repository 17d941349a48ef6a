"""The statistics pages in the Wagtail admin: who may see them, what each role sees, the exports, the
"recompute now" button, and query counts that do not grow with the province."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from members.models import AuditEvent
from stats import services as stats
from tests.stats.conftest import at, grow, mark, session

pytestmark = pytest.mark.django_db

PAGES = ["stats:attainment", "stats:funnel", "stats:activity"]
TABLES = [
    "attainment",
    "competencies",
    "profiles",
    "courses",
    "course-places",
    "course-months",
    "activity",
    "activity-months",
    "inactive-groups",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("anonymous", False),
        ("resident_a", False),
        ("leader_a", False),
        ("officer_x", True),
        ("trainer", True),
        ("admin", True),
    ],
)
def test_only_staff_see_the_statistics(numbers, page, persona, allowed, client_for):
    user = None if persona == "anonymous" else getattr(numbers, persona)
    response = client_for(user).get(reverse(page))
    if allowed:
        assert response.status_code == 200
    else:
        # Wagtail sends anyone without admin access to the login page; nobody sees a number.
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert "/login/" in response["Location"]


def test_an_officer_sees_their_commune_even_when_asking_for_another(numbers, client_for):
    client = client_for(numbers.officer_x)
    response = client.get(reverse("stats:attainment"), {"commune": numbers.commune_y.code})
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["query"].commune == numbers.commune_x
    assert numbers.group_a.name in body
    assert numbers.group_c.name not in body
    assert numbers.commune_y.name not in body


def test_a_trainer_sees_every_commune_and_can_narrow_to_one(numbers, client_for):
    client = client_for(numbers.trainer)
    province = client.get(reverse("stats:attainment"))
    rows = province.context["attainment"].rows
    assert len(rows) == 56
    assert {r.place.code for r in rows if r.people} >= {numbers.commune_x.code, numbers.commune_y.code}
    one = client.get(reverse("stats:attainment"), {"commune": numbers.commune_y.code})
    assert [r.place.code for r in one.context["attainment"].rows] == [numbers.group_c.code]


def test_the_funnel_and_activity_pages_show_their_numbers(numbers, client_for):
    client = client_for(numbers.trainer)
    activity = client.get(reverse("stats:activity"), {"commune": numbers.commune_x.code})
    by_group = {row.place.code: row for row in activity.context["activity"].rows}
    assert by_group[numbers.group_a.code].sessions == 1
    assert by_group[numbers.group_b.code].sessions == 0
    # Each chart is drawn on the server and has its table beside it.
    assert activity.content.count(b"<svg") >= 2
    assert b"<table" in activity.content
    funnel = client.get(reverse("stats:funnel"))
    assert funnel.status_code == 200


def test_bad_filters_are_reported_not_crashed_on(numbers, client_for):
    response = client_for(numbers.trainer).get(
        reverse("stats:attainment"), {"commune": "99999", "start": "2026-13", "tier": "x"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"commune", "start", "tier"} <= set(form.errors)


@pytest.mark.parametrize("slug", TABLES)
def test_every_table_exports_as_csv_and_xlsx_with_the_same_cells(numbers, slug, client_for):
    client = client_for(numbers.trainer)
    url = reverse("stats:export", kwargs={"slug": slug, "file_format": "csv"})
    as_csv = client.get(url, {"commune": numbers.commune_x.code})
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    assert "attachment" in as_csv["Content-Disposition"]
    assert as_csv.content.startswith("\ufeff".encode())
    csv_rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))

    as_xlsx = client.get(url.replace(".csv", ".xlsx"), {"commune": numbers.commune_x.code})
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
    xlsx_rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows[0] == csv_rows[0]
    assert len(xlsx_rows) == len(csv_rows)


def test_exported_headings_are_vietnamese(numbers, client_for):
    response = client_for(numbers.trainer).get(
        reverse("stats:export", kwargs={"slug": "activity", "file_format": "csv"})
    )
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:3] == ["Mã xã, phường", "Xã, phường", "Số tổ"]


def test_the_people_who_completed_basic_universalisation_export_is_scoped_and_audited(numbers, client_for):
    url = reverse("stats:export", kwargs={"slug": "profile-pho-cap-co-ban", "file_format": "csv"})
    text = client_for(numbers.officer_x).get(url).content.decode("utf-8-sig")
    assert numbers.resident_a.full_name in text
    assert numbers.resident_c.full_name not in text
    event = AuditEvent.objects.get(action="stats.export_people")
    assert event.actor == numbers.officer_x
    assert event.changes["rows"] == 1
    # The audit says who took the list and how long it was, never whom it named.
    assert numbers.resident_a.full_name not in str(event.changes)

    province = client_for(numbers.trainer).get(url).content.decode("utf-8-sig")
    assert numbers.resident_a.full_name in province and numbers.resident_c.full_name in province


def test_exports_refuse_non_staff_and_unknown_tables(numbers, client_for):
    url = reverse("stats:export", kwargs={"slug": "activity", "file_format": "csv"})
    assert client_for(numbers.leader_a).get(url).status_code in (302, 403)
    assert client_for(None).get(url).status_code in (302, 403)
    missing = reverse("stats:export", kwargs={"slug": "no-such-table", "file_format": "csv"})
    assert client_for(numbers.trainer).get(missing).status_code == 404
    no_profile = reverse("stats:export", kwargs={"slug": "profile-none", "file_format": "xlsx"})
    assert client_for(numbers.trainer).get(no_profile).status_code == 404


def test_recompute_now_needs_a_post_with_the_csrf_token(numbers, client_for):
    client = Client(enforce_csrf_checks=True)
    client.force_login(numbers.trainer)
    url = reverse("stats:refresh")
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    page = client.get(reverse("stats:activity"))
    token = page.context["csrf_token"]
    response = client.post(url, {"csrfmiddlewaretoken": str(token), "next": "/admin/thong-ke/hoat-dong/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/thong-ke/hoat-dong/"
    # Somewhere else is not a place to be sent back to.
    away = client.post(url, {"csrfmiddlewaretoken": str(token), "next": "https://example.org/"})
    assert away["Location"] == reverse("stats:attainment")
    assert client_for(numbers.resident_a).post(url).status_code in (302, 403)


def test_with_no_worker_a_page_recomputes_what_changed_before_showing_it(
    numbers, settings, django_capture_on_commit_callbacks, client_for
):
    settings.STATS_REFRESH = "on_view"
    client = client_for(numbers.trainer)
    query = {"commune": numbers.commune_x.code}
    before = client.get(reverse("stats:activity"), query).context["activity"]
    meeting = session(numbers.group_b, at(6))
    mark(meeting, numbers.resident_b, "present", at(6))
    with django_capture_on_commit_callbacks(execute=True):
        stats.communes_changed({numbers.commune_x.pk})
    after = client.get(reverse("stats:activity"), query).context["activity"]
    sessions = {row.place.code: row.sessions for row in after.rows}
    assert sessions[numbers.group_b.code] == 1
    assert sum(r.sessions for r in before.rows) + 1 == sum(r.sessions for r in after.rows)


def test_with_a_worker_the_page_shows_the_last_numbers_and_says_they_are_being_recomputed(
    numbers, settings, django_capture_on_commit_callbacks, client_for
):
    settings.STATS_REFRESH = "task"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }  # no worker yet
    with django_capture_on_commit_callbacks(execute=True):
        stats.communes_changed({numbers.commune_x.pk})
    response = client_for(numbers.trainer).get(reverse("stats:activity"))
    assert response.context["freshness"].changed_since
    assert response.context["freshness"].computed_at is not None


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona, narrow", [("trainer", False), ("trainer", True), ("officer_x", False)])
def test_a_page_costs_the_same_queries_whatever_the_size_of_the_province(
    numbers, page, persona, narrow, client_for
):
    client = client_for(getattr(numbers, persona))
    params = {"commune": numbers.commune_x.code} if narrow else {}
    client.get(reverse(page), params)  # warm the caches Wagtail keeps per process

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(page), params).status_code == 200
        return len(queries)

    small = count()
    grow(numbers)
    client.get(reverse(page), params)
    assert count() == small
    assert small <= 30
