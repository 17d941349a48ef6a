"""Certificates: one per holder and achievement, never deleted; revoked ones stay, marked."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from certificates.storage import certificate_storage

# The check code printed beside the serial: no 0/O, 1/I/L, so that it reads back from paper.
CHECK_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECK_CODE_LENGTH = 6


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


class CertificateQuerySet(models.QuerySet):
    def valid(self) -> "CertificateQuerySet":
        return self.filter(status=Certificate.Status.VALID)

    def counted(self) -> "CertificateQuerySet":
        """Certificates the statistics count: valid ones, and those that were valid when their
        holder's data was deleted (earned, not withdrawn). Revoked ones do not count."""
        return self.filter(status__in=[Certificate.Status.VALID, Certificate.Status.HOLDER_ERASED])


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")
        # The holder's data was deleted (members.services.privacy): a stub without name, signed
        # payload or PDF, that verifies as no longer valid.
        HOLDER_ERASED = "erased", _("holder's data deleted")

    serial = models.CharField(_("serial number"), max_length=20, unique=True)
    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    # A holder whose data is deleted leaves a stub: the holder is their anonymous tombstone (so that
    # the statistics still count it), no name, no payload, no PDF, status "erased" (if it was valid).
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    holder_name = models.CharField(_("holder's name as printed"), max_length=150)
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("course"),
    )
    profile = models.ForeignKey(
        "courses.CompetencyProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("competency profile"),
    )
    achievement_code = models.CharField(_("achievement code"), max_length=40)
    achievement_title = models.CharField(_("achievement as printed"), max_length=255)
    competencies = models.JSONField(
        _("competencies certified"), default=list, help_text=_("Code, name and level of each, as issued.")
    )
    language = models.CharField(_("language"), max_length=8, default="vi")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issuer_name = models.CharField(_("issuer"), max_length=255)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
        help_text=_("Empty when issued automatically on completion."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=255, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    key_id = models.CharField(_("signing key"), max_length=16)
    payload = models.BinaryField(_("signed payload"))
    # Typed with the serial on /v/<serial>/: without it the register cannot be walked serial by serial.
    check_code = models.CharField(
        _("check code"),
        max_length=CHECK_CODE_LENGTH,
        default=new_check_code,
        help_text=_("Printed beside the serial; anyone who types the serial by hand needs it too."),
    )
    # Its bit in the published revocation list (W3C Bitstring Status List); given once, at issue.
    status_index = models.PositiveIntegerField(_("status list index"), null=True, blank=True, unique=True)
    reissued_at = models.DateTimeField(
        _("re-signed at"),
        null=True,
        blank=True,
        help_text=_("When it was last signed again with a new key (the old key was compromised)."),
    )
    redownloaded_at = models.DateTimeField(
        _("re-signed copy downloaded at"),
        null=True,
        blank=True,
        help_text=_("When the holder downloaded the re-signed copy."),
    )
    # Private storage, unguessable names: served only through files.pdf_response after a permission check.
    pdf = models.FileField(_("PDF"), upload_to="certificates/", storage=certificate_storage, blank=True)
    pdf_version = models.CharField(_("PDF template version"), max_length=16, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(course__isnull=False) & Q(profile__isnull=True))
                | (Q(course__isnull=True) & Q(profile__isnull=False)),
                name="certificate_one_achievement",
            ),
            # Exactly one certificate per holder and achievement, revoked ones included.
            models.UniqueConstraint(
                fields=["holder", "course"],
                condition=Q(course__isnull=False),
                name="certificate_once_per_course",
            ),
            models.UniqueConstraint(
                fields=["holder", "profile"],
                condition=Q(profile__isnull=False),
                name="certificate_once_per_profile",
            ),
            models.CheckConstraint(
                condition=Q(status="valid", revoked_at__isnull=True)
                | Q(status="revoked", revoked_at__isnull=False)
                | Q(status="erased"),
                name="certificate_revocation_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} · {self.holder_name} · {self.achievement_title}"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    @property
    def kind(self) -> str:
        return "course" if self.course_id else "profile"

    @property
    def awaits_download(self) -> bool:
        """Re-signed with a new key, and its holder has not downloaded the new copy yet."""
        return self.reissued_at is not None and (
            self.redownloaded_at is None or self.redownloaded_at < self.reissued_at
        )


class SerialCounter(models.Model):
    """The last serial number used in a year. Serials never repeat; gaps do not matter."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class StatusListCounter(models.Model):
    """The last index given out in a status list (``Certificate.status_index``). Indexes are never
    reused: a bit, once a certificate's, stays that certificate's."""

    purpose = models.CharField(_("status purpose"), max_length=20, primary_key=True)
    last = models.IntegerField(default=-1)

    class Meta:
        verbose_name = _("status list counter")
        verbose_name_plural = _("status list counters")

    def __str__(self) -> str:
        return f"{self.purpose}: {self.last}"


@register_setting(icon="pick")
class IssuerSettings(BaseSiteSetting):
    """Who issues the certificates, as printed on them."""

    issuing_body = models.CharField(
        _("issuing body"), max_length=255, default="Sở Khoa học và Công nghệ tỉnh Cao Bằng"
    )
    programme = models.CharField(
        _("programme"), max_length=255, default="Phong trào “Bình dân học vụ số” tỉnh Cao Bằng"
    )
    signer_name = models.CharField(_("signer's name"), max_length=150, default="")
    signer_title = models.CharField(_("signer's title"), max_length=150, default="Giám đốc")
    place = models.CharField(_("place of signing"), max_length=100, default="Cao Bằng")
    signature_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signature image"),
        help_text=_("A scan of the signature, on a transparent or white background."),
    )
    seal_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seal image"),
    )

    panels = [
        FieldPanel("issuing_body"),
        FieldPanel("programme"),
        FieldPanel("signer_name"),
        FieldPanel("signer_title"),
        FieldPanel("place"),
        FieldPanel("signature_image"),
        FieldPanel("seal_image"),
    ]
    # Every certificate and the certificates list look at the pictures: fetched with the settings.
    select_related = ["signature_image", "seal_image"]

    class Meta:
        verbose_name = _("certificate issuer")
