"""Reads for "Dữ liệu của tôi": what HọcSố holds about the signed-in person, joined for one page.

The complete record is the JSON download (``members.personal_data.export_person``); this page shows
the same data the way a person reads it, in a fixed number of queries.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from knox.models import AuthToken

from members import consent
from members.models import (
    AttendanceMark,
    CompetencyAward,
    Enrolment,
    Membership,
    QuizAttempt,
    StaffScope,
    User,
)
from members.selectors.attendance import current_marks


@dataclass(frozen=True)
class ConsentRecord:
    given_at: datetime.datetime | None
    text: consent.ConsentText | None  # None when recorded before wordings were kept
    witness: User | None  # who recorded it for the person (a leader, an officer), if someone did


@dataclass
class AttendanceLine:
    """How often the person was marked at a group's sessions (the status that counts per session)."""

    group_name: str
    counts: Counter = field(default_factory=Counter)

    @property
    def sessions(self) -> int:
        return sum(self.counts.values())


@dataclass
class MyData:
    person: User
    consent: ConsentRecord
    memberships: list[Membership]
    staff_roles: list[StaffScope]
    attendance: list[AttendanceLine]
    enrolments: list[Enrolment]
    quiz_attempts: int
    quiz_passed: int
    awards: list[CompetencyAward]
    app_sign_ins: list[AuthToken]


def consent_record(person: User) -> ConsentRecord:
    text = consent.text_for(person.consent_version)
    return ConsentRecord(person.consent_at, text, person.consent_recorded_by)


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


def my_data(person: User) -> MyData:
    quiz = QuizAttempt.objects.filter(user=person).aggregate(
        attempts=Count("pk"), passed=Count("pk", filter=Q(passed=True))
    )
    return MyData(
        person=person,
        consent=consent_record(person),
        memberships=list(
            Membership.objects.filter(user=person)
            .select_related("group__commune", "group__village")
            .order_by("left_on", "group__name")
        ),
        staff_roles=list(StaffScope.objects.filter(user=person).select_related("commune")),
        attendance=attendance_lines(person),
        enrolments=list(
            Enrolment.objects.filter(user=person)
            .select_related("course")
            .annotate(done=Count("lesson_progress"))
            .order_by("-enrolled_at")
        ),
        quiz_attempts=quiz["attempts"],
        quiz_passed=quiz["passed"],
        awards=list(
            CompetencyAward.objects.filter(user=person)
            .select_related("competency", "course")
            .order_by("competency__code", "-level")
        ),
        app_sign_ins=list(AuthToken.objects.filter(user=person).order_by("-created")),
    )
