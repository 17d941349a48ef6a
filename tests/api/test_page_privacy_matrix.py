"""Every way into a course or lesson, tried on every kind of hidden page (issue 14).

A resident (signed in, in no chosen group, who never typed a password) meets a password course, a
group course and a published lesson under an unpublished course; each is tried through every HTML
page and action, every API endpoint and its lesson's document. The same tries on an open course
must succeed, way by way (the open course enrolled beforehand like the others, so that the lists
and the next step name it), so that "refused" cannot pass for "broken".

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

from learning.models import Enrolment
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
        ("html my learning lists it", title in html.get(reverse("learning:my_learning")).content.decode()),
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
            html.post(reverse("learning:course_start", args=[course.pk])).status_code == 302,
        ),
        ("html lesson done", html.post(reverse("learning:lesson_done", args=[lesson.pk])).status_code == 302),
        ("html quiz", html.post(reverse("learning:quiz_submit", args=[lesson.pk]), form).status_code == 302),
    ]


@pytest.fixture
def resident_clients(client):
    resident = UserFactory()
    client.force_login(resident)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=resident)[1]}")
    return resident, client, api


def test_every_way_in_refuses_every_hidden_page_and_opens_the_open_one(resident_clients):
    """Each refusal is paired with the same way in, tried by the same person on an open course set
    up alike (enrolled beforehand): a way in that refuses everything cannot pass."""
    resident, html, api = resident_clients
    pages = {"open": _course("Khóa mở")}
    course, lesson, audio = _course("Khóa mật khẩu")
    PageViewRestriction.objects.create(page=course, restriction_type="password", password="bi-mat")
    pages["password"] = (course, lesson, audio)
    course, lesson, audio = _course("Khóa của nhóm")
    restriction = PageViewRestriction.objects.create(page=course, restriction_type="groups")
    restriction.groups.set([Group.objects.create(name="Nhóm khác")])
    pages["groups"] = (course, lesson, audio)
    pages["unpublished course"] = _course("Khóa đã gỡ")
    for course, _lesson, _audio in pages.values():
        # Enrolled before the course was hidden: it must drop out of the lists too (and the open
        # one, enrolled alike, shows in them).
        Enrolment.objects.create(user=resident, course=course)
    pages["unpublished course"][0].unpublish()

    answers = {kind: dict(_ways(html, api, *page)) for kind, page in pages.items()}
    hidden = [kind for kind in pages if kind != "open"]
    problems = []
    for name, allowed in answers["open"].items():
        if not allowed:
            problems.append(f"open: {name} refuses the open course, so its refusals prove nothing")
        problems.extend(f"{kind}: {name} lets the resident in" for kind in hidden if answers[kind][name])
    ways, checked = len(answers["open"]), len(answers["open"]) * len(pages)
    print(f"\npage privacy: {len(hidden)} hidden pages + 1 open × {ways} ways in = {checked} checks")
    assert not problems, "\n".join(problems)
    completed = Enrolment.objects.filter(completed_at__isnull=False)
    assert list(completed.values_list("course_id", flat=True)) == [pages["open"][0].pk]
