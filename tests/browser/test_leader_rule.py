"""The leader's phone counts marks by the server's rule.

static/attendance/leader.js shows each member's current status before the marks are sent; its
``currentMarks`` mirrors ``attendance.selectors.current_marks`` (the latest recorded_at wins,
a tie goes to the greater UUID as text). Both answer the same cases here: the tricky ones by hand, and
random ones where ties are common. The phone writes recorded_at with milliseconds, so do the cases.
"""

import datetime
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from attendance.selectors import current_marks

pytestmark = pytest.mark.browser

LEADER_JS = Path(__file__).resolve().parents[2] / "static" / "attendance" / "leader.js"
A = "0aaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
B = "9bbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
C = "c0000000-0000-4000-8000-000000000000"

TRICKY = {
    # The same instant written with two offsets: a tie, so the greater UUID.
    "tie across offsets": [(1, "2026-03-01T12:00:00.000Z", A), (1, "2026-03-01T19:00:00.000+07:00", B)],
    # The later instant has the earlier-looking text: instants compare, not strings.
    "instant, not text": [(1, "2026-03-01T18:30:00.000+07:00", C), (1, "2026-03-01T12:00:00.000Z", A)],
    # One millisecond is not a tie.
    "a millisecond": [(1, "2026-03-01T12:00:00.001Z", A), (1, "2026-03-01T12:00:00.000Z", C)],
    # A letter is greater than a digit, and a UUID in capitals is the same UUID.
    "letters over digits": [(1, "2026-03-01T12:00:00.000Z", B), (1, "2026-03-01T12:00:00.000Z", C.upper())],
    "capitals": [
        (1, "2026-03-01T12:00:00.000Z", "BBBBBBBB-BBBB-4BBB-8BBB-BBBBBBBBBBBB"),
        (1, "2026-03-01T12:00:00.000Z", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"),
    ],
    # Each member on their own; three marks for one, the middle one current.
    "members apart": [
        (1, "2026-03-01T12:00:00.000Z", A),
        (2, "2026-03-01T12:00:05.000Z", B),
        (1, "2026-03-01T12:00:02.000Z", C),
        (1, "2026-03-01T12:00:01.000Z", B),
        (2, "2026-03-01T12:00:05.000Z", A),
    ],
}


@dataclass(frozen=True)
class Row:
    session_id: int
    member_id: int
    recorded_at: datetime.datetime
    uuid: uuid.UUID


def python_answer(case) -> dict[int, str]:
    rows = [
        Row(1, member, datetime.datetime.fromisoformat(when), uuid.UUID(key)) for member, when, key in case
    ]
    return {member: str(mark.uuid) for (_session, member), mark in current_marks(rows).items()}


def random_cases(count: int) -> list[list[tuple]]:
    rng = random.Random(15)
    zones = ["Z", "+07:00", "-03:00"]
    cases = []
    for _ in range(count):
        case = []
        for _ in range(rng.randint(1, 8)):
            instant = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC) + datetime.timedelta(
                milliseconds=rng.choice([0, 1, 1000])
            )
            zone = rng.choice(zones)
            offset = datetime.timedelta(hours={"Z": 0, "+07:00": 7, "-03:00": -3}[zone])
            text = (instant + offset).replace(tzinfo=None).isoformat(timespec="milliseconds") + zone
            key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            case.append((rng.randint(1, 2), text, key.upper() if rng.random() < 0.2 else key))
        cases.append(case)
    return cases


def test_the_phone_and_the_server_pick_the_same_current_marks(phone_page):
    phone_page.set_content("<!doctype html><title>rule</title>")
    phone_page.add_script_tag(path=str(LEADER_JS))
    cases = list(TRICKY.values()) + random_cases(150)
    marks = [
        [{"member": member, "recorded_at": when, "uuid": key} for member, when, key in case] for case in cases
    ]
    # Each case in the order given and reversed: the answer never depends on the arrival order.
    answers = phone_page.evaluate(
        """cases => cases.map((marks) => [marks, [...marks].reverse()].map((order) =>
             Object.fromEntries([...HocSoAttendance.currentMarks(order)].map(
               ([member, mark]) => [member, mark.uuid.toLowerCase()]))))""",
        marks,
    )
    for name, case, (given, reversed_) in zip([*TRICKY, *["random"] * 150], cases, answers, strict=True):
        expected = {str(member): key for member, key in python_answer(case).items()}
        assert given == expected, (name, case)
        assert reversed_ == expected, (name, case)
