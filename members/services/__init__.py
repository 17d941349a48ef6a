"""Writes. Every function is keyword-only, validates before saving, and records an audit event in
the same transaction. ``people``: accounts, groups, memberships, staff scopes; ``invitations``:
looking a number up to add its owner to a group, and the invitation they accept or decline."""

from members.services.audit import audit_record
from members.services.invitations import (
    Lookup,
    LookupOutcome,
    invitation_accept,
    invitation_accept_by_code,
    invitation_cancel,
    invitation_decline,
    invitation_invite,
    invitation_new_code,
    number_lookup,
)
from members.services.people import (
    group_create,
    group_update,
    membership_add,
    membership_change_role,
    membership_end,
    staff_scope_grant,
    staff_scope_revoke,
    user_create,
    user_set_village,
)

__all__ = [
    "Lookup",
    "LookupOutcome",
    "audit_record",
    "group_create",
    "group_update",
    "invitation_accept",
    "invitation_accept_by_code",
    "invitation_cancel",
    "invitation_decline",
    "invitation_invite",
    "invitation_new_code",
    "membership_add",
    "membership_change_role",
    "membership_end",
    "number_lookup",
    "staff_scope_grant",
    "staff_scope_revoke",
    "user_create",
    "user_set_village",
]
