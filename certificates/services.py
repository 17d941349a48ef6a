"""Issuing and revoking certificates. Issuance ends the learning chain of members.services.learning
through the extension points registered in CertificatesConfig.ready()."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from certificates import keys
from certificates import payload as payloads
from certificates.models import Certificate, IssuerSettings, SerialCounter
from courses.models import CompetencyProfile, CoursePage
from members import extensions
from members import selectors as member_selectors
from members.models import Enrolment, User
from members.services import audit_record
from members.services.learning import canonical


def issuer_settings() -> IssuerSettings:
    site = Site.objects.filter(is_default_site=True).first()
    return IssuerSettings.for_site(site)


def _next_serial(year: int) -> str:
    # The counter row is locked until the transaction ends: serials never repeat. A rolled-back
    # issuance may leave a gap, which is allowed.
    counter, _created = SerialCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.CERTIFICATE_SERIAL_PREFIX}-{year}-{counter.last:06d}"


def course_snapshot(course: CoursePage) -> list[dict]:
    return [
        {
            "code": t.competency.code,
            "name": t.competency.name,
            "name_en": t.competency.name_en,
            "level": t.level,
        }
        for t in course.target_competencies.select_related("competency").order_by("sort_order")
    ]


def profile_snapshot(profile: CompetencyProfile) -> list[dict]:
    return [
        {
            "code": r.competency.code,
            "name": r.competency.name,
            "name_en": r.competency.name_en,
            "level": r.level,
        }
        for r in profile.requirements.select_related("competency").order_by("sort_order")
    ]


def is_eligible(
    *, holder: User, course: CoursePage | None = None, profile: CompetencyProfile | None = None
) -> bool:
    if course is not None:
        return Enrolment.objects.filter(user=holder, course=course, completed_at__isnull=False).exists()
    levels = member_selectors.competency_levels(holder)
    status = next(s for s in member_selectors.profile_statuses(holder, levels) if s.profile.pk == profile.pk)
    return status.complete


@transaction.atomic
def certificate_issue(
    *,
    holder: User,
    course: CoursePage | None = None,
    profile: CompetencyProfile | None = None,
    acting_user: User | None = None,
    language: str = "vi",
) -> Certificate:
    """Issue the certificate for an achievement, or return the one already issued (never two)."""
    if (course is None) == (profile is None):
        raise ValueError("Give a course or a profile.")
    if course is not None:
        course = canonical(course)
    achievement = {"course": course} if course is not None else {"profile": profile}
    existing = Certificate.objects.filter(holder=holder, **achievement).first()
    if existing is not None:
        return existing
    if holder.erased_at is not None:
        raise ValidationError(_("This person's data has been deleted: no certificate can be issued."))
    if not is_eligible(holder=holder, course=course, profile=profile):
        raise ValidationError(_("%(name)s has not completed this yet.") % {"name": holder.full_name})

    issued_at = timezone.now()
    ring = keys.keyring()
    serial = _next_serial(timezone.localdate(issued_at).year)
    name = payloads.normalise_name(holder.full_name)
    code = course.code if course is not None else profile.code
    claims = payloads.Claims(
        kid=ring.current_kid,
        serial=serial,
        issued_on=timezone.localdate(issued_at),
        kind=payloads.KIND_COURSE if course is not None else payloads.KIND_PROFILE,
        code=code,
        name=name,
    )
    certificate = Certificate(
        serial=serial,
        holder=holder,
        holder_name=name,
        achievement_code=code,
        achievement_title=course.title if course is not None else profile.name,
        competencies=course_snapshot(course) if course is not None else profile_snapshot(profile),
        language=language,
        issued_at=issued_at,
        issuer_name=issuer_settings().issuing_body,
        issued_by=acting_user if acting_user and acting_user.is_authenticated else None,
        key_id=ring.current_kid,
        payload=payloads.sign(claims, ring),
        **achievement,
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # The same completion raced in through another request and was issued there.
        return Certificate.objects.get(holder=holder, **achievement)
    audit_record(
        actor=acting_user, action="certificate.issue", target=certificate, changes={"serial": [None, serial]}
    )
    extensions.people_changed([holder.pk])
    _render_after_commit(certificate)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, acting_user: User) -> Certificate:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not certificate.is_valid:
        raise ValidationError(_("This certificate is already revoked."))
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = acting_user
    certificate.full_clean(exclude=["payload"])
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason", "revoked_by"])
    audit_record(
        actor=acting_user,
        action="certificate.revoke",
        target=certificate,
        changes={"status": ["valid", "revoked"]},
    )
    extensions.people_changed([certificate.holder_id])
    _render_after_commit(certificate)
    return certificate


def _render_after_commit(certificate: Certificate) -> None:
    from certificates.tasks import render_certificate

    transaction.on_commit(lambda: render_certificate.enqueue(certificate.pk))


def issue_on_course_completed(enrolment: Enrolment) -> None:
    """Extension point ``members.extensions.course_completed``: the end of the learning chain."""
    certificate_issue(holder=enrolment.user, course=enrolment.course)


def issue_on_profile_reached(user: User, profile: CompetencyProfile) -> None:
    """Extension point ``members.extensions.profile_reached``."""
    certificate_issue(holder=user, profile=profile)


def stub_on_holder_erased(rows, context) -> int:
    """The certificates part's scrubber (``members.personal_data``, registered in
    CertificatesConfig.ready()): each of an erased holder's certificates becomes a stub. The serial,
    the achievement and the dates stay, so that a verifier learns the paper is no longer valid; the
    name, the signed payload (it holds the name) and the PDF go. A valid certificate becomes
    "holder's data deleted"; a revoked one stays revoked, without the holder's name in its reason."""
    files = []
    count = 0
    for certificate in rows.select_for_update():
        old = certificate.status
        if certificate.pdf:
            files.append((certificate.pdf.storage, certificate.pdf.name))
        if certificate.is_valid:
            certificate.status = Certificate.Status.HOLDER_ERASED
        certificate.holder_name = ""
        certificate.payload = b""
        certificate.pdf = ""
        certificate.pdf_version = ""
        certificate.revoked_reason = context.values.scrub_text(certificate.revoked_reason)
        certificate.save(
            update_fields=["status", "holder_name", "payload", "pdf", "pdf_version", "revoked_reason"]
        )
        audit_record(
            actor=context.acting_user,
            action="certificate.holder_erased",
            target=certificate,
            changes={"status": [old, certificate.status]},
        )
        count += 1

    def remove_files():
        from certificates import rendering  # WeasyPrint: imported only where PDFs are made

        for storage, name in files:
            storage.delete(name)
        # The QR images of this process's cache hold the signed payload, hence the name.
        rendering.qr_data_uri.cache_clear()

    transaction.on_commit(remove_files)
    return count


def issue_in_bulk(
    *, holders, course: CoursePage | None = None, profile: CompetencyProfile | None = None, acting_user: User
) -> tuple[list[Certificate], list[User]]:
    """Issue to every eligible holder (a group or a commune); return (issued or existing, skipped)."""
    issued, skipped = [], []
    for holder in holders:
        try:
            issued.append(
                certificate_issue(holder=holder, course=course, profile=profile, acting_user=acting_user)
            )
        except ValidationError:
            skipped.append(holder)
    return issued, skipped
