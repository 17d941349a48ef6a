"""The backup (``manage.py backup``) and the restore drill (``manage.py restore_drill``) on PostgreSQL,
with files on disk and on a real S3 server: the drill restores into a scratch database and storage,
passes on an intact backup, fails naming what differs on a damaged one, and leaves nothing behind."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from certificates import files, services
from certificates.models import Certificate
from ops import backup
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(completed, world):
    """Two holders with a certificate and its PDF, a picture and a lesson document."""
    holders = [completed(UserFactory(village=world.resident_a.village))[0]]
    holders.append(completed(UserFactory(village=world.resident_b.village))[0])
    for certificate in Certificate.objects.filter(holder__in=holders):
        if not certificate.pdf:
            files.store_pdf(certificate, services.issuer_settings())
    default_storage.save("original_images/man-hinh.png", ContentFile(b"\x89PNG not really a picture"))
    default_storage.save("documents/huong-dan.pdf", ContentFile(b"%PDF-1.4 huong dan"))
    return Certificate.objects.filter(holder__in=holders)


def run(command: str, **options) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, stdout=out, stderr=err, **options)
    return out.getvalue()


def drill(folder, **options) -> str:
    return run("restore_drill", source=folder, seed=1, **options)


def drill_fails(folder, **options) -> str:
    with pytest.raises(CommandError) as failed:
        drill(folder, **options)
    return str(failed.value)


def scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", ["%\\_drill\\_%"])
        return [row[0] for row in cursor.fetchall()]


def take_backup(tmp_path):
    output = run("backup", to=tmp_path / "backups")
    assert "Backup complete" in output
    (folder,) = (tmp_path / "backups").iterdir()
    return folder, json.loads((folder / backup.MANIFEST).read_text())


def test_a_backup_on_disk_restores_and_the_drill_passes(scene, tmp_path):
    folder, manifest = take_backup(tmp_path)

    assert folder.name.startswith("hocso-") and (folder / "database.dump").stat().st_size > 0
    assert manifest["tables"]["certificates_certificate"] == 2
    assert manifest["tables"]["members_membership"] == 8  # the world's
    assert manifest["certificates"] == {"total": 2, "valid": 2, "with_pdf": 2}
    assert manifest["files"]["media"]["count"] == 2  # the picture and the document
    assert manifest["files"]["private"]["count"] == 2  # the two PDFs
    assert all((folder / "files" / "private" / certificate.pdf.name).is_file() for certificate in scene)

    output = drill(tmp_path / "backups")  # the folder of backups: its newest one

    print(output)
    assert "Restore drill passed" in output
    assert "certificates_certificate (certificates)" in output
    assert "2 sampled, 2 genuine" in output
    assert "Files private: 2 backed up, 2 restored" in output
    assert scratch_databases() == []


def test_the_drill_fails_on_a_file_missing_from_the_backup(scene, tmp_path):
    folder, _manifest = take_backup(tmp_path)
    lost = scene.first().pdf.name
    (folder / "files" / "private" / lost).unlink()

    message = drill_fails(folder)

    assert f"backup folder: private/{lost} is missing" in message
    assert f"its PDF {lost} is not in the restored storage" in message
    assert scratch_databases() == []


def test_the_drill_fails_when_a_table_has_fewer_rows_than_the_manifest_says(scene, tmp_path):
    folder, manifest = take_backup(tmp_path)
    table = manifest["key_tables"]["lesson progress"]
    restored = manifest["tables"][table]
    manifest["tables"][table] += 1
    (folder / backup.MANIFEST).write_text(json.dumps(manifest))

    message = drill_fails(folder)

    assert f"table {table}: backed up {restored + 1}, restored {restored}" in message


def test_the_drill_fails_when_the_restored_register_no_longer_matches_a_pdf(scene, tmp_path, monkeypatch):
    folder, _manifest = take_backup(tmp_path)
    serial = scene.order_by("serial").first().serial

    def rename_holder(run: backup.Drill) -> None:
        raw = connection.get_new_connection(
            {**connection.get_connection_params(), "dbname": run.scratch_database}
        )
        with raw, raw.cursor() as cursor:
            cursor.execute(
                "UPDATE certificates_certificate SET holder_name = 'Người Khác' WHERE serial = %s", [serial]
            )

    monkeypatch.setattr(backup, "after_restore", rename_holder)

    message = drill_fails(folder, sample=5)

    assert f"certificate {serial}: register payload genuine, PDF mismatch" in message
    assert scratch_databases() == []


def test_a_backup_on_object_storage_restores_into_scratch_buckets(
    object_storage, scene, tmp_path, monkeypatch
):
    folder, manifest = take_backup(tmp_path)
    assert manifest["files"]["media"]["kind"] == "s3"
    assert manifest["files"]["private"]["count"] == 4  # two PDFs, the document and the bucket's .ready
    assert (folder / "files" / "private" / "documents" / "huong-dan.pdf").is_file()

    output = drill(folder)

    print(output)
    assert "Restore drill passed" in output
    assert "2 sampled, 2 genuine" in output
    buckets = {bucket["Name"] for bucket in object_storage.client().list_buckets()["Buckets"]}
    assert not [name for name in buckets if "-drill-" in name]

    lost = scene.first().pdf.name

    def lose_a_pdf(run: backup.Drill) -> None:
        object_storage.client().delete_object(Bucket=run.targets["private"]["bucket"], Key=lost)

    monkeypatch.setattr(backup, "after_restore", lose_a_pdf)

    message = drill_fails(folder)

    assert f"files private: {lost} was backed up but is not in the restored storage" in message
    buckets = {bucket["Name"] for bucket in object_storage.client().list_buckets()["Buckets"]}
    assert not [name for name in buckets if "-drill-" in name]
    assert scratch_databases() == []
