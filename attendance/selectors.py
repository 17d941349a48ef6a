"""Reads about attendance, and the one rule for a member's current status at a session.

Every mark a phone sends is kept; the status that counts is derived from the marks alone, never from
the order they arrived in: the latest ``recorded_at`` wins, and a tie goes to the greater UUID (as
text). ``mark_order_key`` says it once; the roster (``current_statuses``), the personal data page and
the statistics rollup all pick their marks with ``current_marks``, and the leader's phone mirrors it
(``isLater`` in static/attendance/leader.js).
"""

import datetime
import uuid
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from attendance.models import AttendanceMark, Session
from learning.selectors import with_progress
from members.models import CommunityGroup, Membership, User

ATTENDED = ("present", "late")


class Mark(Protocol):
    """What the rule reads of a mark: a model instance, or a named row from ``values_list``."""

    session_id: int
    member_id: int
    recorded_at: datetime.datetime
    uuid: uuid.UUID | str


M = TypeVar("M", bound=Mark)


def mark_order_key(mark: Mark) -> tuple[datetime.datetime, str]:
    """Marks in the order they count: the greatest key is the current one."""
    return (mark.recorded_at, str(mark.uuid))


def current_marks(marks: Iterable[M]) -> dict[tuple[int, int], M]:
    """The mark that counts for each (session, member): latest recorded wins, ties to the greater UUID."""
    current: dict[Hashable, M] = {}
    for mark in marks:
        key = (mark.session_id, mark.member_id)
        best = current.get(key)
        if best is None or mark_order_key(mark) > mark_order_key(best):
            current[key] = mark
    return current


def current_statuses(session_ids) -> dict[tuple[int, int], AttendanceMark]:
    """The status that counts for each (session, member) at these sessions (``current_marks``)."""
    return current_marks(
        AttendanceMark.objects.filter(session_id__in=session_ids).only(
            "uuid", "session_id", "member_id", "status", "recorded_at"
        )
    )


# The leaders' pages -----------------------------------------------------------------------------------


def roster(group: CommunityGroup, *, include_former: bool = False) -> QuerySet[Membership]:
    """Members with their progress at a glance (``learning.selectors.with_progress``)."""
    memberships = Membership.objects.filter(group=group).select_related("user")
    if not include_former:
        memberships = memberships.filter(left_on__isnull=True)
    return with_progress(memberships).order_by("left_on", "user__full_name", "id")


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


# The person's own data ("Dữ liệu của tôi") -------------------------------------------------------------


@dataclass
class AttendanceLine:
    """How often the person was marked at a group's sessions (the status that counts per session)."""

    group_name: str
    counts: Counter = field(default_factory=Counter)

    @property
    def sessions(self) -> int:
        return sum(self.counts.values())


def attendance_lines(person: User) -> list[AttendanceLine]:
    """One line per group: the person's current status at each session (``current_marks``), counted
    by status."""
    marks = AttendanceMark.objects.filter(member=person).values_list(
        "session_id", "member_id", "session__group__name", "status", "recorded_at", "uuid", named=True
    )
    lines: dict[str, AttendanceLine] = {}
    for mark in current_marks(marks).values():
        group_name = mark.session__group__name
        lines.setdefault(group_name, AttendanceLine(group_name)).counts[mark.status] += 1
    return sorted(lines.values(), key=lambda line: line.group_name)
