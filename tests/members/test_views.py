import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# Pinned: the same with 2 rows or 22 (an N+1 would add one or more per row).
PEOPLE_LIST_QUERIES = 14
HOME_IN_A_COURSE_QUERIES = 14


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]


@pytest.mark.parametrize("written", ["0912 345 678", "+84912345678", "84912345678"])
def test_sign_in_with_the_number_written_any_usual_way(client, written):
    UserFactory(phone="+84912345678")
    response = client.post(reverse("members:login"), {"username": written, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_wrong_password_is_explained_in_vietnamese(client):
    UserFactory(phone="+84912345678")
    response = client.post(reverse("members:login"), {"username": "0912345678", "password": "sai"})
    assert response.status_code == 200
    assert "Số điện thoại hoặc mật khẩu không đúng" in response.content.decode()


def test_a_malformed_number_is_explained_and_kept_in_the_form(client):
    response = client.post(reverse("members:login"), {"username": "0912", "password": "x"})
    body = response.content.decode()
    assert "không phải số điện thoại di động" in body
    assert 'value="0912"' in body


def test_the_interface_is_vietnamese_by_default_and_english_on_request(client):
    body = client.get("/").content.decode()
    assert '<html lang="vi">' in body and "Đăng nhập" in body
    body = client.get("/en/").content.decode()
    assert '<html lang="en">' in body and "Sign in" in body


def test_home_page_for_anonymous_invites_to_sign_in(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    assert reverse("members:login") in response.content.decode()


def test_home_page_shows_a_resident_their_group_and_leader(client, world, django_assert_max_num_queries):
    client.force_login(world.resident_a)
    # One of them reads the invitations waiting for the person's answer ("Lời mời vào tổ").
    with django_assert_max_num_queries(13):
        body = client.get("/").content.decode()
    assert world.group_a.name in body
    assert world.leader_a.full_name in body
    assert "/admin/" not in body


def test_home_page_of_a_resident_in_the_middle_of_a_course_costs_the_same_whatever_they_did(client, world):
    """Their group, its leader, and "continue" with the next lesson: the active language is looked up
    once for the course and the lesson, and the count does not grow with lessons done or courses."""
    from learning.models import Enrolment, LessonProgress

    def measured():
        client.get("/")  # a running server's caches are warm
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/").content.decode()
        assert next_lesson.title in body
        return len(queries)

    client.force_login(world.resident_a)
    course = factories.course(lessons=4)
    enrolment = Enrolment.objects.create(user=world.resident_a, course=course)
    first, next_lesson, *_rest = course.lessons()
    LessonProgress.objects.create(user=world.resident_a, lesson=first, enrolment=enrolment)
    few = measured()
    for other in [factories.course(lessons=3) for _ in range(3)]:
        Enrolment.objects.create(user=world.resident_a, course=other, completed_at=timezone.now())
    assert measured() == few == HOME_IN_A_COURSE_QUERIES


def test_home_page_shows_a_leader_their_groups_with_counts(client, world):
    client.force_login(world.leader_a)
    body = client.get("/").content.decode()
    assert world.group_a.name in body and "4 thành viên" in body
    assert world.group_b.name not in body


def test_home_page_links_staff_into_their_area(client, world):
    client.force_login(world.officer_x)
    body = client.get("/").content.decode()
    assert 'href="/admin/"' in body and "Trùng Khánh" in body
    client.force_login(world.trainer)
    assert "toàn tỉnh" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("resident", 302),
        ("leader_a", 302),
        ("officer_x", 200),
        ("trainer", 200),
        ("admin", 200),
    ],
)
def test_the_wagtail_admin_is_for_staff(client, world, persona, expected):
    user = world.personas()[persona]
    if user:
        client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(("persona", "expected"), [("officer_x", 302), ("trainer", 302), ("admin", 200)])
def test_the_django_admin_is_for_administrators_only(client, world, persona, expected):
    client.force_login(world.personas()[persona])
    assert client.get("/django-admin/").status_code == expected


def test_the_admin_people_list_is_scoped_to_the_officer_commune(client, world):
    client.force_login(world.officer_x)
    body = client.get("/admin/people/").content.decode()
    assert world.resident_a.full_name in body and world.loner.full_name in body
    assert world.resident_c.full_name not in body
    assert client.get(f"/admin/people/inspect/{world.resident_c.pk}/").status_code == 404
    assert client.get(f"/admin/people/inspect/{world.resident_a.pk}/").status_code == 200


def test_admin_people_list_costs_the_same_whatever_its_length(client, world):
    client.force_login(world.trainer)
    client.get("/admin/people/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/people/").status_code == 200
    UserFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/admin/people/").content.decode()
    assert body.count("/admin/people/inspect/") >= 20
    assert len(many) == len(few) == PEOPLE_LIST_QUERIES, [q["sql"] for q in many.captured_queries]


def test_an_officer_edits_groups_of_their_commune_only(client, world):
    client.force_login(world.officer_x)
    assert client.get(f"/admin/communitygroup/edit/{world.group_a.pk}/").status_code == 200
    assert client.get(f"/admin/communitygroup/edit/{world.group_c.pk}/").status_code == 404
    body = client.get("/admin/communitygroup/").content.decode()
    assert world.group_a.name in body and world.group_c.name not in body


def test_an_officer_edit_is_saved_and_audited(client, world):
    from members.models import AuditEvent

    client.force_login(world.officer_x)
    response = client.post(
        f"/admin/communitygroup/edit/{world.group_a.pk}/",
        {"name": "Tổ CNS Đàm Thủy mới", "village": world.group_a.village_id, "is_active": "on"},
    )
    assert response.status_code == 302
    world.group_a.refresh_from_db()
    assert world.group_a.name == "Tổ CNS Đàm Thủy mới"
    event = AuditEvent.objects.get(action="group.update")
    assert event.actor == world.officer_x and event.changes["name"][1] == "Tổ CNS Đàm Thủy mới"


def test_communes_are_read_only_for_trainers(client, world):
    client.force_login(world.trainer)
    assert client.get("/admin/commune/").status_code == 200
    assert client.get(f"/admin/commune/edit/{world.commune_x.pk}/").status_code in {302, 403}
