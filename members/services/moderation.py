"""The record of an administrator overriding the separation of duties on content (see
courses.models.workflows): registered in members/wagtail_hooks.py on the Wagtail hook
``"moderation_overridden"`` that ``courses.extensions`` calls (``members`` does not import ``courses``)."""

from django.db import transaction

from members.models import AuditEvent, User
from members.services.audit import audit_record

# By the values of ``courses.extensions.Override``.
OVERRIDE_ACTIONS = {
    "published_without_review": AuditEvent.Action.CONTENT_PUBLISH_OVERRIDE,
    "approved_own_change": AuditEvent.Action.CONTENT_APPROVAL_OVERRIDE,
}


@transaction.atomic
def moderation_override_record(*, user: User, page, how: str) -> AuditEvent:
    """Who published or approved which revision of which page without someone else's review."""
    return audit_record(
        actor=user,
        action=OVERRIDE_ACTIONS[how],
        target=page.specific,
        changes={"revision": [None, page.latest_revision_id]},
    )
