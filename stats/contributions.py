"""What each person and each held session contributes to the statistics' rollups: pure functions of
their facts.

The rollups are sums: a commune's rows are its residents' and members' rows plus its held sessions'
rows, and nobody's rows depend on anyone else's. ``stats.services`` uses this twice: a commune's
full refresh adds up everyone's contribution; an incremental refresh recomputes only the
contributions of the people and sessions that changed, and applies the difference to the rows.

``_Facts`` holds the facts of one commune (read for a full refresh) or of a few people and sessions
(read for an incremental one); ``split`` cuts it into the facts of each person and each session in
each commune, and ``rows_of`` turns one of those into its rollup rows.
"""

import datetime
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from attendance.models import AttendanceMark, Session
from attendance.selectors import current_marks
from certificates.models import Certificate
from courses.models import Competency, CompetencyProfile, Level, Tier
from learning.competencies import Requirements, requirements_of
from learning.models import CompetencyAward, Enrolment, LessonProgress
from members.models import Membership, User, counted_in_statistics
from stats.levels import first_reached, levels_as_of, profile_met_at
from stats.models import (
    ActivityCount,
    AttainmentCount,
    FunnelCount,
    ProfileCount,
    ResidentCount,
    Subject,
)

TIER_MIN_LEVEL = {
    tier.value: min(level for level in Level.values if Level.tier_of(level) == tier) for tier in Tier
}
ATTENDED = {AttendanceMark.Status.PRESENT, AttendanceMark.Status.LATE}
_LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# The columns each rollup row is written with, after commune_id: the key, then the counts.
ROW_COLUMNS = {
    ResidentCount: ("group_id", "month", "people"),
    AttainmentCount: ("group_id", "month", "area_id", "competency_id", "tier", "people"),
    ProfileCount: ("group_id", "month", "profile_id", "people"),
    FunnelCount: ("group_id", "month", "course_id", "enrolled", "started", "completed", "certified"),
    ActivityCount: ("group_id", "month", "sessions", "marked", "attended"),
}
COUNT_COLUMNS = {
    ResidentCount: 1,
    AttainmentCount: 1,
    ProfileCount: 1,
    FunnelCount: 4,
    ActivityCount: 3,
}
# A table's name in a stored contribution (``Contribution.rows``).
TABLE_NAMES = {
    ResidentCount: "resident",
    AttainmentCount: "attainment",
    ProfileCount: "profile",
    FunnelCount: "funnel",
    ActivityCount: "activity",
}
TABLES = {name: model for model, name in TABLE_NAMES.items()}

Rows = dict[type, dict[tuple, tuple]]  # rollup model → {key columns: count columns}


def month_of(moment: datetime.datetime | datetime.date) -> datetime.date:
    """The first day of the month a moment falls in, in the province's time zone."""
    if isinstance(moment, datetime.datetime):
        moment = moment.astimezone(_LOCAL).date()
    return moment.replace(day=1)


@dataclass(frozen=True)
class _Framework:
    """The reference data every refresh needs, read once per refresh."""

    area_of: dict[int, int]
    requirements: dict[int, Requirements]  # profile id → {competency id: minimum level}

    @classmethod
    def load(cls) -> "_Framework":
        return cls(
            area_of=dict(Competency.objects.values_list("id", "area_id")),
            requirements={
                profile.pk: requirements_of(profile)
                for profile in CompetencyProfile.objects.prefetch_related("requirements")
            },
        )


@dataclass
class _Facts:
    """Facts the rollups are computed from. Where a fact says where it counts, its commune is last."""

    residents: list[tuple[int, datetime.datetime, int]]  # (person, registered at, commune lived in)
    memberships: list[tuple[int, int, datetime.date, int]]  # (person, group, joined on, commune), active
    awards: list[tuple[int, int, int, datetime.datetime]]  # (person, competency, level, awarded at)
    enrolments: list[tuple[int, int, int, datetime.datetime, datetime.datetime | None]]
    started: set[int]  # enrolments with at least one lesson done
    certified: set[tuple[int, int]]  # (person, course) with a valid certificate
    sessions: list[tuple[int, int, datetime.datetime, int]]  # (session, group, starts at, commune), held
    marks: list  # named rows: session_id, member_id, status, recorded_at, uuid
    next_opening_at: datetime.datetime | None = None  # when the first session not held yet opens
    planned: dict[int, int] = field(default_factory=dict)  # session read but not held → its commune

    @classmethod
    def read(cls, commune_id: int, now: datetime.datetime) -> "_Facts":
        """Everything one commune counts. ``now``: only the sessions held by then
        (``Session.objects.started``) and their marks count."""
        members = Membership.objects.active().filter(group__commune_id=commune_id)
        # Erased people's tombstones still count: what they did before their data was deleted happened.
        residents = User.objects.counted().filter(village__commune_id=commune_id)
        lives_here = Q(village__commune_id=commune_id) & counted_in_statistics()
        counted = lives_here | Q(pk__in=members.values("user_id"))
        people = User.objects.filter(counted).values("pk")
        in_commune = Session.objects.filter(group__commune_id=commune_id)
        held = in_commune.started(now)
        upcoming = in_commune.planned(now).order_by("starts_at").first()
        return cls(
            residents=[(*row, commune_id) for row in residents.values_list("pk", "date_joined")],
            memberships=[
                (*row, commune_id) for row in members.values_list("user_id", "group_id", "joined_on")
            ],
            **cls._personal(people),
            sessions=[(*row, commune_id) for row in held.values_list("pk", "group_id", "starts_at")],
            marks=cls._marks(held),
            next_opening_at=upcoming.opens_at if upcoming else None,
        )

    @classmethod
    def read_subjects(cls, person_ids: list[int], session_ids: list[int], now: datetime.datetime) -> "_Facts":
        """Everything these people and these sessions count, in every commune: a query per kind of
        fact, each reading only their rows."""
        residents = User.objects.counted().filter(pk__in=person_ids, village__isnull=False)
        members = Membership.objects.active().filter(user_id__in=person_ids)
        sessions = Session.objects.filter(pk__in=session_ids)
        held = sessions.started(now)
        facts = cls(
            residents=list(residents.values_list("pk", "date_joined", "village__commune_id")),
            memberships=list(members.values_list("user_id", "group_id", "joined_on", "group__commune_id")),
            **cls._personal(person_ids),
            sessions=list(held.values_list("pk", "group_id", "starts_at", "group__commune_id")),
            marks=cls._marks(held),
        )
        held_ids = {session_id for session_id, *_rest in facts.sessions}
        facts.planned = {
            session_id: commune_id
            for session_id, commune_id in sessions.values_list("pk", "group__commune_id")
            if session_id not in held_ids
        }
        return facts

    @staticmethod
    def _personal(people) -> dict:
        """The facts about ``people`` (ids, or a query of them) wherever they count."""
        return {
            "awards": list(
                CompetencyAward.objects.filter(user__in=people).values_list(
                    "user_id", "competency_id", "level", "awarded_at"
                )
            ),
            "enrolments": list(
                Enrolment.objects.filter(user__in=people).values_list(
                    "pk", "user_id", "course_id", "enrolled_at", "completed_at"
                )
            ),
            "started": set(
                LessonProgress.objects.filter(user__in=people)
                .values_list("enrolment_id", flat=True)
                .distinct()
            ),
            "certified": set(
                Certificate.objects.counted()
                .filter(holder__in=people, course__isnull=False)
                .values_list("holder_id", "course_id")
            ),
        }

    @staticmethod
    def _marks(held) -> list:
        return list(
            AttendanceMark.objects.filter(session__in=held).values_list(
                "session_id", "member_id", "status", "recorded_at", "uuid", named=True
            )
        )

    def split(self) -> Iterator[tuple[str, int, int, "_Facts"]]:
        """``(kind, person or session id, commune id, its facts there)`` for each person where they
        count (where they live, and the communes of their groups) and each held session."""
        awards, enrolments = defaultdict(list), defaultdict(list)
        for award in self.awards:
            awards[award[0]].append(award)
        for enrolment in self.enrolments:
            enrolments[enrolment[1]].append(enrolment)
        places: dict[tuple[int, int], tuple[list, list]] = defaultdict(lambda: ([], []))
        for resident in self.residents:
            places[(resident[0], resident[-1])][0].append(resident)
        for membership in self.memberships:
            places[(membership[0], membership[-1])][1].append(membership)
        for (person, commune_id), (residents, memberships) in places.items():
            yield (
                Subject.PERSON,
                person,
                commune_id,
                _Facts(
                    residents=residents,
                    memberships=memberships,
                    awards=awards.get(person, []),
                    enrolments=enrolments.get(person, []),
                    started=self.started,
                    certified=self.certified,
                    sessions=[],
                    marks=[],
                ),
            )
        marks = defaultdict(list)
        for mark in self.marks:
            marks[mark.session_id].append(mark)
        for held in self.sessions:
            yield (
                Subject.SESSION,
                held[0],
                held[-1],
                _Facts(
                    residents=[],
                    memberships=[],
                    awards=[],
                    enrolments=[],
                    started=set(),
                    certified=set(),
                    sessions=[held],
                    marks=marks.get(held[0], []),
                ),
            )

    def groups_of(self) -> dict[int, list[int]]:
        """Each person's groups."""
        groups = defaultdict(list)
        for person, group, _joined, _commune in self.memberships:
            groups[person].append(group)
        return groups

    def resident_ids(self) -> set[int]:
        return {person for person, _joined, _commune in self.residents}


def rows_of(facts: _Facts, framework: _Framework) -> Rows:
    """The rollup rows these facts make, by table (tables with none left out)."""
    tables = {
        ResidentCount: _resident_rows(facts),
        AttainmentCount: _attainment_rows(facts, framework) if facts.awards else {},
        ProfileCount: _profile_rows(facts, framework) if facts.awards else {},
        FunnelCount: _funnel_rows(facts),
        ActivityCount: _activity_rows(facts),
    }
    return {model: rows for model, rows in tables.items() if rows}


def encode(tables: Rows) -> list[list]:
    """Rows as stored in ``Contribution.rows``: ``[table, group, month, …key, …counts]``."""
    return [
        [TABLE_NAMES[model], key[0], key[1].isoformat(), *key[2:], *counts]
        for model, rows in tables.items()
        for key, counts in rows.items()
    ]


def decode(stored: list[list]) -> Rows:
    tables: Rows = defaultdict(dict)
    for name, group_id, month, *rest in stored:
        model = TABLES[name]
        split = len(rest) - COUNT_COLUMNS[model]
        key = (group_id, datetime.date.fromisoformat(month), *rest[:split])
        tables[model][key] = tuple(rest[split:])
    return tables


def _resident_rows(facts: _Facts) -> Counter:
    counts = Counter()
    for _person, registered_at, _commune in facts.residents:
        counts[(None, month_of(registered_at))] += 1
    for _person, group_id, joined_on, _commune in facts.memberships:
        counts[(group_id, month_of(joined_on))] += 1
    return {key: (people,) for key, people in counts.items()}


def _counted_in(facts: _Facts):
    """For a person: the rows they count in. None is the commune (they live there), then their groups."""
    residents = facts.resident_ids()
    groups_of = facts.groups_of()
    return lambda person: ([None] if person in residents else []) + groups_of.get(person, [])


def _attainment_rows(facts: _Facts, framework: _Framework) -> dict[tuple, tuple]:
    counted_in = _counted_in(facts)
    counts = Counter()
    for person, by_competency in first_reached(facts.awards).items():
        rows = counted_in(person)
        if not rows:
            continue
        for tier, level in TIER_MIN_LEVEL.items():
            area_first: dict[int, datetime.datetime] = {}
            for competency_id, reached in by_competency.items():
                moment = reached.get(level)
                if moment is None:
                    continue
                area = framework.area_of[competency_id]
                month = month_of(moment)
                for group_id in rows:
                    counts[(group_id, month, area, competency_id, tier)] += 1
                if area not in area_first or moment < area_first[area]:
                    area_first[area] = moment
            for area, moment in area_first.items():
                month = month_of(moment)
                for group_id in rows:
                    counts[(group_id, month, area, None, tier)] += 1
    return {key: (people,) for key, people in counts.items()}


def _profile_rows(facts: _Facts, framework: _Framework) -> dict[tuple, tuple]:
    counted_in = _counted_in(facts)
    counts = Counter()
    for person, reached in first_reached(facts.awards).items():
        levels = levels_as_of(reached)
        for profile_id, requirements in framework.requirements.items():
            moment = profile_met_at(reached, requirements, levels)
            if moment is not None:
                for group_id in counted_in(person):
                    counts[(group_id, month_of(moment), profile_id)] += 1
    return {key: (people,) for key, people in counts.items()}


def _funnel_rows(facts: _Facts) -> dict[tuple, tuple]:
    counted_in = _counted_in(facts)
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for enrolment_id, person, course_id, enrolled_at, completed_at in facts.enrolments:
        steps = (
            True,
            enrolment_id in facts.started,
            completed_at is not None,
            (person, course_id) in facts.certified,
        )
        month = month_of(enrolled_at)
        for group_id in counted_in(person):
            total = counts[(group_id, month, course_id)]
            for index, step in enumerate(steps):
                total[index] += step
    return {key: tuple(total) for key, total in counts.items()}


def _activity_rows(facts: _Facts) -> dict[tuple, tuple]:
    month_of_session = {}
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for session_id, group_id, starts_at, _commune in facts.sessions:
        key = (group_id, month_of(starts_at))
        month_of_session[session_id] = key
        counts[key][0] += 1
    for (session_id, _person), mark in current_marks(facts.marks).items():
        total = counts[month_of_session[session_id]]
        total[1] += 1
        total[2] += mark.status in ATTENDED
    return {key: tuple(total) for key, total in counts.items()}
