from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import consent
from members.phone import format_phone, normalize_phone, validate_phone

# A person is never deleted: their data is erased and the row stays as an anonymous tombstone
# (members.services.privacy.person_erase), so that what they did still counts in the statistics.
DELETION_REFUSED = _(
    "A person's account is never deleted outright: erase their personal data instead "
    "(People → the person → Delete their data)."
)


class Language(models.TextChoices):
    VIETNAMESE = "vi", "Tiếng Việt"
    ENGLISH = "en", "English"
    TAY = "tyz", "Tày"
    NUNG = "nut", "Nùng"
    HMONG = "hmn", "H'Mông"


class UserQuerySet(models.QuerySet):
    def counted(self) -> "UserQuerySet":
        """People the statistics count: active accounts, and the tombstones of erased ones (what
        they did before their data was deleted still happened)."""
        return self.filter(counted_in_statistics())

    def delete(self):
        raise PermissionDenied(DELETION_REFUSED)


def counted_in_statistics(prefix: str = "") -> models.Q:
    """The condition of ``UserQuerySet.counted()``, for queries that reach people through a relation."""
    return models.Q(**{f"{prefix}is_active": True}) | models.Q(**{f"{prefix}erased_at__isnull": False})


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, phone: str) -> "User":
        try:
            normalised = normalize_phone(phone)
        except ValidationError:
            raise self.model.DoesNotExist from None
        return self.get(phone=normalised)

    def _create(self, phone: str, password: str | None, **fields) -> "User":
        user = self.model(phone=normalize_phone(phone), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, phone: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(phone, password, **fields)

    def create_superuser(self, phone: str, password: str | None = None, **fields) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        fields.setdefault("consent_at", timezone.now())
        fields.setdefault("consent_version", consent.ADMINISTRATOR.version)
        return self._create(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: resident, group leader, officer or trainer. Logs in with a mobile number.

    We collect little on purpose (Law 91/2025/QH15): no citizen ID and no ethnicity.
    """

    phone = models.CharField(
        _("mobile number"),
        max_length=16,
        unique=True,
        validators=[validate_phone],
        help_text=_("Used to sign in, for example 0912 345 678."),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(
        _("e-mail"),
        blank=True,
        help_text=_("Optional. Trainers and officers receive moderation notices here; residents need none."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.VIETNAMESE
    )
    village = models.ForeignKey(
        "members.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("village"),
    )
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    consent_at = models.DateTimeField(
        _("consent given at"),
        null=True,
        blank=True,
        help_text=_("When the person agreed to HọcSố keeping their data."),
    )
    consent_recorded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
        help_text=_("The group leader who signed this person up, if someone did."),
    )
    consent_version = models.CharField(
        _("consent wording"),
        max_length=32,
        blank=True,
        help_text=_("Which wording the person agreed to; empty if recorded before wordings were kept."),
    )
    is_staff = models.BooleanField(
        _("Django admin access"),
        default=False,
        help_text=_("Only technical administrators need the Django admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    erased_at = models.DateTimeField(
        _("personal data deleted at"),
        null=True,
        blank=True,
        help_text=_("Set when the person's data was deleted: the row stays, anonymous, for the statistics."),
    )

    objects = UserManager()

    # Wagtail indexes the references of every model an admin viewset shows, on every save. A person's
    # links (village, who recorded their consent) are personal data that no "usage" page needs, and
    # Django saves ``last_login`` at each sign-in: indexed, every sign-in queued a task for nothing.
    wagtail_reference_index_ignore = True

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True)
                | models.Q(birth_year__gte=1900, birth_year__lte=2100),
                name="user_birth_year_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(phone__startswith="+84"), name="user_phone_is_vietnamese_e164"
            ),
        ]

    def __str__(self) -> str:
        if self.erased_at is not None:
            return str(_("(person whose data was deleted)"))
        return self.full_name or self.phone_display

    def delete(self, *args, **kwargs):
        raise PermissionDenied(DELETION_REFUSED)

    def clean(self) -> None:
        super().clean()
        if self.phone:
            try:
                self.phone = normalize_phone(self.phone)
            except ValidationError as error:
                raise ValidationError({"phone": error.messages}) from None
        if self.birth_year and self.birth_year > timezone.localdate().year:
            raise ValidationError({"birth_year": _("The year of birth cannot be in the future.")})

    @property
    def phone_display(self) -> str:
        if self.erased_at is not None:
            return "—"
        return format_phone(self.phone)

    def get_full_name(self) -> str:
        return str(self) if self.erased_at is not None else self.full_name

    def get_short_name(self) -> str:
        # Vietnamese names put the given name last: "Nông Thị Hoa" is called "Hoa".
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.phone_display
