from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CommunityGroup(models.Model):
    """A community digital-technology group (Tổ công nghệ số cộng đồng)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=150)
    commune = models.ForeignKey(
        "members.Commune", on_delete=models.PROTECT, related_name="groups", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "members.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("village"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("community group")
        verbose_name_plural = _("community groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.village_id and self.commune_id and self.village.commune_id != self.commune_id:
            raise ValidationError({"village": _("This village belongs to another commune.")})


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(left_on__isnull=True)

    def leading(self) -> "MembershipQuerySet":
        return self.filter(role__in=Membership.LEADING_ROLES)


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("leader")
        DEPUTY = "deputy", _("deputy leader")
        MEMBER = "member", _("member")

    # A deputy stands in for the leader: both keep the roster and record attendance.
    LEADING_ROLES = (Role.LEADER, Role.DEPUTY)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    group = models.ForeignKey(
        CommunityGroup,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("group"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group__code", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group"],
                condition=Q(left_on__isnull=True),
                name="membership_one_active_per_user_and_group",
                violation_error_message=_("This person is already a member of this group."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(left_on__isnull=True, role="leader"),
                name="membership_one_active_leader_per_group",
                violation_error_message=_("This group already has a leader."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("A member cannot leave before joining."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["leader", "deputy", "member"]), name="membership_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "left_on"], name="membership_user_active_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.group} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class StaffScope(models.Model):
    """A staff role and the territory it covers: one commune, or the whole province."""

    class Role(models.TextChoices):
        COMMUNE_OFFICER = "commune_officer", _("commune officer")
        PROVINCIAL_TRAINER = "provincial_trainer", _("provincial trainer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_scopes",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    commune = models.ForeignKey(
        "members.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_scopes",
        verbose_name=_("commune"),
        help_text=_("Empty means the whole province."),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        verbose_name = _("staff scope")
        verbose_name_plural = _("staff scopes")
        ordering = ["role", "commune__code"]
        constraints = [
            # An officer serves one commune; a trainer serves the whole province.
            models.CheckConstraint(
                condition=Q(role="commune_officer", commune__isnull=False)
                | Q(role="provincial_trainer", commune__isnull=True),
                name="staffscope_territory_matches_role",
                violation_error_message=_(
                    "A commune officer needs a commune; a provincial trainer covers the whole province."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "commune"],
                condition=Q(commune__isnull=False),
                name="staffscope_unique_per_commune",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(commune__isnull=True),
                name="staffscope_unique_province_wide",
            ),
        ]

    def __str__(self) -> str:
        territory = self.commune.display_name if self.commune_id else _("the whole province")
        return f"{self.user} · {self.get_role_display()} · {territory}"


class StaffGroup(models.Model):
    """The Django group that gives one staff role its admin permissions (what the admin lets them do;
    a ``StaffScope`` says where). Found by its role, a stable key: the group's name is only its label,
    which an administrator may rename in Settings → Groups without breaking anything."""

    role = models.CharField(_("role"), max_length=20, choices=StaffScope.Role.choices, unique=True)
    group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="staff_role", verbose_name=_("group")
    )

    class Meta:
        verbose_name = _("staff group")
        verbose_name_plural = _("staff groups")

    def __str__(self) -> str:
        return f"{self.get_role_display()} → {self.group}"
