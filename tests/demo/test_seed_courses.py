import pytest
from wagtail.models import Locale

from courses.blocks import QuestionBlock
from courses.models import CompetencyProfile, CoursePage, LessonPage
from demo.seed.courses import seed_courses
from demo.seed.learning import PATHS
from learning.competencies import profile_met, requirements_of

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


def test_the_sources_a_course_cites_are_complete_and_the_english_follows_the_vietnamese():
    from demo.readability import course_paths, load_course

    courses = {(c["code"], c["locale"]): c for c in map(load_course, course_paths())}
    cited = {code for (code, _), course in courses.items() if course.get("sources")}
    assert {"BDHVS-02", "BDHVS-03", "BDHVS-04", "BDHVS-05", "BDHVS-06"} <= cited
    for (code, locale), course in courses.items():
        for source in course.get("sources", []):
            assert source["title"] and source["issuer"] and source["supports"], (code, source)
            assert source["url"].startswith(("https://", "http://")), (code, source)
        if locale != "vi":
            original = courses[(code, "vi")]["sources"]
            assert [s["url"] for s in course["sources"]] == [s["url"] for s in original]


def test_a_course_page_lists_its_sources_under_the_lessons_without_another_query(
    client, django_assert_max_num_queries
):
    seed_courses()
    course = CoursePage.objects.get(code="BDHVS-04", locale__language_code="vi")
    assert course.sources[0].value["title"].startswith("Quyết định 2345/QĐ-NHNN")
    english = CoursePage.objects.get(code="BDHVS-05", locale__language_code="en")
    assert english.sources[0].value["supports"].startswith("Since 1 July 2025")
    client.get(course.url)  # warm the site cache, as a running server has
    with django_assert_max_num_queries(9):
        body = client.get(course.url).content.decode()
    assert body.index('id="sources-title"') > body.index('class="lessons"')
    assert 'href="https://tapchinganhang.gov.vn/' in body and "18/12/2023" in body


def test_a_course_takes_as_long_as_its_lessons():
    from demo.readability import course_paths, load_course

    for course in map(load_course, course_paths()):
        minutes = sum(lesson["minutes"] for lesson in course["lessons"])
        assert course["estimated_minutes"] == minutes, course["code"]


def _levels_awarded_by(courses) -> dict[int, int]:
    """The highest level each competency reaches through these courses."""
    levels: dict[int, int] = {}
    for course in courses:
        for target in course.target_competencies.all():
            levels[target.competency_id] = max(levels.get(target.competency_id, 0), target.level)
    return levels


def test_every_profile_can_be_reached_through_the_published_courses():
    seed_courses()
    published = CoursePage.objects.live().filter(locale__language_code="vi")
    awarded = _levels_awarded_by(published)
    profiles = CompetencyProfile.objects.prefetch_related("requirements__competency")
    assert {p.code for p in profiles} == {"pho-cap-co-ban", "to-cong-nghe-so", "can-bo-so"}
    for profile in profiles:
        short = [
            f"{r.competency.code} needs {r.level}, courses give {awarded.get(r.competency_id, 0)}"
            for r in profile.requirements.all()
            if awarded.get(r.competency_id, 0) < r.level
        ]
        assert profile_met(awarded, requirements_of(profile)), (profile.code, short)


def test_each_demo_path_reaches_its_profile_and_the_cadre_course_alone_makes_a_digital_cadre():
    seed_courses()
    courses = {c.code: c for c in CoursePage.objects.filter(locale__language_code="vi")}
    for code, path in PATHS.items():
        profile = CompetencyProfile.objects.get(code=code)
        assert profile_met(_levels_awarded_by(courses[c] for c in path), requirements_of(profile)), code
    assert PATHS["can-bo-so"] == ["CBS-01"]


def test_a_group_member_needs_at_least_what_a_resident_does():
    resident = requirements_of(CompetencyProfile.objects.get(code="pho-cap-co-ban"))
    member = requirements_of(CompetencyProfile.objects.get(code="to-cong-nghe-so"))
    assert all(member.get(competency, 0) >= level for competency, level in resident.items())


def test_the_profiles_cover_every_area_and_cite_decision_757():
    for profile in CompetencyProfile.objects.prefetch_related("requirements__competency__area"):
        areas = {r.competency.area.number for r in profile.requirements.all()}
        assert areas == set(range(7)), (profile.code, areas)
        assert "757/QĐ-BKHCN" in profile.description, profile.code
