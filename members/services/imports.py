"""Writes of an import: keep the rows of an uploaded file until its preview is confirmed, commit them
all or nothing, and forget files nobody needs any more. The rules of the files: ``members.imports``.

Speed: an import of 20,000 rows writes with a handful of bulk statements (``bench/bench_import.py``).
The people and memberships are therefore not created through ``user_create`` and ``membership_add``,
one audit event each, but checked by the same rules (``members.imports.plan``) and recorded by one
audit event for the whole import.
"""

import datetime
import hashlib

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import consent as consent_texts
from members import extensions, permissions
from members.imports import FileProblem, Plan, check_batch, read_upload
from members.models import CommunityGroup, ImportBatch, Membership, User, Village
from members.permissions import forget_scope
from members.services.people import audit_record

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


def import_batch_commit(*, batch: ImportBatch, acting_user: User) -> Plan:
    """Import every row of ``batch``, or none. The file is checked again first: the database may
    have changed since the preview. Committing twice (two clicks, two tabs) imports once."""
    try:
        return _commit(batch=batch, acting_user=acting_user)
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
    batch.refresh_from_db(fields=["content", "purged_at"])
    try:
        plan = check_batch(batch=batch, user=acting_user)
    except FileProblem as problem:
        raise ValidationError(problem.message, code="file") from None
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
    ImportBatch.objects.filter(pk=batch.pk).update(summary=counts, content=b"", purged_at=now)
    batch.status, batch.committed_at, batch.summary = ImportBatch.Status.COMMITTED, now, counts
    batch.content, batch.purged_at = b"", now
    audit_record(
        actor=acting_user,
        action="import.commit",
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
        content=b"", purged_at=now
    )
