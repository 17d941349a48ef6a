import pytest

from tests.certificates.conftest import completed  # noqa: F401  (a holder with a certificate)


@pytest.fixture
def database_tasks(settings):
    """Tasks queued in the database for ``db_worker``, as production does."""
    settings.TASKS = {
        **settings.TASKS,
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"},
    }
