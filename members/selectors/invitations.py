"""Reads for invitations: a group's, for those who manage it, and a person's own, with their code."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from members import invitation_codes, permissions
from members.models import CommunityGroup, GroupInvitation, User

# How far back a group's list goes: every open invitation is younger than this (they last two weeks).
RECENT = datetime.timedelta(days=30)


def invitations_of_group(group: CommunityGroup) -> QuerySet[GroupInvitation]:
    """The group's invitations of the last 30 days, newest first: open ones and how the others ended."""
    since = timezone.now() - RECENT
    return (
        GroupInvitation.objects.filter(group=group)
        .filter(Q(created_at__gte=since) | Q(decided_at__gte=since))
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def open_invitations_of_group(group: CommunityGroup) -> QuerySet[GroupInvitation]:
    return GroupInvitation.objects.open().filter(group=group).order_by("created_at", "id")


def open_invitations_for(user: User) -> QuerySet[GroupInvitation]:
    """Invitations waiting for ``user``'s answer, with what they need to decide: the group, where it
    meets, who invited them."""
    return (
        permissions.invitations_for(user)
        .open()
        .select_related("group__commune", "group__village", "invited_by")
        .order_by("-created_at", "-id")
    )


def invitation_cards(user: User) -> list[GroupInvitation]:
    """For the invited person's pages: each open invitation with ``code`` (as read out, ``K7M-4QX``)
    unless too many wrong codes were typed for it. Only ever call this for the invited person."""
    cards = list(open_invitations_for(user))
    for invitation in cards:
        invitation.code = None if invitation.code_locked else invitation_codes.display(invitation)
    return cards
