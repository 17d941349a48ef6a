import pytest
from wagtail.models import Locale

from courses.blocks import QuestionBlock
from courses.models import CoursePage, LessonPage
from demo.seed.courses import seed_courses

pytestmark = pytest.mark.django_db

CODES = [
    "BDHVS-01",
    "BDHVS-02",
    "BDHVS-03",
    "BDHVS-04",
    "BDHVS-05",
    "BDHVS-06",
    "BDHVS-07",
    "BDHVS-08",
    "CBS-01",
    "TCNS-01",
]


def test_the_ten_courses_load_with_real_lessons_and_quizzes_and_twice_changes_nothing():
    assert seed_courses() == 12  # ten in Vietnamese, two translated into English
    assert seed_courses() == 0
    vi = Locale.objects.get(language_code="vi")
    courses = CoursePage.objects.filter(locale=vi).order_by("code")
    assert [c.code for c in courses] == CODES
    block = QuestionBlock()
    for course in courses:
        lessons = list(course.lessons())
        assert 4 <= len(lessons) <= 6, course.code
        assert course.target_competencies.count() >= 2
        assert course.cover is not None
        for lesson in lessons:
            assert 3 <= lesson.minutes <= 7 and len(lesson.questions) >= 2, lesson.url_path
            for stream_block in lesson.body:
                if stream_block.block_type == "question":
                    block.clean(stream_block.value)  # every demo question passes the editor's rules
    assert sum(c.estimated_minutes for c in courses) >= 250


def test_the_english_courses_share_the_vietnamese_question_ids():
    seed_courses()
    english = Locale.objects.get(language_code="en")
    assert set(CoursePage.objects.filter(locale=english).values_list("code", flat=True)) == {
        "BDHVS-02",
        "BDHVS-05",
    }
    for lesson_en in LessonPage.objects.filter(locale=english):
        original = lesson_en.get_translation(Locale.get_default())
        assert [q.id for q in lesson_en.questions] == [q.id for q in original.questions]
        assert [sorted(q.correct) for q in lesson_en.questions] == [
            sorted(q.correct) for q in original.questions
        ]
        assert lesson_en.title != original.title
