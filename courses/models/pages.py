"""The content tree: HomePage → CourseIndexPage (catalogue) → CoursePage → LessonPage.

Pages carry content only. What a learner did lives in ``members`` (enrolments, progress, quiz
attempts); the templates get it from ``members`` template tags, so this module never imports it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from courses import visibility
from courses.blocks import CourseSourcesBlock, LessonBodyBlock
from courses.models.competencies import Competency, CompetencyArea, Level, level_validators
from courses.quiz import questions_of
from courses.serving import RestrictionAwareMixin


class Audience(models.TextChoices):
    RESIDENT = "resident", _("Residents")
    LEADER = "leader", _("Group leaders")
    CADRE = "cadre", _("Digital cadres")


class HomePage(RestrictionAwareMixin, Page):
    """The site's root page: a welcome, and each person's next step (from ``members`` tags)."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = CourseIndexPage.objects.child_of(self).live().first()
        return context

    def route(self, request, path_components):
        """Find a catalogue, course or lesson below this page in one query (Wagtail's default
        spends one per URL segment); anything else is routed the usual way. A page is served only
        when it and every ancestor are live; its view restrictions are then read from the request's
        viewer (``RestrictionAwareMixin``), with the lists the page shows."""
        model = {1: CourseIndexPage, 2: CoursePage, 3: LessonPage}.get(len(path_components))
        result = None
        if model is not None:
            url_path = f"{self.url_path}{'/'.join(path_components)}/"
            pages = model.objects.filter(url_path=url_path, depth=self.depth + len(path_components))
            if model is CoursePage:
                pages = pages.select_related("cover")  # shown at the top of the page
            page = pages.annotate(hidden_above=visibility.under_unpublished_page()).first()
            if page is not None:
                if not page.live or page.hidden_above:
                    raise Http404
                result = RouteResult(page)
        result = result or super().route(request, path_components)
        result.page.routed_viewer = visibility.Viewer.of(request)
        return result


def counted_lessons(viewer: visibility.Viewer) -> QuerySet:
    """The lessons that count for ``viewer``: the ones they may see (live, under no unpublished page,
    no restriction refusing them). A course's progress (done / total, wherever it shows) and its
    completion count these same lessons, so that the bar is full exactly when the course completes."""
    return visibility.visible(LessonPage.objects.all(), viewer)


def counted_lesson_count(viewer: visibility.Viewer, course_field: str = ""):
    """A subquery counting a course page's ``counted_lessons`` (its direct children); from another
    model, name the course with ``course_field`` (e.g. ``"course"`` on an enrolment)."""
    prefix = f"{course_field}__" if course_field else ""
    lessons = counted_lessons(viewer).filter(
        path__startswith=OuterRef(f"{prefix}path"), depth=OuterRef(f"{prefix}depth") + 1
    )
    lessons = lessons.order_by().values("depth").annotate(n=Count("pk")).values("n")
    return Subquery(lessons, output_field=models.IntegerField())


class CourseIndexPage(RestrictionAwareMixin, Page):
    """The catalogue: every course, filterable by audience and competency area."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    shared_query_parameters = ("audience", "area")  # the filters
    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def courses(self, viewer: visibility.Viewer, *, audience: str = "", area: str = ""):
        """The courses ``viewer`` may see, each with the number of its lessons they may see."""
        courses = (
            visibility.visible(CoursePage.objects.child_of(self), viewer)
            .select_related("cover")
            .annotate(lesson_count=counted_lesson_count(viewer))
            .order_by("path")
        )
        if audience in Audience.values:
            courses = courses.filter(audience=audience)
        if area.isdigit():
            courses = courses.filter(target_competencies__competency__area__number=int(area)).distinct()
        return courses

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        audience = request.GET.get("audience", "")
        area = request.GET.get("area", "")
        context.update(
            courses=list(self.courses(visibility.Viewer.of(request), audience=audience, area=area)),
            audiences=Audience.choices,
            areas=list(CompetencyArea.objects.filter(framework__is_current=True).order_by("number")),
            selected_audience=audience if audience in Audience.values else "",
            selected_area=area,
        )
        return context


class CoursePage(RestrictionAwareMixin, Page):
    code = models.CharField(_("course code"), max_length=20, help_text=_("For example BDHVS-02."))
    summary = models.CharField(
        _("summary"), max_length=300, help_text=_("One or two sentences for the catalogue.")
    )
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "ol", "ul", "link"])
    cover = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=25)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.RESIDENT
    )
    # Decides nothing since issue 17: a lesson is passed when every question is answered right
    # (courses.quiz says why). Kept for the attempts scored before, the API's course fields and
    # the course files' headers; to be dropped with them.
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of quiz answers a learner must get right in each lesson."),
    )
    sources = StreamField(
        CourseSourcesBlock(),
        verbose_name=_("sources"),
        blank=True,
        help_text=_("The laws and official pages the course's facts rest on, listed under the lessons."),
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("code"), FieldPanel("audience")]),
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("cover"),
        FieldPanel("estimated_minutes"),
        MultiFieldPanel(
            [InlinePanel("target_competencies", label=_("Competency"))],
            heading=_("Competencies this course builds"),
        ),
        FieldPanel("sources"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.FilterField("code")]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    @property
    def catalogue_url(self) -> str:
        """The address of the catalogue this course is listed in (its parent): this page's own, one
        segment up, so that the "Courses" link costs no query."""
        return self.url.rstrip("/").rsplit("/", 1)[0] + "/"

    def clean(self):
        super().clean()
        duplicates = CoursePage.objects.filter(code=self.code, locale_id=self.locale_id).exclude(
            translation_key=self.translation_key
        )
        if self.code and duplicates.exists():
            raise ValidationError({"code": _("Another course already uses this code.")})

    def lessons(self):
        """Every live lesson, whoever asks (for a learner, ``lessons_for``)."""
        return LessonPage.objects.child_of(self).live().order_by("path")

    def lessons_for(self, viewer: visibility.Viewer):
        """The lessons that count for ``viewer`` (``counted_lessons``), in their order."""
        return counted_lessons(viewer).child_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lessons"] = list(self.lessons_for(visibility.Viewer.of(request)))
        context["competencies"] = list(
            self.target_competencies.select_related("competency__area").order_by("sort_order")
        )
        return context


class CourseCompetency(Orderable):
    """A competency the course builds, and the level a learner reaches by completing it."""

    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="target_competencies")
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="course_targets", verbose_name=_("competency")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, validators=level_validators())

    panels = [FieldPanel("competency"), FieldPanel("level")]

    class Meta(Orderable.Meta):
        verbose_name = _("target competency")
        verbose_name_plural = _("target competencies")
        constraints = [
            models.UniqueConstraint(fields=["page", "competency"], name="coursecompetency_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=8), name="coursecompetency_level_1_8"
            ),
        ]

    @property
    def tier(self):
        return Level.tier_of(self.level)


class LessonPage(RestrictionAwareMixin, Page):
    """One bite-size unit (3–7 minutes): text, pictures, video, audio, steps, tips and questions."""

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Bite-size: aim for 3 to 7 minutes."),
    )
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("minutes"), FieldPanel("summary")]),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @property
    def questions(self):
        return questions_of(self.body)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course = CoursePage.objects.parent_of(self).first()
        siblings = list(course.lessons_for(visibility.Viewer.of(request))) if course else []
        position = next((i for i, lesson in enumerate(siblings) if lesson.pk == self.pk), 0)
        context.update(
            course=course,
            siblings=siblings,
            position=position + 1,
            previous_lesson=siblings[position - 1] if position > 0 else None,
            next_lesson=siblings[position + 1] if position + 1 < len(siblings) else None,
            questions=self.questions,
        )
        return context
