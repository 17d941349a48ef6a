"""Reads. Each selector returns data already joined, so views and templates add no queries."""

from members.selectors.attendance import current_statuses
from members.selectors.invitations import (
    invitation_cards,
    invitations_of_group,
    open_invitations_for,
    open_invitations_of_group,
)
from members.selectors.learning import (
    competency_levels,
    continue_learning,
    course_progress_map,
    course_state,
    enrolments_visible,
    lesson_state,
    levels_of,
    my_learning,
    profile_statuses,
)
from members.selectors.people import groups_led_by, groups_with_counts, home_summary_for, memberships_of

__all__ = [
    "competency_levels",
    "continue_learning",
    "course_progress_map",
    "course_state",
    "current_statuses",
    "enrolments_visible",
    "groups_led_by",
    "groups_with_counts",
    "home_summary_for",
    "invitation_cards",
    "invitations_of_group",
    "lesson_state",
    "levels_of",
    "memberships_of",
    "my_learning",
    "open_invitations_for",
    "open_invitations_of_group",
    "profile_statuses",
]
