"""Competency levels as of a moment: the statistics' date layer over ``learning.competencies``.

The statistics count people in the month they reached a level or met a profile, so they read the
awards as the moment each level of each competency was first reached. Whether a profile is met
is ``profile_met``'s to say, of the levels after every award read; levels only rise, so one that is
met was met from the moment the last of its minimum levels was reached. This module adds the date.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from learning.competencies import Levels, Requirements, profile_met

Reached = dict[int, dict[int, datetime.datetime]]  # competency id → {level: first reached at}


def first_reached(awards: Iterable[tuple[int, int, int, datetime.datetime]]) -> dict[int, Reached]:
    """Per person, when they first reached each level (1 up to their highest) of each competency,
    from ``(person, competency id, level, awarded at)`` rows."""
    first_at: dict[int, Reached] = defaultdict(lambda: defaultdict(dict))
    for person, competency_id, level, awarded_at in awards:
        reached = first_at[person][competency_id]
        for at_most in range(1, level + 1):
            if at_most not in reached or awarded_at < reached[at_most]:
                reached[at_most] = awarded_at
    return first_at


def levels_as_of(reached: Reached, moment: datetime.datetime | None = None) -> Levels:
    """A person's levels (as ``learning.selectors.levels_of`` gives them today) at ``moment``, or
    after every award read when None."""
    if moment is None:
        return {competency_id: max(by_level, default=0) for competency_id, by_level in reached.items()}
    return {
        competency_id: max((level for level, at in by_level.items() if at <= moment), default=0)
        for competency_id, by_level in reached.items()
    }


def profile_met_at(
    reached: Reached, requirements: Requirements, levels: Levels | None = None
) -> datetime.datetime | None:
    """When a person first met a profile, or None if their levels after every award read do not
    meet it. ``levels``: ``levels_as_of(reached)``, when the caller asks about several profiles."""
    if not profile_met(levels_as_of(reached) if levels is None else levels, requirements):
        return None
    return max(reached[competency_id][minimum] for competency_id, minimum in requirements.items())
