"""Attendance sync: batches of marks (and sessions planned offline) sent by leaders' phones.

Every mark is authorised on its own against the caller's scope and the group's roster; one bad
mark never sinks the others. A mark's UUID is unique, so a replay changes nothing and says
"duplicate". The work per batch is a fixed number of queries, whatever its size.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance import permissions
from attendance.models import AttendanceMark, Session
from members import dates, extensions
from members.models import AuditEvent, CommunityGroup, Membership, User
from members.services.audit import audit_record

MAX_MARKS = 500
CLOCK_SKEW = datetime.timedelta(days=1)

REASONS = {
    "unknown_session": _("The session is not known: send it with the marks."),
    "session_conflict": _("This session id is already used for another group."),
    "unknown_group": _("There is no group with this code."),
    "not_allowed": _("You cannot record attendance for this group."),
    "not_on_roster": _("This person was not a member of the group on the day of the session."),
    # A session opens ``attendance.models.OPENS_BEFORE_START`` before its start.
    "not_started": _(
        "The session has not started yet: attendance can be taken from 15 minutes before it starts."
    ),
    "bad_status": _("The status must be present, late, excused or absent."),
    "in_the_future": _("The time recorded on the phone is in the future: check the phone's clock."),
    "clock_wrong": _("The time recorded on the phone is before 2000: set the phone's clock and mark again."),
    "bad_time": _("A session's date must be from 2000 to two years from now."),
}


@dataclass(frozen=True)
class SessionInput:
    uuid: uuid.UUID
    group_code: str
    starts_at: datetime.datetime
    topic: str
    place: str = ""


@dataclass(frozen=True)
class MarkInput:
    uuid: uuid.UUID
    session_uuid: uuid.UUID
    member_id: int
    status: str
    recorded_at: datetime.datetime
    device_id: str = ""


@dataclass
class Outcome:
    uuid: uuid.UUID
    outcome: str  # accepted | duplicate | rejected
    reason: str = ""

    @property
    def message(self) -> str:
        return str(REASONS.get(self.reason, ""))


@dataclass
class SyncResult:
    sessions: list[Outcome] = field(default_factory=list)
    marks: list[Outcome] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
        for mark in self.marks:
            counts[mark.outcome] += 1
        return counts


@dataclass(frozen=True)
class _Stamp:
    """What every row a request inserts carries: the request's clock reading and its user.

    Two requests may insert the same rows at once (a phone retrying a batch still being processed,
    a session planned offline sent by both phones): ``bulk_create(ignore_conflicts=True)`` lets the
    unique UUID decide, but does not say whose row was stored. Read back, a row bearing this request's
    stamp is its own; one bearing another was stored by the other request, and is a duplicate here.
    """

    now: datetime.datetime
    user: User

    def is_on(self, session: Session) -> bool:
        return (session.created_at, session.created_by_id) == (self.now, self.user.pk)

    def marks_bearing_it(self, uuids: list[uuid.UUID]) -> set[uuid.UUID]:
        return set(
            AttendanceMark.objects.filter(
                uuid__in=uuids, received_at=self.now, recorded_by=self.user
            ).values_list("uuid", flat=True)
        )


@transaction.atomic
def attendance_sync(*, user: User, sessions: list[SessionInput], marks: list[MarkInput]) -> SyncResult:
    """Record a batch. Sessions first (new ones are created), then the marks that point at them."""
    if len(marks) > MAX_MARKS:
        raise ValueError(f"At most {MAX_MARKS} marks per batch.")
    result = SyncResult()
    wanted = {s.uuid for s in sessions} | {m.session_uuid for m in marks}
    known = {s.uuid: s for s in Session.objects.filter(uuid__in=wanted).select_related("group")}
    groups = {g.code: g for g in CommunityGroup.objects.filter(code__in={s.group_code for s in sessions})}
    stamp = _Stamp(timezone.now(), user)

    new_sessions = _judge_sessions(stamp, sessions, known, groups, result)
    created = _store_sessions(stamp, new_sessions, known, result) if new_sessions else 0
    to_insert = _judge_marks(stamp, marks, known, result)
    if to_insert:
        _store_marks(stamp, to_insert, result)
    _record(stamp, result, created, [known[u] for u in new_sessions if u in known], to_insert)
    return result


def _judge_sessions(
    stamp: _Stamp, sessions: list[SessionInput], known: dict, groups: dict, result: SyncResult
) -> dict[uuid.UUID, Session]:
    """An outcome for each session sent (in ``result``), and the new ones to insert, by UUID."""
    new_sessions: dict[uuid.UUID, Session] = {}
    for item in sessions:
        group = groups.get(item.group_code)
        existing = known.get(item.uuid) or new_sessions.get(item.uuid)
        if existing is not None:
            same = group is not None and existing.group_id == group.pk
            outcome = Outcome(
                item.uuid, "duplicate" if same else "rejected", "" if same else "session_conflict"
            )
        elif group is None:
            outcome = Outcome(item.uuid, "rejected", "unknown_group")
        elif not permissions.can_record_attendance(stamp.user, group):
            outcome = Outcome(item.uuid, "rejected", "not_allowed")
        elif not dates.is_plausible(item.starts_at):
            outcome = Outcome(item.uuid, "rejected", "bad_time")
        else:
            new_sessions[item.uuid] = Session(
                uuid=item.uuid,
                group=group,
                starts_at=item.starts_at,
                topic=item.topic[:200],
                place=item.place[:150],
                created_by=stamp.user,
                created_at=stamp.now,
            )
            outcome = Outcome(item.uuid, "accepted")
        result.sessions.append(outcome)
    return new_sessions


def _store_sessions(
    stamp: _Stamp, new_sessions: dict[uuid.UUID, Session], known: dict, result: SyncResult
) -> int:
    """Insert the new sessions and add them to ``known``; returns how many this request created.

    A session planned offline may arrive twice at once (two retries): the unique UUID decides, and
    only the request whose row was stored (``_Stamp``) says "accepted"; the other says "duplicate",
    or "session_conflict" if it named another group. Inserting in UUID order keeps two requests with
    overlapping rows from deadlocking each other.
    """
    Session.objects.bulk_create(sorted(new_sessions.values(), key=lambda s: s.uuid), ignore_conflicts=True)
    stored = {s.uuid: s for s in Session.objects.filter(uuid__in=list(new_sessions)).select_related("group")}
    known.update(stored)
    created = 0
    for outcome in result.sessions:
        if outcome.outcome != "accepted":
            continue
        row = stored[outcome.uuid]
        if stamp.is_on(row):
            created += 1
        elif row.group_id == new_sessions[outcome.uuid].group_id:
            outcome.outcome = "duplicate"
        else:
            outcome.outcome, outcome.reason = "rejected", "session_conflict"
    return created


def _judge_marks(
    stamp: _Stamp, marks: list[MarkInput], known: dict, result: SyncResult
) -> list[AttendanceMark]:
    """An outcome for each mark sent (in ``result``), and the new ones to insert.

    A mark already stored, or twice in the batch, is a duplicate; one ``_refusal`` names is rejected.
    """
    roster: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]] = {}
    for group_id, user_id, joined, left in Membership.objects.filter(
        group_id__in={s.group_id for s in known.values()}, user_id__in={m.member_id for m in marks}
    ).values_list("group_id", "user_id", "joined_on", "left_on"):
        roster.setdefault((group_id, user_id), []).append((joined, left))
    already = set(
        AttendanceMark.objects.filter(uuid__in=[m.uuid for m in marks]).values_list("uuid", flat=True)
    )

    to_insert: list[AttendanceMark] = []
    allowed: dict[int, bool] = {}
    seen: set[uuid.UUID] = set()
    for mark in marks:
        session = known.get(mark.session_uuid)
        if mark.uuid in already or mark.uuid in seen:
            result.marks.append(Outcome(mark.uuid, "duplicate"))
            continue
        reason = _refusal(stamp.user, mark, session, roster, allowed, stamp.now)
        if reason:
            result.marks.append(Outcome(mark.uuid, "rejected", reason))
            continue
        seen.add(mark.uuid)
        to_insert.append(
            AttendanceMark(
                uuid=mark.uuid,
                session=session,
                member_id=mark.member_id,
                status=mark.status,
                recorded_at=mark.recorded_at,
                received_at=stamp.now,
                recorded_by=stamp.user,
                device_id=mark.device_id[:64],
            )
        )
        result.marks.append(Outcome(mark.uuid, "accepted"))
    return to_insert


def _store_marks(stamp: _Stamp, to_insert: list[AttendanceMark], result: SyncResult) -> None:
    """Insert the accepted marks (in UUID order, as sessions); a mark another request stored first
    (it does not bear this request's ``_Stamp``) is a duplicate here."""
    AttendanceMark.objects.bulk_create(sorted(to_insert, key=lambda m: m.uuid), ignore_conflicts=True)
    ours = stamp.marks_bearing_it([m.uuid for m in to_insert])
    for outcome in result.marks:
        if outcome.outcome == "accepted" and outcome.uuid not in ours:
            outcome.outcome = "duplicate"


def _record(
    stamp: _Stamp,
    result: SyncResult,
    created: int,
    new_sessions: list[Session],
    to_insert: list[AttendanceMark],
) -> None:
    """The audit event for a batch that did anything, and the statistics of the sessions it touched."""
    counts = result.counts()
    if any(counts.values()) or created:
        audit_record(
            actor=stamp.user,
            action=AuditEvent.Action.ATTENDANCE_SYNC,
            target=stamp.user,
            changes={"sessions_created": [0, created], **{k: [0, v] for k, v in counts.items()}},
        )
    if created or counts.get("accepted"):
        extensions.sessions_changed({s.pk for s in new_sessions} | {m.session_id for m in to_insert})


def _refusal(user, mark: MarkInput, session, roster, allowed, now) -> str:
    if session is None:
        return "unknown_session"
    if session.pk not in allowed:
        allowed[session.pk] = permissions.can_record_attendance(user, session.group)
    if not allowed[session.pk]:
        return "not_allowed"
    if mark.status not in AttendanceMark.Status.values:
        return "bad_status"
    if not session.has_started(now):
        return "not_started"
    if mark.recorded_at > now + CLOCK_SKEW:
        return "in_the_future"
    if not dates.is_plausible(mark.recorded_at):
        return "clock_wrong"
    day = timezone.localdate(session.starts_at)
    spans = roster.get((session.group_id, mark.member_id), [])
    if not any(joined <= day and (left is None or left >= day) for joined, left in spans):
        return "not_on_roster"
    return ""
