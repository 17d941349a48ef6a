"""The whole journey of a resident on a 360 px phone, in Chromium, without JavaScript on the pages:
sign up → choose a village → start a course → read a lesson → quiz (fail, then pass) → course
completed → My learning."""

import os
from pathlib import Path

import pytest

from learning.models import Enrolment, QuizAttempt
from members.models import User
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(os.environ.get("HOCSO_SCREENSHOTS", "/tmp/hocso-screenshots"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def answer(page, lesson, right):
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
    page.get_by_role("button", name="Nộp").click()


def test_sign_up_learn_pass_and_complete_a_course(live_server, phone_page):
    village = factories.VillageFactory(commune=factories.commune("01477"), name="Ngọc Côn")
    course = factories.course(lessons=2, questions=2, competencies=(("2.6", 2),), title="VNeID cho bà con")
    first, second = course.lessons()
    page = phone_page
    page.context.set_offline(False)
    assert page.context.browser.version  # a real Chromium

    page.goto(live_server.url + "/khoa-hoc/")
    shot(page, "catalogue")
    page.get_by_role("link", name="VNeID cho bà con").click()
    shot(page, "course-anonymous")
    page.get_by_role("link", name="tạo tài khoản").click()

    page.fill("#id_full_name", "Lý Thị Mai")
    page.fill("#id_phone", "0865 123 456")
    page.fill("#id_password", "Nuoc-Giang-2026")
    page.select_option("#id_commune", label="Xã Trùng Khánh")
    page.check("#id_consent")
    page.get_by_role("button", name="Tạo tài khoản của tôi").click()
    page.get_by_label("Ngọc Côn").check()
    page.get_by_role("button", name="Lưu").click()
    user = User.objects.get(phone="+84865123456")
    assert user.village == village and user.consent_at is not None

    page.goto(live_server.url + course.url)
    page.get_by_role("button", name="Bắt đầu học").click()
    page.wait_for_url(f"**{first.url}")
    answer(page, first, right=False)
    assert page.get_by_text("Kết quả: 0%").is_visible()
    shot(page, "quiz-failed")
    answer(page, first, right=True)
    assert page.get_by_text("Kết quả: 100%").is_visible()
    page.get_by_role("link", name="Bài tiếp theo").click()
    answer(page, second, right=True)
    assert page.get_by_text("Chúc mừng! Bạn đã hoàn thành khóa học").is_visible()
    shot(page, "course-completed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Học của tôi").first.click()
    assert page.get_by_text("Đã hoàn thành").first.is_visible()
    assert page.get_by_text("2.6 Quản lý danh tính số").is_visible()
    shot(page, "my-learning")
    # No page of the journey asked for a script or a web font.
    assert page.evaluate("document.scripts.length") == 0 and page.evaluate("document.fonts.size") == 0

    assert Enrolment.objects.get(user=user).completed_at is not None
    assert QuizAttempt.objects.filter(user=user).count() == 3
