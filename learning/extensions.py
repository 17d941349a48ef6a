"""Named extension points: where ``learning`` lets a higher app join the end of the learning chain
(``learning.services``) without importing it. Handlers are registered in an ``AppConfig.ready()`` and
run inside the caller's transaction, in registration order.

- ``course_completed(enrolment)``: a learner completed a course (certificates issues one).
- ``profile_reached(user, profile)``: a learner now meets every level of a competency profile
  (certificates issues one).
"""

from collections.abc import Callable

_course_completed: list[Callable] = []
_profile_reached: list[Callable] = []


def on_course_completed(handler: Callable) -> Callable:
    if handler not in _course_completed:
        _course_completed.append(handler)
    return handler


def on_profile_reached(handler: Callable) -> Callable:
    if handler not in _profile_reached:
        _profile_reached.append(handler)
    return handler


def course_completed(enrolment) -> None:
    for handler in _course_completed:
        handler(enrolment)


def profile_reached(user, profile) -> None:
    for handler in _profile_reached:
        handler(user, profile)
