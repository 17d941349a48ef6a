"""What happens at the end of a review, and the record of a review skipped.

Provincial trainers hold no publish permission (so that no change goes live unreviewed); a change
a reviewer approved is published on the strength of that approval (``publish_approved``, Wagtail's
``WAGTAIL_FINISH_WORKFLOW_ACTION``). Only an administrator can publish directly: the admin's hooks
(courses.wagtail_hooks) report that as an override, through ``courses.extensions``.
"""

from courses import extensions


def publish_approved(workflow_state, user=None) -> None:
    """Publish what the reviewers approved: the latest revision (a reviewer who edited it during the
    review became one of its authors, and could not approve it)."""
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)


def published_directly(user, page) -> None:
    """``page`` was just published by ``user`` outside a review. Where a review applies (a workflow
    covers the page), that skipped it: only administrators can, and it is recorded."""
    if page.get_workflow() is not None:
        extensions.moderation_overridden(user, page, extensions.Override.PUBLISHED_WITHOUT_REVIEW)
