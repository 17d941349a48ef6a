"""The demo courses' questions teach rather than train guessing (issue 17).

A learner passes a lesson by answering every question right, retrying with feedback
(``courses.quiz``), so each wrong choice they can make must say why it is wrong, and the
multiple-choice questions must not all share one shape: when 31 of 33 had three right options of
four, "tick three" passed without reading.
"""

from collections import Counter

import pytest

from demo.readability import course_paths, load_course

PATHS = course_paths()
COURSES = {path.name: load_course(path) for path in PATHS}


def _questions(course: dict) -> list[dict]:
    return [question for lesson in course["lessons"] for question in lesson.get("quiz") or []]


def _multiple(locale: str = "vi") -> list[dict]:
    return [
        question
        for course in COURSES.values()
        if course["locale"] == locale
        for question in _questions(course)
        if question["kind"] == "multiple"
    ]


def _right(question: dict) -> int:
    return sum(1 for option in question["options"] if option["correct"])


def test_no_one_number_of_right_options_dominates_the_multiple_choice_questions():
    questions = _multiple()
    by_count = Counter(_right(question) for question in questions)
    by_shape = Counter((_right(question), len(question["options"])) for question in questions)
    assert len(questions) >= 20
    assert max(by_count.values()) <= len(questions) / 2, by_count
    assert max(by_shape.values()) <= len(questions) / 2, by_shape
    assert {1, 2, 3} <= set(by_count), by_count  # one, some and most of the options right all occur
    assert any(len(question["options"]) < 4 for question in questions)


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_every_multiple_choice_question_has_a_wrong_option_that_explains_itself(path):
    for question in _questions(COURSES[path.name]):
        if question["kind"] != "multiple":
            continue
        right = _right(question)
        assert 1 <= right < len(question["options"]), question["question"]
        assert len(question["options"]) >= 3, question["question"]
        wrong = [option for option in question["options"] if not option["correct"]]
        assert any(option.get("feedback") for option in wrong), question["question"]
        assert all(option.get("feedback") for option in wrong), (
            f"a wrong option without feedback leaves the learner guessing: {question['question']}"
        )


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_every_question_has_an_explanation_and_one_right_answer_where_one_is_asked(path):
    for question in _questions(COURSES[path.name]):
        assert question.get("explanation", "").strip(), question["question"]
        if question["kind"] != "multiple":
            assert _right(question) == 1, question["question"]


@pytest.mark.parametrize("name", [name for name in COURSES if name.endswith(".en.yaml")])
def test_an_english_course_asks_what_the_vietnamese_asks_option_for_option(name):
    english = COURSES[name]
    vietnamese = COURSES[name.replace(".en.yaml", ".vi.yaml")]
    shape = [
        [(q["kind"], [o["correct"] for o in q["options"]]) for q in lesson.get("quiz") or []]
        for lesson in vietnamese["lessons"]
    ]
    assert shape == [
        [(q["kind"], [o["correct"] for o in q["options"]]) for q in lesson.get("quiz") or []]
        for lesson in english["lessons"]
    ]
    feedback = [
        [[bool(o.get("feedback")) for o in q["options"]] for q in lesson.get("quiz") or []]
        for course in (vietnamese, english)
        for lesson in course["lessons"]
    ]
    half = len(feedback) // 2
    assert feedback[:half] == feedback[half:]
