import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest

from attendance.models import AttendanceMark, Session
from courses.models import Competency, CompetencyProfile
from learning.models import CompetencyAward
from stats import services as stats
from tests import factories
from tests.factories import CommunityGroupFactory, MembershipFactory, UserFactory, VillageFactory, commune

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(month: int, day: int = 10, hour: int = 9, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=TZ)


def award(person, code: str, level: int, when: datetime.datetime) -> CompetencyAward:
    return CompetencyAward.objects.create(
        user=person,
        competency=Competency.objects.get(code=code, area__framework__is_current=True),
        level=level,
        evidence=CompetencyAward.Evidence.ATTESTATION,
        awarded_at=when,
    )


def session(group, when: datetime.datetime) -> Session:
    return Session.objects.create(uuid=uuid.uuid4(), group=group, starts_at=when, topic="VNeID")


def mark(session, person, status: str, when: datetime.datetime) -> AttendanceMark:
    return AttendanceMark.objects.create(
        uuid=uuid.uuid4(), session=session, member=person, status=status, recorded_at=when
    )


@pytest.fixture
def world(db):
    return factories.build_world()


def reach_basic_profile(person, when):
    """Every requirement of basic universalisation, met."""
    profile = CompetencyProfile.objects.get(code="pho-cap-co-ban")
    for requirement in profile.requirements.select_related("competency"):
        award(person, requirement.competency.code, requirement.level, when)


@pytest.fixture
def numbers(world):
    """Something to count in both communes: awards, a profile reached, a session with marks."""
    award(world.resident_a, "1.1", 2, at(2))
    award(world.resident_c, "1.1", 2, at(3))
    reach_basic_profile(world.resident_a, at(4))
    reach_basic_profile(world.resident_c, at(4))
    meeting = session(world.group_a, at(5))
    mark(meeting, world.resident_a, "present", at(5))
    mark(meeting, world.resident_a2, "absent", at(5))
    stats.refresh_all()
    return world


def grow(world, communes=("01654", "01279", "01290"), groups=3, people=6):
    """More communes, groups, people and facts: the page's query count must not notice."""
    for code in communes:
        place = commune(code)
        for g in range(groups):
            group = CommunityGroupFactory(village=VillageFactory(commune=place))
            meeting = session(group, at(3 + g))
            for _ in range(people):
                person = UserFactory(village=group.village)
                MembershipFactory(user=person, group=group)
                award(person, "1.1", 3, at(2))
                mark(meeting, person, "present", at(3 + g))
    stats.refresh_all()
