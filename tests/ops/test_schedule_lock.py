"""One scheduler per province (PostgreSQL, real threads): of schedulers started together on two
machines, one takes the lock and the others wait as standbys."""

import threading

import pytest

from ops import schedule
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_one_scheduler_takes_the_lock():
    tried = threading.Barrier(3)

    def start(_index):
        took = schedule.try_lock()
        tried.wait()  # each holds what it took until all have tried
        return took

    took, errors = run_together(3, start)
    assert errors == [] and sorted(took) == [False, False, True]
    # The holder's connection closed: a standby takes over.
    assert run_together(1, lambda _: schedule.try_lock())[0] == [True]
