"""Who meets a competency profile ("basic universalisation", "digital cadre"), said once.

A person's level in a competency is the highest level any of their awards gives them
(``learning.selectors.levels_of``). A profile states a minimum level per competency
(``requirements_of``). A person meets it when every one of their levels reaches its minimum
(``profile_met``): a higher level counts, a competency without evidence is level 0, and a profile
that requires nothing is met by no one (it is not a target yet).

The learning chain, the learner's pages, certificates and the statistics all ask ``profile_met``;
the statistics add only the date (``stats.levels``: levels as of a moment).
"""

from courses.models import CompetencyProfile

Levels = dict[int, int]  # competency id → level
Requirements = dict[int, int]  # competency id → minimum level


def requirements_of(profile: CompetencyProfile) -> Requirements:
    """The levels a profile requires (reads ``profile.requirements``: prefetch it for many)."""
    return {r.competency_id: r.level for r in profile.requirements.all()}


def requirements_met(levels: Levels, requirements: Requirements) -> int:
    """How many of the requirements these levels reach."""
    return sum(1 for competency, minimum in requirements.items() if levels.get(competency, 0) >= minimum)


def profile_met(levels: Levels, requirements: Requirements) -> bool:
    """Whether these levels meet every requirement (of a profile that requires something)."""
    return bool(requirements) and requirements_met(levels, requirements) == len(requirements)
