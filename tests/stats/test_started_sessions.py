"""Only sessions that have started count, and "no session in 30 days" is right at once."""

import datetime
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendance.models import Session
from attendance.services import MarkInput, SessionInput, attendance_sync
from stats import selectors
from stats import services as stats
from stats.forms import StatsFilterForm
from stats.models import CommuneFreshness
from tests.stats.conftest import mark, session

pytestmark = pytest.mark.django_db


def commune_query(world) -> selectors.StatsQuery:
    form = StatsFilterForm({"commune": world.commune_x.code}, user=world.trainer)
    assert form.is_valid()
    return form.query()


def later(monkeypatch, delta: datetime.timedelta) -> None:
    moment = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_a_session_planned_ahead_counts_once_it_has_started(world, monkeypatch):
    now = timezone.now()
    held = session(world.group_a, now - datetime.timedelta(days=2))
    mark(held, world.resident_a, "absent", now - datetime.timedelta(days=2))
    planned = session(world.group_a, now + datetime.timedelta(days=10))
    # A mark for it from before the refusal existed: it counts no more than its session.
    mark(planned, world.resident_a, "present", now)
    stats.refresh_all()
    query = commune_query(world)
    total = selectors.activity(query).total
    assert (total.sessions, total.marked, total.attended) == (1, 1, 0)
    assert selectors.freshness(query).changed_since is False

    later(monkeypatch, datetime.timedelta(days=11))
    # The numbers go out of date by themselves when the planned session starts.
    assert selectors.freshness(commune_query(world)).changed_since is True
    assert world.commune_x.pk in stats.changed_commune_ids()
    stats.refresh_changed()
    total = selectors.activity(commune_query(world)).total
    assert (total.sessions, total.marked, total.attended) == (2, 2, 1)
    assert selectors.freshness(commune_query(world)).changed_since is False


def test_a_group_that_just_held_a_session_is_not_lapsed(world, settings, monkeypatch):
    settings.STATS_REFRESH = "task"  # a worker refreshes, later: the list must not wait for it
    now = timezone.now()
    session(world.group_a, now - datetime.timedelta(days=40))
    stats.refresh_all()
    lapsed = {item.group for item in selectors.activity(commune_query(world)).inactive}
    assert lapsed == {world.group_a, world.group_b}

    # Planned for in an hour: group A still lapsed until it starts.
    attendance_sync(
        user=world.leader_a,
        sessions=[SessionInput(uuid.uuid4(), world.group_a.code, now + datetime.timedelta(hours=1), "VNeID")],
        marks=[],
    )
    activity = selectors.activity(commune_query(world))
    assert {item.group for item in activity.inactive} == {world.group_a, world.group_b}
    later(monkeypatch, datetime.timedelta(hours=2))
    activity = selectors.activity(commune_query(world))
    assert {item.group for item in activity.inactive} == {world.group_b}
    assert activity.inactive_count == 1
    row = next(r for r in activity.rows if r.place.key == world.group_a.pk)
    assert (row.groups, row.inactive) == (1, 0)
    assert activity.inactive[0].members == world.group_b.memberships.active().count()


def test_the_activity_page_costs_the_same_whatever_the_groups(world, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.trainer)
    for place in ({}, {"commune": world.commune_x.code}):
        stats.refresh_all()
        with django_assert_max_num_queries(30):
            assert client.get(reverse("stats:activity"), place).status_code == 200


def test_with_a_worker_expired_numbers_are_refreshed_once_someone_looks(world, settings, monkeypatch):
    settings.STATS_REFRESH = "task"  # the immediate backend runs the task at once, as a worker would
    session(world.group_a, timezone.now() + datetime.timedelta(hours=1))
    stats.refresh_all()
    client = Client()
    client.force_login(world.trainer)
    later(monkeypatch, datetime.timedelta(hours=2))
    page = client.get(reverse("stats:activity"), {"commune": world.commune_x.code})
    assert page.context["activity"].total.sessions == 1


def test_a_mark_taken_ten_minutes_early_is_seen_and_counted_at_once(world, settings, monkeypatch):
    """A session opens a quarter of an hour before its start: from then its marks are accepted, and the
    same moment it is held for the leader's summary, the statistics and "no session in 30 days"."""
    settings.STATS_REFRESH = "task"  # no refresh on view: the rollups say what they were computed with
    now = timezone.now()
    soon = SessionInput(uuid.uuid4(), world.group_a.code, now + datetime.timedelta(minutes=10), "VNeID")
    present = MarkInput(uuid.uuid4(), soon.uuid, world.resident_a.pk, "present", now)
    result = attendance_sync(user=world.leader_a, sessions=[soon], marks=[present])
    assert [m.outcome for m in result.marks] == ["accepted"]
    opened = Session.objects.get(uuid=soon.uuid)
    assert opened.has_started() and list(Session.objects.started()) == [opened]

    client = Client()
    client.force_login(world.leader_a)
    lines = client.get(reverse("attendance:summary", args=[world.group_a.code])).context["lines"]
    line = next(s for s in lines if s.membership.user == world.resident_a)
    assert (line.attended, line.sessions) == (1, 1)

    stats.refresh_all()
    activity = selectors.activity(commune_query(world))
    assert (activity.total.sessions, activity.total.marked, activity.total.attended) == (1, 1, 1)
    assert world.group_a not in {item.group for item in activity.inactive}
    assert selectors.freshness(commune_query(world)).changed_since is False


def test_a_planned_session_is_counted_from_the_moment_it_opens(world, monkeypatch):
    """Planned for in 20 minutes: the numbers go out of date when it opens (5 minutes from now), not at
    its start, and the session, the marks' rule and the statistics agree at either side of that edge."""
    planned = session(world.group_a, timezone.now() + datetime.timedelta(minutes=20))
    stats.refresh_all()
    later(monkeypatch, datetime.timedelta(minutes=4))
    assert not planned.has_started() and not Session.objects.started().exists()
    assert selectors.freshness(commune_query(world)).changed_since is False
    assert world.commune_x.pk not in stats.changed_commune_ids()
    later(monkeypatch, datetime.timedelta(minutes=2))
    assert planned.has_started() and Session.objects.started().get() == planned
    assert selectors.freshness(commune_query(world)).changed_since is True
    assert world.commune_x.pk in stats.changed_commune_ids()
    stats.refresh_changed()
    assert selectors.activity(commune_query(world)).total.sessions == 1


@pytest.mark.parametrize("mode", ["on_view", "task"])
def test_noting_counting_and_showing_agree_on_when_numbers_expire(world, settings, monkeypatch, mode):
    """At the very moment a planned session opens, and a moment before it, the note, the list of
    communes to refresh and the freshness line say the same."""
    settings.STATS_REFRESH = mode
    planned = session(world.group_a, timezone.now() + datetime.timedelta(hours=1))
    stats.refresh_all()
    freshness = CommuneFreshness.objects.get(commune=world.commune_x)
    assert freshness.expires_at == planned.opens_at
    just_before = planned.opens_at - datetime.timedelta(microseconds=1)
    for moment, expired in ((just_before, False), (planned.opens_at, True)):
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        assert CommuneFreshness.objects.expired().filter(pk=freshness.pk).exists() is expired
        assert CommuneFreshness.objects.up_to_date().filter(pk=freshness.pk).exists() is not expired
        assert (world.commune_x.pk in stats.changed_commune_ids()) is expired
        assert selectors.freshness(commune_query(world)).changed_since is expired
    stats.note_expired([world.commune_x.pk])
    freshness.refresh_from_db()
    if mode == "on_view":
        assert freshness.changed_at == planned.opens_at
    else:  # the worker (run at once here) has refreshed them
        assert freshness.changed_at is None and freshness.expires_at is None
