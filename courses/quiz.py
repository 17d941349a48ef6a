"""Scoring quiz answers against a lesson's questions. Pure functions: no database, no request.

Answers arrive as ``{question_id: [option_index, ...]}``; the question id is the StreamField
block id, stable across edits of the other blocks.

The rule (issue 17, mastery learning): an attempt passes its lesson when every question is
answered right; a learner may answer again as often as they like. A lesson holds two to four
questions, so a percentage pass mark does not fit it: at 70 %, one slip in two or three questions
failed the lesson (1 of 2 is 50 %, 2 of 3 is 67 %) and a lower mark would let a learner pass
without ever meeting the safety point they missed. Instead each attempt shows, per question,
which answers are right, the feedback of each wrong choice and the explanation, and the form
keeps the learner's choices: they fix what was wrong and send again. Nobody is stuck (the page
shows the right answers) and nobody finishes a lesson holding a wrong idea. A multiple-choice
question is right when exactly its right options are chosen: ticking a dangerous option ("send
the OTP code") is the mistake the lesson exists to prevent, so it earns no part credit.

This is the one rule: the lesson page, the API and answers sent later from an offline phone all
reach ``learning.services.quiz_submit``, which records ``passed`` from here; completion and
competency awards follow the lessons done. ``score`` is the share of questions right, shown to
the learner; it decides nothing.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from courses.blocks import QuestionBlock


@dataclass(frozen=True)
class Question:
    id: str
    number: int
    kind: str
    text: str
    options: list[dict]
    explanation: str

    @property
    def correct(self) -> frozenset[int]:
        return frozenset(i for i, option in enumerate(self.options) if option.get("correct"))


@dataclass
class QuestionResult:
    question: Question
    chosen: frozenset[int]

    @property
    def is_correct(self) -> bool:
        return self.chosen == self.question.correct

    @property
    def feedback(self) -> list[str]:
        return [
            self.question.options[i]["feedback"]
            for i in sorted(self.chosen)
            if self.question.options[i].get("feedback")
        ]


@dataclass
class QuizResult:
    results: list[QuestionResult]
    correct_count: int = field(init=False)
    score: int = field(init=False)

    def __post_init__(self):
        self.correct_count = sum(1 for result in self.results if result.is_correct)
        total = len(self.results)
        self.score = round(100 * self.correct_count / total) if total else 100

    @property
    def question_count(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> bool:
        """Every question answered right (see the module's docstring for why)."""
        return self.correct_count == self.question_count


class QuizAnswerError(ValueError):
    """The answers do not fit the questions. ``errors`` maps a question id ("" for the form) to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(str(message) for message in errors.values()))
        self.errors = errors


def questions_of(body) -> list[Question]:
    """The quiz questions of a lesson body (a StreamValue), numbered from 1."""
    questions = []
    for block in body:
        if block.block_type != "question":
            continue
        value = block.value
        questions.append(
            Question(
                id=block.id,
                number=len(questions) + 1,
                kind=value["kind"],
                text=value["question"],
                options=[dict(option) for option in value["options"]],
                explanation=str(value["explanation"].source if value["explanation"] else ""),
            )
        )
    return questions


def score(questions: list[Question], answers: dict[str, list[int]]) -> QuizResult:
    """Score ``answers``; refuse (QuizAnswerError) anything that names no real question or option."""
    by_id = {question.id: question for question in questions}
    errors: dict[str, str] = {}
    unknown = set(answers) - set(by_id)
    if unknown:
        errors[""] = _("The answers refer to a question that is not in this lesson.")
    results = []
    for question in questions:
        chosen = answers.get(question.id) or []
        try:
            picked = frozenset(int(index) for index in chosen)
        except (TypeError, ValueError):
            errors[question.id] = _("Question %(number)s: that answer is not one of the choices.") % {
                "number": question.number
            }
            continue
        if not picked:
            errors[question.id] = _("Question %(number)s: please choose an answer.") % {
                "number": question.number
            }
        elif any(index < 0 or index >= len(question.options) for index in picked):
            errors[question.id] = _("Question %(number)s: that answer is not one of the choices.") % {
                "number": question.number
            }
        elif question.kind != QuestionBlock.MULTIPLE and len(picked) > 1:
            errors[question.id] = _("Question %(number)s: choose only one answer.") % {
                "number": question.number
            }
        results.append(QuestionResult(question=question, chosen=picked))
    if errors:
        raise QuizAnswerError(errors)
    return QuizResult(results=results)
