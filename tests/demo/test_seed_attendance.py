"""The demo's year of group meetings (demo/seed/attendance.py), on a small seed: 600 groups of four
or more over the first communes, without courses (the meetings then have general topics)."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.db.models import Max
from django.utils import timezone

from attendance.models import AttendanceMark, Session
from attendance.selectors import current_statuses
from demo.seed.attendance import seed_attendance
from demo.seed.community import RESIDENT, seed_community
from demo.seed.learning import END, START
from members.models import Membership

pytestmark = pytest.mark.django_db

RESIDENTS = 2400
ATTENDED = {AttendanceMark.Status.PRESENT, AttendanceMark.Status.LATE}


@pytest.fixture
def meetings():
    seed_community(residents=RESIDENTS)
    assert seed_attendance() > 10000
    return Session.objects.all()


def year_of_meetings():
    return (
        list(
            Session.objects.order_by("uuid").values_list(
                "uuid", "group__code", "starts_at", "place", "topic", "created_by__phone", "created_at"
            )
        ),
        list(
            AttendanceMark.objects.order_by("uuid").values_list(
                "uuid",
                "session__uuid",
                "member__phone",
                "status",
                "recorded_at",
                "received_at",
                "recorded_by__phone",
                "device_id",
            )
        ),
    )


def test_the_year_of_meetings_is_deterministic_and_twice_changes_nothing(meetings):
    first = year_of_meetings()
    assert seed_attendance() == 0
    assert year_of_meetings() == first
    Session.objects.all().delete()  # the marks go with their sessions
    assert seed_attendance() == len(first[0])
    assert year_of_meetings() == first


def test_every_mark_is_one_a_leaders_phone_could_have_sent(meetings):
    roster = defaultdict(list)
    for group_id, user_id, role, joined, left in Membership.objects.values_list(
        "group_id", "user_id", "role", "joined_on", "left_on"
    ):
        roster[(group_id, user_id)].append((role, joined, left))

    def on_roster(group_id, user_id, day, roles=None):
        return any(
            joined <= day and (left is None or left >= day) and (roles is None or role in roles)
            for role, joined, left in roster[(group_id, user_id)]
        )

    sessions = {s.pk: s for s in meetings}
    marks_per_session = Counter()
    for mark in AttendanceMark.objects.all():
        session = sessions[mark.session_id]
        day = timezone.localdate(session.starts_at)  # the day the sync service checks the roster on
        assert mark.status in AttendanceMark.Status.values
        assert on_roster(session.group_id, mark.member_id, day)
        assert on_roster(session.group_id, mark.recorded_by_id, day, Membership.LEADING_ROLES)
        assert session.starts_at <= mark.recorded_at <= mark.received_at <= END
        assert mark.device_id.startswith("phone-")
        marks_per_session[mark.session_id] += 1
    assert set(marks_per_session) == set(sessions)  # no meeting without its roll call
    for session in sessions.values():
        assert START <= session.starts_at <= END and session.topic
        assert session.created_at <= max(session.starts_at, END)


def test_a_few_marks_were_corrected_and_the_last_recorded_counts(meetings):
    current = current_statuses(meetings.values("pk"))
    marks = defaultdict(list)
    for mark in AttendanceMark.objects.order_by("recorded_at"):
        marks[(mark.session_id, mark.member_id)].append(mark)
    corrected = [key for key, some in marks.items() if len(some) > 1]
    assert max(len(some) for some in marks.values()) == 2
    assert 0.002 < len(corrected) / len(marks) < 0.05
    for key in corrected:
        first, last = marks[key]
        assert first.status == AttendanceMark.Status.ABSENT
        assert last.status in {AttendanceMark.Status.LATE, AttendanceMark.Status.EXCUSED}
        assert current[key].uuid == last.uuid

    # The demo resident: once marked absent before she walked in late, and present three days ago.
    resident = AttendanceMark.objects.filter(member__phone=RESIDENT.phone)
    resident_id = resident[0].member_id
    assert AttendanceMark.Status.LATE in [current[key].status for key in corrected if key[1] == resident_id]
    latest = resident.order_by("-session__starts_at").first()
    assert latest.status == AttendanceMark.Status.PRESENT
    assert END - latest.session.starts_at < datetime.timedelta(days=4)


def test_communes_differ_and_some_groups_have_stopped_meeting(meetings):
    commune_of = dict(meetings.values_list("pk", "group__commune__code"))
    marked, attended = Counter(), Counter()
    for (session_id, _member), mark in current_statuses(meetings.values("pk")).items():
        marked[commune_of[session_id]] += 1
        attended[commune_of[session_id]] += mark.status in ATTENDED
    rates = sorted(attended[code] / marked[code] for code in marked if marked[code] >= 500)
    assert len(rates) >= 15
    assert rates[0] < 0.65 and rates[-1] > 0.88  # one in two comes in some communes, nine in ten in others
    statuses = Counter(AttendanceMark.objects.values_list("status", flat=True))
    assert all(statuses[status] > 1000 for status in AttendanceMark.Status.values)

    # Most groups met in the month before "today"; about one in fifteen stopped a month or more ago.
    last = dict(meetings.values("group").annotate(last=Max("starts_at")).values_list("group", "last"))
    stalled = [group for group, moment in last.items() if moment < END - datetime.timedelta(days=30)]
    assert len(last) >= 590
    assert 0.04 < len(stalled) / len(last) < 0.12

    # Fewer meetings at Tết and at the harvest than in spring.
    months = Counter(
        timezone.localtime(moment).month for moment in meetings.values_list("starts_at", flat=True)
    )
    assert months[2] < 0.6 * months[5] and months[10] < 0.8 * months[5]
