"""Reads for the public documents: the revocation status list and the achievements badges name."""

from django.db.models import Q
from wagtail.models import Locale

from certificates.models import Certificate
from courses.models import Competency, CompetencyProfile, CoursePage

# The W3C Bitstring Status List asks for at least 16 KB (131,072 entries), so that one
# certificate's bit hides among many; the list grows by that much at a time.
STATUS_LIST_BLOCK = 16 * 1024 * 8


def status_list_bits() -> tuple[int, list[int]]:
    """(length in bits, the indexes whose bit is set): every certificate not valid any more."""
    revoked = list(
        Certificate.objects.exclude(status=Certificate.Status.VALID)
        .exclude(status_index__isnull=True)
        .values_list("status_index", flat=True)
    )
    highest = Certificate.objects.exclude(status_index__isnull=True).order_by("-status_index")
    highest = highest.values_list("status_index", flat=True).first() or 0
    length = (highest // STATUS_LIST_BLOCK + 1) * STATUS_LIST_BLOCK
    return length, revoked


def achievement(kind: str, code: str):
    """The course, competency profile or competency with this code. A course is the live one in the
    default language, or one taken off the site since certificates were issued for it (badges keep
    pointing at it); a draft never published is nobody's achievement yet."""
    if kind == "course":
        return (
            CoursePage.objects.filter(code=code, locale=Locale.get_default())
            .filter(Q(live=True) | Q(certificates__isnull=False))
            .distinct()
            .order_by("-live", "pk")
            .prefetch_related("target_competencies__competency")
            .first()
        )
    if kind == "profile":
        return (
            CompetencyProfile.objects.filter(code=code).prefetch_related("requirements__competency").first()
        )
    if kind == "competency":
        # Codes repeat across framework versions: the current framework's competency wins.
        return (
            Competency.objects.filter(code=code)
            .select_related("area__framework")
            .order_by("-area__framework__is_current", "-area__framework__pk")
            .first()
        )
    return None
