import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest

from courses.models import Competency
from members.models import AttendanceMark, CompetencyAward, Session
from tests import factories

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
