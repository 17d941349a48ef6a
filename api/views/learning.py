from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import Cursor
from api.serializers import (
    CourseSerializer,
    EnrolInputSerializer,
    EnrolmentSerializer,
    LessonSummarySerializer,
    QuizInputSerializer,
    QuizResultQuestionSerializer,
)
from courses import visibility
from courses.models import CourseCompetency, CoursePage, LessonPage
from courses.models.pages import counted_lesson_count
from learning import selectors, services
from learning.models import Enrolment


class CourseFilter(filters.FilterSet):
    locale = filters.CharFilter(field_name="locale__language_code", help_text="vi (default) or en")
    audience = filters.CharFilter()
    area = filters.NumberFilter(field_name="target_competencies__competency__area__number", distinct=True)

    class Meta:
        model = CoursePage
        fields = ["locale", "audience", "area"]


def courses(viewer: visibility.Viewer):
    targets = CourseCompetency.objects.select_related("competency").order_by("sort_order")
    return (
        visibility.visible(CoursePage.objects.all(), viewer)
        .select_related("locale")
        .prefetch_related(Prefetch("target_competencies", queryset=targets))
        .annotate(lesson_count=counted_lesson_count(viewer))
    )


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    """Published courses the caller may see (read from the Wagtail pages, with their privacy: see
    ``courses.visibility``; a password-protected course is not found through a token)."""

    serializer_class = CourseSerializer
    pagination_class = None
    lookup_value_regex = "[0-9]{1,10}"
    filterset_class = CourseFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, built with no one to ask about
            return CoursePage.objects.none()
        return courses(visibility.Viewer.of(self.request)).order_by("path")

    @extend_schema(responses=LessonSummarySerializer(many=True))
    @action(detail=True, methods=["get"])
    def lessons(self, request, pk=None):
        course = self.get_object()
        lessons = course.lessons_for(visibility.Viewer.of(request))
        return Response(LessonSummarySerializer(lessons, many=True).data)


LESSON = inline_serializer(
    "Lesson",
    {
        "id": serializers.IntegerField(),
        "title": serializers.CharField(),
        "course": serializers.IntegerField(),
        "minutes": serializers.IntegerField(),
        "summary": serializers.CharField(),
        "body": serializers.ListField(child=serializers.DictField()),
    },
)
QUIZ_RESULT = inline_serializer(
    "QuizResult",
    {
        "attempt": serializers.IntegerField(),
        "score": serializers.IntegerField(help_text="Questions answered right (%); it decides nothing."),
        "passed": serializers.BooleanField(help_text="Every question right: the lesson is done."),
        "replayed": serializers.BooleanField(),
        "course_completed": serializers.BooleanField(),
        "questions": QuizResultQuestionSerializer(many=True),
    },
)


class LessonViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lessons the caller may see (``courses.visibility``); any other id is not found."""

    lookup_value_regex = "[0-9]{1,10}"
    queryset = LessonPage.objects.none()  # for the schema; get_queryset() narrows to the caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LessonPage.objects.none()
        return visibility.visible(LessonPage.objects.all(), visibility.Viewer.of(self.request))

    @extend_schema(responses=LESSON)
    def retrieve(self, request, pk=None):
        """A lesson's content block by block; quiz questions without their answers."""
        lesson = self.get_object()
        course = lesson.get_parent()
        return Response(
            {
                "id": lesson.pk,
                "title": lesson.title,
                "course": course.pk,
                "minutes": lesson.minutes,
                "summary": lesson.summary,
                "body": lesson.body.stream_block.get_api_representation(lesson.body, {"request": request}),
            }
        )

    @extend_schema(request=None, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark a lesson without questions as done (a lesson with questions is done by its quiz)."""
        enrolment = services.lesson_mark_done(
            user=request.user, lesson=self.get_object(), viewer=visibility.Viewer.of(request)
        )
        return Response(EnrolmentSerializer(_enrolments(request).get(pk=enrolment.pk)).data)

    @extend_schema(request=QuizInputSerializer, responses={201: QUIZ_RESULT, 200: QUIZ_RESULT})
    @action(detail=True, methods=["post"])
    def quiz(self, request, pk=None):
        """Submit answers; they are scored here, and pass the lesson when every one is right (retries
        are free). The same submission_id twice records one attempt."""
        lesson = self.get_object()
        data = QuizInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.quiz_submit(
            user=request.user,
            lesson=lesson,
            answers=data.validated_data["answers"],
            submission_id=data.validated_data["submission_id"],
            viewer=visibility.Viewer.of(request),
        )
        from courses.quiz import score

        attempt = outcome.attempt
        answers = {key: list(value) for key, value in attempt.answers.items()}
        result = score(lesson.questions, answers)
        questions = [
            {
                "question": r.question,
                "is_correct": r.is_correct,
                "chosen": sorted(r.chosen),
                "right_answers": sorted(r.question.correct),
                "feedback": r.feedback,
            }
            for r in result.results
        ]
        body = {
            "attempt": attempt.pk,
            "score": attempt.score,
            "passed": attempt.passed,
            "replayed": outcome.replayed,
            "course_completed": outcome.course_completed,
            "questions": QuizResultQuestionSerializer(questions, many=True).data,
        }
        return Response(body, status=status.HTTP_200_OK if outcome.replayed else status.HTTP_201_CREATED)


def _enrolments(request):
    return selectors.enrolments_visible(request.user, visibility.Viewer.of(request))


class EnrolmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your courses and how far you are in each."""

    queryset = Enrolment.objects.none()  # for the schema; get_queryset() narrows to the caller
    serializer_class = EnrolmentSerializer
    pagination_class = Cursor

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        return _enrolments(self.request)

    @extend_schema(request=EnrolInputSerializer, responses={201: EnrolmentSerializer})
    def create(self, request):
        data = EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        viewer = visibility.Viewer.of(request)
        course = get_object_or_404(
            visibility.visible(CoursePage.objects.all(), viewer), pk=data.validated_data["course"]
        )
        enrolment = services.enrol(user=request.user, course=course, viewer=viewer)
        return Response(
            EnrolmentSerializer(self.get_queryset().get(pk=enrolment.pk)).data, status=status.HTTP_201_CREATED
        )


COMPETENCIES = inline_serializer(
    "MyCompetencies",
    {
        "levels": inline_serializer(
            "Level",
            {
                "competency": serializers.CharField(),
                "name": serializers.CharField(),
                "level": serializers.IntegerField(),
                "tier": serializers.CharField(),
            },
            many=True,
        ),
        "profiles": inline_serializer(
            "ProfileStatus",
            {
                "profile": serializers.CharField(),
                "met": serializers.IntegerField(),
                "required": serializers.IntegerField(),
                "complete": serializers.BooleanField(),
            },
            many=True,
        ),
    },
)


class MyCompetenciesView(APIView):
    """Your level in each competency (the highest awarded) and how close you are to each profile."""

    @extend_schema(responses=COMPETENCIES)
    def get(self, request):
        levels = selectors.competency_levels(request.user)
        return Response(
            {
                "levels": [
                    {
                        "competency": item.competency.code,
                        "name": item.competency.name,
                        "level": item.level,
                        "tier": item.tier.value,
                    }
                    for item in levels
                ],
                "profiles": [
                    {"profile": s.profile.code, "met": s.met, "required": s.required, "complete": s.complete}
                    for s in selectors.profile_statuses(request.user, levels)
                ],
            }
        )
