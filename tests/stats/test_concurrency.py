"""Refreshes racing each other on PostgreSQL: a commune's rollups are replaced whole, never doubled."""

import pytest

from stats import services as stats
from stats.models import ActivityCount, AttainmentCount, CommuneFreshness, FunnelCount, ResidentCount
from tests.concurrency import run_together
from tests.factories import build_world
from tests.stats.conftest import at, award, mark, session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MODELS = (ResidentCount, AttainmentCount, FunnelCount, ActivityCount)


def snapshot(commune) -> dict[str, list[str]]:
    """Every rollup row of the commune, without its id, in a stable order."""
    tables = {}
    for model in MODELS:
        rows = model.objects.filter(commune=commune).values()
        tables[model.__name__] = sorted(repr({k: v for k, v in row.items() if k != "id"}) for row in rows)
    return tables


def test_eight_refreshes_of_one_commune_at_once_leave_one_set_of_rows():
    world = build_world()
    award(world.resident_a, "1.1", 3, at(2))
    award(world.resident_b, "2.6", 1, at(4))
    meeting = session(world.group_a, at(5))
    mark(meeting, world.resident_a, "present", at(5))
    mark(meeting, world.resident_a2, "late", at(5))
    stats.refresh_communes([world.commune_x.pk])
    alone = snapshot(world.commune_x)
    assert sum(len(rows) for rows in alone.values()) > 10

    results, errors = run_together(8, lambda _: stats.refresh_communes([world.commune_x.pk]).rows)
    assert errors == []
    assert len(set(results)) == 1
    assert snapshot(world.commune_x) == alone
    freshness = CommuneFreshness.objects.get(commune=world.commune_x)
    assert freshness.refreshed_at is not None and freshness.changed_at is None
