"""Who may see and record what about sessions and attendance: built on ``members.permissions`` (the
scopes of leaders, officers and trainers), the one home of the rules that ``attendance`` adds."""

from django.db.models import QuerySet

from attendance.models import Session
from members.models import CommunityGroup, User
from members.permissions import can_manage_group, groups_visible_to


def sessions_visible_to(user: User) -> QuerySet[Session]:
    """The meetings of the groups ``user`` sees: members their group's, leaders and staff in scope."""
    return Session.objects.filter(group__in=groups_visible_to(user)).select_related("group")


def can_view_session(user: User, session: Session) -> bool:
    return sessions_visible_to(user).filter(pk=session.pk).exists()


def can_record_attendance(user: User, group: CommunityGroup) -> bool:
    """Leaders and deputies record for their groups; staff record for groups in their territory."""
    return can_manage_group(user, group)
