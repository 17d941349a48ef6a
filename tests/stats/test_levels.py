"""The statistics' date layer (stats.levels) over the one "meets a profile" rule, and every place
that asks the rule agreeing on who meets a profile."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certificates import services as certificate_services
from courses.models import CompetencyProfile
from learning import selectors as learning_selectors
from learning.competencies import profile_met
from stats import selectors
from stats.levels import first_reached, levels_as_of, profile_met_at
from stats.models import ProfileCount
from tests.stats.conftest import at, award, stats

JAN, FEB, MAR = at(1), at(2), at(3)


def test_a_level_reached_reaches_every_level_below_it_at_its_earliest():
    reached = first_reached([(7, 1, 3, FEB), (7, 1, 1, MAR), (7, 2, 2, JAN)])[7]
    assert reached == {1: {1: FEB, 2: FEB, 3: FEB}, 2: {1: JAN, 2: JAN}}


def test_levels_as_of_a_moment_count_only_what_was_awarded_by_then():
    reached = first_reached([(7, 1, 2, JAN), (7, 1, 5, MAR), (7, 2, 1, MAR)])[7]
    assert levels_as_of(reached, FEB) == {1: 2, 2: 0}
    assert levels_as_of(reached, MAR) == {1: 5, 2: 1}


def test_a_profile_is_met_when_its_last_required_level_is_reached():
    reached = first_reached([(7, 1, 4, JAN), (7, 2, 1, FEB), (7, 2, 2, MAR)])[7]
    assert profile_met_at(reached, {1: 2, 2: 2}) == MAR  # a higher level (4 ≥ 2) counts from January
    assert profile_met_at(reached, {1: 2, 2: 1}) == FEB
    assert profile_met_at(reached, {1: 2, 3: 1}) is None  # competency 3: no evidence
    assert profile_met_at(reached, {}) is None


moments = st.integers(0, 5).map(lambda n: JAN + datetime.timedelta(days=n))
awards_st = st.lists(st.tuples(st.just(7), st.integers(1, 4), st.integers(1, 8), moments), max_size=8)
requirements_st = st.dictionaries(st.integers(1, 4), st.integers(1, 8), max_size=4)


@given(awards_st, requirements_st)
def test_the_date_layer_agrees_with_the_rule_at_every_moment(awards, requirements):
    reached = first_reached(awards).get(7, {})
    met_at = profile_met_at(reached, requirements)
    for _person, _competency, _level, moment in awards:
        # As of any moment, the levels awarded by then (the highest each) meet the profile exactly
        # when the date layer says it was met by then.
        levels = {}
        for _p, competency, level, awarded_at in awards:
            if awarded_at <= moment:
                levels[competency] = max(level, levels.get(competency, 0))
        assert profile_met(levels, requirements) == (met_at is not None and met_at <= moment)


@pytest.mark.django_db
def test_everyone_who_asks_agrees_on_who_meets_a_profile(world):
    basic = CompetencyProfile.objects.get(code="pho-cap-co-ban")
    empty = CompetencyProfile.objects.create(code="chua-co-yeu-cau", name="Chưa có yêu cầu")
    needs = list(basic.requirements.select_related("competency"))
    above, short = world.resident_a, world.resident_a2
    for requirement in needs:  # one level above each minimum, where there is one
        award(above, requirement.competency.code, min(requirement.level + 1, 8), at(2))
    for requirement in needs[:-1]:
        award(short, requirement.competency.code, requirement.level, at(2))
    stats.refresh_all()

    def everyone_says(person, profile) -> set[bool]:
        statuses = learning_selectors.profile_statuses(person, learning_selectors.competency_levels(person))
        query = selectors.StatsQuery(commune_ids=None, commune=world.commune_x)
        return {
            next(s for s in statuses if s.profile == profile).complete,
            certificate_services.is_eligible(holder=person, profile=profile),
            person in {h.person for h in selectors.profile_holders(query, profile)},
        }

    assert everyone_says(above, basic) == {True}
    assert everyone_says(short, basic) == {False}
    assert everyone_says(above, empty) == {False}
    counted = ProfileCount.objects.filter(commune=world.commune_x, group__isnull=True)
    assert [(row.profile, row.people) for row in counted] == [(basic, 1)]
