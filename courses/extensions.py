"""Named extension points: where ``courses`` lets other apps join in without importing them. They are
Wagtail hooks (``wagtail.hooks``): an app registers a function in its ``wagtail_hooks.py`` under the
hook's name, without importing ``courses`` either; handlers run inside the caller's transaction.

- ``"moderation_overridden"`` (``user``, ``page``, ``how``): someone published content without the
  review the separation of duties asks for, which only an administrator may do. ``how`` is the value
  of an ``Override``: the page was published directly, or its reviewer approved a change they made
  themselves. (members records an audit event: ``members/wagtail_hooks.py``.)
"""

from django.db import models
from wagtail import hooks

MODERATION_OVERRIDDEN = "moderation_overridden"


class Override(models.TextChoices):
    PUBLISHED_WITHOUT_REVIEW = "published_without_review"
    APPROVED_OWN_CHANGE = "approved_own_change"


def moderation_overridden(user, page, how: Override) -> None:
    for handler in hooks.get_hooks(MODERATION_OVERRIDDEN):
        handler(user=user, page=page, how=Override(how).value)
