"""Page privacy through the API (issue 14): a token has no browser session, so a password page is
not found (404); a page for signed-in people is found by any token; a group page by its groups'
members; nothing under an unpublished page. The rule is ``courses.visibility``."""

import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

from learning.models import Enrolment, LessonProgress, QuizAttempt
from tests import factories
from tests.factories import UserFactory, correct_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def club():
    return Group.objects.create(name="Câu lạc bộ số")


@pytest.fixture
def restricted(club):
    """A password-protected course and a group-restricted one, one lesson each (with questions)."""
    password = factories.course(lessons=1, questions=2, title="Mật khẩu")
    group = factories.course(lessons=1, questions=2, title="Nhóm")
    PageViewRestriction.objects.create(page=password, restriction_type="password", password="bi-mat")
    PageViewRestriction.objects.create(page=group, restriction_type="groups").groups.set([club])
    return {"password": password, "group": group}


@pytest.mark.parametrize("kind", ["password", "group"])
def test_a_resident_s_token_does_not_reach_a_restricted_lesson(api, restricted, kind):
    course = restricted[kind]
    lesson = course.lessons().get()
    client = api(UserFactory())
    response = client.get(f"/api/v1/lessons/{lesson.pk}/")
    assert response.status_code == 404 and "question" not in response.content.decode()
    assert client.get(f"/api/v1/courses/{course.pk}/").status_code == 404
    assert client.get(f"/api/v1/courses/{course.pk}/lessons/").status_code == 404
    assert client.post("/api/v1/enrolments/", {"course": course.pk}, format="json").status_code == 404
    assert client.post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 404
    quiz = client.post(
        f"/api/v1/lessons/{lesson.pk}/quiz/",
        {"submission_id": str(uuid.uuid4()), "answers": correct_answers(lesson)},
        format="json",
    )
    assert quiz.status_code == 404
    assert not (Enrolment.objects.exists() or LessonProgress.objects.exists() or QuizAttempt.objects.exists())


def test_the_courses_list_hides_restricted_courses(api, restricted, club):
    open_course = factories.course(lessons=1, title="Mở")
    resident = UserFactory()
    listed = {c["title"] for c in api(resident).get("/api/v1/courses/").json()}
    assert listed == {open_course.title}
    resident.groups.add(club)
    listed = {c["title"] for c in api(resident).get("/api/v1/courses/").json()}
    assert listed == {open_course.title, "Nhóm"}


def test_a_group_member_learns_a_group_course_through_the_api(api, restricted, club):
    member = UserFactory()
    member.groups.add(club)
    course = restricted["group"]
    lesson = course.lessons().get()
    client = api(member)
    body = client.get(f"/api/v1/lessons/{lesson.pk}/").json()
    assert [b for b in body["body"] if b["type"] == "question"]
    quiz = client.post(
        f"/api/v1/lessons/{lesson.pk}/quiz/",
        {"submission_id": str(uuid.uuid4()), "answers": correct_answers(lesson)},
        format="json",
    )
    assert quiz.status_code == 201 and quiz.json()["course_completed"]


def test_a_login_only_lesson_is_open_to_any_token_and_not_to_anonymous(api):
    course = factories.course(lessons=1)
    PageViewRestriction.objects.create(page=course, restriction_type="login")
    lesson = course.lessons().get()
    assert api(UserFactory()).get(f"/api/v1/lessons/{lesson.pk}/").status_code == 200
    assert api(None).get(f"/api/v1/lessons/{lesson.pk}/").status_code in (401, 403)


def test_a_lesson_under_an_unpublished_course_is_not_found(api):
    course = factories.course(lessons=1, questions=0)
    lesson = course.lessons().get()
    course.unpublish()
    client = api(UserFactory())
    assert client.get(f"/api/v1/courses/{course.pk}/").status_code == 404
    assert client.get(f"/api/v1/lessons/{lesson.pk}/").status_code == 404
    assert client.post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 404


def test_enrolments_in_courses_restricted_since_drop_out_of_the_list(api, club):
    course = factories.course(lessons=1)
    resident = UserFactory()
    client = api(resident)
    assert client.post("/api/v1/enrolments/", {"course": course.pk}, format="json").status_code == 201
    PageViewRestriction.objects.create(page=course, restriction_type="groups").groups.set([club])
    assert client.get("/api/v1/enrolments/").json()["results"] == []


def test_the_browser_session_that_passed_the_password_reaches_it_through_the_api(client, restricted):
    course = restricted["password"]
    lesson = course.lessons().get()
    client.force_login(UserFactory())
    assert client.get(f"/api/v1/lessons/{lesson.pk}/").status_code == 404
    restriction = PageViewRestriction.objects.get(page=course)
    client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, course.pk]),
        {"password": "bi-mat", "return_url": course.url},
    )
    assert client.get(f"/api/v1/lessons/{lesson.pk}/").status_code == 200
