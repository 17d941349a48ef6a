"""The current-attendance rule, once: ``attendance.selectors.current_marks``.

Whatever the order the marks come in, the one that counts for a (session, member) is the one with
the latest ``recorded_at`` (an instant, whatever the offset it was written with), and a tie goes to
the greater UUID as text. The roster, the personal data page and the statistics rollup all use it;
the sync property test (tests/api/test_sync_properties.py) checks the server against it, and the
leader's phone is held to it in tests/browser/test_leader_rule.py.
"""

import datetime
import uuid
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from attendance.selectors import current_marks, mark_order_key

BASE = datetime.datetime(2026, 3, 1, 19, 0, tzinfo=datetime.UTC)
ZONES = [
    datetime.UTC,
    datetime.timezone(datetime.timedelta(hours=7)),
    datetime.timezone(-datetime.timedelta(hours=3)),
]


@dataclass(frozen=True)
class Row:
    session_id: int
    member_id: int
    recorded_at: datetime.datetime
    uuid: uuid.UUID
    status: str = "present"


rows = st.lists(
    st.builds(
        lambda session, member, second, micro, zone, key: Row(
            session,
            member,
            (BASE + datetime.timedelta(seconds=second, microseconds=micro)).astimezone(zone),
            key,
        ),
        session=st.integers(1, 2),
        member=st.integers(1, 2),
        second=st.integers(0, 2),  # few instants: ties are common
        micro=st.sampled_from([0, 1, 500_000]),
        zone=st.sampled_from(ZONES),
        key=st.uuids(),
    ),
    max_size=12,
    unique_by=lambda row: row.uuid,
)


def written_rule(marks: list[Row]) -> dict[tuple[int, int], uuid.UUID]:
    """The rule as written in the model's docstring, spelled apart from the code under test."""
    winners = {}
    for key in {(m.session_id, m.member_id) for m in marks}:
        own = [m for m in marks if (m.session_id, m.member_id) == key]
        latest = max(m.recorded_at for m in own)
        winners[key] = max((m for m in own if m.recorded_at == latest), key=lambda m: str(m.uuid)).uuid
    return winners


@settings(max_examples=300, derandomize=True, database=None)
@given(marks=rows, data=st.data())
def test_the_current_mark_follows_the_written_rule_in_any_order(marks, data):
    shuffled = data.draw(st.permutations(marks), label="arrival order")
    current = current_marks(shuffled)
    assert {key: mark.uuid for key, mark in current.items()} == written_rule(marks)
    assert current == current_marks(marks)


def test_a_later_instant_wins_whatever_its_offset():
    early = Row(1, 1, datetime.datetime(2026, 3, 1, 19, 0, tzinfo=ZONES[1]), uuid.UUID(int=9))  # 12:00 UTC
    late = Row(1, 1, datetime.datetime(2026, 3, 1, 12, 0, 1, tzinfo=datetime.UTC), uuid.UUID(int=1))
    assert current_marks([late, early])[(1, 1)] is late
    assert current_marks([early, late])[(1, 1)] is late


def test_a_tie_goes_to_the_greater_uuid_as_text_and_one_microsecond_is_not_a_tie():
    when = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
    small = Row(1, 1, when, uuid.UUID("0fffffff-ffff-4fff-bfff-ffffffffffff"))
    great = Row(1, 1, when.astimezone(ZONES[1]), uuid.UUID("a0000000-0000-4000-8000-000000000000"))
    assert current_marks([great, small])[(1, 1)] is great
    later = Row(1, 1, when + datetime.timedelta(microseconds=1), uuid.UUID(int=0))
    assert current_marks([great, small, later])[(1, 1)] is later
    assert mark_order_key(later) > mark_order_key(great) > mark_order_key(small)


def test_each_session_and_member_has_its_own_current_mark():
    when = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
    marks = [Row(s, m, when, uuid.uuid4()) for s in (1, 2) for m in (1, 2)]
    assert current_marks(marks) == {(m.session_id, m.member_id): m for m in marks}
