"""Issuing and revoking certificates. Issuance ends the learning chain of learning.services
through the extension points registered in CertificatesConfig.ready()."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Site

from certificates import extensions as certificate_extensions
from certificates import files, keys, rendering
from certificates import payload as payloads
from certificates.models import Certificate, IssuerSettings, SerialCounter, StatusListCounter
from courses.models import CompetencyProfile, CoursePage
from courses.translations import canonical
from learning import selectors
from learning.competencies import profile_met, requirements_of
from learning.models import Enrolment
from members import extensions, sms
from members.models import AuditEvent, User
from members.services import audit_record

logger = logging.getLogger(__name__)


def issuer_settings() -> IssuerSettings:
    """The default site's issuer, with its pictures: one query once the settings have been saved."""
    issuer = IssuerSettings.base_queryset().filter(site__is_default_site=True).first()
    if issuer is None:
        issuer = IssuerSettings.for_site(Site.objects.filter(is_default_site=True).first())
    return issuer


def _next_serial(year: int) -> str:
    # The counter row is locked until the transaction ends: serials never repeat. A rolled-back
    # issuance may leave a gap, which is allowed.
    counter, _created = SerialCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.CERTIFICATE_SERIAL_PREFIX}-{year}-{counter.last:06d}"


def _next_status_index() -> int:
    """The next free bit of the revocation status list. Locked like the serial counter; a
    rolled-back issue leaves an unused bit, which is allowed (it stays 0)."""
    counter, _created = StatusListCounter.objects.select_for_update().get_or_create(purpose="revocation")
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def certificate_status_index(*, certificate: Certificate) -> int:
    """The certificate's index in the status list, given now if it has none yet (certificates made
    outside ``certificate_issue``, e.g. in bulk by a script)."""
    if certificate.status_index is None:
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status_index is None:
            locked.status_index = _next_status_index()
            locked.save(update_fields=["status_index"])
        certificate.status_index = locked.status_index
    return certificate.status_index


def _claims(certificate: Certificate, kid: str) -> payloads.Claims:
    return payloads.Claims(
        kid=kid,
        serial=certificate.serial,
        issued_on=timezone.localdate(certificate.issued_at),
        kind=payloads.KIND_COURSE if certificate.course_id else payloads.KIND_PROFILE,
        code=certificate.achievement_code,
        name=certificate.holder_name,
    )


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
    return profile_met(selectors.levels_of(holder), requirements_of(profile))


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

    ring = keys.keyring()
    issued_at = timezone.now()
    name = payloads.normalise_name(holder.full_name)
    certificate = Certificate(
        serial=_next_serial(timezone.localdate(issued_at).year),
        holder=holder,
        holder_name=name,
        achievement_code=course.code if course is not None else profile.code,
        achievement_title=course.title if course is not None else profile.name,
        competencies=course_snapshot(course) if course is not None else profile_snapshot(profile),
        language=language,
        issued_at=issued_at,
        issuer_name=issuer_settings().issuing_body,
        issued_by=acting_user if acting_user and acting_user.is_authenticated else None,
        key_id=ring.current_kid,
        status_index=_next_status_index(),
        **achievement,
    )
    certificate.payload = payloads.sign(_claims(certificate, ring.current_kid), ring)
    serial = certificate.serial
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # The same completion raced in through another request and was issued there.
        return Certificate.objects.get(holder=holder, **achievement)
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CERTIFICATE_ISSUE,
        target=certificate,
        changes={"serial": [None, serial]},
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
    # The stored PDF still looks valid: until the task has rendered it again, a download renders it.
    certificate.pdf_version = ""
    certificate.full_clean(exclude=["payload"])
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason", "revoked_by", "pdf_version"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CERTIFICATE_REVOKE,
        target=certificate,
        changes={"status": ["valid", "revoked"]},
    )
    extensions.people_changed([certificate.holder_id])
    _render_after_commit(certificate)
    return certificate


def certificates_to_resign():
    """Valid certificates signed with a key now marked compromised (revoked ones stay as they are)."""
    return Certificate.objects.valid().filter(key_id__in=settings.CERTIFICATE_COMPROMISED_KEY_IDS)


@transaction.atomic
def certificate_resign(*, certificate: Certificate, acting_user: User | None = None) -> Certificate:
    """Sign a valid certificate again with the current key, because the key that signed it is
    compromised: new payload and key id; serial, check code, status list index and every printed
    detail stay. Its PDF is rendered again in the background, and its holder is asked to download
    it again (the notice on "Học của tôi", and the ``certificate_reissued`` extension point)."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not certificate.is_valid:
        raise ValidationError(_("Only a valid certificate can be signed again."))
    ring = keys.keyring()
    old_kid, new_kid = certificate.key_id, ring.current_kid
    if old_kid not in settings.CERTIFICATE_COMPROMISED_KEY_IDS:
        raise ValidationError(_("This certificate's key is not compromised: nothing to do."))
    certificate.payload = payloads.sign(_claims(certificate, new_kid), ring)
    certificate.key_id = new_kid
    certificate.reissued_at = timezone.now()
    # The stored PDF carries the old code: until the task has rendered it again, a download renders it.
    certificate.pdf_version = ""
    certificate.full_clean()
    certificate.save(update_fields=["payload", "key_id", "reissued_at", "pdf_version"])
    audit_record(
        actor=acting_user,
        action=AuditEvent.Action.CERTIFICATE_RESIGN,
        target=certificate,
        changes={"key_id": [old_kid, new_kid]},
    )
    # No statistic counts signing keys: unlike issue and revoke, nothing to recount.
    _render_after_commit(certificate)
    transaction.on_commit(lambda: certificate_extensions.certificate_reissued(certificate))
    return certificate


def tell_holder_to_download_again(certificate: Certificate) -> None:
    """``certificate_reissued`` handler: where the province has a text-message channel, the holder
    is told by SMS too (the notice on "Học của tôi" waits for them either way). A failed send is
    logged without the number and changes nothing: the re-signing has committed."""
    holder = certificate.holder
    if holder is None or holder.erased_at is not None or not sms.sms_enabled():
        return
    with translation.override(sms.language_for(holder)):
        text = _(
            "HọcSố: your certificate %(serial)s was signed again. Download the new copy from “My "
            "learning”: %(address)s"
        ) % {
            "serial": certificate.serial,
            "address": f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{reverse('learning:my_learning')}",
        }
    try:
        sms.send_sms(holder.phone, text)
    except sms.SmsError as error:
        logger.warning("Could not text a holder about a re-signed certificate: %s", error)


def certificate_downloaded(*, certificate: Certificate, user: User) -> None:
    """The holder downloaded their PDF: a pending "download it again" notice is done."""
    if certificate.holder_id == user.pk and certificate.awaits_download:
        certificate.redownloaded_at = timezone.now()
        certificate.save(update_fields=["redownloaded_at"])


def certificate_pdf(*, certificate: Certificate, user: User) -> FieldFile:
    """The PDF ``user`` downloads (the caller has checked that they may): the stored one, rendered
    now only if there is none that says what the certificate says, so that a download never waits
    for a worker. One made by an earlier template is handed out and rendered again by a worker
    (after a deploy that changed the template, ``rerender_stale_certificates`` queues them all). The
    holder's own download closes a pending "download it again" notice."""
    if files.current_pdf(certificate, issuer_settings()):
        _render_after_commit(certificate)
    certificate_downloaded(certificate=certificate, user=user)
    return certificate.pdf


def rerender_stale_certificates(*, limit: int | None = None) -> int:
    """Queue a render for every certificate whose stored PDF an earlier template made (after a
    deploy that changed the template, and nightly for any left): workers render them, downloads
    never wait. How many were queued."""
    from certificates.tasks import render_certificate

    stale = (
        Certificate.objects.exclude(pdf="")
        .exclude(pdf_version="")
        .exclude(pdf_version=rendering.template_version())
        .exclude(status=Certificate.Status.HOLDER_ERASED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    queued = 0
    for pk in stale[:limit] if limit else stale.iterator():
        render_certificate.enqueue(pk)
        queued += 1
    return queued


def _render_after_commit(certificate: Certificate) -> None:
    from certificates.tasks import render_certificate

    transaction.on_commit(lambda: render_certificate.enqueue(certificate.pk))


def issue_on_course_completed(enrolment: Enrolment) -> None:
    """Extension point ``learning.extensions.course_completed``: the end of the learning chain."""
    certificate_issue(holder=enrolment.user, course=enrolment.course)


def issue_on_profile_reached(user: User, profile: CompetencyProfile) -> None:
    """Extension point ``learning.extensions.profile_reached``."""
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
            action=AuditEvent.Action.CERTIFICATE_HOLDER_ERASED,
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
