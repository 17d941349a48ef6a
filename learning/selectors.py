"""Reads about learning, already joined: the catalogue's progress bars, a course's and a lesson's
state for one learner, "My learning", competency levels and profiles.

Progress is matched by the pages' ``translation_key``, so the English page of a course shows the
progress recorded against its Vietnamese original.
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from courses import visibility
from courses.models import Competency, CompetencyProfile, CoursePage, LessonPage, Level
from courses.models.pages import counted_lesson_count, counted_lessons
from courses.quiz import QuizResult, score
from courses.translations import in_active_language
from learning.competencies import Levels, profile_met, requirements_met, requirements_of
from learning.models import CompetencyAward, Enrolment, LessonProgress, QuizAttempt
from members import permissions
from members.models import Membership, User
from members.selectors import groups_led_by, memberships_of


@dataclass
class CourseProgress:
    enrolled: bool = False
    completed: bool = False
    done: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def done_lesson_count(viewer: visibility.Viewer) -> Count:
    """An enrolment's lessons done, of those that count for ``viewer`` (as its total does)."""
    return Count("lesson_progress", filter=Q(lesson_progress__lesson__in=counted_lessons(viewer)))


def course_progress_map(
    user: User, courses: list[CoursePage], viewer: visibility.Viewer | None = None
) -> dict[int, CourseProgress]:
    """Progress per course (keyed by the page id shown, annotated with its ``lesson_count``) in one
    query per kind of row."""
    result = {course.pk: CourseProgress(total=getattr(course, "lesson_count", 0) or 0) for course in courses}
    if not user.is_authenticated or not courses:
        return result
    by_key = {course.translation_key: course.pk for course in courses}
    enrolments = (
        Enrolment.objects.filter(user=user, course__translation_key__in=by_key)
        .annotate(done=done_lesson_count(viewer or visibility.Viewer(user)))
        .values_list("course__translation_key", "completed_at", "done")
    )
    for key, completed_at, done in enrolments:
        progress = result[by_key[key]]
        progress.enrolled, progress.completed, progress.done = True, completed_at is not None, done
    return result


@dataclass
class CourseState:
    enrolment: Enrolment | None
    done_keys: set = field(default_factory=set)
    next_lesson: LessonPage | None = None
    progress: CourseProgress = field(default_factory=CourseProgress)


def course_state(user: User, course: CoursePage, lessons: list[LessonPage]) -> CourseState:
    """Where a learner stands in a course: done lessons and the lesson to continue with."""
    state = CourseState(enrolment=None, progress=CourseProgress(total=len(lessons)))
    if user.is_authenticated:
        state.enrolment = Enrolment.objects.filter(
            user=user, course__translation_key=course.translation_key
        ).first()
        if state.enrolment:
            state.done_keys = set(
                LessonProgress.objects.filter(enrolment=state.enrolment).values_list(
                    "lesson__translation_key", flat=True
                )
            )
    state.progress.enrolled = state.enrolment is not None
    state.progress.completed = bool(state.enrolment and state.enrolment.completed_at)
    state.progress.done = sum(1 for lesson in lessons if lesson.translation_key in state.done_keys)
    state.next_lesson = next(
        (lesson for lesson in lessons if lesson.translation_key not in state.done_keys), None
    )
    return state


@dataclass
class LessonState:
    done: bool = False
    result: QuizResult | None = None  # the attempt to show feedback for
    attempt: QuizAttempt | None = None
    passed: bool = False  # as recorded: an attempt keeps the verdict of the rule it was scored by
    done_keys: set = field(default_factory=set)


def lesson_state(
    user: User, lesson: LessonPage, siblings: list[LessonPage], attempt_id: str | None
) -> LessonState:
    """A learner's state on a lesson page, and the feedback of the attempt named in the URL."""
    state = LessonState()
    if not user.is_authenticated:
        return state
    keys = [sibling.translation_key for sibling in siblings] or [lesson.translation_key]
    state.done_keys = set(
        LessonProgress.objects.filter(user=user, lesson__translation_key__in=keys).values_list(
            "lesson__translation_key", flat=True
        )
    )
    state.done = lesson.translation_key in state.done_keys
    attempts = QuizAttempt.objects.filter(user=user, lesson__translation_key=lesson.translation_key)
    if attempt_id and attempt_id.isdigit():
        state.attempt = attempts.filter(pk=int(attempt_id)).first()
    if state.attempt is not None:
        state.passed = state.attempt.passed
        answers = {key: list(value) for key, value in state.attempt.answers.items()}
        try:
            state.result = score(lesson.questions, answers)
        except ValueError:
            state.result = None  # the lesson's questions changed since: show no stale feedback
    return state


@dataclass
class CompetencyLevel:
    competency: object
    level: int

    @property
    def tier(self):
        return Level.tier_of(self.level)


def levels_of(user: User) -> Levels:
    """A person's competency levels (competency id → level): the highest level awarded in each."""
    return dict(
        CompetencyAward.objects.filter(user=user)
        .values("competency_id")
        .annotate(level=Max("level"))
        .values_list("competency_id", "level")
    )


def competency_levels(user: User) -> list[CompetencyLevel]:
    """``levels_of`` with the competencies themselves, in the framework's order, for display."""
    levels = levels_of(user)
    if not levels:
        return []
    competencies = (
        Competency.objects.filter(pk__in=levels).select_related("area").order_by("area__number", "sort_order")
    )
    return [CompetencyLevel(competency, levels[competency.pk]) for competency in competencies]


@dataclass
class ProfileStatus:
    profile: CompetencyProfile
    met: int
    required: int
    complete: bool

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.required) if self.required else 0


def profile_statuses(user: User, levels: list[CompetencyLevel]) -> list[ProfileStatus]:
    """How far ``levels`` (from ``competency_levels``) go towards each profile."""
    by_id = {item.competency.pk: item.level for item in levels}
    statuses = []
    for profile in CompetencyProfile.objects.prefetch_related("requirements"):
        requirements = requirements_of(profile)
        statuses.append(
            ProfileStatus(
                profile,
                met=requirements_met(by_id, requirements),
                required=len(requirements),
                complete=profile_met(by_id, requirements),
            )
        )
    return statuses


@dataclass
class MyLearning:
    enrolments: list
    progress: dict
    levels: list[CompetencyLevel]
    profiles: list[ProfileStatus]


def enrolments_visible(user: User, viewer: visibility.Viewer | None = None):
    """A learner's enrolments in the courses they may (still) see, with the lessons done and the
    lessons they may see: a course unpublished or restricted since drops out of their lists."""
    viewer = viewer or visibility.Viewer(user)
    return (
        Enrolment.objects.filter(user=user, course__in=visibility.visible(CoursePage.objects.all(), viewer))
        .select_related("course")
        .annotate(
            done=done_lesson_count(viewer),
            total=counted_lesson_count(viewer, "course"),
        )
    )


def my_learning(user: User, viewer: visibility.Viewer | None = None) -> MyLearning:
    enrolments = list(enrolments_visible(user, viewer).order_by("completed_at", "-enrolled_at"))
    progress = {
        e.pk: CourseProgress(
            enrolled=True, completed=e.completed_at is not None, done=e.done, total=e.total or 0
        )
        for e in enrolments
    }
    levels = competency_levels(user)
    return MyLearning(
        enrolments=enrolments, progress=progress, levels=levels, profiles=profile_statuses(user, levels)
    )


@dataclass
class NextStep:
    course: CoursePage
    lesson: LessonPage | None


def continue_learning(user: User, viewer: visibility.Viewer | None = None) -> NextStep | None:
    """The most recently started course not yet completed, and its first lesson not yet done."""
    if not user.is_authenticated:
        return None
    viewer = viewer or visibility.Viewer(user)
    enrolment = (
        Enrolment.objects.filter(
            user=user,
            completed_at__isnull=True,
            course__in=visibility.visible(CoursePage.objects.all(), viewer),
        )
        .select_related("course")
        .order_by("-enrolled_at")
        .first()
    )
    if enrolment is None:
        return None
    done = set(LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))
    lesson = next((lesson for lesson in enrolment.course.lessons_for(viewer) if lesson.pk not in done), None)
    course, lesson = in_active_language(enrolment.course, lesson)
    return NextStep(course=course, lesson=lesson)


def _count(queryset) -> Coalesce:
    counts = queryset.order_by().values("user").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def with_progress(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Members with their progress at a glance, for a group's roster: ``courses_completed`` and
    ``lessons_done`` (two subqueries)."""
    completed = Enrolment.objects.filter(user=OuterRef("user"), completed_at__isnull=False)
    lessons = LessonProgress.objects.filter(user=OuterRef("user"))
    return memberships.annotate(courses_completed=_count(completed), lessons_done=_count(lessons))


# The home page ------------------------------------------------------------------------------------


@dataclass
class HomeSummary:
    """What the home page shows a person: where they stand and what to do next."""

    is_staff: bool = False
    is_provincial: bool = False
    staff_communes: list = field(default_factory=list)
    led_groups: list = field(default_factory=list)
    memberships: list = field(default_factory=list)
    next_step: object = None


def home_summary_for(user: User, viewer: visibility.Viewer | None = None) -> HomeSummary:
    if not user.is_authenticated:
        return HomeSummary()
    scope = permissions.scope_of(user)
    summary = HomeSummary(is_staff=scope.is_staff, is_provincial=scope.province)
    if scope.commune_ids and not scope.province:
        summary.staff_communes = list(permissions.communes_managed_by(user))
    if scope.led_group_ids:
        summary.led_groups = list(groups_led_by(user))
    summary.memberships = [m for m in memberships_of(user) if m.role == Membership.Role.MEMBER]
    summary.next_step = continue_learning(user, viewer)
    return summary


# The person's own data ("Dữ liệu của tôi") ---------------------------------------------------------


@dataclass
class LearningRecord:
    enrolments: list[Enrolment]
    quiz_attempts: int
    quiz_passed: int
    awards: list[CompetencyAward]


def learning_record(person: User) -> LearningRecord:
    """What the person learned, for their data page: courses, answers counted, skills."""
    quiz = QuizAttempt.objects.filter(user=person).aggregate(
        attempts=Count("pk"), passed=Count("pk", filter=Q(passed=True))
    )
    return LearningRecord(
        enrolments=list(
            Enrolment.objects.filter(user=person)
            .select_related("course")
            .annotate(done=Count("lesson_progress"))
            .order_by("-enrolled_at")
        ),
        quiz_attempts=quiz["attempts"],
        quiz_passed=quiz["passed"],
        awards=list(
            CompetencyAward.objects.filter(user=person)
            .select_related("competency", "course")
            .order_by("competency__code", "-level")
        ),
    )
