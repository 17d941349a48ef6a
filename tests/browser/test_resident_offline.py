"""A resident learns without a connection, in Chromium: /hoc-khong-can-mang/ (static/learning/offline.js)
turns on static/members/sw.js, which keeps the lessons opened and the forms sent without signal.

The lesson pages themselves stay script-free: the service worker does the work.
"""

import contextlib

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from learning.models import LessonProgress, QuizAttempt
from tests import factories
from tests.browser.test_leader_offline import Phone, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def answer(page, lesson, right=True):
    for question in lesson.questions:
        wanted = (
            sorted(question.correct) if right else [max(set(range(len(question.options))) - question.correct)]
        )
        for index in range(len(question.options)):
            box = page.locator(f'input[name="q-{question.id}"][value="{index}"]')
            if box.get_attribute("type") == "checkbox":
                box.set_checked(index in wanted)
            elif index in wanted:
                box.check()
    page.click("form.quiz button[type=submit]")


def turn_on(phone):
    phone.go("/hoc-khong-can-mang/")
    phone.page.click("#offline-on")
    phone.page.wait_for_selector('#offline[data-state="on"]', state="attached")
    assert phone.page.inner_text("#offline-status") == phone.page.get_attribute("#offline", "data-msg-on")


@pytest.fixture
def learner():
    return factories.UserFactory(full_name="Lục Thị Hoa")


def test_a_quiz_answered_without_signal_arrives_once(browser, live_server, learner, tmp_path):
    course = factories.course(lessons=2, questions=2, title="An toàn trên mạng")
    first, _second = course.lessons()
    phone = Phone(browser, tmp_path / "profile", live_server, learner)
    phone.go(first.url)  # a lesson says where to turn it on
    shot(phone.page, "resident-lesson")
    phone.page.click('a[href="/hoc-khong-can-mang/"]')
    phone.page.wait_for_url("**/hoc-khong-can-mang/")
    assert (
        phone.page.is_visible("#offline-on") and phone.page.get_attribute("#offline", "data-state") == "off"
    )
    turn_on(phone)
    shot(phone.page, "resident-offline-on")

    phone.go(first.url)  # with signal: the phone keeps the lesson
    assert phone.page.evaluate("document.scripts.length") == 0  # learner pages stay script-free
    phone.offline()
    phone.go(first.url)  # without: from the phone
    assert phone.page.get_by_role("heading", name=first.title).is_visible()
    answer(phone.page, first)
    phone.page.wait_for_selector("#saved-offline")
    shot(phone.page, "resident-quiz-saved-offline")
    assert phone.page.inner_text("#saved-offline")
    # Pressed twice (back, and "Send" again on the same form): kept once.
    phone.page.go_back()
    answer(phone.page, first)
    phone.page.wait_for_selector("#saved-offline")
    assert len([p for p in phone.store("posts") if p["state"] == "waiting"]) == 1
    assert QuizAttempt.objects.count() == 0

    phone.offline(False)
    phone.go("/hoc-khong-can-mang/")  # any page with signal: the service worker sends what waits
    # (the page shows the count once the worker has sent what waits; the database is read after, as
    # SQLite's shared in-memory test database locks a table the live server is writing to)
    phone.page.wait_for_selector('#offline[data-waiting="0"]', state="attached")
    assert QuizAttempt.objects.filter(user=learner).count() == 1
    attempt = QuizAttempt.objects.get(user=learner)
    assert attempt.lesson_id == first.pk and attempt.passed
    # Sent by the service worker through the API, the same call an app makes.
    assert ("POST", f"{phone.url}/api/v1/lessons/{first.pk}/quiz/") in phone.requests
    assert LessonProgress.objects.filter(user=learner, lesson=first).count() == 1

    # Sent again (the phone lost its note that it was sent): the server counts it once.
    phone.store("posts", 'store.put({ ...item, state: "waiting" });')
    phone.page.reload()
    phone.page.wait_for_selector('#offline[data-waiting="0"]', state="attached")
    assert [p["state"] for p in phone.store("posts")] == ["sent"]
    phone.close()
    assert QuizAttempt.objects.filter(user=learner).count() == 1


def test_a_lesson_finished_without_signal_is_recorded_once(browser, live_server, learner, tmp_path):
    course = factories.course(lessons=1, questions=0, title="Gọi video cho con cháu")
    (lesson,) = course.lessons()
    phone = Phone(browser, tmp_path / "profile", live_server, learner)
    turn_on(phone)
    phone.go(lesson.url)
    phone.offline()
    phone.go(lesson.url)
    phone.page.get_by_role("button", name="Tôi đã học xong bài này").click()
    phone.page.wait_for_selector("#saved-offline")
    phone.page.go_back()
    phone.page.get_by_role("button", name="Tôi đã học xong bài này").click()  # twice: kept once
    phone.page.wait_for_selector("#saved-offline")
    phone.close()  # the phone is switched off

    phone = Phone(browser, tmp_path / "profile", live_server, None)  # later, with signal
    phone.go("/hoc-khong-can-mang/")
    phone.page.wait_for_selector('#offline[data-waiting="0"]', state="attached")
    assert LessonProgress.objects.filter(user=learner, lesson=lesson).count() == 1
    # (sent through /api/v1/lessons/<id>/complete/, maybe as the browser started: a pending
    # Background Sync wakes the worker before Playwright watches its requests)
    assert [p["state"] for p in phone.store("posts")] == ["sent"]
    phone.close()


def test_without_turning_it_on_lessons_are_not_kept(browser, live_server, learner, tmp_path):
    course = factories.course(lessons=1, questions=2)
    (lesson,) = course.lessons()
    phone = Phone(browser, tmp_path / "profile", live_server, learner)
    phone.go(lesson.url)
    assert phone.page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    phone.close()


def from_the_phone(phone, lesson) -> bool:
    """Offline, is ``lesson`` shown (from the service worker's copy)? Without one the navigation
    fails. A tab of its own each time: a failed navigation would interrupt the next one."""
    tab = phone.context.new_page()
    try:
        tab.goto(phone.url + lesson.url)
    except Exception:  # net::ERR_FAILED: the worker had nothing to answer with
        return False
    else:
        return tab.get_by_role("heading", name=lesson.title).is_visible()
    finally:
        tab.close()


def copies(phone) -> list[str]:
    """The paths of the pages the service worker keeps for lessons."""
    return phone.page.evaluate(
        """async () => {
            const names = (await caches.keys()).filter((n) => n.startsWith("hocso-sw-lessons-"));
            const paths = [];
            for (const name of names) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
            }
            return paths;
        }"""
    )


def restrict_to(lesson, group):
    restriction = PageViewRestriction.objects.create(page=lesson, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([group])


def test_a_restricted_lesson_is_not_kept_on_the_phone(browser, live_server, learner, tmp_path):
    """The server sends restricted pages with Cache-Control: no-store (courses/serving.py): the
    service worker honours it, even for a resident allowed to see the page."""
    club = Group.objects.create(name="Câu lạc bộ tin học")
    learner.groups.add(club)
    course = factories.course(lessons=2, questions=0, title="Dùng điện thoại an toàn")
    public, restricted = course.lessons()
    restrict_to(restricted, club)
    phone = Phone(browser, tmp_path / "profile", live_server, learner)
    turn_on(phone)
    phone.go(public.url)
    phone.go(restricted.url)  # allowed: shown, but not kept
    assert phone.page.get_by_role("heading", name=restricted.title).is_visible()
    phone.offline()
    assert not from_the_phone(phone, restricted)
    assert from_the_phone(phone, public)  # an open lesson still opens without signal
    assert copies(phone) == [public.url]
    phone.close()


def test_a_restriction_added_later_takes_the_copy_off_the_phone(browser, live_server, learner, tmp_path):
    club = Group.objects.create(name="Câu lạc bộ tin học")
    learner.groups.add(club)
    course = factories.course(lessons=3, questions=0, title="Dùng điện thoại an toàn")
    lessons = course.lessons()
    restricted, unpublished, kept = lessons
    phone = Phone(browser, tmp_path / "profile", live_server, learner)
    turn_on(phone)
    for lesson in lessons:
        phone.go(lesson.url)
    assert sorted(copies(phone)) == sorted(lesson.url for lesson in lessons)  # all open: all kept
    # Later, one lesson is restricted to a group the resident is in (the server says no-store), and
    # one is unpublished (404). Opened again with signal, their copies go.
    restrict_to(restricted, club)
    unpublished.unpublish()
    phone.go(restricted.url)
    assert phone.page.get_by_role("heading", name=restricted.title).is_visible()
    phone.go(unpublished.url)
    assert copies(phone) == [kept.url]
    phone.offline()
    for lesson in (restricted, unpublished):
        assert not from_the_phone(phone, lesson), lesson.title
    assert from_the_phone(phone, kept)
    phone.close()


def test_a_lesson_restricted_later_to_others_leaves_the_phone(browser, live_server, learner, tmp_path):
    """Restricted later to a group the resident is not in: the server sends them away (to sign in),
    and the copy on the phone goes with the first answer."""
    others = Group.objects.create(name="Tổ trưởng")
    course = factories.course(lessons=2, questions=0, title="Dùng điện thoại an toàn")
    refused, kept = course.lessons()
    phone = Phone(browser, tmp_path / "profile", live_server, learner)
    turn_on(phone)
    phone.go(refused.url)
    phone.go(kept.url)
    restrict_to(refused, others)
    tab = phone.context.new_page()
    # (signed in already, the sign-in page sends them back: today a loop the browser gives up on)
    with contextlib.suppress(Exception):  # net::ERR_TOO_MANY_REDIRECTS
        tab.goto(phone.url + refused.url)
    tab.close()
    assert copies(phone) == [kept.url]
    phone.offline()
    assert not from_the_phone(phone, refused)
    assert from_the_phone(phone, kept)
    phone.close()
