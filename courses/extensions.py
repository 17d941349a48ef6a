"""Named extension points: where ``courses`` lets a higher app join in without importing it (as
``members.extensions`` does for members). Handlers are registered in an ``AppConfig.ready()`` and run
inside the caller's transaction, in registration order.

- ``moderation_overridden(user, page, how)``: someone published content without the review the
  separation of duties asks for, which only an administrator may do. ``how`` is one of ``Override``:
  the page was published directly, or its reviewer approved a change they made themselves.
  (members records an audit event.)
"""

from collections.abc import Callable

from django.db import models

_moderation_overridden: list[Callable] = []


class Override(models.TextChoices):
    PUBLISHED_WITHOUT_REVIEW = "published_without_review"
    APPROVED_OWN_CHANGE = "approved_own_change"


def on_moderation_overridden(handler: Callable) -> Callable:
    if handler not in _moderation_overridden:
        _moderation_overridden.append(handler)
    return handler


def moderation_overridden(user, page, how: Override) -> None:
    for handler in _moderation_overridden:
        handler(user=user, page=page, how=how)
