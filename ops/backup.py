"""Nightly backups (``manage.py backup``) and the restore drill (``manage.py restore_drill``).

A backup is one dated folder, written as ``<name>.partial`` and renamed when complete:

    database.dump   pg_dump --format=custom of DATABASE_URL
    files/<area>/…  every file of each storage area, under its storage name
    files.jsonl     one line a file: area, name, size, sha256
    manifest.json   row counts of every table, file counts and bytes, the dump's sha256, the app's
                    commit, the times

The areas are the places the settings keep files in: ``media`` (the default storage: pictures and
their renditions; on object storage the public bucket) and ``private`` (certificate PDFs, and on
object storage the private bucket with lesson documents too). On object storage each bucket is read
with the keys the settings use.

The row counts are taken inside the snapshot pg_dump dumps (``pg_export_snapshot``), so they are
exactly what the dump holds, however busy the site. The files are taken after the dump: a file newer
than the dump is harmless; a file deleted between the two (a certificate rendered again in that
minute) is reported by the drill as missing.

What this is not:

- not a point-in-time backup: what happened after the dump's snapshot is lost on a restore. WAL
  archiving (pgBackRest, barman) is the team's choice if a day's work is too much to lose;
- not an off-site copy: copy the folder elsewhere (docs/deploy.md "Backups");
- not a backup of the env file, which holds the signing keys: keep that apart, encrypted;
- not encrypted: the folder holds personal data; it is made readable by its owner only.
"""

import datetime
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage, storages

FORMAT = 1
DUMP = "database.dump"
FILES = "files"
LISTING = "files.jsonl"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024

# The tables people ask about first, by model: printed first in the drill's report.
KEY_MODELS = {
    "people": "members.User",
    "communes": "members.Commune",
    "villages": "members.Village",
    "groups": "members.CommunityGroup",
    "memberships": "members.Membership",
    "staff scopes": "members.StaffScope",
    "sessions": "attendance.Session",
    "attendance marks": "attendance.AttendanceMark",
    "enrolments": "learning.Enrolment",
    "lesson progress": "learning.LessonProgress",
    "quiz attempts": "learning.QuizAttempt",
    "competency awards": "learning.CompetencyAward",
    "certificates": "certificates.Certificate",
    "pages": "wagtailcore.Page",
    "images": "wagtailimages.Image",
    "documents": "wagtaildocs.Document",
    "audit events": "members.AuditEvent",
}


class BackupError(Exception):
    pass


# Storage areas ------------------------------------------------------------------------------------


def _is_s3(storage) -> bool:
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def storage_areas() -> dict:
    """The storages this installation keeps files in, by area: ``media`` and ``private`` (and
    ``certificates`` if certificate PDFs are in a third place). Each is a FileSystemStorage or an
    S3Storage, as the settings make them."""
    from certificates.models import Certificate
    from ops.storage import MediaStorage

    default = storages["default"]
    candidates = []
    if isinstance(default, MediaStorage):
        candidates += [("media", default.public), ("private", default.private)]
    else:
        candidates.append(("media", default))
    candidates.append(("private", Certificate._meta.get_field("pdf").storage))
    found, seen = {}, set()
    for label, storage in candidates:
        if _is_s3(storage):
            identity = ("s3", storage.endpoint_url, storage.bucket_name)
        elif isinstance(storage, FileSystemStorage):
            identity = ("filesystem", str(Path(storage.location).resolve()))
        else:
            raise BackupError(f"Cannot back up a {type(storage).__name__}: only folders and S3 buckets.")
        if identity in seen:
            continue
        seen.add(identity)
        found[label if label not in found else "certificates"] = storage
    return found


def describe(storage) -> dict:
    if _is_s3(storage):
        return {"kind": "s3", "bucket": storage.bucket_name, "endpoint": storage.endpoint_url or ""}
    return {"kind": "filesystem", "location": str(Path(storage.location).resolve())}


def s3_client(storage):
    return storage.connection.meta.client


def s3_options(storage) -> dict:
    """What it takes to open the same store with the same keys (another bucket name added)."""
    names = (
        "endpoint_url",
        "region_name",
        "access_key",
        "secret_key",
        "signature_version",
        "addressing_style",
    )
    return {name: getattr(storage, name, None) for name in names}


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Refusing a file name that would leave its folder: {name!r}")
    return path


def list_stored(storage) -> dict[str, int]:
    """Every file of an area: name → size."""
    if _is_s3(storage):
        listed = {}
        pages = s3_client(storage).get_paginator("list_objects_v2").paginate(Bucket=storage.bucket_name)
        for page in pages:
            for item in page.get("Contents", ()):
                if not item["Key"].endswith("/"):  # a folder marker, not a file
                    listed[item["Key"]] = item["Size"]
        return listed
    root = Path(storage.location)
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path.stat().st_size
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def copy_area(storage, target: Path) -> list[dict]:
    """Copy every file of an area into ``target``; what was copied, with sizes and sha256."""
    copied = []
    client = s3_client(storage) if _is_s3(storage) else None
    for name in sorted(list_stored(storage)):
        destination = target / _safe_name(name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if client is not None:
            with destination.open("wb") as stream:
                client.download_fileobj(storage.bucket_name, name, stream)
        else:
            shutil.copy2(Path(storage.location) / name, destination)
        copied.append({"name": name, "size": destination.stat().st_size, "sha256": _sha256_file(destination)})
    return copied


# The database ---------------------------------------------------------------------------------------


def _connection():
    from django.db import connection

    if connection.vendor != "postgresql":
        raise BackupError("Backups and the restore drill need PostgreSQL (DATABASE_URL=postgres://…).")
    return connection


def raw_connection():
    """A connection of its own (not Django's), in autocommit, to this database."""
    connection = _connection()
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    return raw


def client_command(program: str, settings_dict: dict, dbname: str) -> tuple[list[str], dict]:
    """``program``'s connection arguments and environment (the password in PGPASSWORD, never in
    the command line), as Django's own dbshell makes them."""
    connection = _connection()
    _args, env = connection.client.settings_to_cmd_args_env(settings_dict, [])
    args = [program, "--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    return args, {**os.environ, **(env or {}), "PGDATABASE": dbname}


def run_client(program: str, settings_dict: dict, database: str, *arguments: str) -> None:
    """Run ``pg_dump`` or ``pg_restore`` against ``database``; BackupError with its message if it fails."""
    args, env = client_command(program, settings_dict, database)
    done = subprocess.run(  # noqa: S603 (our own arguments)
        [*args, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip()}")


def all_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
    )
    return [name if schema == "public" else f"{schema}.{name}" for schema, name in cursor.fetchall()]


def _quoted(table: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in table.split(".", 1))


def count_rows(cursor) -> dict[str, int]:
    counts = {}
    for table in all_tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {_quoted(table)}")  # noqa: S608 (names from the catalogue)
        counts[table] = cursor.fetchone()[0]
    return counts


def key_tables() -> dict[str, str]:
    """Label → table, for the models of KEY_MODELS this installation has."""
    found = {}
    for label, model_label in KEY_MODELS.items():
        try:
            model = get_user_model() if model_label == "members.User" else apps.get_model(model_label)
        except LookupError:
            continue
        found[label] = model._meta.db_table
    return found


def _certificate_counts(cursor) -> dict[str, int]:
    from certificates.models import Certificate

    table = _quoted(Certificate._meta.db_table)
    query = "SELECT count(*), count(*) FILTER (WHERE status = %s), count(*) FILTER (WHERE pdf <> '') FROM "
    cursor.execute(query + table, [Certificate.Status.VALID])
    total, valid, with_pdf = cursor.fetchone()
    return {"total": total, "valid": valid, "with_pdf": with_pdf}


def app_commit() -> str | None:
    try:
        done = subprocess.run(  # noqa: S603
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


# The backup -----------------------------------------------------------------------------------------


def backup(to: Path, *, log=print) -> Path:
    """Write a complete backup into a new dated folder under ``to``; returns that folder."""
    connection = _connection()
    started = _now()
    to.mkdir(parents=True, exist_ok=True)
    final = to / f"hocso-{started:%Y%m%d-%H%M%S}"
    partial = final.with_name(final.name + ".partial")
    if final.exists() or partial.exists():
        raise BackupError(f"{final} already exists.")
    partial.mkdir(mode=0o700)
    try:
        _write(partial, connection, started, log)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)  # never a half backup that looks like one
        raise
    partial.rename(final)
    return final


def _write(partial: Path, connection, started: datetime.datetime, log) -> None:
    areas = storage_areas()
    settings_dict = connection.settings_dict
    dump = partial / DUMP

    # One snapshot for the counts and the dump: the manifest says exactly what the dump holds.
    raw = raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables = count_rows(cursor)
            certificates = _certificate_counts(cursor)
            log(f"Dumping database {settings_dict['NAME']} ({len(tables)} tables)…")
            run_client(
                "pg_dump",
                settings_dict,
                settings_dict["NAME"],
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
            )
            cursor.execute("COMMIT")
    finally:
        raw.close()

    files_manifest, listing = {}, []
    for label, storage in areas.items():
        log(f"Copying {label} ({describe(storage)['kind']})…")
        copied = copy_area(storage, partial / FILES / label)
        listing += [{"area": label, **item} for item in copied]
        files_manifest[label] = {
            **describe(storage),
            "count": len(copied),
            "bytes": sum(item["size"] for item in copied),
        }
    with (partial / LISTING).open("w", encoding="utf-8") as stream:
        for item in listing:
            stream.write(json.dumps(item, ensure_ascii=False) + "\n")

    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": _now().isoformat(),
        "app_commit": app_commit(),
        "database": {
            "name": settings_dict["NAME"],
            "server_version": server_version,
            "file": DUMP,
            "bytes": dump.stat().st_size,
            "sha256": _sha256_file(dump),
        },
        "tables": tables,
        "key_tables": key_tables(),
        "certificates": certificates,
        "files": files_manifest,
        "files_listing": LISTING,
        "files_listing_sha256": _sha256_file(partial / LISTING),
        "not_included": [
            "changes after the dump's snapshot (not a point-in-time backup; WAL archiving is separate)",
            "the env file with the signing keys (back it up apart, encrypted)",
        ],
    }
    (partial / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def find_backup(path: Path) -> Path:
    """``path`` itself if it is a backup, else its newest complete backup."""
    if (path / MANIFEST).is_file():
        return path
    found = sorted(
        p for p in path.glob("hocso-*") if (p / MANIFEST).is_file() and not p.name.endswith(".partial")
    )
    if not found:
        raise BackupError(f"No complete backup (a folder with {MANIFEST}) in {path}.")
    return found[-1]


def read_listing(folder: Path) -> list[dict]:
    with (folder / LISTING).open(encoding="utf-8") as stream:
        return [json.loads(line) for line in stream if line.strip()]


# The restore drill ------------------------------------------------------------------------------------


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.items.append(text)


def check_backup_folder(folder: Path, manifest: dict, problems: Problems) -> list[dict]:
    """The folder still holds what the backup wrote: the dump and every file, byte for byte."""
    dump = folder / manifest["database"]["file"]
    if not dump.is_file():
        problems.add(f"backup folder: {dump.name} is missing")
    elif _sha256_file(dump) != manifest["database"]["sha256"]:
        problems.add(f"backup folder: {dump.name} differs from the manifest's sha256")
    if _sha256_file(folder / LISTING) != manifest["files_listing_sha256"]:
        problems.add(f"backup folder: {LISTING} differs from the manifest's sha256")
    listing = read_listing(folder)
    for label, summary in manifest["files"].items():
        listed = [item for item in listing if item["area"] == label]
        if len(listed) != summary["count"]:
            problems.add(
                f"backup folder: {label} lists {len(listed)} files, the manifest says {summary['count']}"
            )
    for item in listing:
        path = folder / FILES / item["area"] / _safe_name(item["name"])
        if not path.is_file():
            problems.add(f"backup folder: {item['area']}/{item['name']} is missing")
        elif path.stat().st_size != item["size"] or _sha256_file(path) != item["sha256"]:
            problems.add(f"backup folder: {item['area']}/{item['name']} differs from its sha256")
    return listing


def drill_stamp() -> str:
    return f"{_now():%Y%m%d%H%M%S}"


def scratch_database_name(source: str, stamp: str) -> str:
    return f"{source[: 63 - len(stamp) - 7]}_drill_{stamp}"


def scratch_bucket_name(bucket: str, stamp: str) -> str:
    return f"{bucket[: 63 - len(stamp) - 7]}-drill-{stamp}"


def database_url(settings_dict: dict, dbname: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(settings_dict.get("HOST") or ""), safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(dbname, safe='')}"


def restore_area(listing: list[dict], source: Path, label: str, target: dict, live) -> None:
    """Put an area's files back into a scratch folder or bucket."""
    files = [item for item in listing if item["area"] == label]
    if target["kind"] == "filesystem":
        root = Path(target["location"])
        root.mkdir(parents=True, exist_ok=True)
        for item in files:
            destination = root / _safe_name(item["name"])
            destination.parent.mkdir(parents=True, exist_ok=True)
            path = source / _safe_name(item["name"])
            if path.is_file():
                shutil.copy2(path, destination)
        return
    client = s3_client(live)
    options = {}
    if live.region_name and live.region_name != "us-east-1" and not live.endpoint_url:
        options["CreateBucketConfiguration"] = {"LocationConstraint": live.region_name}
    client.create_bucket(Bucket=target["bucket"], **options)
    # A new bucket may refuse writes for a moment while the store makes room for it (SeaweedFS
    # grows volumes for each new bucket): its first half minute is retried, later errors are not.
    deadline = time.monotonic() + 30
    for item in files:
        path = source / _safe_name(item["name"])
        if path.is_file():
            _patiently(
                lambda path=path, item=item: client.upload_file(str(path), target["bucket"], item["name"]),
                deadline,
            )


def _patiently(action, deadline: float):
    while True:
        try:
            return action()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def remove_bucket(live, bucket: str) -> None:
    client = s3_client(live)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", ())]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    client.delete_bucket(Bucket=bucket)


def open_area(target: dict):
    """A storage on a restored area (in the drill's checking process)."""
    if target["kind"] == "filesystem":
        return FileSystemStorage(location=target["location"])
    from storages.backends.s3 import S3Storage

    options = {key: value for key, value in target["options"].items() if value is not None}
    return S3Storage(bucket_name=target["bucket"], querystring_auth=True, **options)


def check_restored(config: dict) -> dict:
    """In a process whose database is the scratch one: compare it and the restored files with the
    manifest, and verify a sample of certificates from them. Returns the findings (JSON-able)."""
    from django.db import connection

    from certificates import keys, verification
    from certificates import payload as payloads
    from certificates.management.commands.verify_certificate import qr_text_from_pdf
    from certificates.models import Certificate

    folder = Path(config["backup"])
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if connection.settings_dict["NAME"] == manifest["database"]["name"]:
        raise BackupError("The checking process is connected to the backed-up database, not a scratch one.")
    problems = Problems()
    started = time.monotonic()

    with connection.cursor() as cursor:
        restored = count_rows(cursor)
    tables = []
    for table in sorted(set(manifest["tables"]) | set(restored)):
        before, after = manifest["tables"].get(table), restored.get(table)
        tables.append({"table": table, "backed_up": before, "restored": after, "equal": before == after})
        if before != after:
            problems.add(f"table {table}: backed up {before}, restored {after}")

    listing = read_listing(folder)
    areas = {label: open_area(target) for label, target in config["areas"].items()}
    files = {}
    for label, storage in areas.items():
        stored = list_stored(storage)
        expected = {item["name"]: item["size"] for item in listing if item["area"] == label}
        missing = sorted(set(expected) - set(stored))
        different = sorted(name for name in expected if name in stored and stored[name] != expected[name])
        for name in missing:
            problems.add(f"files {label}: {name} was backed up but is not in the restored storage")
        for name in different:
            problems.add(
                f"files {label}: {name} has {stored[name]} bytes restored, {expected[name]} backed up"
            )
        files[label] = {
            "backed_up": len(expected),
            "restored": len(stored),
            "bytes": sum(stored.values()),
            "missing": len(missing),
            "different": len(different),
        }

    certificate_storage = areas[config["certificate_area"]]
    Certificate._meta.get_field("pdf").storage = certificate_storage
    stored_pdfs = set(list_stored(certificate_storage))
    with_pdf = list(Certificate.objects.exclude(pdf="").values_list("serial", "pdf"))
    for serial, name in with_pdf:
        if name not in stored_pdfs:
            problems.add(f"certificate {serial}: its PDF {name} is not in the restored storage")

    # Valid certificates with a PDF first (both the register and the paper can be checked), then
    # those not rendered yet (the register's payload only).
    valid = list(Certificate.objects.valid().order_by("pk").values_list("pk", "pdf"))
    chooser = random.Random(config.get("seed"))
    rendered = [pk for pk, name in valid if name]
    chosen = chooser.sample(rendered, min(config["sample"], len(rendered)))
    unrendered = [pk for pk, name in valid if not name]
    chosen += chooser.sample(unrendered, min(config["sample"] - len(chosen), len(unrendered)))
    sample = list(Certificate.objects.filter(pk__in=chosen).order_by("serial"))
    ring = keys.keyring()
    checked = []
    with tempfile.TemporaryDirectory(prefix="hocso-drill-pdf-") as scratch:
        for certificate in sample:
            verdict = {"serial": certificate.serial, "register": "", "pdf": "none stored"}
            try:
                claims = payloads.verify(bytes(certificate.payload), ring)
                verdict["register"] = (
                    "genuine" if claims.serial == certificate.serial else "names another serial"
                )
            except payloads.PayloadError as error:
                verdict["register"] = f"not genuine ({error.reason})"
            if certificate.pdf and certificate.pdf.name in stored_pdfs:
                path = Path(scratch) / f"{certificate.pk}.pdf"
                with certificate_storage.open(certificate.pdf.name, "rb") as stream:
                    path.write_bytes(stream.read())
                try:
                    result = verification.verify_payload(certificate.serial, qr_text_from_pdf(path))
                    verdict["pdf"] = (
                        "genuine, valid" if result.is_valid and result.signature_checked else result.status
                    )
                except Exception as error:  # an unreadable PDF is a finding, not a crash
                    verdict["pdf"] = f"unreadable ({error})"
            elif certificate.pdf:
                verdict["pdf"] = "missing"
            verdict["genuine"] = verdict["register"] == "genuine" and verdict["pdf"] in (
                "genuine, valid",
                "none stored",
            )
            if not verdict["genuine"]:
                problems.add(
                    f"certificate {certificate.serial}: register payload {verdict['register']}, "
                    f"PDF {verdict['pdf']}"
                )
            checked.append(verdict)

    return {
        "tables": tables,
        "files": files,
        "certificates": {
            "in_register": Certificate.objects.count(),
            "valid": len(valid),
            "with_pdf": len(with_pdf),
            "pdf_missing": sum(1 for _serial, name in with_pdf if name not in stored_pdfs),
            "sampled": len(sample),
            "genuine": sum(1 for verdict in checked if verdict["genuine"]),
            "checked": checked,
        },
        "problems": problems.items,
        "seconds": round(time.monotonic() - started, 2),
    }


@dataclass
class Drill:
    """Restore a backup into a scratch database and scratch folders or buckets, check it in a
    process of its own pointed at them, and remove them again (unless kept)."""

    folder: Path
    sample: int = 20
    seed: int | None = None
    jobs: int = 1
    log: object = print
    stamp: str = field(default_factory=drill_stamp)
    manifest: dict = field(default_factory=dict)
    scratch_database: str = ""
    work: Path | None = None
    targets: dict = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    timings: dict = field(default_factory=dict)
    _created_database: bool = False
    _buckets: list = field(default_factory=list)

    def run(self) -> dict:
        started = time.monotonic()
        self.manifest = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        if self.manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {self.manifest.get('format')!r}.")
        self.log(f"Checking the backup folder {self.folder}…")
        listing = check_backup_folder(self.folder, self.manifest, self.problems)
        self.timings["backup folder"] = time.monotonic() - started
        self.restore_database()
        self.timings["database restored"] = time.monotonic() - started
        self.restore_files(listing)
        self.timings["files restored"] = time.monotonic() - started
        after_restore(self)
        findings = self.check()
        self.timings["checked"] = time.monotonic() - started
        findings["problems"] = self.problems.items + findings["problems"]
        findings["seconds"] = round(time.monotonic() - started, 1)
        return findings

    @property
    def settings_dict(self) -> dict:
        return _connection().settings_dict

    def restore_database(self) -> None:
        self.scratch_database = scratch_database_name(self.settings_dict["NAME"], self.stamp)
        self.log(f"Restoring the dump into the scratch database {self.scratch_database}…")
        raw = raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {_quoted(self.scratch_database)}")
        finally:
            raw.close()
        self._created_database = True
        run_client(
            "pg_restore",
            self.settings_dict,
            self.scratch_database,
            f"--dbname={self.scratch_database}",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--jobs={self.jobs}",
            str(self.folder / self.manifest["database"]["file"]),
        )

    def restore_files(self, listing: list[dict]) -> None:
        live = storage_areas()
        self.work = Path(tempfile.mkdtemp(prefix=f"hocso-drill-{self.stamp}-"))
        for label, summary in self.manifest["files"].items():
            source = self.folder / FILES / label
            if summary["kind"] == "s3":
                storage = live.get(label)
                if storage is None or not _is_s3(storage):
                    raise BackupError(
                        f"The backup's {label} is on object storage; these settings have no bucket for it."
                    )
                target = {
                    "kind": "s3",
                    "bucket": scratch_bucket_name(summary["bucket"], self.stamp),
                    "options": s3_options(storage),
                }
                self.log(f"Restoring {label} into the scratch bucket {target['bucket']}…")
                self._buckets.append((storage, target["bucket"]))
                restore_area(listing, source, label, target, storage)
            else:
                target = {"kind": "filesystem", "location": str(self.work / "restored" / label)}
                self.log(f"Restoring {label} into the scratch folder {target['location']}…")
                restore_area(listing, source, label, target, None)
            self.targets[label] = target

    def certificate_area(self) -> str:
        """The area that holds certificate PDFs today (so the same one in the backup)."""
        from certificates.models import Certificate

        wanted = describe(Certificate._meta.get_field("pdf").storage)
        for label, storage in storage_areas().items():
            if describe(storage) == wanted:
                return label
        return "private"

    def check(self) -> dict:
        """Run the checks in a child process whose database is the scratch one."""
        self.log("Checking the restored database and files…")
        config = {
            "backup": str(self.folder),
            "areas": self.targets,
            "certificate_area": self.certificate_area(),
            "sample": self.sample,
            "seed": self.seed,
        }
        result = self.work / "findings.json"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(self.settings_dict, self.scratch_database),
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE,
        }
        # The configuration (with the object store's keys) goes through stdin, never onto the disk.
        done = subprocess.run(  # noqa: S603 (our own arguments)
            [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "restore_drill",
                "--check",
                str(result),
            ],
            input=json.dumps(config),
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not result.exists():
            raise BackupError(
                f"The checking process failed ({done.returncode}): {(done.stderr or done.stdout)[-3000:]}"
            )
        return json.loads(result.read_text(encoding="utf-8"))

    def cleanup(self) -> list[str]:
        removed = []
        if self._created_database:
            raw = raw_connection()
            try:
                with raw.cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(self.scratch_database)} WITH (FORCE)")
            finally:
                raw.close()
            removed.append(f"database {self.scratch_database}")
        for storage, bucket in self._buckets:
            try:
                remove_bucket(storage, bucket)
                removed.append(f"bucket {bucket}")
            except Exception as error:  # reported, and the rest still removed
                removed.append(f"bucket {bucket} NOT removed ({error})")
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            removed.append(f"folder {self.work}")
        return removed

    def kept(self) -> list[str]:
        kept = [f"database {self.scratch_database}"] if self._created_database else []
        kept += [f"bucket {bucket}" for _storage, bucket in self._buckets]
        if self.work is not None:
            kept.append(f"folder {self.work}")
        return kept


def after_restore(drill: Drill) -> None:
    """Called once the scratch database and files are in place, before the checks (the tests
    tamper with the restored data here to show that the drill notices)."""
