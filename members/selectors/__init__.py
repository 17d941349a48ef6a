"""Reads. Each selector returns data already joined, so views and templates add no queries."""

from members.selectors.invitations import (
    invitation_cards,
    invitations_of_group,
    open_invitations_for,
    open_invitations_of_group,
)
from members.selectors.people import groups_led_by, groups_with_counts, memberships_of

__all__ = [
    "groups_led_by",
    "groups_with_counts",
    "invitation_cards",
    "invitations_of_group",
    "memberships_of",
    "open_invitations_for",
    "open_invitations_of_group",
]
