"""The learner's pages and the actions posted from lesson pages: "My learning", starting a course,
marking a lesson done, answering a quiz, and turning on learning without a connection. Each view
validates, calls a service or a selector, and renders or redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses import visibility
from courses.models import CoursePage, LessonPage
from learning import selectors, services


def quiz_answers_from(data) -> dict[str, list[str]]:
    """``q-<question id>`` fields of a submitted quiz form, as ``{question_id: [option, ...]}``."""
    return {key[2:]: data.getlist(key) for key in data if key.startswith("q-")}


@login_required
def my_learning(request):
    return render(
        request,
        "learning/my_learning.html",
        {"learning": selectors.my_learning(request.user, visibility.Viewer.of(request))},
    )


@require_POST
@login_required
def course_start(request, course_id: int):
    viewer = visibility.Viewer.of(request)
    course = get_object_or_404(visibility.visible(CoursePage.objects.all(), viewer), pk=course_id)
    services.enrol(user=request.user, course=course, viewer=viewer)
    state = selectors.course_state(request.user, course, list(course.lessons_for(viewer)))
    target = state.next_lesson or course
    return HttpResponseRedirect(target.get_url(request))


@require_POST
@login_required
def lesson_done(request, lesson_id: int):
    viewer = visibility.Viewer.of(request)
    lesson = get_object_or_404(visibility.visible(LessonPage.objects.all(), viewer), pk=lesson_id)
    try:
        services.lesson_mark_done(user=request.user, lesson=lesson, viewer=viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(lesson.get_url(request))
    return HttpResponseRedirect(_after_lesson(request, lesson))


def _after_lesson(request, lesson: LessonPage) -> str:
    following = visibility.visible(lesson.get_next_siblings(), visibility.Viewer.of(request)).first()
    if following is not None:
        return following.get_url(request)
    return lesson.get_parent().get_url(request)


@require_POST
@login_required
def quiz_submit(request, lesson_id: int):
    viewer = visibility.Viewer.of(request)
    lesson = get_object_or_404(visibility.visible(LessonPage.objects.all(), viewer), pk=lesson_id)
    answers = quiz_answers_from(request.POST)
    try:
        outcome = services.quiz_submit(
            user=request.user,
            lesson=lesson,
            answers=answers,
            submission_id=request.POST.get("submission_id", ""),
            viewer=viewer,
        )
    except ValidationError as error:
        # Show the lesson again with the learner's choices kept and each problem next to its question.
        request.hocso_quiz = {
            "errors": getattr(error, "message_dict", {"answers": error.messages}),
            "chosen": answers,
        }
        response = lesson.serve(request)
        response.status_code = 400
        return response
    if outcome.course_completed:
        messages.success(
            request,
            _("Congratulations! You completed the course “%(title)s”.")
            % {"title": lesson.get_parent().title},
        )
    return HttpResponseRedirect(f"{lesson.get_url(request)}?attempt={outcome.attempt.pk}#ket-qua")


@require_GET
def offline_learning(request):
    """Where a resident turns on learning without a connection (the only resident page with a script)."""
    return render(request, "learning/offline.html")
