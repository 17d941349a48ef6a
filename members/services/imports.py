"""Writes of an import: keep the rows of an uploaded file until its preview is confirmed, commit them
all or nothing, and forget files nobody needs any more. The rules of the files: ``members.imports``.

Speed: an import of 20,000 rows writes with a handful of bulk statements (``bench/bench_import.py``).
The people and memberships are therefore not created through ``user_create`` and ``membership_add``,
one audit event each, but checked by the same rules (``members.imports.checking``) and recorded by one
audit event for the whole import.
"""

import datetime
import hashlib

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import consent as consent_texts
from members import extensions, permissions
from members.imports import FileProblem, Plan, check_batch, read_upload
from members.imports import plan as plans
from members.models import AuditEvent, CommunityGroup, ImportBatch, Membership, User, Village
from members.permissions import forget_scope
from members.services.audit import audit_record

# Rows per INSERT or UPDATE statement (the backends lower it further to fit their parameter limits).
BATCH = 2000
# Files of previews nobody committed are kept this long (they hold other people's personal data).
KEEP_UNCOMMITTED_FOR = datetime.timedelta(days=7)


def import_batch_create(*, content: bytes, file_name: str, kind: str, acting_user: User) -> ImportBatch:
    """Read an uploaded file and keep its rows for the preview. A file that cannot be read at all is
    not kept: ``ValidationError`` says why. A file whose rows have problems is kept, to show them."""
    if not permissions.can_import(acting_user):
        raise PermissionDenied
    try:
        table, kept = read_upload(content=content, file_name=file_name, kind=kind)
    except FileProblem as problem:
        raise ValidationError(problem.message, code="file") from None
    batch = ImportBatch(
        kind=kind,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=kept,
        uploaded_by=acting_user,
        summary={"rows": len(table.rows)},
    )
    batch.full_clean(exclude=["content"])
    batch.save()
    return batch


def import_batch_preview(*, batch: ImportBatch, acting_user: User, again: bool = False) -> Plan:
    """What importing ``batch`` would do, as its preview shows it. The rows are checked against the
    database once, and what was found is kept on the batch (``ImportBatch.plan``): viewing the preview
    again, or downloading its problems, reads that back. ``again`` checks afresh (and so does a
    preview in another language, whose messages would not read). The commit checks again anyway.

    Each check looks up the file's mobile numbers: one audit event says how many, never which.
    Raises ``FileProblem`` when the rows are no longer kept."""
    if batch.uploaded_by_id != acting_user.pk or not permissions.can_import(acting_user):
        raise PermissionDenied
    if not again and batch.plan and batch.plan.get("language") == translation.get_language():
        kept = plans.restore(batch.plan)
        if kept is not None:
            return kept
    plan = check_batch(batch=batch, user=acting_user)
    _keep(batch, plan)
    _record_lookups(batch, plan, acting_user)
    return plan


def _keep(batch: ImportBatch, plan: Plan) -> None:
    batch.plan = plans.store(plan) | {
        "language": translation.get_language(),
        "checked_at": timezone.now().isoformat(),
    }
    # Only while the file is kept: a commit or a purge in between has emptied it for good.
    ImportBatch.objects.filter(pk=batch.pk, purged_at__isnull=True).update(plan=batch.plan)


def _record_lookups(batch: ImportBatch, plan: Plan, acting_user: User) -> None:
    if not plan.numbers_looked_up:
        return
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.IMPORT_LOOKUP,
        target=batch,
        changes={
            "kind": [None, batch.kind],
            "numbers": [None, plan.numbers_looked_up],
            "found": [None, plan.numbers_found],
        },
    )


class _Changed(Exception):
    """The rows would now do something else than the preview showed (raised to roll back)."""

    def __init__(self, plan: Plan):
        self.plan = plan


def import_batch_commit(*, batch: ImportBatch, acting_user: User) -> Plan:
    """Import every row of ``batch``, or none. The file is checked again first, inside the
    transaction that writes: the database may have changed since the preview. When a preview was
    kept and the rows would now do anything else than it showed, nothing is imported and the
    preview shows the new check. Committing twice (two clicks, two tabs) imports once."""
    try:
        return _commit(batch=batch, acting_user=acting_user)
    except _Changed as changed:
        _keep(batch, changed.plan)
        _record_lookups(batch, changed.plan, acting_user)
        raise ValidationError(
            _(
                "The records changed since this preview was checked, so nothing was imported. Look at the "
                "preview again (checked just now), then import."
            ),
            code="changed",
        ) from None
    except IntegrityError:
        # Someone wrote the same rows between our check and our writes (a sign-up with the same
        # number, say): everything was rolled back. Importing again checks the rows afresh.
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
            status=ImportBatch.Status.FAILED
        )
        raise ValidationError(
            _(
                "Someone changed the same records at the same moment, so nothing was imported. Look at "
                "the preview again, then import."
            ),
            code="conflict",
        ) from None


@transaction.atomic
def _commit(*, batch: ImportBatch, acting_user: User) -> Plan:
    if batch.uploaded_by_id != acting_user.pk or not permissions.can_import(acting_user):
        raise PermissionDenied
    now = timezone.now()
    previous = batch.status
    # The guard against a double commit is this conditional UPDATE: the second one finds no row in
    # the previewed state (PostgreSQL makes it wait for the first transaction; SQLite's immediate
    # transactions queue them).
    waiting = [ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED]
    claimed = ImportBatch.objects.filter(pk=batch.pk, status__in=waiting, purged_at__isnull=True).update(
        status=ImportBatch.Status.COMMITTED, committed_at=now
    )
    if not claimed:
        raise ValidationError(_("This file has already been imported, or is no longer kept."), code="done")
    batch.refresh_from_db(fields=["content", "purged_at", "plan"])
    shown = batch.plan or {}
    try:
        # In the preview's language, for its fingerprint to compare.
        with translation.override(shown.get("language", translation.get_language())):
            plan = check_batch(batch=batch, user=acting_user)
    except FileProblem as problem:
        raise ValidationError(problem.message, code="file") from None
    if shown and shown.get("digest") != plans.digest(plan):
        raise _Changed(plan)
    if not plan.ok:
        raise ValidationError(
            _("Some rows have problems now, so nothing was imported. See them below."), code="problems"
        )
    if batch.kind == ImportBatch.Kind.GROUPS:
        _write_groups(plan)
    else:
        _write_members(plan, acting_user=acting_user, now=now)
    counts = plan.counts()
    # The file has done its work: only the counts stay, and the audit trail says who imported.
    ImportBatch.objects.filter(pk=batch.pk).update(summary=counts, content=b"", plan=None, purged_at=now)
    batch.status, batch.committed_at, batch.summary = ImportBatch.Status.COMMITTED, now, counts
    batch.content, batch.plan, batch.purged_at = b"", None, now
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.IMPORT_COMMIT,
        target=batch,
        changes={
            "status": [previous, ImportBatch.Status.COMMITTED],
            "kind": [None, batch.kind],
        }
        | {name: [None, value] for name, value in counts.items()},
    )
    # The communes of the rows and those people moved away from: every commune whose numbers change.
    # (``people_changed`` would find the same communes again, from thousands of people.)
    extensions.community_changed(plan.commune_ids)
    forget_scope(acting_user)
    return plan


def _write_groups(plan: Plan) -> None:
    Village.objects.bulk_create(plan.new_villages.values(), batch_size=BATCH)
    CommunityGroup.objects.bulk_create(plan.new_groups, batch_size=BATCH)
    changed = [group for group, _fields in plan.changed_groups.values()]
    fields = sorted({name for _group, names in plan.changed_groups.values() for name in names})
    if changed:
        CommunityGroup.objects.bulk_update(changed, fields, batch_size=BATCH)


def _write_members(plan: Plan, *, acting_user: User, now: datetime.datetime) -> None:
    # Imported people set a password later; hashing "no password" once serves them all.
    unusable = make_password(None)
    witness = acting_user if acting_user.is_authenticated else None
    for person in plan.new_people.values():
        person.password = unusable
        person.date_joined = now
        person.consent_at = now
        person.consent_recorded_by = witness
        person.consent_version = consent_texts.IMPORTED.version
    User.objects.bulk_create(plan.new_people.values(), batch_size=BATCH)

    for person, fields in plan.changed_people.values():
        if "consent_at" in fields:
            person.consent_at, person.consent_recorded_by = now, witness
            person.consent_version = consent_texts.IMPORTED.version
    fields = sorted({name for _person, names in plan.changed_people.values() for name in names})
    if fields:
        User.objects.bulk_update([p for p, _n in plan.changed_people.values()], fields, batch_size=BATCH)

    # One active leader per group holds at every statement: step the old leaders down first.
    stepping_down, other_changes = [], []
    for membership, names, old_role in plan.changed_memberships.values():
        was_leader = old_role == Membership.Role.LEADER and membership.role != Membership.Role.LEADER
        (stepping_down if was_leader else other_changes).append((membership, names))
    for changes in (stepping_down, other_changes):
        fields = sorted({name for _membership, names in changes for name in names})
        if fields:
            Membership.objects.bulk_update([m for m, _n in changes], fields, batch_size=BATCH)
    Membership.objects.bulk_create(plan.new_memberships, batch_size=BATCH)


def import_files_purge(*, older_than: datetime.timedelta = KEEP_UNCOMMITTED_FOR) -> int:
    """Empty the files of uploads older than ``older_than`` that were never committed (committed
    files are emptied at once). Returns how many were emptied."""
    now = timezone.now()
    return ImportBatch.objects.filter(created_at__lt=now - older_than, purged_at__isnull=True).update(
        content=b"", plan=None, purged_at=now
    )
