"""A person counts once in every figure, whatever the number of groups they belong to.

Where a person counts: in the commune they live in (their village's commune), and in each group
they are an active member of. A commune's figures are its residents' (never the sum of its groups'
rows, which would count a member of two groups twice, and a member who lives elsewhere in a commune
that is not theirs); a group's figures are its members'. Each figure equals the length of its own
list of people (the basic-universalisation export).
"""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from courses.models import CompetencyProfile
from learning import services
from learning.models import Enrolment
from members.models import User
from stats import selectors
from stats import services as stats
from stats.forms import StatsFilterForm
from tests import factories
from tests.factories import MembershipFactory
from tests.stats.conftest import at, reach_basic_profile

pytestmark = pytest.mark.django_db

BASIC = "pho-cap-co-ban"


@pytest.fixture
def doubled(world):
    course = factories.course(lessons=1, competencies=(("2.6", 2),))
    # resident_a lives in X and is in groups A and B, both of X.
    MembershipFactory(user=world.resident_a, group=world.group_b)
    # resident_c lives in Y (group C) and is in group A of X too: a resident of Y.
    MembershipFactory(user=world.resident_c, group=world.group_a)
    for person in (world.resident_a, world.resident_b, world.resident_c):
        reach_basic_profile(person, at(4))
        services.enrol(user=person, course=course)
    Enrolment.objects.update(enrolled_at=at(4))
    stats.refresh_all()
    return world


def query_for(user, **filters) -> selectors.StatsQuery:
    form = StatsFilterForm(dict(filters), user=user)
    assert form.is_valid(), form.errors
    return form.query()


def residents_of(commune) -> int:
    return User.objects.counted().filter(village__commune=commune).count()


def csv_rows(user, slug, **filters) -> list[list[str]]:
    client = Client()
    client.force_login(user)
    url = reverse("stats:export", kwargs={"slug": slug, "file_format": "csv"})
    response = client.get(url, filters)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


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
    assert funnel.total[0] == 2
    assert sum(funnel.trend[0]) == 2  # enrolled, over the months
    assert funnel.courses[0].steps[0] == 2


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
    assert funnel["total"]["enrolled"] == 2
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
