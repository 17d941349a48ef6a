from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Who did what to which record, and what changed. Written inside the service's transaction."""

    class Action(models.TextChoices):
        ATTENDANCE_SYNC = "attendance.sync", _("attendance synced")
        CERTIFICATE_ISSUE = "certificate.issue", _("certificate issued")
        CERTIFICATE_REVOKE = "certificate.revoke", _("certificate revoked")
        CERTIFICATE_RESIGN = "certificate.resign", _("certificate signed again")
        CERTIFICATE_HOLDER_ERASED = "certificate.holder_erased", _("certificate holder's data erased")
        COMPETENCY_ATTEST = "competency.attest", _("competency attested")
        CONSENT_WITHDRAW = "consent.withdraw", _("consent withdrawn")
        CONTENT_PUBLISH_OVERRIDE = "content.publish_override", _("published without review")
        CONTENT_APPROVAL_OVERRIDE = "content.approval_override", _("own change approved")
        ENROLMENT_CREATE = "enrolment.create", _("enrolled in a course")
        ENROLMENT_COMPLETE = "enrolment.complete", _("course completed")
        GROUP_CREATE = "group.create", _("group created")
        GROUP_UPDATE = "group.update", _("group changed")
        IMPORT_COMMIT = "import.commit", _("list imported")
        IMPORT_LOOKUP = "import.lookup", _("list checked")
        INVITATION_CREATE = "invitation.create", _("invitation sent")
        INVITATION_ACCEPTED = "invitation.accepted", _("invitation accepted")
        INVITATION_DECLINED = "invitation.declined", _("invitation declined")
        INVITATION_CANCELLED = "invitation.cancelled", _("invitation cancelled")
        INVITATION_NEW_CODE = "invitation.new_code", _("new invitation code")
        INVITATION_WRONG_CODE = "invitation.wrong_code", _("wrong invitation code typed")
        MEMBER_LOOKUP = "member.lookup", _("mobile number checked")
        MEMBERSHIP_ADD = "membership.add", _("added to a group")
        MEMBERSHIP_END = "membership.end", _("left a group")
        MEMBERSHIP_ROLE = "membership.role", _("role in a group changed")
        PASSWORD_RESET = "password.reset", _("password reset")
        PASSWORD_RESET_CODE_ISSUED = "password.reset_code_issued", _("password reset code given")
        PERSON_ERASE = "person.erase", _("personal data erased")
        PERSONAL_DATA_EXPORT = "personal_data.export", _("personal data downloaded")
        PROFILE_REACHED = "profile.reached", _("competency profile reached")
        STAFF_SCOPE_GRANT = "staff_scope.grant", _("staff role granted")
        STAFF_SCOPE_REVOKE = "staff_scope.revoke", _("staff role revoked")
        STATS_EXPORT_PEOPLE = "stats.export_people", _("list of people downloaded")
        USER_CREATE = "user.create", _("account created")
        USER_VILLAGE = "user.village", _("village changed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64, choices=Action.choices)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=64)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"
