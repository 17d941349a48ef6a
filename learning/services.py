"""The learning chain, read top to bottom:

    enrol(course)
    lesson_mark_done(lesson)          a lesson without questions is done when the learner says so
    quiz_submit(lesson, answers)      scored here (courses.quiz: every question right passes;
                                      retries are free); a passed quiz makes its lesson done
      └─ course_check_completion      every live lesson done → the enrolment is completed
           ├─ _award_course_competencies    the course's competencies at their levels
           ├─ extensions.course_completed   (learning.extensions; certificates: issue the course certificate)
           └─ _check_profiles               each profile now fully met
                └─ extensions.profile_reached (certificates: issue the profile certificate)

Rows always point at the page in the default locale, so progress made on a translated page counts
for the same course.

Each step first asks ``courses.visibility`` whether the learner may see the page (live, under live
pages, and accepted by its view restrictions): a ``viewer`` carries the passwords their browser
session passed; without one, the learner is taken as having passed none.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from courses import visibility
from courses.models import Competency, CompetencyProfile, CoursePage, LessonPage
from courses.quiz import QuizAnswerError, score
from courses.translations import canonical
from learning import extensions as learning_extensions
from learning.competencies import Levels, profile_met, requirements_of
from learning.models import CompetencyAward, Enrolment, LessonProgress, QuizAttempt
from learning.selectors import levels_of
from members import extensions
from members.models import AuditEvent, User
from members.services.audit import audit_record


def _require_visible(user: User, viewer: visibility.Viewer | None, *pages: Page) -> visibility.Viewer:
    viewer = viewer or visibility.Viewer(user)
    ids = {page.pk for page in pages}
    if visibility.visible(Page.objects.filter(pk__in=ids), viewer).count() != len(ids):
        raise PermissionDenied(_("You may not open this page."))
    return viewer


def _course_of(lesson: LessonPage) -> CoursePage:
    course = CoursePage.objects.parent_of(lesson).first()
    if course is None:
        raise ValidationError(_("This lesson does not belong to a course."))
    return course


@transaction.atomic
def enrol(*, user: User, course: CoursePage, viewer: visibility.Viewer | None = None) -> Enrolment:
    """Enrol a learner (once: enrolling again returns the same enrolment)."""
    shown, course = course, canonical(course)
    _require_visible(user, viewer, shown, course)
    return _enrol(user=user, course=course)


def _enrol(*, user: User, course: CoursePage) -> Enrolment:
    """Enrol in a course the learner may see (the caller checked: the course of a lesson they see)."""
    enrolment, created = Enrolment.objects.get_or_create(user=user, course=course)
    if created:
        audit_record(actor=user, action=AuditEvent.Action.ENROLMENT_CREATE, target=enrolment)
        extensions.people_changed([user.pk])
    return enrolment


@transaction.atomic
def lesson_mark_done(*, user: User, lesson: LessonPage, viewer: visibility.Viewer | None = None) -> Enrolment:
    """A learner finished reading a lesson that has no questions."""
    shown, lesson = lesson, canonical(lesson)
    if not lesson.live:
        raise ValidationError(_("This lesson is not published."))
    viewer = _require_visible(user, viewer, shown, lesson)
    if lesson.questions:
        raise ValidationError(_("Answer the questions at the end of the lesson to finish it."))
    enrolment = _enrol(user=user, course=_course_of(lesson))
    _record_lesson_done(enrolment=enrolment, lesson=lesson)
    course_check_completion(enrolment=enrolment, viewer=viewer)
    return enrolment


@dataclass
class QuizOutcome:
    attempt: QuizAttempt
    replayed: bool  # the same submission arrived before: nothing new was recorded
    course_completed: bool


@transaction.atomic
def quiz_submit(
    *,
    user: User,
    lesson: LessonPage,
    answers: dict[str, list[int]],
    submission_id: uuid.UUID | str,
    viewer: visibility.Viewer | None = None,
) -> QuizOutcome:
    """Score a learner's answers on the server and record the attempt; retries are new attempts.

    A double submit (same ``submission_id``) returns the attempt already recorded. The answers are
    scored against the page the learner saw (a translation shares its original's question ids);
    the attempt is recorded against the original.
    """
    shown, lesson = lesson, canonical(lesson)
    try:
        submission_id = uuid.UUID(str(submission_id))
    except ValueError:
        raise ValidationError({"submission_id": _("This form has expired. Please answer again.")}) from None
    existing = QuizAttempt.objects.filter(user=user, submission_id=submission_id).first()
    if existing is not None:
        if existing.lesson_id != lesson.pk:
            raise ValidationError({"submission_id": _("This form belongs to another lesson.")})
        return QuizOutcome(existing, replayed=True, course_completed=False)
    if not lesson.live:
        raise ValidationError(_("This lesson is not published."))
    viewer = _require_visible(user, viewer, shown, lesson)
    questions = shown.questions
    if not questions:
        raise ValidationError(_("This lesson has no questions."))
    course = _course_of(lesson)
    try:
        result = score(questions, answers)
    except QuizAnswerError as error:
        raise ValidationError(
            {key or "answers": [message] for key, message in error.errors.items()}
        ) from None

    enrolment = _enrol(user=user, course=course)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user,
                lesson=lesson,
                submission_id=submission_id,
                answers={r.question.id: sorted(r.chosen) for r in result.results},
                correct_count=result.correct_count,
                question_count=result.question_count,
                score=result.score,
                passed=result.passed,
            )
    except IntegrityError:
        # The same submission raced in through another request and won.
        return QuizOutcome(QuizAttempt.objects.get(user=user, submission_id=submission_id), True, False)
    completed = False
    if result.passed:
        _record_lesson_done(enrolment=enrolment, lesson=lesson)
        completed = course_check_completion(enrolment=enrolment, viewer=viewer)
    return QuizOutcome(attempt, replayed=False, course_completed=completed)


def _record_lesson_done(*, enrolment: Enrolment, lesson: LessonPage) -> None:
    _progress, created = LessonProgress.objects.get_or_create(
        user_id=enrolment.user_id, lesson=lesson, defaults={"enrolment": enrolment}
    )
    if created:
        extensions.people_changed([enrolment.user_id])


@transaction.atomic
def course_check_completion(*, enrolment: Enrolment, viewer: visibility.Viewer | None = None) -> bool:
    """Complete the enrolment if every lesson that counts for the learner (``lessons_for``: the ones
    they may see, as their progress counts) is done and they may see the course;
    return True when this call completed it."""
    # Lock the enrolment: two answers arriving together must not both complete the course.
    enrolment = Enrolment.objects.select_for_update().select_related("course", "user").get(pk=enrolment.pk)
    if enrolment.completed_at is not None:
        return False
    viewer = viewer or visibility.Viewer(enrolment.user)
    if not visibility.may_see(viewer, enrolment.course):
        return False
    lesson_ids = set(enrolment.course.lessons_for(viewer).values_list("pk", flat=True))
    done = set(
        LessonProgress.objects.filter(user_id=enrolment.user_id, lesson_id__in=lesson_ids).values_list(
            "lesson_id", flat=True
        )
    )
    if not lesson_ids or lesson_ids - done:
        return False
    enrolment.completed_at = timezone.now()
    enrolment.save(update_fields=["completed_at"])
    audit_record(actor=enrolment.user, action=AuditEvent.Action.ENROLMENT_COMPLETE, target=enrolment)
    levels_before = levels_of(enrolment.user)
    _award_course_competencies(enrolment=enrolment)
    learning_extensions.course_completed(enrolment)
    _check_profiles(user=enrolment.user, levels_before=levels_before)
    return True


def _award_course_competencies(*, enrolment: Enrolment) -> None:
    targets = enrolment.course.target_competencies.all()
    CompetencyAward.objects.bulk_create(
        [
            CompetencyAward(
                user_id=enrolment.user_id,
                competency_id=target.competency_id,
                level=target.level,
                evidence=CompetencyAward.Evidence.COURSE,
                course_id=enrolment.course_id,
                awarded_at=enrolment.completed_at,
            )
            for target in targets
        ],
        ignore_conflicts=True,
    )


def _check_profiles(*, user: User, levels_before: Levels) -> None:
    levels = levels_of(user)
    for profile in CompetencyProfile.objects.prefetch_related("requirements"):
        requirements = requirements_of(profile)
        if profile_met(levels, requirements) and not profile_met(levels_before, requirements):
            audit_record(
                actor=user,
                action=AuditEvent.Action.PROFILE_REACHED,
                target=profile,
                changes={"user": [None, user.pk]},
            )
            learning_extensions.profile_reached(user, profile)


@transaction.atomic
def competency_attest(
    *, user: User, competency: Competency, level: int, acting_user: User
) -> CompetencyAward:
    """A trainer attests that a person has a competency at a level (evidence: attestation)."""
    levels_before = levels_of(user)
    award = CompetencyAward(
        user=user,
        competency=competency,
        level=level,
        evidence=CompetencyAward.Evidence.ATTESTATION,
        awarded_by=acting_user,
    )
    award.full_clean()
    award.save()
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.COMPETENCY_ATTEST,
        target=award,
        changes={"level": [None, level]},
    )
    _check_profiles(user=user, levels_before=levels_before)
    extensions.people_changed([user.pk])
    return award
