"""The statistics pages in the Wagtail admin, for trainers (the province) and commune officers (their
communes): competency attainment, the course funnel and group activity, each as charts with their
tables, filters, and exports of every table as CSV or XLSX."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses.models import CompetencyProfile
from members import permissions
from members.models import AuditEvent
from members.services.audit import audit_record
from stats import charts, exports, selectors, services, tables, tasks
from stats.forms import StatsFilterForm


def _require_statistics(user) -> None:
    if not permissions.can_view_statistics(user):
        raise PermissionDenied


def _filters(request) -> tuple[StatsFilterForm, selectors.StatsQuery]:
    form = StatsFilterForm(request.GET or None, user=request.user)
    return form, form.query()


class StatsView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "table"
    tab = ""
    filter_fields: tuple[str, ...] = ()
    tabs = (
        ("attainment", "stats:attainment", gettext_lazy("Competencies")),
        ("funnel", "stats:funnel", gettext_lazy("Courses")),
        ("activity", "stats:activity", gettext_lazy("Group activity")),
    )

    def dispatch(self, request, *args, **kwargs):
        _require_statistics(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Statistics")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Statistics")}]

    def get_context_data(self, **kwargs):
        form, query = _filters(self.request)
        freshness = services.refresh_if_stale(query=query)
        context = super().get_context_data(**kwargs)
        context.update(
            form=form,
            query=query,
            tab=self.tab,
            tabs=[(slug, reverse(url), label) for slug, url, label in self.tabs],
            freshness=freshness,
            query_string=self.request.GET.urlencode(),
            filter_fields=self.filter_fields,
        )
        context.update(self.numbers(query))
        return context

    def numbers(self, query: selectors.StatsQuery) -> dict:
        raise NotImplementedError


class AttainmentView(StatsView):
    template_name = "stats/attainment.html"
    tab = "attainment"
    filter_fields = ("commune", "group", "area", "tier", "start", "end")

    def numbers(self, query):
        data = selectors.attainment(query)
        profile_data = selectors.profiles(query)
        tier_label = dict(data.tiers)[data.tier]
        place = _("groups") if query.by_group else _("communes")
        heat = (
            charts.heatmap(
                title=_("Share of residents who reached the %(tier)s tier, by competency area")
                % {"tier": tier_label},
                description=_(
                    "One row per %(place)s, one column per competency area; the table below has the numbers."
                )
                % {"place": place},
                columns=[str(area.number) for area in data.areas],
                rows=[(row.place.name, [share for _n, share in row.cells]) for row in data.rows],
            )
            if data.rows
            else charts.empty()
        )
        trend = charts.lines(
            title=_("People who completed each profile, by month"),
            description=_("Cumulative number of people who meet every level of the profile."),
            months=profile_data.months,
            series=[
                charts.Series(profile.display_name, values)
                for profile, values in zip(profile_data.profiles, profile_data.trend, strict=True)
            ],
        )
        return {
            "attainment": data,
            "tier_label": tier_label,
            "tier_levels": selectors.tier_levels(data.tier),
            "heatmap": heat,
            "attainment_table": tables.attainment_table(query, data),
            "competencies_table": tables.competencies_table(data),
            "profiles": profile_data,
            "profiles_chart": trend,
            "profile_kpis": [
                (profile, done, share)
                for profile, (done, share) in zip(profile_data.profiles, profile_data.totals, strict=True)
            ],
            "profiles_table": tables.profiles_table(query, profile_data),
            "basic_profile": CompetencyProfile.objects.filter(code=selectors.BASIC_PROFILE).first(),
        }


class FunnelView(StatsView):
    template_name = "stats/funnel.html"
    tab = "funnel"
    filter_fields = ("commune", "group", "course", "area", "start", "end")

    def numbers(self, query):
        data = selectors.funnel(query)
        steps = [_("Enrolled"), _("Started"), _("Completed"), _("Certified")]
        return {
            "funnel": data,
            "courses_chart": charts.bars(
                title=_("Course funnel: enrolled, started, completed, certified"),
                description=_("For the enrolments of the months chosen; the table below has the numbers."),
                categories=[f"{row.code} {row.label}" for row in data.courses],
                series=steps,
                values=[row.steps for row in data.courses],
            )
            if data.courses
            else charts.empty(),
            "months_chart": charts.lines(
                title=_("Enrolments by month, and how far they went"),
                description=_(
                    "Each month's enrolments: how many started, completed, and hold a certificate."
                ),
                months=data.months,
                series=[
                    charts.Series(label, values) for label, values in zip(steps, data.trend, strict=True)
                ],
            ),
            "courses_table": tables.courses_table(data),
            "places_table": tables.course_places_table(query, data),
            "months_table": tables.course_months_table(data),
        }


class ActivityView(StatsView):
    template_name = "stats/activity.html"
    tab = "activity"
    filter_fields = ("commune", "group", "start", "end")

    def numbers(self, query):
        data = selectors.activity(query)
        return {
            "activity": data,
            "sessions_chart": charts.lines(
                title=_("Sessions held, by month"),
                description=_("Number of group sessions each month; the table below has the numbers."),
                months=data.months,
                series=[charts.Series(_("Sessions"), data.sessions_trend)],
            ),
            "rate_chart": charts.lines(
                title=_("Attendance rate, by month"),
                description=_("Share of the people marked who were present or late."),
                months=data.months,
                series=[charts.Series(_("Attendance (%)"), data.rate_trend)],
                unit="%",
            ),
            "activity_table": tables.activity_table(query, data),
            "months_table": tables.activity_months_table(data),
            "inactive_table": tables.inactive_groups_table(data),
        }


def _table(slug: str, query: selectors.StatsQuery) -> tables.Table:
    if slug in ("attainment", "competencies"):
        data = selectors.attainment(query)
        return (
            tables.attainment_table(query, data) if slug == "attainment" else tables.competencies_table(data)
        )
    if slug == "profiles":
        return tables.profiles_table(query, selectors.profiles(query))
    if slug in ("courses", "course-places", "course-months"):
        data = selectors.funnel(query)
        if slug == "courses":
            return tables.courses_table(data)
        return (
            tables.course_places_table(query, data)
            if slug == "course-places"
            else tables.course_months_table(data)
        )
    if slug in ("activity", "activity-months", "inactive-groups"):
        data = selectors.activity(query, inactive_limit=None)
        if slug == "activity":
            return tables.activity_table(query, data)
        return (
            tables.activity_months_table(data)
            if slug == "activity-months"
            else tables.inactive_groups_table(data)
        )
    raise Http404


def export(request, slug: str, file_format: str):
    _require_statistics(request.user)
    _form, query = _filters(request)
    services.refresh_if_stale(query=query)
    if slug.startswith("profile-"):
        profile = get_object_or_404(CompetencyProfile, code=slug.removeprefix("profile-"))
        holders = selectors.profile_holders(query, profile)
        table = tables.holders_table(profile, holders)
        # Names and phone numbers leave the system: say who took them, not whom.
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.STATS_EXPORT_PEOPLE,
            target=profile,
            changes={"rows": len(holders), "commune": query.commune.code if query.commune else None},
        )
    else:
        table = _table(slug, query)
    return exports.response(table, file_format)


@require_POST
def refresh(request):
    _require_statistics(request.user)
    commune_ids = permissions.statistics_commune_ids(request.user)
    wanted = None if commune_ids is None else sorted(commune_ids)
    if settings.STATS_REFRESH == "task":
        tasks.refresh_communes.enqueue(wanted)
        messages.success(request, _("The numbers are being recomputed: reload the page in a minute."))
    else:
        report = services.refresh_all() if wanted is None else services.refresh_communes(wanted)
        messages.success(
            request,
            _("The numbers of %(count)d communes were recomputed in %(seconds).1f s.")
            % {"count": report.communes, "seconds": report.seconds},
        )
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/admin/thong-ke/") else "stats:attainment")
