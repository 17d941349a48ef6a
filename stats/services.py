"""Computing the statistics' rollups (stats.models), one commune at a time.

A commune's numbers are recomputed from its facts in a fixed number of queries and replaced in one
transaction, so a reader sees either the old numbers or the new ones. Which communes need it is
noted after every change (``communes_changed``, through ``members.extensions``); the refresh then
runs as a task (production: ``STATS_REFRESH = "task"``, on a worker) or, in the embedded default
without a worker, when someone opens the statistics (``"on_view"``). ``refresh_statistics`` (the
management command, nightly in production) recomputes everything, whatever was noted.

Why the note is written after commit, in its own statement: a refresh first clears the note, then
reads. Whatever order a change's commit, its note and a refresh's clearing come in, the change is
either read by that refresh or noted again for the next one; and no writer holds a lock on the
note while its own transaction runs.
"""

import datetime
import functools
import logging
import time
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from attendance.models import AttendanceMark, Session
from attendance.selectors import current_marks
from certificates.models import Certificate
from courses.models import Competency, CompetencyProfile, Level, Tier
from learning.competencies import Requirements, requirements_of
from learning.models import CompetencyAward, Enrolment, LessonProgress
from members.models import Commune, Membership, User, counted_in_statistics
from stats import selectors
from stats.levels import first_reached, levels_as_of, profile_met_at
from stats.models import (
    ActivityCount,
    AttainmentCount,
    CommuneFreshness,
    FunnelCount,
    ProfileCount,
    ResidentCount,
)

logger = logging.getLogger(__name__)

TIER_MIN_LEVEL = {
    tier.value: min(level for level in Level.values if Level.tier_of(level) == tier) for tier in Tier
}
ATTENDED = {AttendanceMark.Status.PRESENT, AttendanceMark.Status.LATE}
BATCH = 2000
_LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# The columns each rollup row is written with, after commune_id: the key, then the counts.
ROW_COLUMNS = {
    ResidentCount: ("group_id", "month", "people"),
    AttainmentCount: ("group_id", "month", "area_id", "competency_id", "tier", "people"),
    ProfileCount: ("group_id", "month", "profile_id", "people"),
    FunnelCount: ("group_id", "month", "course_id", "enrolled", "started", "completed", "certified"),
    ActivityCount: ("group_id", "month", "sessions", "marked", "attended"),
}


def month_of(moment: datetime.datetime | datetime.date) -> datetime.date:
    """The first day of the month a moment falls in, in the province's time zone."""
    if isinstance(moment, datetime.datetime):
        moment = moment.astimezone(_LOCAL).date()
    return moment.replace(day=1)


# Noting changes -----------------------------------------------------------------------------------


def communes_changed(commune_ids: set[int]) -> None:
    """Registered on ``members.extensions.community_changed``; runs inside the writer's transaction."""
    ids = sorted(commune_ids)
    transaction.on_commit(lambda: _note_changes(ids))


def people_changed(user_ids: set[int]) -> None:
    """Registered on ``members.extensions.people_changed``: their communes are resolved after commit."""
    ids = sorted(user_ids)
    transaction.on_commit(lambda: _note_changes(communes_of_people(ids)))


def communes_of_people(user_ids: list[int]) -> list[int]:
    """Where these people count: the communes they live in and those of their groups."""
    lived = User.objects.filter(pk__in=user_ids, village__isnull=False).values_list(
        "village__commune_id", flat=True
    )
    grouped = (
        Membership.objects.active().filter(user_id__in=user_ids).values_list("group__commune_id", flat=True)
    )
    return sorted(set(lived) | set(grouped))


def _note_changes(commune_ids: list[int]) -> None:
    if not commune_ids:
        return
    noted = CommuneFreshness.objects.filter(commune_id__in=commune_ids, changed_at__isnull=True).update(
        changed_at=timezone.now()
    )
    if noted and settings.STATS_REFRESH == "task":
        from stats.tasks import refresh_changed_communes

        refresh_changed_communes.enqueue()


def note_expired(commune_ids: Iterable[int] | None = None) -> None:
    """Note the communes whose numbers expired (a session planned ahead has started) as changed, so
    that a worker is asked once to refresh them. One statement."""
    expired = CommuneFreshness.objects.expired().filter(changed_at__isnull=True)
    if commune_ids is not None:
        expired = expired.filter(commune_id__in=commune_ids)
    if expired.update(changed_at=models.F("expires_at")) and settings.STATS_REFRESH == "task":
        from stats.tasks import refresh_changed_communes

        refresh_changed_communes.enqueue()


def requeue_lost_refreshes(now: datetime.datetime | None = None) -> bool:
    """The periodic safety net (``manage.py run_scheduler``): with a worker, a commune noted as
    changed is refreshed by the task its first note queued, and later notes queue nothing. If that
    task was lost, the note would stand for good: a note older than ``STATS_REFRESH_LOST_AFTER``
    seconds queues one refresh again. Whether it did."""
    if settings.STATS_REFRESH != "task":
        return False
    lost_before = (now or timezone.now()) - datetime.timedelta(seconds=settings.STATS_REFRESH_LOST_AFTER)
    if not CommuneFreshness.objects.filter(changed_at__lt=lost_before).exists():
        return False
    from stats.tasks import refresh_changed_communes

    logger.warning(
        "Statistics noted as changed before %s were not refreshed: refresh queued again", lost_before
    )
    refresh_changed_communes.enqueue()
    return True


def changed_commune_ids(commune_ids: Iterable[int] | None = None) -> list[int]:
    """Communes whose facts changed since their numbers were computed (or whose numbers expired: a
    session planned ahead has started), or never computed."""
    wanted = Commune.objects.all() if commune_ids is None else Commune.objects.filter(id__in=commune_ids)
    up_to_date = CommuneFreshness.objects.up_to_date().values("commune_id")
    return list(wanted.exclude(id__in=up_to_date).order_by("id").values_list("id", flat=True))


# Refreshing ---------------------------------------------------------------------------------------


@dataclass
class RefreshReport:
    communes: int = 0
    rows: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class _Framework:
    """The reference data every commune's refresh needs, read once per refresh."""

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


def refresh_if_stale(*, query: selectors.StatsQuery) -> selectors.Freshness:
    """Bring the numbers ``query`` reads up to date as far as this deployment does it on a read, and
    say how fresh they are. Without a worker (``STATS_REFRESH = "on_view"``, the embedded default),
    communes whose facts changed are recomputed first, by whoever looks at them; with a worker, it is
    asked to. A write: the statistics pages and the API call it before reading."""
    wanted = {query.commune.pk} if query.commune is not None else query.commune_ids
    note_expired(wanted)
    freshness = selectors.freshness(query)
    if settings.STATS_REFRESH == "on_view" and (freshness.changed_since or freshness.missing):
        refresh_changed(wanted)
        freshness = selectors.freshness(query)
    return freshness


def refresh_changed(commune_ids: Iterable[int] | None = None) -> RefreshReport:
    """Refresh the communes (of ``commune_ids``, or all) whose facts changed or were never computed."""
    return refresh_communes(changed_commune_ids(commune_ids))


def refresh_all() -> RefreshReport:
    return refresh_communes(list(Commune.objects.order_by("id").values_list("id", flat=True)))


def refresh_communes(commune_ids: Iterable[int]) -> RefreshReport:
    report = RefreshReport()
    started = time.perf_counter()
    framework = _Framework.load()
    for commune_id in commune_ids:
        report.rows += _refresh_commune(commune_id, framework)
        report.communes += 1
    report.seconds = time.perf_counter() - started
    if report.communes:
        logger.info(
            "Statistics refreshed: %d communes, %d rows, %.2f s", report.communes, report.rows, report.seconds
        )
    return report


def _refresh_commune(commune_id: int, framework: _Framework) -> int:
    # First clear the note (committed at once), then read: see the module docstring.
    freshness, _created = CommuneFreshness.objects.get_or_create(commune_id=commune_id)
    CommuneFreshness.objects.filter(pk=freshness.pk).update(changed_at=None)
    computed_at = timezone.now()
    facts = _Facts.read(commune_id, computed_at)
    tables = {
        ResidentCount: _resident_rows(facts),
        AttainmentCount: _attainment_rows(facts, framework),
        ProfileCount: _profile_rows(facts, framework),
        FunnelCount: _funnel_rows(facts),
        ActivityCount: _activity_rows(facts),
    }
    with transaction.atomic():
        # Serialises two refreshes of one commune (PostgreSQL); SQLite serialises all writers anyway.
        CommuneFreshness.objects.select_for_update().filter(pk=freshness.pk).first()
        written = 0
        for model, rows in tables.items():
            model.objects.filter(commune_id=commune_id).delete()
            written += _insert(model, commune_id, rows)
        CommuneFreshness.objects.filter(pk=freshness.pk).update(
            refreshed_at=computed_at, expires_at=facts.next_opening_at
        )
    return written


def _adapter(field):
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return functools.lru_cache(maxsize=None)(connection.ops.adapt_datefield_value)
    return None


def _insert(model, commune_id: int, rows: dict[tuple, tuple]) -> int:
    """Write ``{key columns: value columns}`` rows with one statement per batch: these tables are
    rewritten whole, and model instances would cost more than the counting."""
    columns = ["commune_id", *ROW_COLUMNS[model]]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models, values bound
        table, ", ".join(connection.ops.quote_name(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    adapters = [_adapter(model._meta.get_field(column.removesuffix("_id"))) for column in columns]
    values = [
        tuple(
            value if adapt is None or value is None else adapt(value)
            for adapt, value in zip(adapters, row, strict=True)
        )
        for row in ((commune_id, *key, *counts) for key, counts in rows.items())
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])
    return len(values)


# Reading a commune's facts --------------------------------------------------------------------------


@dataclass
class _Facts:
    residents: list[tuple[int, datetime.datetime]]  # (person, registered at), living in the commune
    memberships: list[tuple[int, int, datetime.date]]  # (person, group, joined on), active, its groups
    awards: list[tuple[int, int, int, datetime.datetime]]  # (person, competency, level, awarded at)
    enrolments: list[tuple[int, int, int, datetime.datetime, datetime.datetime | None]]
    started: set[int]  # enrolments with at least one lesson done
    certified: set[tuple[int, int]]  # (person, course) with a valid certificate
    sessions: list[tuple[int, int, datetime.datetime]]  # (session, group, starts at)
    marks: list  # named rows: session_id, member_id, status, recorded_at, uuid
    next_opening_at: datetime.datetime | None  # when the first session not held yet opens

    @classmethod
    def read(cls, commune_id: int, now: datetime.datetime) -> "_Facts":
        """``now``: only the sessions held by then (``Session.objects.started``) and their marks count."""
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
            residents=list(residents.values_list("pk", "date_joined")),
            memberships=list(members.values_list("user_id", "group_id", "joined_on")),
            awards=list(
                CompetencyAward.objects.filter(user__in=people).values_list(
                    "user_id", "competency_id", "level", "awarded_at"
                )
            ),
            enrolments=list(
                Enrolment.objects.filter(user__in=people).values_list(
                    "pk", "user_id", "course_id", "enrolled_at", "completed_at"
                )
            ),
            started=set(
                LessonProgress.objects.filter(user__in=people)
                .values_list("enrolment_id", flat=True)
                .distinct()
            ),
            certified=set(
                Certificate.objects.counted()
                .filter(holder__in=people, course__isnull=False)
                .values_list("holder_id", "course_id")
            ),
            sessions=list(held.values_list("pk", "group_id", "starts_at")),
            marks=list(
                AttendanceMark.objects.filter(session__in=held).values_list(
                    "session_id", "member_id", "status", "recorded_at", "uuid", named=True
                )
            ),
            next_opening_at=upcoming.opens_at if upcoming else None,
        )

    def groups_of(self) -> dict[int, list[int]]:
        """Each person's groups in this commune."""
        groups = defaultdict(list)
        for person, group, _joined in self.memberships:
            groups[person].append(group)
        return groups

    def resident_ids(self) -> set[int]:
        return {person for person, _joined in self.residents}


def _resident_rows(facts: _Facts) -> Counter:
    counts = Counter()
    for _person, registered_at in facts.residents:
        counts[(None, month_of(registered_at))] += 1
    for _person, group_id, joined_on in facts.memberships:
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
    for session_id, group_id, starts_at in facts.sessions:
        key = (group_id, month_of(starts_at))
        month_of_session[session_id] = key
        counts[key][0] += 1
    for (session_id, _person), mark in current_marks(facts.marks).items():
        total = counts[month_of_session[session_id]]
        total[1] += 1
        total[2] += mark.status in ATTENDED
    return {key: tuple(total) for key, total in counts.items()}
