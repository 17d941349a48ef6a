"""Every way into a course or lesson, tried on every kind of hidden page (issue 14).

A resident (signed in, in no chosen group, who never typed a password) meets a password course, a
group course and a published lesson under an unpublished course; each is tried through every HTML
page and action, every API endpoint and its lesson's document. The same tries on an open course
must succeed, so that "refused" cannot pass for "broken".

``pytest tests/api/test_page_privacy_matrix.py -s`` prints hidden pages × ways in checked.
"""

import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction

from members.models import Enrolment
from tests import factories
from tests.factories import UserFactory, correct_answers

pytestmark = pytest.mark.django_db


def _course(title):
    course = factories.course(lessons=1, questions=1, title=title)
    lesson = course.lessons().get()
    audio = get_document_model().objects.create(title=title, file=ContentFile(b"\x00" * 64, name="nghe.mp3"))
    lesson.body = [
        {"type": "audio", "value": {"title": "Nghe", "file": audio.pk, "language": "vi", "transcript": ""}},
        *lesson.body.raw_data,
    ]
    lesson.save()
    factories.publish(lesson)
    return course, course.lessons().get(), audio


def _page(client, url) -> str:
    response = client.get(url)
    return response.content.decode() if response.status_code == 200 else ""


def _ways(html, api, course, lesson, audio):
    """(name, allowed?) for each way in; each is tried once."""
    answers = {"submission_id": str(uuid.uuid4()), "answers": correct_answers(lesson)}
    form = {"submission_id": str(uuid.uuid4())} | {
        f"q-{key}": value for key, values in correct_answers(lesson).items() for value in values
    }
    title = course.title
    return [
        ("html catalogue lists it", title in html.get("/khoa-hoc/").content.decode()),
        # A password page answers 200 with its form: what counts is whether the content shows.
        ("html course page", course.code in _page(html, course.url)),
        ("html lesson page", "Đáp án 0" in _page(html, lesson.url)),
        ("html my learning lists it", title in html.get(reverse("members:my_learning")).content.decode()),
        ("html home next step", title in html.get("/").content.decode()),
        ("document", html.get(audio.url).status_code == 200),
        ("api courses list", title in {c["title"] for c in api.get("/api/v1/courses/").json()}),
        ("api course", api.get(f"/api/v1/courses/{course.pk}/").status_code == 200),
        ("api course lessons", api.get(f"/api/v1/courses/{course.pk}/lessons/").status_code == 200),
        ("api lesson", api.get(f"/api/v1/lessons/{lesson.pk}/").status_code == 200),
        (
            "api enrolments list",
            course.code in str(api.get("/api/v1/enrolments/?page_size=50").json()),
        ),
        (
            "api enrol",
            api.post("/api/v1/enrolments/", {"course": course.pk}, format="json").status_code == 201,
        ),
        (
            "api quiz",
            api.post(f"/api/v1/lessons/{lesson.pk}/quiz/", answers, format="json").status_code == 201,
        ),
        ("api complete", api.post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code in (200, 400)),
        (
            "html start course",
            html.post(reverse("members:course_start", args=[course.pk])).status_code == 302,
        ),
        ("html lesson done", html.post(reverse("members:lesson_done", args=[lesson.pk])).status_code == 302),
        ("html quiz", html.post(reverse("members:quiz_submit", args=[lesson.pk]), form).status_code == 302),
    ]


@pytest.fixture
def resident_clients(client):
    resident = UserFactory()
    client.force_login(resident)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=resident)[1]}")
    return resident, client, api


def test_every_way_in_refuses_every_hidden_page(resident_clients):
    resident, html, api = resident_clients
    hidden = {}
    course, lesson, audio = _course("Khóa mật khẩu")
    PageViewRestriction.objects.create(page=course, restriction_type="password", password="bi-mat")
    hidden["password"] = (course, lesson, audio)
    course, lesson, audio = _course("Khóa của nhóm")
    restriction = PageViewRestriction.objects.create(page=course, restriction_type="groups")
    restriction.groups.set([Group.objects.create(name="Nhóm khác")])
    hidden["groups"] = (course, lesson, audio)
    course, lesson, audio = _course("Khóa đã gỡ")
    hidden["unpublished course"] = (course, lesson, audio)
    for course, _lesson, _audio in hidden.values():
        # Enrolled before the course was hidden: it must drop out of the lists too.
        Enrolment.objects.create(user=resident, course=course)
    hidden["unpublished course"][0].unpublish()

    checked, problems = 0, []
    for kind, (course, lesson, audio) in hidden.items():
        for name, allowed in _ways(html, api, course, lesson, audio):
            checked += 1
            if allowed:
                problems.append(f"{kind}: {name} lets the resident in")
    print(f"\npage privacy: {len(hidden)} hidden pages × {checked // len(hidden)} ways in = {checked} checks")
    assert not problems, "\n".join(problems)
    assert not Enrolment.objects.filter(completed_at__isnull=False).exists()


def test_every_way_in_opens_an_open_course(resident_clients):
    _resident, html, api = resident_clients
    course, lesson, audio = _course("Khóa mở")
    ways = _ways(html, api, course, lesson, audio)
    # The lists name the course once the resident is enrolled (the API's enrol came after them).
    refused = [
        name for name, allowed in ways if not allowed and "list" not in name and "next step" not in name
    ]
    assert not refused, refused
    ways = dict(_ways(html, api, course, lesson, audio))
    assert ways["html my learning lists it"] and ways["api enrolments list"]
