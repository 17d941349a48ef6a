"""A statistics refresh that was lost (queued, then never run: a worker killed, a queue emptied) does
not leave its commune stale for good. While a commune is noted as changed, later changes queue
nothing (one refresh covers them all); the periodic safety job queues a refresh again for a note
older than ``STATS_REFRESH_LOST_AFTER``."""

import datetime

import pytest
from django_tasks import default_task_backend

from stats import services as stats
from stats.models import CommuneFreshness
from stats.tasks import refresh_changed_communes
from tests.stats.conftest import at, award
from tests.stats.test_services import attained, refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_worker(settings):
    """Refreshes are queued for a worker that never runs them."""
    settings.STATS_REFRESH = "task"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }
    return default_task_backend


def queued_refreshes(backend) -> int:
    return sum(1 for result in backend.results if result.task.func is refresh_changed_communes.func)


def noted_minutes_ago(commune, minutes: int) -> None:
    moment = CommuneFreshness.objects.get(commune=commune).changed_at - datetime.timedelta(minutes=minutes)
    CommuneFreshness.objects.filter(commune=commune).update(changed_at=moment)


def test_the_periodic_job_queues_a_lost_refresh_again_and_it_refreshes_the_commune(
    world, lost_worker, settings
):
    settings.STATS_REFRESH_LOST_AFTER = 900
    refresh(world.commune_x)
    award(world.resident_a, "2.6", 2, at(1))
    stats._note_changes([world.commune_x.pk])
    assert queued_refreshes(lost_worker) == 1
    lost_worker.clear()  # the refresh is lost

    award(world.resident_b, "2.6", 2, at(1))
    stats._note_changes([world.commune_x.pk])
    assert queued_refreshes(lost_worker) == 0  # the note already stands: nothing queued

    assert stats.requeue_lost_refreshes() is False  # noted just now: the refresh may be on its way
    noted_minutes_ago(world.commune_x, 16)
    assert stats.requeue_lost_refreshes() is True
    assert queued_refreshes(lost_worker) == 1

    refresh_changed_communes.call()  # the worker runs what was queued
    assert attained(world.commune_x, code="2.6") == 2
    assert CommuneFreshness.objects.get(commune=world.commune_x).changed_at is None
    assert stats.requeue_lost_refreshes() is False


def test_without_a_worker_nothing_is_queued(world, settings):
    settings.STATS_REFRESH = "on_view"  # the statistics pages refresh what they show
    refresh(world.commune_x)
    stats._note_changes([world.commune_x.pk])
    noted_minutes_ago(world.commune_x, 60 * 24)
    assert stats.requeue_lost_refreshes() is False
