"""Reads about attendance, and the one rule for a member's current status at a session.

Every mark a phone sends is kept; the status that counts is derived from the marks alone, never from
the order they arrived in: the latest ``recorded_at`` wins, and a tie goes to the greater UUID (as
text). ``mark_order_key`` says it once; the roster (``current_statuses``), the personal data page and
the statistics rollup all pick their marks with ``current_marks``, and the leader's phone mirrors it
(``isLater`` in static/members/leader.js).
"""

import datetime
import uuid
from collections.abc import Hashable, Iterable
from typing import Protocol, TypeVar

from members.models import AttendanceMark


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
