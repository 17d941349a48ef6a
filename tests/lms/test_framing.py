"""Who may put the site's pages in a frame: nobody, except the admin's own live preview.
(The preview in a real browser: tests/browser/test_admin_preview.py.)"""

import re

import pytest

from tests import factories
from tests.courses.test_moderation import course_form

pytestmark = pytest.mark.django_db


def frame_ancestors(response) -> str | None:
    match = re.search(r"frame-ancestors ([^;]+)", response.get("Content-Security-Policy", ""))
    return match.group(1).strip() if match else None


@pytest.fixture
def course(world):
    return factories.course(lessons=1, title="Khóa học để xem trước")


def test_the_editor_preview_may_be_framed_by_the_site_itself(client, world, course):
    client.force_login(world.trainer)
    url = f"/admin/pages/{course.pk}/edit/preview/"
    assert client.post(url, course_form(course, "Tên mới, chưa đăng", "preview")).json()["is_valid"]
    preview = client.get(url)
    assert "Tên mới, chưa đăng" in preview.content.decode()
    assert frame_ancestors(preview) == "'self'"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


def test_every_other_page_refuses_to_be_framed(client, world, course):
    lesson = course.lessons().get()
    for url in ("/", course.url, lesson.url, "/dang-nhap/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert frame_ancestors(response) == "'none'", url
        assert response["X-Frame-Options"] == "DENY", url
    client.force_login(world.trainer)
    for url in (lesson.url, f"/admin/pages/{course.pk}/edit/", "/admin/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert frame_ancestors(response) in (None, "'none'"), url


def test_a_preview_flag_on_an_ordinary_request_changes_nothing(rf, world, course):
    """Only Wagtail's own rendering of a preview (a request it builds, not one that arrived) counts."""
    from django.http import HttpResponse

    from lms.middleware import ContentSecurityPolicyMiddleware

    request = rf.get(course.url)
    request.is_preview = True
    response = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("x"))(request)
    assert frame_ancestors(response) == "'none'"
