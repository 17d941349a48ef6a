"""The one rule of "meets a profile" (learning.competencies.profile_met), tested as a pure function."""

from hypothesis import given
from hypothesis import strategies as st

from learning.competencies import profile_met, requirements_met

levels_st = st.dictionaries(st.integers(1, 6), st.integers(1, 8), max_size=6)
requirements_st = st.dictionaries(st.integers(1, 6), st.integers(1, 8), max_size=6)


def test_every_required_level_reached_meets_the_profile():
    assert profile_met({1: 2, 2: 3}, {1: 2, 2: 3})


def test_a_higher_level_than_required_counts():
    assert profile_met({1: 8, 2: 4}, {1: 2, 2: 3})


def test_one_level_below_its_minimum_fails():
    assert not profile_met({1: 2, 2: 2}, {1: 2, 2: 3})


def test_a_missing_competency_fails():
    assert not profile_met({1: 8}, {1: 2, 2: 1})
    assert not profile_met({}, {1: 1})


def test_an_empty_requirement_set_is_met_by_no_one():
    assert not profile_met({}, {})
    assert not profile_met({1: 8, 2: 8}, {})


def test_competencies_the_profile_does_not_name_change_nothing():
    assert profile_met({1: 2, 3: 1}, {1: 2})
    assert not profile_met({1: 1, 3: 8}, {1: 2})


def test_requirements_met_counts_each_requirement_reached():
    assert requirements_met({1: 3, 2: 1}, {1: 2, 2: 2, 4: 1}) == 1
    assert requirements_met({}, {}) == 0


@given(levels_st, requirements_st)
def test_met_exactly_when_every_requirement_is_reached(levels, requirements):
    expected = bool(requirements) and all(
        competency in levels and levels[competency] >= minimum for competency, minimum in requirements.items()
    )
    assert profile_met(levels, requirements) is expected
    met = requirements_met(levels, requirements)
    assert profile_met(levels, requirements) == (0 < met == len(requirements))


@given(levels_st, requirements_st, st.integers(1, 6), st.integers(1, 8))
def test_more_evidence_never_loses_a_profile(levels, requirements, competency, level):
    raised = {**levels, competency: max(level, levels.get(competency, 0))}
    assert not profile_met(levels, requirements) or profile_met(raised, requirements)
