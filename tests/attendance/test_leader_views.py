"""Group leaders' pages, without JavaScript (the offline layer only enhances them)."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import AttendanceMark, Session
from members.models import Membership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("leader_a", 200),
        ("officer_x", 200),
        ("trainer", 200),
        ("leader_b", 403),
        ("officer_y", 403),
        ("resident", 403),
    ],
)
def test_the_group_page_is_for_those_who_manage_the_group(client, world, persona, expected):
    client.force_login(world.personas()[persona])
    assert client.get(reverse("attendance:group", args=[world.group_a.code])).status_code == expected


def test_the_roster_shows_each_members_progress(client, world, django_assert_max_num_queries):
    client.force_login(world.leader_a)
    url = reverse("attendance:group", args=[world.group_a.code])
    client.get(url)
    with django_assert_max_num_queries(10):
        body = client.get(url).content.decode()
    assert world.resident_a.full_name in body and "0 khóa đã hoàn thành" in body
    assert world.resident_b.full_name not in body


def test_a_leader_plans_a_session_and_takes_attendance_without_javascript(client, world):
    client.force_login(world.leader_a)
    response = client.post(
        reverse("attendance:session_new", args=[world.group_a.code]),
        {
            # Earlier today (a session can be marked once it has started): members joined today.
            "date": timezone.localdate().isoformat(),
            "time": "00:00",
            "topic": "Cài VNeID",
            "place": "Nhà văn hóa",
        },
    )
    session = Session.objects.get()
    assert response["Location"] == reverse("attendance:session", args=[world.group_a.code, session.uuid])
    page = client.get(response["Location"]).content.decode()
    assert world.resident_a.full_name in page and 'value="present"' in page
    client.post(
        response["Location"], {f"m-{world.resident_a.pk}": "present", f"m-{world.resident_a2.pk}": "late"}
    )
    assert dict(AttendanceMark.objects.values_list("member", "status")) == {
        world.resident_a.pk: "present",
        world.resident_a2.pk: "late",
    }
    # Saving again without a change records nothing new; a change adds a mark and keeps the old one.
    client.post(
        response["Location"], {f"m-{world.resident_a.pk}": "present", f"m-{world.resident_a2.pk}": "late"}
    )
    assert AttendanceMark.objects.count() == 2
    client.post(response["Location"], {f"m-{world.resident_a.pk}": "absent"})
    assert AttendanceMark.objects.count() == 3
    body = client.get(reverse("attendance:group", args=[world.group_a.code])).content.decode()
    assert "1 người đến" in body and "1 vắng" in body


def test_attendance_for_a_session_that_has_not_started_is_refused_with_its_reason(client, world):
    client.force_login(world.leader_a)
    client.post(
        reverse("attendance:session_new", args=[world.group_a.code]),
        {
            "date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
            "time": "19:00",
            "topic": "Cài VNeID",
        },
    )
    session = Session.objects.get()
    url = reverse("attendance:session", args=[world.group_a.code, session.uuid])
    page = client.get(url).content.decode()
    assert "chưa bắt đầu" in page
    response = client.post(
        url, {f"m-{world.resident_a.pk}": "present", f"m-{world.resident_a2.pk}": "late"}, follow=True
    )
    assert not AttendanceMark.objects.exists()
    notes = [str(m) for m in response.context["messages"]]
    assert len(notes) == 1 and notes[0].startswith("Buổi sinh hoạt chưa bắt đầu")


def test_a_member_who_left_is_marked_and_drops_off_the_next_session(client, world):
    client.force_login(world.leader_a)
    membership = Membership.objects.get(user=world.resident_a2)
    membership.joined_on = datetime.date(2025, 5, 1)
    membership.save()
    client.post(reverse("attendance:member_left", args=[world.group_a.code, membership.pk]))
    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()
    session = Session.objects.create(
        group=world.group_a, starts_at=timezone.now() + datetime.timedelta(days=2), topic="Buổi sau"
    )
    page = client.get(reverse("attendance:session", args=[world.group_a.code, session.uuid])).content.decode()
    assert (
        f'data-member="{world.resident_a2.pk}"' not in page and f'data-member="{world.resident_a.pk}"' in page
    )


def test_marking_someone_as_left_asks_first_with_their_name(client, world):
    """leader.js asks data-confirm before the form goes (and says it needs a signal when offline)."""
    client.force_login(world.leader_a)
    body = client.get(reverse("attendance:group", args=[world.group_a.code])).content.decode()
    membership = Membership.objects.get(user=world.resident_a, group=world.group_a)
    action = reverse("attendance:member_left", args=[world.group_a.code, membership.pk])
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>', body).group(0)
    assert world.resident_a.full_name in re.search(r'data-confirm="([^"]*)"', form).group(1)
    assert re.search(r'data-msg-offline="[^"]+"', form)


def test_the_attendance_summary_exports_to_csv_with_vietnamese_headers(client, world):
    client.force_login(world.leader_a)
    world.resident_a.full_name = '=HYPERLINK("http://x")'
    world.resident_a.save()
    response = client.get(reverse("attendance:summary", args=[world.group_a.code]) + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Họ và tên", "Số điện thoại di động", "Vai trò", "Số buổi tham gia"]
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names  # never a live formula in a spreadsheet


def test_a_session_planned_ahead_is_not_held_yet_in_the_summary(world):
    from attendance.selectors import attendance_summary

    now = timezone.now()
    for when in (now - datetime.timedelta(hours=1), now + datetime.timedelta(days=10)):
        Session.objects.create(group=world.group_a, starts_at=when, topic="VNeID")
    line = next(s for s in attendance_summary(world.group_a) if s.membership.user == world.resident_a)
    assert line.sessions == 1
