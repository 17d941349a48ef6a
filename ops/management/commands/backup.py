"""``manage.py backup --to /var/backups/hocso``: the database and every stored file into a new dated
folder, with a manifest the restore drill checks against (ops/backup.py says what is and is not
in it)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the media (folders or buckets) into a dated folder."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", type=Path, required=True, help="The folder that receives the dated backups"
        )

    def handle(self, *args, to: Path, verbosity=1, **options):
        self.verbosity = verbosity
        try:
            folder = backup.backup(to, log=self._log)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        manifest = json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))
        database = manifest["database"]
        self.stdout.write(
            f"Database: {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
            f"{database['bytes']} bytes, sha256 {database['sha256']}"
        )
        for label, table in manifest["key_tables"].items():
            self.stdout.write(f"  {label:<18} {manifest['tables'].get(table, 0):>10}")
        for label, files in manifest["files"].items():
            where = files.get("bucket") or files.get("location")
            self.stdout.write(
                f"Files {label} ({files['kind']} {where}): {files['count']} files, {files['bytes']} bytes"
            )
        self.stdout.write(self.style.SUCCESS(f"Backup complete: {folder}"))

    def _log(self, text: str) -> None:
        if self.verbosity >= 1:
            self.stderr.write(text)
