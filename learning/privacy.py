"""What ``learning`` holds about people, declared to ``members.personal_data`` through
``members.extensions.on_personal_data`` in LearningConfig.ready()."""

from members.personal_data import Erase, Part, names

LEARNING = (
    Part(
        "enrolments",
        "learning.Enrolment",
        by=names("user"),
        fields=names("id user course enrolled_at completed_at"),
        labels={"course": "course__title"},
        coarsen=names("enrolled_at completed_at"),
        erase=Erase.KEEP,
        why="Counted in the courses' numbers (enrolled, started, completed), by month.",
    ),
    Part(
        "lesson_progress",
        "learning.LessonProgress",
        by=names("user"),
        fields=names("id user lesson enrolment completed_at"),
        labels={"lesson": "lesson__title"},
        coarsen=names("completed_at"),
        erase=Erase.KEEP,
        why="Counted in the courses' numbers (who started a course).",
    ),
    Part(
        "quiz_attempts",
        "learning.QuizAttempt",
        by=names("user"),
        fields=names(
            "id user lesson submission_id answers correct_count question_count score passed submitted_at"
        ),
        labels={"lesson": "lesson__title"},
        erase=Erase.DELETE,
        why="The person's own answers: no number needs them, and they are a record of what they did online.",
    ),
    Part(
        "competency_awards",
        "learning.CompetencyAward",
        by=names("user"),
        fields=names("id user competency level evidence course awarded_at awarded_by"),
        named=names("awarded_by"),
        not_followed={
            "awarded_by": (
                "Skills a trainer attested for others: theirs; the attestations are in the trainer's record."
            )
        },
        labels={"competency": "competency__code", "course": "course__title"},
        coarsen=names("awarded_at"),
        erase=Erase.KEEP,
        why="Counted in the competency numbers, by month.",
    ),
)
