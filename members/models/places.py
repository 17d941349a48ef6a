from django.db import models
from django.utils.translation import gettext_lazy as _


class Commune(models.Model):
    """One of the province's 56 commune-level units since the 1 July 2025 reform."""

    class Kind(models.TextChoices):
        WARD = "ward", _("ward")
        COMMUNE = "commune", _("commune")

    # The unit code is the natural key. Public datasets still disagree on a few codes, so it is a
    # unique column rather than the primary key: a correction never has to cascade.
    code = models.CharField(_("unit code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMUNE)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{5}$"), name="commune_code_five_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["ward", "commune"]), name="commune_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.WARD:
            return _("%(name)s Ward") % {"name": self.name}
        return _("%(name)s Commune") % {"name": self.name}

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class Village(models.Model):
    """A village or residential group (thôn, xóm, bản, tổ dân phố) inside a commune."""

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="villages", verbose_name=_("commune")
    )
    name = models.CharField(_("name"), max_length=100)
    has_mobile_signal = models.BooleanField(
        _("has mobile signal"),
        default=True,
        help_text=_("Leaders in villages without signal record attendance offline."),
    )

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["commune__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="village_name_unique_per_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.name})"
