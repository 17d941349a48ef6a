"""Page privacy everywhere (issue 14): one rule, ``courses.visibility``, for HTML pages, lists and
learner actions. The API's side is in tests/api/test_page_privacy.py."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from courses import serving, visibility
from courses.models import CoursePage, LessonPage
from learning import selectors, services
from learning.models import Enrolment, LessonProgress
from tests import factories
from tests.factories import UserFactory, correct_answers

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-lop"


def restrict(page, kind, *, groups=(), bulk=False):
    """A view restriction on ``page``; ``bulk`` writes it as another process might, without the
    signals this process listens to."""
    restriction = PageViewRestriction(page=page, restriction_type=kind, password=PASSWORD)
    if bulk:
        PageViewRestriction.objects.bulk_create([restriction])
        restriction = PageViewRestriction.objects.get(page=page)
    else:
        restriction.save()
    if groups:
        restriction.groups.set(groups)
    return restriction


@pytest.fixture
def courses():
    """An open course and a course restricted to signed-in people, by password, or to a group."""
    club = Group.objects.create(name="Câu lạc bộ số")
    pages = SimpleNamespace(
        open=factories.course(lessons=1, questions=0, title="Mở"),
        login=factories.course(lessons=1, questions=0, title="Đăng nhập"),
        password=factories.course(lessons=1, questions=1, title="Mật khẩu"),
        group=factories.course(lessons=1, questions=0, title="Nhóm"),
        club=club,
    )
    restrict(pages.login, PageViewRestriction.LOGIN)
    restrict(pages.password, PageViewRestriction.PASSWORD)
    restrict(pages.group, PageViewRestriction.GROUPS, groups=[club])
    return pages


def titles(response) -> set[str]:
    return {course.title for course in response.context["courses"]}


def test_anonymous_visitors_see_only_open_courses_in_the_catalogue(client, courses):
    assert titles(client.get("/khoa-hoc/")) == {"Mở"}


def test_a_resident_sees_courses_for_signed_in_people_and_their_groups(client, courses):
    resident = UserFactory()
    client.force_login(resident)
    assert titles(client.get("/khoa-hoc/")) == {"Mở", "Đăng nhập"}
    resident.groups.add(courses.club)
    assert titles(client.get("/khoa-hoc/")) == {"Mở", "Đăng nhập", "Nhóm"}


def test_a_passed_password_opens_its_course_for_that_browser_session(client, courses):
    client.force_login(UserFactory())
    restriction = PageViewRestriction.objects.get(page=courses.password)
    response = client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, courses.password.pk]),
        {"password": PASSWORD, "return_url": courses.password.url},
    )
    assert response.status_code == 302
    assert "Mật khẩu" in titles(client.get("/khoa-hoc/"))
    assert client.get(courses.password.url).status_code == 200


def test_restricted_pages_send_people_to_the_phone_sign_in(client, courses):
    lesson = courses.login.lessons().get()
    response = client.get(lesson.url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("members:login") + "?next=")
    assert "_util" not in response["Location"]
    client.force_login(UserFactory())
    assert client.get(lesson.url).status_code == 200
    # Signed in, but not in the chosen groups: the sign-in page would send them straight back (a
    # loop the browser gives up on). The page is not there for them, as a document is not.
    response = client.get(courses.group.lessons().get().url, follow=True)
    assert response.status_code == 404 and response.redirect_chain == []
    client.logout()
    response = client.get(courses.group.lessons().get().url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("members:login"))


def test_the_password_form_wears_the_site_s_own_clothes(client, courses):
    response = client.get(courses.password.lessons().get().url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="password"' in html and "/static/css/site.css" in html


def test_a_restriction_written_by_another_process_counts_at_once(client, courses):
    course = factories.course(lessons=1, title="Vừa khóa")
    lesson = course.lessons().get()
    assert client.get(lesson.url).status_code == 200  # any per-process memory is warm now
    restrict(course, PageViewRestriction.LOGIN, bulk=True)
    # The other process's own post_save handler retires the pages stored in the shared cache
    # (courses.serving.SharedPageCacheMiddleware): nothing of this process's memory is involved.
    serving.forget_pages()
    assert client.get(lesson.url).status_code == 302
    assert "Vừa khóa" not in titles(client.get("/khoa-hoc/"))


def test_a_published_lesson_under_an_unpublished_course_is_not_served(client):
    course = factories.course(lessons=2)
    lesson = course.lessons().first()
    course.unpublish()
    assert LessonPage.objects.get(pk=lesson.pk).live
    client.force_login(UserFactory())
    assert client.get(lesson.url).status_code == 404
    assert client.post(reverse("learning:lesson_done", args=[lesson.pk])).status_code == 404
    assert not visibility.may_see(visibility.Viewer(UserFactory()), lesson)


def test_restricted_lessons_cannot_be_done_nor_their_course_started(client, courses):
    client.force_login(UserFactory())
    for course in (courses.group, courses.password):
        lesson = course.lessons().get()
        assert client.post(reverse("learning:lesson_done", args=[lesson.pk])).status_code == 404
        assert client.post(reverse("learning:quiz_submit", args=[lesson.pk]), {}).status_code == 404
        assert client.post(reverse("learning:course_start", args=[course.pk])).status_code == 404
    assert not Enrolment.objects.exists() and not LessonProgress.objects.exists()


def test_the_services_refuse_a_page_the_learner_may_not_see(courses):
    resident = UserFactory()
    lesson = courses.group.lessons().get()
    with pytest.raises(PermissionDenied):
        services.lesson_mark_done(user=resident, lesson=lesson)
    with pytest.raises(PermissionDenied):
        services.enrol(user=resident, course=courses.password)
    with pytest.raises(PermissionDenied):
        services.quiz_submit(
            user=resident,
            lesson=courses.password.lessons().get(),
            answers=correct_answers(courses.password.lessons().get()),
            submission_id="6f0c1a52-51a8-4c43-b8f7-2d3c3b1b6a11",
        )
    assert not Enrolment.objects.exists()


def test_a_course_the_learner_may_no_longer_see_is_not_completed(courses):
    course = factories.course(lessons=1, questions=0)
    resident = UserFactory()
    enrolment = services.enrol(user=resident, course=course)
    LessonProgress.objects.create(user=resident, enrolment=enrolment, lesson=course.lessons().get())
    restrict(course, PageViewRestriction.GROUPS, groups=[courses.club])
    assert not services.course_check_completion(enrolment=enrolment)
    resident.groups.add(courses.club)
    assert services.course_check_completion(enrolment=enrolment)


def test_my_learning_drops_courses_restricted_since(client, courses):
    course = factories.course(lessons=1)
    resident = UserFactory()
    services.enrol(user=resident, course=course)
    restrict(course, PageViewRestriction.GROUPS, groups=[courses.club])
    client.force_login(resident)
    assert client.get(reverse("learning:my_learning")).context["learning"].enrolments == []
    assert selectors.continue_learning(resident) is None


def test_a_group_restricted_lesson_is_hidden_from_its_course_page_and_counts(client):
    club = Group.objects.create(name="Tổ trưởng")
    course = factories.course(lessons=3)
    restrict(course.lessons().last(), PageViewRestriction.GROUPS, groups=[club])
    client.force_login(UserFactory())
    assert len(client.get(course.url).context["lessons"]) == 2
    counted = {c.pk: c.lesson_count for c in client.get("/khoa-hoc/").context["courses"]}
    assert counted[course.pk] == 2


@pytest.mark.parametrize("kind", [PageViewRestriction.LOGIN, PageViewRestriction.GROUPS, "password"])
@pytest.mark.parametrize("who", ["anonymous", "resident", "member", "superuser", "passed"])
def test_the_rule_agrees_with_wagtail_s_own_check(kind, who):
    club = Group.objects.create(name="Nhóm kiểm tra")
    course = factories.course(lessons=1)
    restriction = restrict(course, kind, groups=[club] if kind == PageViewRestriction.GROUPS else ())
    user = {
        "anonymous": AnonymousUser(),
        "member": UserFactory(),
        "superuser": UserFactory(is_superuser=True),
    }.get(who) or UserFactory()
    if who == "member":
        user.groups.add(club)
    passed = [restriction.pk] if who == "passed" else []
    key = PageViewRestriction.passed_view_restrictions_session_key
    request = SimpleNamespace(user=user, session={key: passed})
    expected = restriction.accept_request(request)
    viewer = visibility.Viewer.of(request)
    assert visibility.may_see(viewer, course) is expected
    assert visibility.visible(CoursePage.objects.all(), viewer).filter(pk=course.pk).exists() is expected
    assert visibility.may_see(viewer, Page.objects.get(pk=course.lessons().get().pk)) is expected


def _lesson_with_audio(course):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    audio = get_document_model().objects.create(
        title="Bài nghe", file=ContentFile(b"\x00" * 2048, name="bai-nghe.mp3")
    )
    lesson = course.lessons().get()
    narration = {"title": "Nghe", "file": audio.pk, "language": "vi", "transcript": ""}
    lesson.body = [{"type": "audio", "value": narration}, *lesson.body.raw_data]
    lesson.save()
    factories.publish(lesson)
    return audio


def test_a_document_of_a_restricted_lesson_is_not_public(client, courses):
    public = _lesson_with_audio(factories.course(lessons=1, questions=0))
    private = _lesson_with_audio(courses.group)
    assert client.get(public.url).status_code == 200
    response = client.get(private.url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("members:login"))
    resident = UserFactory()
    client.force_login(resident)
    assert client.get(private.url).status_code == 404
    resident.groups.add(courses.club)
    assert client.get(private.url).status_code == 200


def test_a_document_no_live_page_uses_is_for_its_editors_only(client, world):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    loose = get_document_model().objects.create(title="Nháp", file=ContentFile(b"x" * 10, name="nhap.mp3"))
    course = factories.course(lessons=1, questions=0)
    used_by_draft = _lesson_with_audio(course)
    course.unpublish()
    client.force_login(world.resident_a)
    assert client.get(loose.url).status_code == 404
    assert client.get(used_by_draft.url).status_code == 404
    client.force_login(world.trainer)
    assert client.get(loose.url).status_code == 200


def test_restricted_pages_keep_their_budgets_and_are_never_cached(
    client, courses, django_assert_max_num_queries
):
    member = UserFactory()
    member.groups.add(courses.club)
    client.force_login(member)
    lesson = courses.group.lessons().get()
    for url in ["/khoa-hoc/", courses.group.url, lesson.url]:
        client.get(url)  # warm the site cache, as any running server has
    # One more than an open site's: the paths of the restricted pages' translations.
    with django_assert_max_num_queries(9):
        assert client.get("/khoa-hoc/").status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(courses.group.url).status_code == 200
    with django_assert_max_num_queries(11):
        response = client.get(lesson.url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "no-store" not in client.get(courses.open.lessons().get().url).get("Cache-Control", "")


def test_who_authors_content_is_written_once(world, monkeypatch):
    """The choosers (courses/wagtail_hooks.py) and a loose document (courses.visibility) ask one rule:
    change it in courses.permissions and both follow."""
    from django.core.files.base import ContentFile
    from django.test import RequestFactory
    from wagtail.documents import get_document_model

    from courses import permissions as content
    from courses.wagtail_hooks import choosers_for_authors_only

    def chooser_shows(user, objects) -> bool:
        request = RequestFactory().get("/")
        request.user = user
        return choosers_for_authors_only(objects, request).exists()

    Document = get_document_model()
    loose = Document.objects.create(title="Nháp", file=ContentFile(b"x", name="nhap.pdf"))
    for user in (world.resident_a, world.officer_x, world.trainer, world.admin):
        expected = content.is_author(user, Document)
        assert chooser_shows(user, Document.objects.all()) is expected
        assert visibility.may_see_document(visibility.Viewer(user), loose) is expected
    assert content.is_author(world.trainer, Document) and not content.is_author(world.officer_x, Document)
    monkeypatch.setitem(content.AUTHORING_ACTIONS, "media", ("export",))  # which nobody holds
    assert not chooser_shows(world.trainer, Document.objects.all())
    assert not visibility.may_see_document(visibility.Viewer(world.trainer), loose)


def _counts(client, resident, course) -> dict[str, tuple[int, int]]:
    """done/total as every place shows it: the course page, the catalogue, "My learning", the API."""
    client.force_login(resident)
    lessons = client.get(course.url).context["lessons"]
    page = selectors.course_state(resident, course, lessons).progress
    catalogue = client.get("/khoa-hoc/").context["courses"]
    bars = selectors.course_progress_map(resident, list(catalogue))[course.pk]
    mine = client.get(reverse("learning:my_learning")).context["learning"]
    (enrolment,) = mine.enrolments
    listed = mine.progress[enrolment.pk]
    (api,) = client.get("/api/v1/enrolments/").json()["results"]
    return {
        "course page": (page.done, page.total),
        "catalogue": (bars.done, bars.total),
        "my learning": (listed.done, listed.total),
        "api": (api["lessons_done"], api["lesson_count"]),
    }


@pytest.mark.parametrize("hidden", ["restricted", "unpublished"])
def test_a_course_completes_when_its_progress_is_full(client, hidden):
    """Progress (done/total) and completion count the same lessons: the ones the learner may see."""
    club = Group.objects.create(name="Tổ trưởng")
    course = factories.course(lessons=4, questions=0)
    *shown, other = course.lessons()
    if hidden == "restricted":
        restrict(other, PageViewRestriction.GROUPS, groups=[club])
    else:
        other.unpublish()
    resident = UserFactory()
    for lesson in shown[:2]:
        services.lesson_mark_done(user=resident, lesson=lesson)
    assert set(_counts(client, resident, course).values()) == {(2, 3)}
    services.lesson_mark_done(user=resident, lesson=shown[2])
    assert set(_counts(client, resident, course).values()) == {(3, 3)}
    assert Enrolment.objects.get(user=resident).completed_at is not None


def test_a_lesson_done_then_hidden_no_longer_counts(client):
    """The other way round: a lesson done while it was open, restricted since, counts neither in
    the progress nor towards completion (3/3, and the course completes with the other three)."""
    club = Group.objects.create(name="Tổ trưởng")
    course = factories.course(lessons=4, questions=0)
    first, *others = course.lessons()
    resident = UserFactory()
    resident.groups.add(club)
    restrict(first, PageViewRestriction.GROUPS, groups=[club])
    services.lesson_mark_done(user=resident, lesson=first)
    for lesson in others[:2]:
        services.lesson_mark_done(user=resident, lesson=lesson)
    assert set(_counts(client, resident, course).values()) == {(3, 4)}
    resident.groups.remove(club)
    assert set(_counts(client, resident, course).values()) == {(2, 3)}
    services.lesson_mark_done(user=resident, lesson=others[2])
    assert set(_counts(client, resident, course).values()) == {(3, 3)}
    assert Enrolment.objects.get(user=resident).completed_at is not None


def _translated(course):
    """The English copy of ``course`` and its lesson, published under an English catalogue."""
    from wagtail.models import Locale

    english = Locale.objects.get(language_code="en")
    catalogue_en = factories.catalogue().copy_for_translation(english, copy_parents=True)
    factories.publish(catalogue_en)
    course_en = course.copy_for_translation(english)
    factories.publish(course_en)
    lesson_en = course.lessons().get().copy_for_translation(english)
    factories.publish(lesson_en)
    return catalogue_en, CoursePage.objects.get(pk=course_en.pk), LessonPage.objects.get(pk=lesson_en.pk)


@pytest.mark.parametrize("restricted", ["original", "translation"])
def test_a_restriction_added_later_reaches_every_translation(client, restricted):
    """A restriction on a page applies to all its translations: restricting the Vietnamese course
    (or its English copy) afterwards closes both, as HTML pages, in the catalogue and in the API."""
    from rest_framework.test import APIClient

    club = Group.objects.create(name="Câu lạc bộ số")
    course = factories.course(lessons=1, questions=0, title="Khóa riêng")
    catalogue_en, course_en, lesson_en = _translated(course)
    resident, member = UserFactory(), UserFactory()
    member.groups.add(club)
    client.force_login(resident)
    api = APIClient()
    api.force_authenticate(resident)
    assert client.get(course_en.url).status_code == 200  # open until restricted
    restrict(course if restricted == "original" else course_en, PageViewRestriction.GROUPS, groups=[club])
    for page in (course, course_en, lesson_en, course.lessons().get()):
        response = client.get(page.url)  # signed in, not in the group: not there for them
        assert response.status_code == 404, page.url
    assert "Khóa riêng" not in titles(client.get(catalogue_en.url))
    assert "Khóa riêng" not in titles(client.get("/khoa-hoc/"))
    assert api.get(f"/api/v1/courses/{course_en.pk}/").status_code == 404
    assert api.get(f"/api/v1/lessons/{lesson_en.pk}/").status_code == 404
    assert course_en.pk not in {c["id"] for c in api.get("/api/v1/courses/?locale=en").json()}
    # The group's members still see both.
    client.force_login(member)
    api.force_authenticate(member)
    assert client.get(course_en.url).status_code == 200 and client.get(course.url).status_code == 200
    assert "Khóa riêng" in titles(client.get(catalogue_en.url))
    assert api.get(f"/api/v1/lessons/{lesson_en.pk}/").status_code == 200
