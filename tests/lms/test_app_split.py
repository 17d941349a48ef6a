"""``learning`` and ``attendance`` were carved out of ``members`` without copying a row: the same
tables, and what names the models (content types, so permissions and the admin's history, and the
audit trail's ``target_type``) follows them. And the apps import one another in one direction."""

import ast
import pathlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Before: members as it was, learning and attendance not there yet.
BEFORE = [("members", "0016_officers_choose_no_content"), ("learning", None), ("attendance", None)]
AFTER = [("members", "0017_learning_and_attendance_move_out")]
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_made_in_members_are_read_by_the_new_apps_with_their_history():
    old = _migrate(BEFORE)
    ContentType = old.get_model("contenttypes", "ContentType")
    for model in ("session", "attendancemark", "enrolment", "competencyaward"):
        ContentType.objects.get_or_create(app_label="members", model=model)
    Commune = old.get_model("members", "Commune")
    User = old.get_model("members", "User")
    person = User.objects.create(phone="+84912000111", full_name="Lò Văn Cũ")
    group = old.get_model("members", "CommunityGroup").objects.create(
        code="CB-CU-1", name="Tổ cũ", commune=Commune.objects.first()
    )
    session = old.get_model("members", "Session").objects.create(
        group=group, starts_at="2025-03-01T08:00:00+07:00", topic="VNeID"
    )
    AuditEvent = old.get_model("members", "AuditEvent")
    AuditEvent.objects.create(
        action="attendance.sync", target_type="members.session", target_id=str(session.pk)
    )
    session_type = ContentType.objects.get(app_label="members", model="session").pk

    new = _migrate(AFTER)
    assert new.get_model("attendance", "Session").objects.get().topic == "VNeID"
    NewContentType = new.get_model("contenttypes", "ContentType")
    assert NewContentType.objects.get(pk=session_type).app_label == "attendance"
    assert not NewContentType.objects.filter(app_label="members", model__in=["session", "enrolment"]).exists()
    assert new.get_model("members", "AuditEvent").objects.get().target_type == "attendance.session"
    assert person.pk in new.get_model("members", "User").objects.values_list("pk", flat=True)

    _migrate(BEFORE)  # and back, for an upgrade rolled back
    assert ContentType.objects.get(pk=session_type).app_label == "members"
    assert AuditEvent.objects.get().target_type == "members.session"
    _migrate(_leaves())


def _leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


# Who may import whom: each app only those below it (app code; tests and migrations aside).
ALLOWED = {
    "courses": set(),
    "members": set(),
    "learning": {"courses", "members"},
    "attendance": {"courses", "members", "learning"},
    "certificates": {"courses", "members", "learning"},
    "stats": {"courses", "members", "learning", "attendance", "certificates"},
    "api": {"courses", "members", "learning", "attendance", "certificates", "stats"},
    "demo": {"courses", "members", "learning", "attendance", "certificates", "stats"},
    # Operations: probes, heartbeat and logs know no domain app; the scheduler's jobs call into them.
    "ops": {"members", "stats", "api", "certificates"},
    "lms": {"courses", "members", "certificates", "api", "ops"},
}


def _imports(app: str) -> set[str]:
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return (found & set(ALLOWED)) - {app}


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_apps_import_only_the_apps_below_them(app):
    assert _imports(app) <= ALLOWED[app]
