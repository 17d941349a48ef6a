"""Reading the statistics: sums over the rollups (stats.models), never over the facts themselves.

Every function takes a ``StatsQuery`` (what the caller asked for, already narrowed to what they may
see) and costs a fixed number of queries whatever the number of residents. Rows are communes, or
the groups of one commune when the query names a commune.

A person counts once in every figure. They belong to the commune they live in (their village's) and
to each group they are an active member of; someone with no village belongs to no commune. So a
commune's totals are read from its own rows (its residents), never summed from its groups' rows: a
member of two groups would count twice, and a member who lives elsewhere would count in a commune
that is not theirs. A group's figures are its members'. Sessions and marks belong to one group each,
so the activity of a commune is the sum of its groups'.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from attendance.models import Session
from courses.models import CompetencyArea, CompetencyProfile, CoursePage, Level, Tier
from learning.competencies import requirements_of
from learning.models import CompetencyAward
from members.models import Commune, CommunityGroup, Membership, User
from stats.levels import first_reached, profile_met_at
from stats.models import (
    ActivityCount,
    AttainmentCount,
    CommuneFreshness,
    FunnelCount,
    ProfileCount,
    ResidentCount,
)

INACTIVE_AFTER = datetime.timedelta(days=30)
BASIC_PROFILE = "pho-cap-co-ban"
CADRE_PROFILE = "can-bo-so"


@dataclass(frozen=True)
class StatsQuery:
    commune_ids: frozenset[int] | None  # None: the whole province
    commune: Commune | None = None
    group: CommunityGroup | None = None
    course_code: str = ""
    area: CompetencyArea | None = None
    tier: str = Tier.BASIC
    start: datetime.date | None = None  # first months of the range
    end: datetime.date | None = None

    @property
    def by_group(self) -> bool:
        return self.commune is not None

    def places(self) -> Q:
        """The rollup rows this query reads: commune rows, or one commune's group rows."""
        if self.group is not None:
            where = Q(group_id=self.group.pk)
        elif self.commune is not None:
            where = Q(commune_id=self.commune.pk, group__isnull=False)
        else:
            where = Q(group__isnull=True)
            if self.commune_ids is not None:
                where &= Q(commune_id__in=self.commune_ids)
        return where

    def whole(self) -> Q:
        """The rollup rows of everything the query covers, each person once: the one group, the
        commune's own rows (its residents), or the communes' rows."""
        if self.group is None and self.commune is not None:
            return Q(commune_id=self.commune.pk, group__isnull=True)
        return self.places()

    def until_end(self) -> Q:
        return Q(month__lte=self.end) if self.end else Q()

    def in_range(self) -> Q:
        where = self.until_end()
        if self.start:
            where &= Q(month__gte=self.start)
        return where

    @property
    def row_key(self) -> str:
        return "group_id" if self.by_group else "commune_id"


@dataclass
class Place:
    key: int
    name: str
    code: str


def places_of(query: StatsQuery) -> list[Place]:
    if query.by_group:
        groups = CommunityGroup.objects.filter(commune=query.commune).order_by("code")
        if query.group is not None:
            groups = groups.filter(pk=query.group.pk)
        return [Place(g.pk, g.name, g.code) for g in groups.only("pk", "name", "code")]
    communes = Commune.objects.order_by("name")
    if query.commune_ids is not None:
        communes = communes.filter(id__in=query.commune_ids)
    return [Place(c.pk, c.name, c.code) for c in communes.only("pk", "name", "code")]


def people_registered(query: StatsQuery) -> dict[int, int]:
    """Registered residents (commune rows) or active members (group rows) by the end of the range."""
    rows = (
        ResidentCount.objects.filter(query.places(), query.until_end())
        .values(query.row_key)
        .annotate(n=Sum("people"))
    )
    return {row[query.row_key]: row["n"] for row in rows}


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# Competency attainment -----------------------------------------------------------------------------


@dataclass
class HeatRow:
    place: Place
    people: int
    cells: list[tuple[int, float | None]]  # per column: people reached, share of the row's people


@dataclass
class Attainment:
    tier: str
    areas: list[CompetencyArea]
    rows: list[HeatRow]
    # The province or the commune as a whole: each competency's people per tier.
    competencies: list[tuple[object, list[int]]] = field(default_factory=list)
    tiers: list[tuple[str, str]] = field(default_factory=list)


def current_areas(area: CompetencyArea | None = None) -> list[CompetencyArea]:
    areas = CompetencyArea.objects.filter(framework__is_current=True).order_by("number")
    if area is not None:
        areas = areas.filter(pk=area.pk)
    return list(areas.prefetch_related("competencies"))


def attainment(query: StatsQuery) -> Attainment:
    areas = current_areas(query.area)
    places = places_of(query)
    people = people_registered(query)
    reached = defaultdict(int)
    rows = (
        AttainmentCount.objects.filter(
            query.places(), query.until_end(), tier=query.tier, competency__isnull=True
        )
        .filter(area__in=areas)
        .values(query.row_key, "area_id")
        .annotate(n=Sum("people"))
    )
    for row in rows:
        reached[(row[query.row_key], row["area_id"])] = row["n"]
    heat = []
    for place in places:
        whole = people.get(place.key, 0)
        cells = [(reached[(place.key, a.pk)], _share(reached[(place.key, a.pk)], whole)) for a in areas]
        heat.append(HeatRow(place, whole, cells))
    # Per competency and tier, over the whole of what the query covers.
    totals = defaultdict(int)
    whole = (
        AttainmentCount.objects.filter(query.whole(), query.until_end(), competency__isnull=False)
        .filter(area__in=areas)
        .values("competency_id", "tier")
        .annotate(n=Sum("people"))
    )
    for row in whole:
        totals[(row["competency_id"], row["tier"])] = row["n"]
    competencies = [
        (competency, [totals[(competency.pk, tier)] for tier in Tier.values])
        for area in areas
        for competency in area.competencies.all()
    ]
    return Attainment(query.tier, areas, heat, competencies, list(Tier.choices))


def tier_levels(tier: str) -> str:
    levels = [level for level in Level.values if Level.tier_of(level) == tier]
    return f"{levels[0]}–{levels[-1]}"


# Profiles: basic universalisation, digital cadres ------------------------------------------------------


@dataclass
class ProfileRow:
    place: Place
    people: int
    complete: list[tuple[int, float | None]]  # per profile


@dataclass
class Profiles:
    profiles: list[CompetencyProfile]
    rows: list[ProfileRow]
    total_people: int
    totals: list[tuple[int, float | None]]
    # Cumulative people complete at the end of each month of the range, per profile.
    months: list[datetime.date]
    trend: list[list[int]]


def profiles(query: StatsQuery) -> Profiles:
    profiles = list(CompetencyProfile.objects.order_by("code"))
    places = places_of(query)
    people = people_registered(query)
    complete = defaultdict(int)
    for row in (
        ProfileCount.objects.filter(query.places(), query.until_end())
        .values(query.row_key, "profile_id")
        .annotate(n=Sum("people"))
    ):
        complete[(row[query.row_key], row["profile_id"])] = row["n"]
    rows = [
        ProfileRow(
            place,
            people.get(place.key, 0),
            [
                (complete[(place.key, p.pk)], _share(complete[(place.key, p.pk)], people.get(place.key, 0)))
                for p in profiles
            ],
        )
        for place in places
    ]
    if query.by_group and query.group is None:
        # The commune as a whole: its residents, each once (see the module's docstring).
        whole = ResidentCount.objects.filter(query.whole(), query.until_end()).aggregate(n=Sum("people"))
        total_people = whole["n"] or 0
    else:
        total_people = sum(people.get(place.key, 0) for place in places)
    by_month = defaultdict(int)
    for row in (
        ProfileCount.objects.filter(query.whole(), query.until_end())
        .values("month", "profile_id")
        .annotate(n=Sum("people"))
    ):
        by_month[(row["month"], row["profile_id"])] = row["n"]
    totals = []
    for profile in profiles:
        done = sum(n for (_month, pk), n in by_month.items() if pk == profile.pk)
        totals.append((done, _share(done, total_people)))
    months = months_between(query.start, query.end)
    trend = []
    for profile in profiles:
        before = sum(n for (month, pk), n in by_month.items() if pk == profile.pk and month < months[0])
        series = []
        for month in months:
            before += by_month[(month, profile.pk)]
            series.append(before)
        trend.append(series)
    return Profiles(profiles, rows, total_people, totals, months, trend)


def months_between(start: datetime.date | None, end: datetime.date | None) -> list[datetime.date]:
    end = end or timezone.localdate().replace(day=1)
    start = start or add_months(end, -11)
    months = []
    month = start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


# Course funnel --------------------------------------------------------------------------------------

STEPS = ("enrolled", "started", "completed", "certified")


@dataclass
class FunnelRow:
    label: str
    code: str
    steps: list[int]

    @property
    def completion(self) -> float | None:
        return _share(self.steps[2], self.steps[0])


@dataclass
class Funnel:
    courses: list[FunnelRow]
    places: list[FunnelRow]
    months: list[datetime.date]
    trend: list[list[int]]  # per step, per month
    total: list[int]


def _course_codes(query: StatsQuery) -> dict[int, tuple[str, str]]:
    """Course page id → (code, title): a course and its translations count as one course."""
    courses = CoursePage.objects.all()
    if query.area is not None:
        courses = courses.filter(target_competencies__competency__area=query.area)
    if query.course_code:
        courses = courses.filter(code=query.course_code)
    return {pk: (code, title) for pk, code, title in courses.values_list("pk", "code", "title").distinct()}


def course_choices() -> list[tuple[str, str]]:
    seen = {}
    for code, title, locale in (
        CoursePage.objects.live()
        .order_by("code", "locale_id")
        .values_list("code", "title", "locale__language_code")
    ):
        if code not in seen or locale == "vi":
            seen[code] = title
    return [(code, f"{code} · {title}") for code, title in seen.items()]


def funnel(query: StatsQuery) -> Funnel:
    courses = _course_codes(query)
    chosen = query.in_range() & Q(course_id__in=courses)
    where = query.places() & chosen
    whole = query.whole() & chosen
    sums = [Sum(step) for step in STEPS]
    by_course = defaultdict(lambda: [0, 0, 0, 0])
    titles = {}
    for row in FunnelCount.objects.filter(whole).values("course_id").annotate(*sums):
        code, title = courses[row["course_id"]]
        titles.setdefault(code, title)
        for index, step in enumerate(STEPS):
            by_course[code][index] += row[f"{step}__sum"]
    course_rows = [FunnelRow(titles[code], code, steps) for code, steps in sorted(by_course.items())]
    by_place = {
        row[query.row_key]: [row[f"{step}__sum"] for step in STEPS]
        for row in FunnelCount.objects.filter(where).values(query.row_key).annotate(*sums)
    }
    place_rows = [
        FunnelRow(place.name, place.code, by_place.get(place.key, [0, 0, 0, 0])) for place in places_of(query)
    ]
    months = months_between(query.start, query.end)
    by_month = {
        row["month"]: [row[f"{step}__sum"] for step in STEPS]
        for row in FunnelCount.objects.filter(whole).values("month").annotate(*sums)
    }
    trend = [[by_month.get(month, [0, 0, 0, 0])[index] for month in months] for index in range(len(STEPS))]
    total = [sum(row.steps[index] for row in course_rows) for index in range(len(STEPS))]
    return Funnel(course_rows, place_rows, months, trend, total)


# Group activity -------------------------------------------------------------------------------------


@dataclass
class ActivityRow:
    place: Place
    groups: int
    inactive: int
    sessions: int
    marked: int
    attended: int

    @property
    def rate(self) -> float | None:
        return _share(self.attended, self.marked)


@dataclass
class InactiveGroup:
    group: CommunityGroup
    members: int
    last_session_at: datetime.datetime | None


@dataclass
class Activity:
    rows: list[ActivityRow]
    total: ActivityRow
    months: list[datetime.date]
    sessions_trend: list[int]
    rate_trend: list[float | None]
    inactive: list[InactiveGroup]
    inactive_count: int


def _activity_scope(query: StatsQuery, prefix: str = "") -> Q:
    if query.group is not None:
        return Q(**{f"{prefix}group_id": query.group.pk})
    if query.commune is not None:
        return Q(**{f"{prefix}commune_id": query.commune.pk})
    if query.commune_ids is not None:
        return Q(**{f"{prefix}commune_id__in": query.commune_ids})
    return Q()


def _groups_in(query: StatsQuery, now: datetime.datetime):
    """The groups in scope, each with the start of its last session held (``last``, by
    ``Session.objects.started``): read from the rows themselves, so that a session counts the moment
    it exists, or opens, whatever the rollups say. On the (group, starts at) index."""
    if query.group is not None:
        groups = CommunityGroup.objects.filter(pk=query.group.pk)
    else:
        groups = CommunityGroup.objects.filter(_activity_scope(query))
    held = Session.objects.started(now).filter(group=OuterRef("pk")).order_by("-starts_at")
    return groups.annotate(last=Subquery(held.values("starts_at")[:1]))


def activity(query: StatsQuery, *, inactive_limit: int | None = 200) -> Activity:
    scope = _activity_scope(query)
    now = timezone.now()
    cutoff = now - INACTIVE_AFTER
    in_scope = _groups_in(query, now)
    lapsed = Q(last__isnull=True) | Q(last__lt=cutoff)
    group_counts: dict[int, dict[str, int]] = defaultdict(lambda: {"groups": 0, "inactive": 0})
    for key, is_lapsed in in_scope.annotate(lapsed=ExpressionWrapper(lapsed, BooleanField())).values_list(
        "pk" if query.by_group else "commune_id", "lapsed"
    ):
        group_counts[key]["groups"] += 1
        group_counts[key]["inactive"] += bool(is_lapsed)
    sums = (Sum("sessions"), Sum("marked"), Sum("attended"))
    by_place = {
        row[query.row_key]: row
        for row in ActivityCount.objects.filter(scope, query.in_range()).values(query.row_key).annotate(*sums)
    }
    rows = []
    for place in places_of(query):
        groups = group_counts.get(place.key, {})
        done = by_place.get(place.key, {})
        rows.append(
            ActivityRow(
                place,
                groups.get("groups") or 0,
                groups.get("inactive") or 0,
                done.get("sessions__sum") or 0,
                done.get("marked__sum") or 0,
                done.get("attended__sum") or 0,
            )
        )
    total = ActivityRow(
        Place(0, "", ""),
        sum(r.groups for r in rows),
        sum(r.inactive for r in rows),
        sum(r.sessions for r in rows),
        sum(r.marked for r in rows),
        sum(r.attended for r in rows),
    )
    months = months_between(query.start, query.end)
    by_month = {
        row["month"]: row
        for row in ActivityCount.objects.filter(scope, query.in_range()).values("month").annotate(*sums)
    }
    sessions_trend = [(by_month.get(m) or {}).get("sessions__sum") or 0 for m in months]
    rate_trend = [
        _share(
            (by_month.get(m) or {}).get("attended__sum") or 0, (by_month.get(m) or {}).get("marked__sum") or 0
        )
        for m in months
    ]
    inactive = _inactive_groups(in_scope.filter(lapsed), inactive_limit)
    return Activity(rows, total, months, sessions_trend, rate_trend, inactive, total.inactive)


def _inactive_groups(groups, limit: int | None) -> list[InactiveGroup]:
    """The lapsed groups, by commune and code, with their active members (one query)."""
    members = (
        Membership.objects.active()
        .filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    groups = (
        groups.select_related("village", "commune")
        .annotate(members=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .order_by("commune__name", "code")
    )
    if limit is not None:
        groups = groups[:limit]
    return [InactiveGroup(group, group.members, group.last) for group in groups]


# Freshness ------------------------------------------------------------------------------------------


@dataclass
class Freshness:
    computed_at: datetime.datetime | None  # the oldest numbers shown were computed then
    changed_since: bool  # facts changed after that, or numbers expired: a refresh is due
    missing: bool  # some communes were never computed


def freshness(query: StatsQuery) -> Freshness:
    communes = Commune.objects.all()
    if query.commune is not None:
        communes = communes.filter(pk=query.commune.pk)
    elif query.commune_ids is not None:
        communes = communes.filter(pk__in=query.commune_ids)
    computed = Q(statistics_freshness__refreshed_at__isnull=False)
    up_to_date = CommuneFreshness.objects.up_to_date().values("commune_id")
    summary = communes.aggregate(
        total=Count("pk"),
        computed=Count("pk", filter=computed),
        outdated=Count("pk", filter=computed & ~Q(pk__in=up_to_date)),
        oldest=Min("statistics_freshness__refreshed_at"),
    )
    return Freshness(summary["oldest"], summary["outdated"] > 0, summary["computed"] < summary["total"])


# People who completed a profile ---------------------------------------------------------------------


@dataclass
class ProfileHolder:
    person: User
    reached_at: datetime.datetime


def profile_holders(query: StatsQuery, profile: CompetencyProfile) -> list[ProfileHolder]:
    """Everyone in the query's places who meets ``profile`` by the end of the range (the national
    record of basic universalisation wants the names). Read from the facts, in three queries: when
    each person first reached each required level, then the people; ``profile_met_at`` decides."""
    requirements = requirements_of(profile)
    if not requirements:
        return []
    people = User.objects.filter(is_active=True)
    if query.group is not None:
        people = people.filter(memberships__group=query.group, memberships__left_on__isnull=True)
    elif query.commune is not None:
        people = people.filter(village__commune=query.commune)
    elif query.commune_ids is not None:
        people = people.filter(village__commune_id__in=query.commune_ids)
    else:
        people = people.filter(village__isnull=False)  # the province: the people of its communes
    # Only the awards that reach a required level matter to the date a profile was met.
    reaching = Q()
    for competency_id, minimum in requirements.items():
        reaching |= Q(competency_id=competency_id, level__gte=minimum)
    awards = CompetencyAward.objects.filter(reaching, user__in=people.values("pk"))
    if query.end:
        awards = awards.filter(awarded_at__lt=_month_end(query.end))
    firsts = (
        awards.values("user_id", "competency_id")
        .annotate(first=Min("awarded_at"))
        .values_list("user_id", "competency_id", "first")
    )
    by_person = first_reached(
        (person_id, competency_id, requirements[competency_id], first)
        for person_id, competency_id, first in firsts
    )
    reached = {
        person_id: moment
        for person_id, levels in by_person.items()
        if (moment := profile_met_at(levels, requirements)) is not None
    }
    holders = (
        User.objects.filter(pk__in=reached)
        .select_related("village__commune")
        .order_by("village__commune__name", "village__name", "full_name", "pk")
    )
    return [ProfileHolder(person, reached[person.pk]) for person in holders]


def _month_end(month: datetime.date) -> datetime.datetime:
    following = add_months(month, 1)
    return timezone.make_aware(datetime.datetime(following.year, following.month, 1))
