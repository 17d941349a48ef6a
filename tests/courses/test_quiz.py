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
    result = score(QUESTIONS, {"a": [0], "b": [1, 2], "c": [0]}, pass_mark=70)
    assert (result.score, result.correct_count, result.passed) == (100, 3, True)


def test_a_multiple_choice_question_needs_exactly_the_right_set():
    result = score(QUESTIONS, {"a": [0], "b": [1], "c": [1]}, pass_mark=70)
    assert [r.is_correct for r in result.results] == [True, False, False]
    assert (result.score, result.passed) == (33, False)
    result = score(QUESTIONS, {"a": [0], "b": [1, 2, 3], "c": [0]}, pass_mark=70)
    assert result.results[1].is_correct is False and result.score == 67 and not result.passed


def test_the_pass_mark_is_inclusive():
    assert score(QUESTIONS[:1] + QUESTIONS[2:], {"a": [0], "c": [1]}, pass_mark=50).passed


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
        score(QUESTIONS, answers, pass_mark=70)
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
    result = score([question], {"a": [1]}, pass_mark=70)
    assert result.results[0].feedback == ["Không phải y"]
