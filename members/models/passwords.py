from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordResetCodeQuerySet(models.QuerySet):
    def live(self) -> "PasswordResetCodeQuerySet":
        """Codes that can still be redeemed: unused, unexpired, not worn out by wrong tries."""
        return self.filter(
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            attempts__lt=PasswordResetCode.MAX_ATTEMPTS,
        )


class PasswordResetCode(models.Model):
    """A one-time code that lets a person choose a new password: read out by a group leader or an
    officer who knows them, or sent by text message to the number itself.

    Only a keyed hash of the code is kept. A person has at most one code: issuing another replaces
    it. A code dies when used, when it expires, or after a few wrong tries.
    """

    MAX_ATTEMPTS = 5

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        SMS = "sms", _("text message")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="password_reset_codes",
        verbose_name=_("person"),
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
        help_text=_("The leader or officer who gave the code; empty when it was sent by text message."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("tries"), default=0, help_text=_("Counted before each comparison, the right one included.")
    )

    objects = PasswordResetCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], name="one_reset_code_per_person"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="reset_code_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.created_at:%Y-%m-%d %H:%M}"
