"""/api/v1/stats/…: the numbers of the statistics pages (stats.selectors), for trainers (the
province) and commune officers (their communes). Filters are the pages' own: commune and group by
code, course by code, area by number, tier, and the months ``start``/``end`` as YYYY-MM."""

from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsStaffMember
from api.serializers_stats import (
    ActivitySerializer,
    AttainmentSerializer,
    FunnelSerializer,
    ProfilesSerializer,
)
from courses.models import Tier
from stats import selectors, services
from stats.forms import StatsFilterForm

FILTERS = [
    OpenApiParameter("commune", str, description="Commune code, e.g. 01477 (officers: one of theirs)"),
    OpenApiParameter("group", str, description="Group code, e.g. 01477-003"),
    OpenApiParameter("start", str, description="First month, YYYY-MM (default: 11 months before end)"),
    OpenApiParameter("end", str, description="Last month, YYYY-MM (default: this month)"),
]
COURSE = OpenApiParameter("course", str, description="Course code, e.g. BDHVS-02")
AREA = OpenApiParameter("area", int, description="Competency area number, 0–6")
TIER = OpenApiParameter("tier", str, enum=Tier.values, description="Default: basic")


def _month(month) -> str:
    return f"{month:%Y-%m}"


class StatsView(APIView):
    permission_classes = [IsStaffMember]

    def query(self, request) -> selectors.StatsQuery:
        """The caller's filters; the numbers they cover are brought up to date before anything is read."""
        form = StatsFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
        query = form.query()
        self.freshness = services.refresh_if_stale(query=query)
        return query

    def frame(self, query: selectors.StatsQuery) -> dict:
        return {
            "freshness": asdict(self.freshness),
            "rows_are": "groups" if query.by_group else "communes",
            "start": _month(query.start),
            "end": _month(query.end),
        }


class AttainmentView(StatsView):
    """Residents who reached a tier, by competency area, per commune (or per group of one commune)."""

    @extend_schema(parameters=[*FILTERS, AREA, TIER], responses=AttainmentSerializer)
    def get(self, request):
        query = self.query(request)
        data = selectors.attainment(query)
        body = {
            **self.frame(query),
            "tier": data.tier,
            "areas": [{"number": a.number, "name": a.display_name} for a in data.areas],
            "rows": [
                {
                    "code": row.place.code,
                    "name": row.place.name,
                    "people": row.people,
                    "areas": [
                        {"area": area.number, "people": people, "share": share}
                        for area, (people, share) in zip(data.areas, row.cells, strict=True)
                    ],
                }
                for row in data.rows
            ],
            "competencies": [
                {"code": c.code, "name": c.display_name, **dict(zip(Tier.values, counts, strict=True))}
                for c, counts in data.competencies
            ],
        }
        return Response(AttainmentSerializer(body).data)


class ProfilesView(StatsView):
    """People who meet every level of each profile (basic universalisation, digital cadre); their share."""

    @extend_schema(parameters=FILTERS, responses=ProfilesSerializer)
    def get(self, request):
        query = self.query(request)
        data = selectors.profiles(query)
        codes = [p.code for p in data.profiles]

        def shares(pairs):
            return [
                {"profile": code, "people": people, "share": share}
                for code, (people, share) in zip(codes, pairs, strict=True)
            ]

        body = {
            **self.frame(query),
            "profiles": [{"code": p.code, "name": p.display_name} for p in data.profiles],
            "rows": [
                {
                    "code": r.place.code,
                    "name": r.place.name,
                    "people": r.people,
                    "profiles": shares(r.complete),
                }
                for r in data.rows
            ],
            "total": {"people": data.total_people, "profiles": shares(data.totals)},
            "months": [_month(m) for m in data.months],
            "trend": [
                {"profile": code, "values": values} for code, values in zip(codes, data.trend, strict=True)
            ],
        }
        return Response(ProfilesSerializer(body).data)


def _steps(values) -> dict:
    return dict(zip(selectors.STEPS, values, strict=True))


class FunnelView(StatsView):
    """Enrolled → started → completed → certified, per course, per place and per month of enrolment."""

    @extend_schema(parameters=[*FILTERS, COURSE, AREA], responses=FunnelSerializer)
    def get(self, request):
        query = self.query(request)
        data = selectors.funnel(query)
        body = {
            **self.frame(query),
            "courses": [{"code": r.code, "name": r.label, **_steps(r.steps)} for r in data.courses],
            "places": [{"code": r.code, "name": r.label, **_steps(r.steps)} for r in data.places],
            "months": [
                {"month": _month(month), **_steps(step[index] for step in data.trend)}
                for index, month in enumerate(data.months)
            ],
            "total": _steps(data.total),
        }
        return Response(FunnelSerializer(body).data)


def _numbers(row: selectors.ActivityRow) -> dict:
    return {
        "groups": row.groups,
        "inactive_groups": row.inactive,
        "sessions": row.sessions,
        "marked": row.marked,
        "attended": row.attended,
        "attendance_rate": row.rate,
    }


class ActivityView(StatsView):
    """Sessions held and attendance per place and month; groups with no session in the last 30 days."""

    @extend_schema(parameters=FILTERS, responses=ActivitySerializer)
    def get(self, request):
        query = self.query(request)
        data = selectors.activity(query)
        body = {
            **self.frame(query),
            "rows": [{"code": r.place.code, "name": r.place.name, **_numbers(r)} for r in data.rows],
            "total": _numbers(data.total),
            "months": [
                {"month": _month(m), "sessions": s, "attendance_rate": r}
                for m, s, r in zip(data.months, data.sessions_trend, data.rate_trend, strict=True)
            ],
            "inactive_groups": [
                {
                    "code": item.group.code,
                    "name": item.group.name,
                    "commune": item.group.commune.code,
                    "members": item.members,
                    "last_session_at": item.last_session_at,
                }
                for item in data.inactive
            ],
            "inactive_count": data.inactive_count,
        }
        return Response(ActivitySerializer(body).data)
