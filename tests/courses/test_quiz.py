import pytest

from courses.quiz import Question, QuizAnswerError, score


def q(id, kind="single", correct=(0,), options=3, number=1):
    return Question(
        id=id,
        number=number,
        kind=kind,
        text="?",
        explanation="",
        options=[{"text": str(i), "correct": i in correct, "feedback": ""} for i in range(options)],
    )


QUESTIONS = [
    q("a"),
    q("b", kind="multiple", correct=(1, 2), options=4, number=2),
    q("c", kind="true_false", options=2, number=3),
]


def test_all_right_scores_100_and_passes():
    result = score(QUESTIONS, {"a": [0], "b": [1, 2], "c": [0]})
    assert (result.score, result.correct_count, result.passed) == (100, 3, True)


def test_a_multiple_choice_question_needs_exactly_the_right_set():
    result = score(QUESTIONS, {"a": [0], "b": [1], "c": [1]})
    assert [r.is_correct for r in result.results] == [True, False, False]
    assert (result.score, result.passed) == (33, False)
    result = score(QUESTIONS, {"a": [0], "b": [1, 2, 3], "c": [0]})
    assert result.results[1].is_correct is False and result.score == 67 and not result.passed


@pytest.mark.parametrize("questions", [QUESTIONS[:2], QUESTIONS])
def test_one_slip_does_not_pass_the_lesson_whatever_the_share(questions):
    """Mastery: 1 of 2 (50 %) and 2 of 3 (67 %) alike ask for another try, with feedback."""
    answers = {"a": [1], "b": [1, 2], "c": [0]}
    result = score(questions, {key: answers[key] for key in (q.id for q in questions)})
    assert result.correct_count == len(questions) - 1 and not result.passed


def test_every_question_right_passes_a_lesson_of_any_size():
    assert score(QUESTIONS[:1], {"a": [0]}).passed
    assert score(QUESTIONS[:2], {"a": [0], "b": [2, 1]}).passed


@pytest.mark.parametrize(
    ("answers", "bad"),
    [
        ({"a": [0], "b": [1, 2]}, "c"),  # unanswered
        ({"a": [7], "b": [1, 2], "c": [0]}, "a"),  # names no option
        ({"a": [-1], "b": [1, 2], "c": [0]}, "a"),
        ({"a": ["x"], "b": [1, 2], "c": [0]}, "a"),
        ({"a": [0, 1], "b": [1, 2], "c": [0]}, "a"),  # two answers to a one-answer question
        ({"a": [0], "b": [1, 2], "c": [0], "zzz": [0]}, ""),  # a question not in this lesson
    ],
)
def test_answers_that_do_not_fit_are_refused_with_the_question_named(answers, bad):
    with pytest.raises(QuizAnswerError) as caught:
        score(QUESTIONS, answers)
    assert bad in caught.value.errors


def test_feedback_of_the_chosen_wrong_answer_is_returned():
    question = Question(
        id="a",
        number=1,
        kind="single",
        text="?",
        explanation="",
        options=[{"text": "x", "correct": True}, {"text": "y", "correct": False, "feedback": "Không phải y"}],
    )
    result = score([question], {"a": [1]})
    assert result.results[0].feedback == ["Không phải y"]
