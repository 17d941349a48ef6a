"""Reads for group leaders: rosters with progress, sessions with attendance, summaries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from members.models import CommunityGroup, Enrolment, LessonProgress, Membership, Session
from members.selectors.attendance import current_statuses

ATTENDED = ("present", "late")


def _count(queryset) -> Coalesce:
    counts = queryset.order_by().values("user").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def roster(group: CommunityGroup, *, include_former: bool = False) -> QuerySet[Membership]:
    """Members with their progress at a glance: courses completed, lessons done (two subqueries)."""
    memberships = Membership.objects.filter(group=group).select_related("user")
    if not include_former:
        memberships = memberships.filter(left_on__isnull=True)
    completed = Enrolment.objects.filter(user=OuterRef("user"), completed_at__isnull=False)
    lessons = LessonProgress.objects.filter(user=OuterRef("user"))
    return memberships.annotate(courses_completed=_count(completed), lessons_done=_count(lessons)).order_by(
        "left_on", "user__full_name", "id"
    )


@dataclass
class SessionLine:
    session: Session
    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0

    @property
    def attended(self) -> int:
        return self.present + self.late


def sessions_with_counts(group: CommunityGroup, *, limit: int = 30) -> list[SessionLine]:
    sessions = list(Session.objects.filter(group=group).order_by("-starts_at")[:limit])
    lines = {s.pk: SessionLine(s) for s in sessions}
    for (session_id, _member), mark in current_statuses(list(lines)).items():
        line = lines[session_id]
        setattr(line, mark.status, getattr(line, mark.status) + 1)
    return [lines[s.pk] for s in sessions]


@dataclass
class MemberSummary:
    membership: Membership
    attended: int = 0
    sessions: int = 0
    last_seen: datetime.datetime | None = None
    statuses: dict = field(default_factory=dict)


def attendance_summary(group: CommunityGroup) -> list[MemberSummary]:
    """For each member: sessions attended (present or late, by the current status) out of the sessions
    held (``Session.objects.started``) while they were a member, and when they were last seen."""
    memberships = list(roster(group, include_former=True))
    held = Session.objects.filter(group=group).started()
    sessions = list(held.only("pk", "starts_at"))
    current = current_statuses([s.pk for s in sessions])
    summaries = {m.user_id: MemberSummary(m) for m in memberships}
    for session in sessions:
        day = timezone.localdate(session.starts_at)
        for membership in memberships:
            if membership.joined_on <= day and (membership.left_on is None or membership.left_on >= day):
                summary = summaries[membership.user_id]
                summary.sessions += 1
                mark = current.get((session.pk, membership.user_id))
                if mark is not None and mark.status in ATTENDED:
                    summary.attended += 1
                    if summary.last_seen is None or session.starts_at > summary.last_seen:
                        summary.last_seen = session.starts_at
    return list(summaries.values())


def statuses_for(session: Session) -> dict[int, str]:
    return {member: mark.status for (_s, member), mark in current_statuses([session.pk]).items()}
