"""What a learner has done, for the course templates (``courses`` never imports ``learning``), the
home page and the person's data page."""

import uuid

from django import template

from courses import visibility
from courses.renditions import images_in, prefetch
from learning import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def course_progress_map(context, courses):
    """``{% course_progress_map courses as progress %}``: progress per course id, one query each."""
    prefetch([course.cover for course in courses if course.cover_id])
    request = context["request"]
    return selectors.course_progress_map(request.user, courses, visibility.Viewer.of(request))


@register.simple_tag(takes_context=True)
def course_state(context, course, lessons):
    prefetch(images_in(course))
    return selectors.course_state(context["request"].user, course, lessons)


@register.simple_tag(takes_context=True)
def lesson_state(context, lesson, siblings):
    """The learner's state on this lesson, with the feedback of the attempt in ``?attempt=``, or the
    errors and choices of a submission the server refused (``request.hocso_quiz``)."""
    request = context["request"]
    prefetch(images_in(lesson))
    state = selectors.lesson_state(request.user, lesson, siblings, request.GET.get("attempt"))
    refused = getattr(request, "hocso_quiz", None) or {}
    state.errors = refused.get("errors", {})
    state.chosen = refused.get("chosen") or (
        {key: [str(i) for i in value] for key, value in state.attempt.answers.items()}
        if state.attempt
        else {}
    )
    state.submission_id = uuid.uuid4()
    return state


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def contains(values, value):
    return values is not None and str(value) in {str(item) for item in values}


@register.inclusion_tag("learning/tags/next_step.html", takes_context=True)
def next_step(context):
    """The home page's personal panel: the next thing this person should do."""
    request = context["request"]
    return {
        "request": request,
        "user": request.user,
        "summary": selectors.home_summary_for(request.user, visibility.Viewer.of(request)),
        "catalogue": context.get("catalogue"),
    }


@register.inclusion_tag("learning/my_data.html", takes_context=True)
def my_learning_record(context):
    """ "Dữ liệu của tôi": what the signed-in person learned (three queries)."""
    return vars(selectors.learning_record(context["request"].user))
