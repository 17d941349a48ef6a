"""The record of an administrator overriding the separation of duties on content (see
courses.models.workflows): registered in MembersConfig.ready() on ``courses.extensions``."""

from django.db import transaction

from courses.extensions import Override
from members.models import AuditEvent, User
from members.services.audit import audit_record

OVERRIDE_ACTIONS = {
    Override.PUBLISHED_WITHOUT_REVIEW: AuditEvent.Action.CONTENT_PUBLISH_OVERRIDE,
    Override.APPROVED_OWN_CHANGE: AuditEvent.Action.CONTENT_APPROVAL_OVERRIDE,
}


@transaction.atomic
def moderation_override_record(*, user: User, page, how: Override) -> AuditEvent:
    """Who published or approved which revision of which page without someone else's review."""
    return audit_record(
        actor=user,
        action=OVERRIDE_ACTIONS[Override(how)],
        target=page.specific,
        changes={"revision": [None, page.latest_revision_id]},
    )
