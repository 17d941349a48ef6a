import uuid

import pytest

from learning.models import QuizAttempt
from tests import factories
from tests.factories import UserFactory, correct_answers, wrong_answers

pytestmark = pytest.mark.django_db


def test_a_lesson_comes_without_its_answers(api):
    lesson = factories.course(lessons=1, questions=2).lessons().get()
    body = api(UserFactory()).get(f"/api/v1/lessons/{lesson.pk}/").json()
    questions = [block for block in body["body"] if block["type"] == "question"]
    assert len(questions) == 2 and questions[0]["options"] == ["Đáp án 0", "Đáp án 1", "Đáp án 2"]
    text = str(body)
    assert "correct" not in text and "feedback" not in text and "Giải thích" not in text


def test_a_quiz_is_scored_on_the_server_with_feedback_and_replayed_once(api):
    course = factories.course(lessons=1, questions=2)
    lesson = course.lessons().get()
    client = api(UserFactory())
    submission = str(uuid.uuid4())
    wrong = client.post(
        f"/api/v1/lessons/{lesson.pk}/quiz/",
        {"submission_id": str(uuid.uuid4()), "answers": wrong_answers(lesson)},
        format="json",
    )
    assert wrong.status_code == 201 and wrong.json()["score"] == 0 and not wrong.json()["passed"]
    assert wrong.json()["questions"][0]["feedback"] and wrong.json()["questions"][0]["right_answers"] == [0]
    right = client.post(
        f"/api/v1/lessons/{lesson.pk}/quiz/",
        {"submission_id": submission, "answers": correct_answers(lesson)},
        format="json",
    )
    assert right.status_code == 201 and right.json()["passed"] and right.json()["course_completed"]
    again = client.post(
        f"/api/v1/lessons/{lesson.pk}/quiz/",
        {"submission_id": submission, "answers": correct_answers(lesson)},
        format="json",
    )
    assert (
        again.status_code == 200
        and again.json()["replayed"]
        and again.json()["attempt"] == right.json()["attempt"]
    )
    assert QuizAttempt.objects.count() == 2
    enrolments = client.get("/api/v1/enrolments/").json()["results"]
    assert (
        enrolments[0]["completed_at"] and enrolments[0]["lessons_done"] == enrolments[0]["lesson_count"] == 1
    )
    levels = client.get("/api/v1/me/competencies/").json()["levels"]
    assert {(item["competency"], item["level"]) for item in levels} == {("2.6", 2), ("4.2", 1)}
    certificates = client.get("/api/v1/certificates/").json()["results"]
    assert len(certificates) == 1 and certificates[0]["achievement_code"] == course.code


def test_answers_that_name_no_option_are_a_clear_400(api):
    lesson = factories.course(lessons=1, questions=2).lessons().get()
    answers = correct_answers(lesson)
    answers[lesson.questions[0].id] = [7]
    response = api(UserFactory()).post(
        f"/api/v1/lessons/{lesson.pk}/quiz/",
        {"submission_id": str(uuid.uuid4()), "answers": answers},
        format="json",
    )
    assert response.status_code == 400
    assert "Câu 1" in str(response.json()["error"]["fields"]) and not QuizAttempt.objects.exists()


def test_enrol_and_mark_a_reading_lesson_done(api):
    course = factories.course(lessons=2, questions=0)
    client = api(UserFactory())
    response = client.post("/api/v1/enrolments/", {"course": course.pk}, format="json")
    assert response.status_code == 201 and response.json()["lessons_done"] == 0
    first = course.lessons().first()
    done = client.post(f"/api/v1/lessons/{first.pk}/complete/")
    assert done.status_code == 200 and done.json()["lessons_done"] == 1
    assert client.post("/api/v1/enrolments/", {"course": 999999}, format="json").status_code == 404


def test_courses_list_filters_by_audience_and_language(api):
    factories.course(lessons=1, audience="cadre", title="Cho cán bộ")
    factories.course(lessons=1, title="Cho người dân")
    client = api(UserFactory())
    titles = [c["title"] for c in client.get("/api/v1/courses/?audience=cadre").json()]
    assert titles == ["Cho cán bộ"]
    assert client.get("/api/v1/courses/?locale=en").json() == []
