"""A person counts once in every figure, whatever the number of groups they belong to.

Where a person counts: in the commune they live in (their village's commune), and in each group
they are an active member of. A commune's figures are its residents' (never the sum of its groups'
rows, which would count a member of two groups twice, and a member who lives elsewhere in a commune
that is not theirs); a group's figures are its members'. Each figure equals the length of its own
list of people (the basic-universalisation export).

Every way out is read: each export the statistics offer (CSV and XLSX), the three statistics pages
over HTTP, and the four /api/v1/stats/ endpoints, as a trainer (the commune chosen, or the whole
province) and as the commune's officer; for the funnel, all four steps.
"""

import csv
import io
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from courses.models import CompetencyProfile
from learning import services
from learning.models import Enrolment
from members.models import CommunityGroup, User
from stats import selectors, tables
from stats import services as stats
from stats.forms import StatsFilterForm
from tests import factories
from tests.factories import MembershipFactory, correct_answers
from tests.stats.conftest import at, mark, reach_basic_profile, session

pytestmark = pytest.mark.django_db

BASIC = "pho-cap-co-ban"


@pytest.fixture
def doubled(world):
    course = factories.course(lessons=2, competencies=(("2.6", 2),))
    # resident_a lives in X and is in groups A and B, both of X.
    MembershipFactory(user=world.resident_a, group=world.group_b)
    # resident_c lives in Y (group C) and is in group A of X too: a resident of Y.
    MembershipFactory(user=world.resident_c, group=world.group_a)
    for person in (world.resident_a, world.resident_b, world.resident_c):
        reach_basic_profile(person, at(4))
        services.enrol(user=person, course=course)
    # Each step of the funnel apart: resident_a goes all the way (completed, certified), resident_c
    # starts (one lesson of two), resident_b only enrolled.
    first, second = course.lessons()
    for person, lessons in ((world.resident_a, (first, second)), (world.resident_c, (first,))):
        for lesson in lessons:
            services.quiz_submit(
                user=person, lesson=lesson, answers=correct_answers(lesson), submission_id=factories.uuid4()
            )
    assert world.resident_a.certificates.filter(course=course).exists()
    Enrolment.objects.update(enrolled_at=at(4))
    # resident_a is marked at a session of group A (and is in group B too).
    mark(session(world.group_a, at(5)), world.resident_a, "present", at(5))
    stats.refresh_all()
    return world


def query_for(user, **filters) -> selectors.StatsQuery:
    form = StatsFilterForm(dict(filters), user=user)
    assert form.is_valid(), form.errors
    return form.query()


def residents_of(commune) -> int:
    return User.objects.counted().filter(village__commune=commune).count()


def members_of(group) -> int:
    return group.memberships.active().count()


def download(user, slug, file_format, **filters) -> bytes:
    client = Client()
    client.force_login(user)
    url = reverse("stats:export", kwargs={"slug": slug, "file_format": file_format})
    response = client.get(url, filters)
    assert response.status_code == 200
    return response.content


def csv_rows(user, slug, **filters) -> list[list[str]]:
    content = download(user, slug, "csv", **filters)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(user, slug, **filters) -> list[list]:
    """The XLSX's cells, numbers as numbers (compare with ``as_read``)."""
    book = load_workbook(io.BytesIO(download(user, slug, "xlsx", **filters)), read_only=True)
    return as_read(
        [["" if value is None else value for value in row] for row in book.active.iter_rows(values_only=True)]
    )


def as_read(rows: list[list]) -> list[list]:
    """Cells as a spreadsheet reads them: a number whatever it was written as (40 or "40.0")."""

    def cell(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return value

    return [[cell(value) for value in row] for row in rows]


def test_a_commune_counts_each_resident_once(doubled):
    basic = CompetencyProfile.objects.get(code=BASIC)
    x = doubled.commune_x
    commune = query_for(doubled.trainer, commune=x.code)
    province = query_for(doubled.trainer)

    profiles = selectors.profiles(commune)
    index = profiles.profiles.index(basic)
    holders = selectors.profile_holders(commune, basic)
    assert {h.person for h in holders} == {doubled.resident_a, doubled.resident_b}
    assert profiles.total_people == residents_of(x)
    assert profiles.totals[index][0] == len(holders) == 2
    assert profiles.trend[index][-1] == 2
    # The commune's figures are its row in the province's view.
    in_province = next(r for r in selectors.profiles(province).rows if r.place.key == x.pk)
    assert (in_province.people, in_province.complete[index][0]) == (residents_of(x), 2)

    # Each group counts its own members, once each; its figure is its list's length.
    for group, members in (
        (doubled.group_a, {doubled.resident_a, doubled.resident_c}),
        (doubled.group_b, {doubled.resident_a, doubled.resident_b}),
    ):
        row = next(r for r in profiles.rows if r.place.key == group.pk)
        one = query_for(doubled.trainer, commune=x.code, group=group.code)
        assert {h.person for h in selectors.profile_holders(one, basic)} == members
        assert row.complete[index][0] == len(members)
        assert row.people == group.memberships.active().count()
        assert selectors.profiles(one).totals[index][0] == len(members)

    # Competencies and the funnel: the commune's residents, once.
    attainment = selectors.attainment(commune)
    totals = {c.code: counts for c, counts in attainment.competencies}
    whole = {c.code: counts for c, counts in selectors.attainment(province).competencies}
    assert totals["2.6"][0] >= 2 and whole["2.6"][0] == totals["2.6"][0] + 1  # + resident_c of Y
    funnel = selectors.funnel(commune)
    # enrolled (a, b), started, completed and certified (a): resident_a once, not once per group.
    assert funnel.total == [2, 1, 1, 1]
    assert [sum(step) for step in funnel.trend] == [2, 1, 1, 1]  # over the months
    assert funnel.courses[0].steps == [2, 1, 1, 1]
    # Each group its members: A holds resident_a and resident_c (who started), B resident_a and b.
    assert {row.code: row.steps for row in funnel.places} == {
        doubled.group_a.code: [2, 2, 1, 1],
        doubled.group_b.code: [2, 1, 1, 1],
    }


def test_the_exports_and_the_api_count_each_resident_once(doubled):
    x = doubled.commune_x
    profiles = csv_rows(doubled.trainer, "profiles", commune=x.code)
    header, footer = profiles[0], profiles[-1]
    basic = header.index(CompetencyProfile.objects.get(code=BASIC).display_name)
    assert footer[2] == str(residents_of(x))
    assert footer[basic] == "2"
    people = csv_rows(doubled.trainer, f"profile-{BASIC}", commune=x.code)
    assert len(people) - 1 == 2
    courses = csv_rows(doubled.trainer, "courses", commune=x.code)
    assert courses[-1][2] == "2"  # enrolled, in the total line
    competencies = csv_rows(doubled.trainer, "competencies", commune=x.code)
    assert next(r for r in competencies if r[0] == "2.6")[2] == "2"

    client = APIClient()
    client.force_authenticate(doubled.trainer)
    body = client.get("/api/v1/stats/profiles/", {"commune": x.code}).json()
    assert body["total"]["people"] == residents_of(x)
    assert next(t for t in body["total"]["profiles"] if t["profile"] == BASIC)["people"] == 2
    funnel = client.get("/api/v1/stats/funnel/", {"commune": x.code}).json()
    assert funnel["total"] == {"enrolled": 2, "started": 1, "completed": 1, "certified": 1}
    assert sum(month["enrolled"] for month in funnel["months"]) == 2
    attainment = client.get("/api/v1/stats/attainment/", {"commune": x.code}).json()
    assert next(c for c in attainment["competencies"] if c["code"] == "2.6")["basic"] == 2


def test_the_province_counts_people_who_live_in_no_commune_nowhere(doubled):
    """Someone with no village counts in their groups but in no commune: the province's list of
    people who completed a profile says the same as its figure."""
    basic = CompetencyProfile.objects.get(code=BASIC)
    homeless = factories.UserFactory(village=None)
    MembershipFactory(user=homeless, group=doubled.group_a)
    reach_basic_profile(homeless, at(4))
    stats.refresh_all()
    province = query_for(doubled.trainer)
    profiles = selectors.profiles(province)
    index = profiles.profiles.index(basic)
    assert profiles.totals[index][0] == len(selectors.profile_holders(province, basic))


# ---- Every export, page and endpoint ----------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """What one place (a commune, a group) or a whole view must say."""

    people: int  # registered: a commune's residents, a group's active members
    basic: int  # people who completed basic universalisation
    funnel: tuple[int, int, int, int]  # enrolled, started, completed, certified
    activity: tuple[int, int, int] = (0, 0, 0)  # sessions, people marked, present or late


@dataclass
class Scope:
    """Someone looking at the statistics with some filters: the places of their rows (by code, the
    ones the scene knows) and their total."""

    name: str
    user: User
    filters: dict
    places: dict[str, Figures]
    total: Figures


@pytest.fixture
def scopes(doubled) -> list[Scope]:
    w = doubled
    x, y = w.commune_x, w.commune_y
    # resident_a (in A and B) counts once in X, once in A and once in B; resident_c (of Y) in A and Y.
    in_x = Figures(residents_of(x), 2, (2, 1, 1, 1), (1, 1, 1))
    groups_of_x = {
        w.group_a.code: Figures(members_of(w.group_a), 2, (2, 2, 1, 1), (1, 1, 1)),
        w.group_b.code: Figures(members_of(w.group_b), 2, (2, 1, 1, 1)),
    }
    province = Figures(
        User.objects.counted().filter(village__isnull=False).count(), 3, (3, 2, 1, 1), (1, 1, 1)
    )
    communes = {x.code: in_x, y.code: Figures(residents_of(y), 1, (1, 1, 0, 0))}
    return [
        Scope("trainer, commune X", w.trainer, {"commune": x.code}, groups_of_x, in_x),
        Scope("officer of X", w.officer_x, {}, groups_of_x, in_x),
        Scope("trainer, province", w.trainer, {}, communes, province),
    ]


def _int(cell: str) -> int:
    return int(cell or 0)


def _by_code(rows: list[list[str]]) -> dict[str, list[str]]:
    """The body's rows by their first cell (a place's code), each place once."""
    codes = [row[0] for row in rows[1:] if row[0]]
    assert len(codes) == len(set(codes)), codes
    return {row[0]: row for row in rows[1:] if row[0]}


def check_attainment(scope, rows):
    """Per place: its people, and those who reached the basic tier in area 2 (2.6 is there)."""
    area = next(i for i, label in enumerate(rows[0]) if label.startswith("2. "))
    for code, figures in scope.places.items():
        row = _by_code(rows)[code]
        assert (_int(row[2]), _int(row[area])) == (figures.people, figures.basic), (code, row)


def check_competencies(scope, rows):
    row = next(r for r in rows if r[0] == "2.6")
    assert _int(row[2]) == scope.total.basic


def check_profiles(scope, rows):
    basic = rows[0].index(CompetencyProfile.objects.get(code=BASIC).display_name)
    for code, figures in scope.places.items():
        row = _by_code(rows[:-1])[code]
        assert (_int(row[2]), _int(row[basic])) == (figures.people, figures.basic), (code, row)
    assert (_int(rows[-1][2]), _int(rows[-1][basic])) == (scope.total.people, scope.total.basic)


def check_courses(scope, rows):
    assert tuple(_int(cell) for cell in rows[-1][2:6]) == scope.total.funnel  # the total line


def check_course_places(scope, rows):
    for code, figures in scope.places.items():
        row = _by_code(rows).get(code, [code, "", "0", "0", "0", "0"])
        assert tuple(_int(cell) for cell in row[2:6]) == figures.funnel, (code, row)


def check_course_months(scope, rows):
    assert tuple(sum(_int(row[step]) for row in rows[1:]) for step in range(1, 5)) == scope.total.funnel


def check_activity(scope, rows):
    def numbers(row):
        return (_int(row[4]), _int(row[5]), _int(row[6]))  # sessions, people marked, present or late

    for code, figures in scope.places.items():
        row = _by_code(rows[:-1]).get(code)
        assert (numbers(row) if row else (0, 0, 0)) == figures.activity, (code, row)
    assert numbers(rows[-1]) == scope.total.activity


def check_activity_months(scope, rows):
    assert sum(_int(row[1]) for row in rows[1:]) == scope.total.activity[0]


def check_inactive_groups(scope, rows):
    """Each group once, with its own members."""
    groups = {g.code: g for g in CommunityGroup.objects.all()}
    for code, row in _by_code(rows).items():
        assert _int(row[4]) == members_of(groups[code]), (code, row)


CHECKS = {
    "attainment": check_attainment,
    "competencies": check_competencies,
    "profiles": check_profiles,
    "courses": check_courses,
    "course-places": check_course_places,
    "course-months": check_course_months,
    "activity": check_activity,
    "activity-months": check_activity_months,
    "inactive-groups": check_inactive_groups,
}


def check_holders(scope, rows, profile):
    """The list of the people who completed a profile is as long as the profile's figure says."""
    profiles = csv_rows(scope.user, "profiles", **scope.filters)
    column = profiles[0].index(profile.display_name)
    assert len(rows) - 1 == _int(profiles[-1][column])
    names = [row[0] for row in rows[1:]]
    assert len(names) == len(set(names))
    if profile.code == BASIC:
        assert len(rows) - 1 == scope.total.basic


def test_every_export_counts_each_resident_once(scopes):
    assert set(CHECKS) == set(tables.TABLE_TITLES), "a table the statistics offer is not checked here"
    profiles = list(CompetencyProfile.objects.all())
    for scope in scopes:
        for slug in [*CHECKS, *(f"profile-{p.code}" for p in profiles)]:
            rows = csv_rows(scope.user, slug, **scope.filters)
            assert xlsx_rows(scope.user, slug, **scope.filters) == as_read(rows), (scope.name, slug)
            try:
                if slug in CHECKS:
                    CHECKS[slug](scope, rows)
                else:
                    profile = next(p for p in profiles if slug == f"profile-{p.code}")
                    check_holders(scope, rows, profile)
            except AssertionError as error:
                raise AssertionError(f"{scope.name}, {slug}: {error}") from error


PAGES = {
    "stats:attainment": {
        "attainment_table": "attainment",
        "competencies_table": "competencies",
        "profiles_table": "profiles",
    },
    "stats:funnel": {
        "courses_table": "courses",
        "places_table": "course-places",
        "months_table": "course-months",
    },
    "stats:activity": {
        "activity_table": "activity",
        "months_table": "activity-months",
        "inactive_table": "inactive-groups",
    },
}


def test_every_statistics_page_counts_each_resident_once(scopes):
    """Over HTTP: each page's tables say what its exports say (checked above), and its headline
    figures are the total's."""
    basic = CompetencyProfile.objects.get(code=BASIC)
    for scope in scopes:
        client = Client()
        client.force_login(scope.user)
        for url_name, shown in PAGES.items():
            response = client.get(reverse(url_name), scope.filters)
            assert response.status_code == 200, (scope.name, url_name)
            for name, slug in shown.items():
                table = response.context[name]
                on_screen = [[str(c.label) for c in table.columns]]
                on_screen += [["" if v is None else str(v) for v in row] for row in table.rows]
                if table.footer:
                    on_screen.append(["" if v is None else str(v) for v in table.footer])
                assert on_screen == csv_rows(scope.user, slug, **scope.filters), (scope.name, url_name, name)
            context = response.context
            if url_name == "stats:attainment":
                kpis = {profile.code: done for profile, done, _share in context["profile_kpis"]}
                assert kpis[BASIC] == scope.total.basic, scope.name
                assert context["profiles"].total_people == scope.total.people
                assert basic.display_name in response.content.decode()
            elif url_name == "stats:funnel":
                assert tuple(context["funnel"].total) == scope.total.funnel, scope.name
            else:
                total = context["activity"].total
                assert (total.sessions, total.marked, total.attended) == scope.total.activity, scope.name


def people(item) -> int:
    """People who completed basic universalisation, in an item of /api/v1/stats/profiles/."""
    return next(p for p in item["profiles"] if p["profile"] == BASIC)["people"]


def test_every_statistics_endpoint_counts_each_resident_once(scopes):
    for scope in scopes:
        client = APIClient()
        client.force_authenticate(scope.user)

        def get(name, scope=scope, client=client):
            response = client.get(f"/api/v1/stats/{name}/", scope.filters)
            assert response.status_code == 200, (scope.name, name, response.content)
            return response.json()

        profiles, funnel = get("profiles"), get("funnel")
        attainment, activity = get("attainment"), get("activity")
        assert (profiles["total"]["people"], people(profiles["total"])) == (
            scope.total.people,
            scope.total.basic,
        )
        steps = ("enrolled", "started", "completed", "certified")
        assert tuple(funnel["total"][s] for s in steps) == scope.total.funnel, scope.name
        assert tuple(sum(m[s] for m in funnel["months"]) for s in steps) == scope.total.funnel
        assert tuple(sum(c[s] for c in funnel["courses"]) for s in steps) == scope.total.funnel
        competency = next(c for c in attainment["competencies"] if c["code"] == "2.6")
        assert competency["basic"] == scope.total.basic, scope.name
        total = activity["total"]
        assert (total["sessions"], total["marked"], total["attended"]) == scope.total.activity
        rows = {
            name: {row["code"]: row for row in body["rows" if name != "funnel" else "places"]}
            for name, body in (
                ("profiles", profiles),
                ("funnel", funnel),
                ("attainment", attainment),
                ("activity", activity),
            )
        }
        for code, figures in scope.places.items():
            place = rows["profiles"][code]
            assert (place["people"], people(place)) == (figures.people, figures.basic), (scope.name, code)
            assert tuple(rows["funnel"][code][s] for s in steps) == figures.funnel, (scope.name, code)
            area = next(a for a in rows["attainment"][code]["areas"] if a["area"] == 2)
            assert (rows["attainment"][code]["people"], area["people"]) == (figures.people, figures.basic)
            row = rows["activity"].get(code)
            numbers = (row["sessions"], row["marked"], row["attended"]) if row else (0, 0, 0)
            assert numbers == figures.activity, (scope.name, code)
