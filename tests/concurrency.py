"""Real threads against a real database (PostgreSQL), for the races the suite proves absent."""

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def run_together(count: int, work: Callable[[int], T]) -> tuple[list[T], list[Exception]]:
    """Call ``work(index)`` in ``count`` threads released at the same moment (index 0…count-1).
    Return what the calls returned, in index order, and the exceptions the others raised."""
    barrier = threading.Barrier(count)
    results: dict[int, T] = {}
    errors: dict[int, Exception] = {}

    def runner(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # collected and asserted on by the caller
            errors[index] = error
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[i] for i in sorted(results)], [errors[i] for i in sorted(errors)]
