import pytest

from tests import factories
from tests.factories import UserFactory, correct_answers


@pytest.fixture(autouse=True)
def _media(isolated_media):
    """Each certificate test writes its PDFs in its own folders."""


@pytest.fixture
def completed(db, django_capture_on_commit_callbacks):
    """A resident who completed a two-lesson course through the real services."""
    from learning import services

    def complete(user=None, course=None):
        user = user or UserFactory(full_name="Nguyễn Thị Hồng Nhung")
        course = course or factories.course(
            lessons=2, title="Cài đặt và sử dụng VNeID", competencies=(("2.6", 2), ("4.2", 1))
        )
        for lesson in course.lessons():
            services.quiz_submit(
                user=user, lesson=lesson, answers=correct_answers(lesson), submission_id=factories.uuid4()
            )
        return user, course

    return complete
