"""``manage.py restore_drill --from /var/backups/hocso``: prove that a backup restores.

It restores the newest backup in that folder (or the backup folder given) into a scratch database
on the same PostgreSQL server (``<name>_drill_<stamp>``) and scratch folders, or scratch buckets on
the same object store (``<bucket>-drill-<stamp>``); then, in a process of its own connected to them,
compares every table's row count with the manifest, checks that every stored file and every
certificate's PDF came back, and verifies a sample of valid certificates (the signed payload in the
register and the QR code in the PDF, with this installation's keys, as ``verify_certificate``
does). It prints a report, removes the scratch database, folders and buckets (unless ``--keep``),
and exits with status 1 if anything differs.

It needs a database role that may create databases (``--keep`` aside, it drops what it created).
It never writes to the live database or storage.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops import backup


class Command(BaseCommand):
    help = "Restore a backup into a scratch database and storage, and check it against its manifest."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="source", type=Path, help="A backup folder, or the folder of backups"
        )
        parser.add_argument(
            "--sample", type=int, default=20, help="Valid certificates to verify (default 20)"
        )
        parser.add_argument("--seed", type=int, help="Seed of the random sample (default: a new one)")
        parser.add_argument("--jobs", type=int, default=1, help="pg_restore's parallel jobs")
        parser.add_argument("--keep", action="store_true", help="Keep the scratch database and storage")
        # Internal: the checking process the drill starts, connected to the scratch database.
        parser.add_argument("--check", dest="check_result", type=Path, help=argparse_suppress())

    def handle(self, *args, source, sample, seed, jobs, keep, check_result, verbosity=1, **options):
        self.verbosity = verbosity
        if check_result is not None:
            findings = backup.check_restored(json.loads(sys.stdin.read()))
            check_result.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
            return
        if source is None:
            raise CommandError("--from is required.")
        try:
            folder = backup.find_backup(source)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        drill = backup.Drill(folder, sample=sample, seed=seed, jobs=jobs, log=self._log)
        findings = None
        try:
            findings = drill.run()
        except backup.BackupError as error:
            raise CommandError(f"Restore drill failed: {error}") from None
        finally:
            if keep:
                self.stdout.write("Kept: " + ", ".join(drill.kept()))
            else:
                for removed in drill.cleanup():
                    self._log(f"Removed {removed}")
        self.report(drill, findings)
        if findings["problems"]:
            raise CommandError(
                f"Restore drill FAILED: {len(findings['problems'])} difference(s): "
                + "; ".join(findings["problems"][:10])
            )

    def report(self, drill, findings) -> None:
        write = self.stdout.write
        manifest = drill.manifest
        commit = manifest["app_commit"] or "unknown"
        write(f"Backup {drill.folder.name}: taken {manifest['started_at']}, app commit {commit}")
        tables = findings["tables"]
        write(f"Tables: {len(tables)} compared, {sum(1 for row in tables if row['equal'])} equal")
        write(f"  {'table':<46} {'backed up':>10} {'restored':>10}  equal")
        key = {table: label for label, table in manifest["key_tables"].items()}
        shown = [row for row in tables if row["table"] in key or not row["equal"] or self.verbosity >= 2]
        for row in sorted(shown, key=lambda row: (row["table"] not in key, row["table"])):
            name = f"{row['table']} ({key[row['table']]})" if row["table"] in key else row["table"]
            equal = "yes" if row["equal"] else "NO"
            write(f"  {name:<46} {row['backed_up']!s:>10} {row['restored']!s:>10}  {equal}")
        rest = [row for row in tables if row not in shown]
        if rest:
            rows = sum(row["restored"] or 0 for row in rest)
            write(f"  … {len(rest)} other tables, {rows} rows: all equal (-v 2 lists them)")
        backed_up = sum(row["backed_up"] or 0 for row in tables)
        restored = sum(row["restored"] or 0 for row in tables)
        write(f"Rows: {backed_up} backed up, {restored} restored")
        for label, files in findings["files"].items():
            write(
                f"Files {label}: {files['backed_up']} backed up, {files['restored']} restored "
                f"({files['bytes']} bytes), {files['missing']} missing, {files['different']} different"
            )
        certificates = findings["certificates"]
        write(
            f"Certificates: {certificates['in_register']} in the register, {certificates['valid']} valid, "
            f"{certificates['with_pdf']} with a PDF ({certificates['pdf_missing']} missing); "
            f"{certificates['sampled']} sampled, {certificates['genuine']} genuine"
        )
        for verdict in certificates["checked"]:
            write(f"  {verdict['serial']:<20} register: {verdict['register']:<10} PDF: {verdict['pdf']}")
        write(f"Time: {findings['seconds']} s")
        if findings["problems"]:
            for problem in findings["problems"]:
                write(self.style.ERROR(f"DIFFERS: {problem}"))
        else:
            write(
                self.style.SUCCESS(
                    "Restore drill passed: every table, file and sampled certificate came back."
                )
            )

    def _log(self, text: str) -> None:
        if self.verbosity >= 1:
            self.stderr.write(text)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS
