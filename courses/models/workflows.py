"""Moderation with separated duties: whoever makes a change does not approve it.

``ReviewTask`` is Wagtail's group approval (a provincial trainer reviews every change under the home
page) with one more rule: the person who submitted the change, or wrote any revision under review,
is offered no review action on it (approve, request changes), and an attempt is refused. An
administrator may still approve their own change; that override is announced through
``courses.extensions`` and recorded by members as an audit event. Trainers hold no publish
permission, so the review cannot be skipped either (courses/migrations: the trainers' page
permissions), and the approved revision is published by ``courses.workflows.publish_approved``.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, Revision

from courses import extensions

REVIEW_ACTIONS = {"approve", "reject"}


def authors_under_review(obj) -> set[int]:
    """The ids of the people who had a hand in the change ``obj`` awaits review for: who submitted
    it, and who wrote any revision since (a reviewer who edits during review becomes an author)."""
    workflow_state = obj.current_workflow_state
    if workflow_state is None:
        return set()
    cached = getattr(obj, "_authors_under_review", None)
    if cached is not None and cached[0] == workflow_state.pk:
        return cached[1]
    first_revision_id = (
        workflow_state.task_states.order_by("revision_id").values_list("revision_id", flat=True).first()
    )
    authors = {workflow_state.requested_by_id}
    if first_revision_id is not None:
        authors |= set(
            Revision.objects.for_instance(obj)
            .filter(id__gte=first_revision_id)
            .values_list("user_id", flat=True)
        )
    authors.discard(None)
    obj._authors_under_review = (workflow_state.pk, authors)
    return authors


class ReviewTask(AbstractGroupApprovalTask):
    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if user.is_superuser or user.pk not in authors_under_review(obj):
            return actions
        return [action for action in actions if action[0] not in REVIEW_ACTIONS]

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser:
            return states
        # "Awaiting your review" lists only what others submitted.
        return states.exclude(workflow_state__requested_by=user)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name in REVIEW_ACTIONS:
            obj = task_state.workflow_state.content_object
            if user.pk in authors_under_review(obj):
                if not user.is_superuser:
                    raise PermissionDenied(_("Someone else reviews the changes you made."))
                if action_name == "approve":
                    extensions.moderation_overridden(user, obj, extensions.Override.APPROVED_OWN_CHANGE)
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve changes; nobody approves a change they made "
            "(an administrator may, and that is recorded)."
        )

    class Meta:
        verbose_name = _("review by someone else")
        verbose_name_plural = _("reviews by someone else")
