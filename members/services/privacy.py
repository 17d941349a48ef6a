"""Erasing a person's data, on their request or for them by staff, and when they withdraw consent.

HọcSố may not keep personal data without consent (Law 91/2025/QH15), and a person may ask for it to
be deleted. An account is never deleted outright: what the person did (a membership, attendance, a
completed course, a certificate) still happened and is counted in the statistics. So the person's
row becomes an anonymous tombstone and every part of the registry (``members.personal_data``) does
what it declares: rows that exist only for the person are deleted, rows that others' records or the
numbers need are kept (dates coarsened to the month), and rows that mention the person are scrubbed.
Certificates become non-personal stubs that verify as "no longer valid: the holder's data was
deleted" (the certificates app's part, registered through ``members.extensions``).

Every way to delete an account comes here: "Dữ liệu của tôi", the staff's erase view in the admin,
Wagtail's Settings → Users delete (single and bulk) and the Django admin. ``User.delete()`` and
``User.objects.….delete()`` refuse.
"""

import datetime
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.search import index

from members import extensions, permissions
from members import personal_data as registry
from members.models import AuditEvent, Membership, StaffScope, User
from members.personal_data import ERASED, Erase, PersonalValues
from members.services.audit import audit_record
from members.services.people import staff_scope_revoke


class ErasureReason(models.TextChoices):
    REQUESTED = "requested", gettext_lazy("The person asked for their data to be deleted")
    CONSENT_WITHDRAWN = "consent_withdrawn", gettext_lazy("The person withdrew their consent")
    DUPLICATE = "duplicate", gettext_lazy("A second account of the same person")
    DECEASED = "deceased", gettext_lazy("The person has died")
    ACCOUNT_DELETED = "account_deleted", gettext_lazy("An administrator deleted the account")


@dataclass(frozen=True)
class ErasureContext:
    """What a scrubber needs: whose data, their values (read before the tombstone), and who acts."""

    person: User
    values: PersonalValues
    acting_user: User


@dataclass
class Erasure:
    """What an erasure did: rows deleted and rows kept (attached to the tombstone), by table."""

    person_id: int
    deleted: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    scrubbed: Counter = field(default_factory=Counter)


def tombstone_phone(pk: int) -> str:
    """A value for the unique, non-empty ``phone`` column that is no number: it keeps the database's
    "+84" check, can never be typed at sign-in (every input is normalised to +84 and nine digits
    first) and never matches anyone's real number."""
    return f"+84~xoa~{pk}"


def _month_start(moment):
    """The first moment of the month a date or time falls in, in the province's time zone (the one
    the statistics count months in)."""
    if moment is None:
        return None
    if isinstance(moment, datetime.datetime):
        local = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(day=1)


@transaction.atomic
def person_erase(*, person: User, acting_user: User, reason: str, note: str = "") -> Erasure:
    """Erase ``person``'s personal data; ``acting_user`` is the person themselves or staff whose
    territory reaches them (``members.permissions.can_erase_person``). ``note`` is a short
    explanation for the record: the person's name and number are removed from it."""
    person = User.objects.select_for_update().get(pk=person.pk)
    _check(person=person, acting_user=acting_user, reason=reason)
    by_themselves = acting_user.pk == person.pk
    values = PersonalValues.of(person)
    context = ErasureContext(person, values, acting_user)
    erasure = Erasure(person_id=person.pk)
    if by_themselves:
        # Withdrawal first, in the record's order of things; it names the wording, not the person.
        audit_record(
            actor=person,
            action=AuditEvent.Action.CONSENT_WITHDRAW,
            target=person,
            changes={"consent_version": [person.consent_version or None, None]},
        )
    for scope in StaffScope.objects.filter(user=person):
        staff_scope_revoke(scope=scope, acting_user=acting_user)

    # Scrub first (the rows that mention the person are found by their values), then delete, then
    # coarsen what is kept, and turn the person's own row into the tombstone last.
    order = {Erase.SCRUB: 0, Erase.DELETE: 1, Erase.KEEP: 2}
    for part in sorted(registry.parts(), key=lambda p: (p.key == "profile", order[p.erase])):
        rows = part.rows(person)
        label = part.model_class()._meta.db_table
        if part.erase is Erase.DELETE:
            erasure.deleted[label] += _delete(part, rows)
            continue
        if part.erase is Erase.SCRUB:
            erasure.scrubbed[label] += _scrubber(part)(rows, context)
        if part.coarsen:
            _coarsen(rows, part.coarsen)

    note = values.scrub_text(" ".join(note.split()))[:200]
    audit_record(
        actor=None if by_themselves else acting_user,
        action=AuditEvent.Action.PERSON_ERASE,
        target=person,
        changes={"reason": [None, reason], "by": [None, "self" if by_themselves else "staff"]}
        | ({"note": [None, note]} if note else {}),
    )
    erasure.kept = remaining_rows(person)
    extensions.people_changed([person.pk])
    return erasure


def _check(*, person: User, acting_user: User, reason: str) -> None:
    if reason not in ErasureReason.values:
        raise ValueError(f"Unknown erasure reason: {reason}")
    if person.erased_at is not None:
        raise ValidationError(_("This person's data has already been deleted."), code="erased")
    if acting_user is None or not acting_user.is_authenticated:
        raise PermissionDenied
    if acting_user.pk != person.pk and not permissions.can_erase_person(acting_user, person):
        raise PermissionDenied
    if person.is_superuser and not User.objects.filter(is_superuser=True, is_active=True).exclude(
        pk=person.pk
    ):
        raise ValidationError(
            _("This is the last administrator's account. Make someone else an administrator first."),
            code="last_administrator",
        )


def _delete(part: registry.Part, rows) -> int:
    if part.model == "sessions.Session":
        return _sign_out_everywhere(rows)
    if part.model == "wagtailusers.UserProfile":
        avatars = [(p.avatar.storage, p.avatar.name) for p in rows if p.avatar]
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in avatars])
    count, _details = rows.delete()
    return count


def _sign_out_everywhere(rows) -> int:
    """Delete the person's browser sessions from the database and from the cache (the session
    engine reads the cache first): ``SessionStore.delete`` does both."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


def _coarsen(rows, names: tuple[str, ...]) -> None:
    model = rows.model
    changed = []
    for row in rows.only("pk", *names):
        for name in names:
            setattr(row, name, _month_start(getattr(row, name)))
        changed.append(row)
    model.objects.bulk_update(changed, list(names), batch_size=500)


# Scrubbers of the parts that keep their rows but lose what names the person ------------------------


def _scrubber(part: registry.Part):
    return part.scrub or SCRUBBERS[part.key]


def _scrub_audit(rows, context: ErasureContext) -> int:
    person_type, person_id = User._meta.label_lower, str(context.person.pk)
    changed = []
    for event in rows.only("pk", "changes", "target_type", "target_id"):
        about_them = event.target_type == person_type and event.target_id == person_id
        scrubbed = context.values.scrub(event.changes, about_them=about_them)
        if scrubbed != event.changes:
            event.changes = scrubbed
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["changes"], batch_size=500)
    return len(changed)


def _scrub_log_entries(label_field: str, data_field: str | None):
    """Admin history: an entry about the person's account loses its label, others lose the name."""

    def scrub(rows, context: ErasureContext) -> int:
        user_type = User._meta.app_label, User._meta.model_name
        fields = [name for name in (label_field, data_field) if name]
        changed = []
        for entry in rows.select_related("content_type"):
            about_them = (entry.content_type.app_label, entry.content_type.model) == user_type and str(
                entry.object_id
            ) == str(context.person.pk)
            before = [getattr(entry, name) for name in fields]
            label = getattr(entry, label_field)
            setattr(entry, label_field, ERASED if about_them else context.values.scrub_text(label))
            if data_field:
                data = getattr(entry, data_field)
                setattr(entry, data_field, context.values.scrub(data, about_them=about_them))
            if [getattr(entry, name) for name in fields] != before:
                changed.append(entry)
        rows.model.objects.bulk_update(changed, fields, batch_size=500)
        return len(changed)

    return scrub


def _scrub_memberships(rows, context: ErasureContext) -> int:
    """Memberships stay (the group's numbers), but a leading role ends so that the group can choose
    someone else as leader."""
    changed = 0
    for membership in rows.filter(role__in=Membership.LEADING_ROLES):
        old = membership.role
        membership.role = Membership.Role.MEMBER
        membership.save(update_fields=["role"])
        audit_record(
            actor=context.acting_user,
            action=AuditEvent.Action.MEMBERSHIP_ROLE,
            target=membership,
            changes={"role": [old, membership.role]},
        )
        changed += 1
    return changed


def _scrub_pages(rows, context: ErasureContext) -> int:
    """Pages stay (they are course content); those the person had locked are unlocked."""
    return rows.filter(locked=True, locked_by__isnull=False).update(
        locked=False, locked_by=None, locked_at=None
    )


def _scrub_import_files(rows, context: ErasureContext) -> int:
    """Uploaded lists that still hold the person's row: the file is emptied (it is other people's
    data too, but an import that waits on a deleted person's row cannot go on as it was)."""
    return rows.update(content=b"", plan=None, purged_at=timezone.now())


def _make_tombstone(rows, context: ErasureContext) -> int:
    """The person's row without anything that identifies them. ``full_clean`` is not run: the
    tombstone's phone is deliberately not a number."""
    person = context.person
    person.phone = tombstone_phone(person.pk)
    person.full_name = ""
    person.email = ""
    person.birth_year = None
    person.password = make_password(None)
    # A preference for Tày, Nùng or H'Mông can hint at ethnicity, sensitive data under the law.
    person.preferred_language = User._meta.get_field("preferred_language").default
    person.consent_at = None
    person.consent_recorded_by = None
    person.consent_version = ""
    person.last_login = None
    # The statistics count residents by the month they joined: the month is enough.
    person.date_joined = _month_start(person.date_joined)
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.erased_at = timezone.now()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    permissions.forget_scope(person)
    if index.class_is_indexed(User):
        index.insert_or_update_object(person)
    return 1


SCRUBBERS = {
    "profile": _make_tombstone,
    "memberships": _scrub_memberships,
    "audit_events": _scrub_audit,
    "imports_listing_you": _scrub_import_files,
    "pages": _scrub_pages,
    "admin_history": _scrub_log_entries("label", "data"),
    "django_admin_history": _scrub_log_entries("object_repr", None),
}


def remaining_rows(person: User) -> Counter:
    """Rows still attached to an erased person's tombstone, by table (the issue's "rows left after a
    deletion"): the person's row and every kept or scrubbed part's rows."""
    conditions: dict = {}
    for part in registry.parts():
        if part.erase is not Erase.DELETE:
            model = part.model_class()
            conditions[model] = conditions.get(model, part.condition(person)) | part.condition(person)
    left = Counter()
    for model, condition in conditions.items():
        count = model._default_manager.filter(condition).count()
        if count:
            left[model._meta.db_table] = count
    return left
