import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models.community import Membership

# An invitation waits two weeks: long enough for the next village meeting.
LIFETIME = datetime.timedelta(days=14)
# Wrong codes typed for one invitation before the code stops working (the person then asks for a new one).
MAX_CODE_FAILURES = 5


class GroupInvitationQuerySet(models.QuerySet):
    def open(self) -> "GroupInvitationQuerySet":
        """Waiting for an answer, and not expired."""
        return self.filter(status=GroupInvitation.Status.PENDING, expires_at__gt=timezone.now())


class GroupInvitation(models.Model):
    """An invitation to join a group, for someone who already has an account.

    Whoever adds a number to a group learns nothing about the account behind it: the person joins only
    once they accept, in their own account or by reading out the short code HọcSố shows only them
    (see ``members.invitation_codes``; only a random salt is stored, the code needs the secret key).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")
        CANCELLED = "cancelled", _("cancelled")

    group = models.ForeignKey(
        "members.CommunityGroup",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("group"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="group_invitations",
        verbose_name=_("invited person"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    role = models.CharField(
        _("role offered"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    phone_hint = models.CharField(
        _("mobile number (masked)"),
        max_length=20,
        help_text=_("The number the inviter typed, partly hidden, for example 0912 *** 678."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    code_salt = models.CharField(_("code salt"), max_length=32, editable=False)
    code_failures = models.PositiveSmallIntegerField(_("wrong codes typed"), default=0, editable=False)

    objects = GroupInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("group invitation")
        verbose_name_plural = _("group invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "group"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_person_and_group",
                violation_error_message=_("This person already has an invitation to this group."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined", "expired", "cancelled"]),
                name="invitation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["leader", "deputy", "member"]), name="invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_after_created"
            ),
            # Answered (or cancelled, or expired) exactly when it has left "pending".
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="invitation_decided_when_not_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="invitation_person_status_idx"),
            models.Index(fields=["group", "created_at"], name="invitation_group_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_hint} → {self.group} ({self.get_status_display()})"

    @property
    def current_status(self) -> str:
        """The status as people should read it: a pending invitation past its date has expired."""
        if self.status == self.Status.PENDING and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status

    @property
    def is_open(self) -> bool:
        return self.current_status == self.Status.PENDING

    @property
    def code_locked(self) -> bool:
        return self.code_failures >= MAX_CODE_FAILURES
