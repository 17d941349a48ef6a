"""What learners did: enrolments, lesson progress, quiz attempts and competency awards.

These rows point at pages and competencies of ``courses``; they always point at the page in the
default locale (Vietnamese), so that progress made on the English page counts for the same course.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("learner"),
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("course")
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        db_table = "members_enrolment"  # made in members, moved without copying
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrolment_unique_user_course")
        ]
        indexes = [models.Index(fields=["course", "completed_at"], name="enrolment_course_done_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.course}"


class LessonProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_progress",
        verbose_name=_("learner"),
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="progress", verbose_name=_("lesson")
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="lesson_progress", verbose_name=_("enrolment")
    )
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)

    class Meta:
        db_table = "members_lessonprogress"  # made in members, moved without copying
        verbose_name = _("completed lesson")
        verbose_name_plural = _("completed lessons")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lessonprogress_unique_user_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson}"


class QuizAttempt(models.Model):
    """One submission of a lesson's quiz, scored on the server. Every retry is a new row.

    ``passed`` is the verdict of the rule in force when the attempt was scored, never recomputed:
    before issue 17 a score at or above the course's pass mark; since, every question right
    (``courses.quiz``). A lesson finished under the old rule stays finished, as do the completions
    and competency awards that followed from it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("learner"),
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="quiz_attempts", verbose_name=_("lesson")
    )
    # Made when the form (or the app) shows the quiz: a double submit carries the same id and
    # finds the attempt already recorded instead of recording a second one.
    submission_id = models.UUIDField(_("submission id"), default=uuid.uuid4)
    answers = models.JSONField(_("answers"), default=dict)
    correct_count = models.PositiveSmallIntegerField(_("correct answers"))
    question_count = models.PositiveSmallIntegerField(_("questions"))
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        db_table = "members_quizattempt"  # made in members, moved without copying
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "submission_id"], name="quizattempt_unique_submission"),
            models.CheckConstraint(condition=Q(score__lte=100), name="quizattempt_score_at_most_100"),
            models.CheckConstraint(
                condition=Q(correct_count__lte=models.F("question_count")),
                name="quizattempt_correct_le_questions",
            ),
        ]
        indexes = [models.Index(fields=["user", "lesson", "passed"], name="quizattempt_user_lesson_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson} · {self.score}%"


class CompetencyAward(models.Model):
    """Evidence that a person reached a competency at a level. A person's level in a competency is
    the highest level among their awards: a later, lower award never lowers it."""

    class Evidence(models.TextChoices):
        COURSE = "course", _("course completed")
        ASSESSMENT = "assessment", _("assessment")
        ATTESTATION = "attestation", _("trainer's attestation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="competency_awards",
        verbose_name=_("person"),
    )
    competency = models.ForeignKey(
        "courses.Competency", on_delete=models.PROTECT, related_name="awards", verbose_name=_("competency")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    evidence = models.CharField(_("evidence"), max_length=12, choices=Evidence.choices)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course"),
    )
    awarded_at = models.DateTimeField(_("awarded at"), default=timezone.now)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("awarded by"),
    )

    class Meta:
        db_table = "members_competencyaward"  # made in members, moved without copying
        verbose_name = _("competency award")
        verbose_name_plural = _("competency awards")
        ordering = ["-awarded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=8), name="competencyaward_level_1_8"),
            models.CheckConstraint(
                condition=~Q(evidence="course") | Q(course__isnull=False),
                name="competencyaward_course_evidence",
            ),
            # Completing a course awards its competencies once, however often completion is replayed.
            models.UniqueConstraint(
                fields=["user", "competency", "course"],
                condition=Q(evidence="course"),
                name="competencyaward_once_per_course",
            ),
        ]
        indexes = [models.Index(fields=["competency", "level"], name="competencyaward_comp_level_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.competency_id} ≥ {self.level}"
