"""The audit log's one writer: who did what to which record, and what changed."""

from typing import Any

from django.db import models

from members.models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: AuditEvent.Action,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what, inside the caller's transaction. ``action`` is one of
    ``AuditEvent.Action`` (an unknown one raises ValueError); ``changes`` maps a field to
    ``[old, new]``: never secrets, never a mobile number in the clear."""
    return AuditEvent.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        action=AuditEvent.Action(action),
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        changes=changes or {},
    )
