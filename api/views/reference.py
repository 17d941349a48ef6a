from django_filters import rest_framework as filters
from rest_framework import mixins, viewsets

from api.serializers import CommuneSerializer, FrameworkSerializer, ProfileSerializer, VillageSerializer
from courses.models import CompetencyArea, CompetencyFramework, CompetencyProfile, ProfileRequirement
from members.models import Commune, Village


class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    """The 56 commune-level units of Cao Bằng (public reference data)."""

    queryset = Commune.objects.order_by("code")
    serializer_class = CommuneSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    pagination_class = None


class VillageFilter(filters.FilterSet):
    commune = filters.CharFilter(field_name="commune__code", help_text="Commune code, e.g. 01477")

    class Meta:
        model = Village
        fields = ["commune", "has_mobile_signal"]


class VillageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Village.objects.select_related("commune").order_by("commune__code", "name", "id")
    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    ordering = ("id",)


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """The digital competency framework: basic universalisation under Decision 757/QĐ-BKHCN, with the
    areas and competency codes of Circular 02/2025 as cross-walk, and eight levels ("bậc")."""

    serializer_class = FrameworkSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    pagination_class = None

    def get_queryset(self):
        from django.db.models import Prefetch

        areas = CompetencyArea.objects.order_by("number").prefetch_related("competencies")
        return CompetencyFramework.objects.prefetch_related(Prefetch("areas", queryset=areas)).order_by(
            "code"
        )


class ProfileViewSet(viewsets.ReadOnlyModelViewSet):
    """Target profiles (basic universalisation, community digital-technology group member, digital
    cadre): the level ("bậc") required per competency."""

    serializer_class = ProfileSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    pagination_class = None

    def get_queryset(self):
        from django.db.models import Prefetch

        requirements = ProfileRequirement.objects.select_related("competency").order_by("sort_order")
        return CompetencyProfile.objects.prefetch_related(
            Prefetch("requirements", queryset=requirements)
        ).order_by("code")
