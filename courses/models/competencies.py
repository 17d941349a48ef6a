"""The national digital competency framework (Circular 02/2025/TT-BGDĐT) and target profiles.

Basic universalisation for residents, civil servants and workers rests on Decision 757/QĐ-BKHCN
(29 April 2025, Ministry of Science and Technology); the profiles cite it, and the competency codes
of the circular serve as the cross-walk.

Frameworks get revised: every competency belongs to a framework with a code and a version, and
the profiles ("basic universalisation", "digital cadre") are editable data, not constants.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

# The legal basis of basic universalisation (residents, civil servants, workers): what certificates
# and badges cite. Circular 02/2025/TT-BGDĐT is for learners in the education system; its competency
# codes are kept as the cross-walk.
BASIC_SKILLS_DECISION = "757/QĐ-BKHCN"
BASIC_SKILLS_FRAMEWORK = (
    "Khung kiến thức, kỹ năng số cơ bản (Quyết định 757/QĐ-BKHCN ngày 29/4/2025 của Bộ Khoa học và Công nghệ)"
)


class Tier(models.TextChoices):
    BASIC = "basic", _("Basic")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    SPECIALISED = "specialised", _("Specialised")


class Level(models.IntegerChoices):
    """Eight proficiency levels in four tiers of two (Circular 02/2025).

    In Vietnamese a level is a "bậc" and a tier a "trình độ", as in the framework: "mức" would be
    read as the VNeID account levels ("định danh điện tử mức 2") the courses also teach. The
    context keeps these labels apart from any other "Level".
    """

    L1 = 1, pgettext_lazy("competency level", "Level 1")
    L2 = 2, pgettext_lazy("competency level", "Level 2")
    L3 = 3, pgettext_lazy("competency level", "Level 3")
    L4 = 4, pgettext_lazy("competency level", "Level 4")
    L5 = 5, pgettext_lazy("competency level", "Level 5")
    L6 = 6, pgettext_lazy("competency level", "Level 6")
    L7 = 7, pgettext_lazy("competency level", "Level 7")
    L8 = 8, pgettext_lazy("competency level", "Level 8")

    @classmethod
    def tier_of(cls, level: int) -> Tier:
        return [Tier.BASIC, Tier.INTERMEDIATE, Tier.ADVANCED, Tier.SPECIALISED][(int(level) - 1) // 2]


def level_validators():
    return [MinValueValidator(1), MaxValueValidator(8)]


class _Bilingual(models.Model):
    """Reference data named in Vietnamese, with the English name beside it."""

    name = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class CompetencyFramework(_Bilingual):
    code = models.CharField(_("code"), max_length=40, unique=True)
    version = models.CharField(_("version"), max_length=20)
    source_document = models.CharField(
        _("source document"), max_length=255, help_text=_("The legal document that defines it.")
    )
    is_current = models.BooleanField(_("current"), default=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("version"),
        FieldPanel("source_document"),
        FieldPanel("is_current"),
    ]

    class Meta:
        verbose_name = _("competency framework")
        verbose_name_plural = _("competency frameworks")
        ordering = ["-is_current", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class CompetencyArea(_Bilingual, ClusterableModel):
    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.PROTECT, related_name="areas", verbose_name=_("framework")
    )
    number = models.PositiveSmallIntegerField(_("number"))

    panels = [
        FieldPanel("framework"),
        FieldPanel("number"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        InlinePanel("competencies", label=_("Competencies"), heading=_("Competencies")),
    ]

    class Meta:
        verbose_name = _("competency area")
        verbose_name_plural = _("competency areas")
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="competencyarea_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.display_name}"


class Competency(_Bilingual, Orderable):
    area = ParentalKey(CompetencyArea, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField(_("code"), max_length=10, help_text=_("For example 2.6"))

    panels = [FieldPanel("code"), FieldPanel("name"), FieldPanel("name_en")]

    class Meta(Orderable.Meta):
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="competency_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"


class CompetencyProfile(_Bilingual, ClusterableModel):
    """A target, such as "basic universalisation": the level required for each competency."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("description"),
        MultiFieldPanel([InlinePanel("requirements", label=_("Requirement"))], heading=_("Required levels")),
    ]

    class Meta:
        verbose_name = _("competency profile")
        verbose_name_plural = _("competency profiles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name


class ProfileRequirement(Orderable):
    profile = ParentalKey(CompetencyProfile, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="+", verbose_name=_("competency")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, validators=level_validators())

    panels = [FieldPanel("competency"), FieldPanel("level")]

    class Meta(Orderable.Meta):
        verbose_name = _("required level")
        verbose_name_plural = _("required levels")
        constraints = [
            models.UniqueConstraint(fields=["profile", "competency"], name="profilerequirement_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=8), name="profilerequirement_level_1_8"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} ≥ {self.level}"
