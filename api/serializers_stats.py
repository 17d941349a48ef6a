"""Output of /api/v1/stats/…: the statistics pages' numbers, for the province's own dashboards.

The views build plain dicts from stats.selectors; these serializers describe (and check) their shape
for the OpenAPI schema. Shares are percentages with one decimal, null where there is nobody to count.
"""

from rest_framework import serializers


class FreshnessSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the oldest number shown was computed."
    )
    changed_since = serializers.BooleanField(help_text="Facts changed after that: a refresh is due.")
    missing = serializers.BooleanField(help_text="Some communes in scope were never computed.")


class _Stats(serializers.Serializer):
    freshness = FreshnessSerializer()
    rows_are = serializers.ChoiceField(choices=["communes", "groups"])
    start = serializers.CharField(help_text="First month, YYYY-MM")
    end = serializers.CharField(help_text="Last month, YYYY-MM")


class NamedSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ShareSerializer(serializers.Serializer):
    people = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class AreaShareSerializer(ShareSerializer):
    area = serializers.IntegerField()


class AttainmentRowSerializer(NamedSerializer):
    people = serializers.IntegerField(help_text="Registered residents (groups: active members).")
    areas = AreaShareSerializer(many=True)


class AreaSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class CompetencyTiersSerializer(NamedSerializer):
    basic = serializers.IntegerField()
    intermediate = serializers.IntegerField()
    advanced = serializers.IntegerField()
    specialised = serializers.IntegerField()


class AttainmentSerializer(_Stats):
    tier = serializers.CharField()
    areas = AreaSerializer(many=True)
    rows = AttainmentRowSerializer(many=True)
    competencies = CompetencyTiersSerializer(many=True)


class ProfileShareSerializer(ShareSerializer):
    profile = serializers.CharField()


class ProfileRowSerializer(NamedSerializer):
    people = serializers.IntegerField()
    profiles = ProfileShareSerializer(many=True)


class ProfileTotalSerializer(serializers.Serializer):
    people = serializers.IntegerField()
    profiles = ProfileShareSerializer(many=True)


class TrendSerializer(serializers.Serializer):
    profile = serializers.CharField()
    values = serializers.ListField(child=serializers.IntegerField())


class ProfilesSerializer(_Stats):
    profiles = NamedSerializer(many=True)
    rows = ProfileRowSerializer(many=True)
    total = ProfileTotalSerializer()
    months = serializers.ListField(child=serializers.CharField())
    trend = TrendSerializer(many=True, help_text="People complete at the end of each month (cumulative).")


class StepsSerializer(serializers.Serializer):
    enrolled = serializers.IntegerField()
    started = serializers.IntegerField()
    completed = serializers.IntegerField()
    certified = serializers.IntegerField()


class FunnelRowSerializer(StepsSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FunnelMonthSerializer(StepsSerializer):
    month = serializers.CharField()


class FunnelSerializer(_Stats):
    courses = FunnelRowSerializer(many=True)
    places = FunnelRowSerializer(many=True)
    months = FunnelMonthSerializer(many=True, help_text="Per month of enrolment (a cohort).")
    total = StepsSerializer()


class ActivityNumbersSerializer(serializers.Serializer):
    groups = serializers.IntegerField()
    inactive_groups = serializers.IntegerField()
    sessions = serializers.IntegerField()
    marked = serializers.IntegerField()
    attended = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True)


class ActivityRowSerializer(NamedSerializer, ActivityNumbersSerializer):
    pass


class ActivityMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    sessions = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True)


class InactiveGroupSerializer(NamedSerializer):
    commune = serializers.CharField()
    members = serializers.IntegerField()
    last_session_at = serializers.DateTimeField(allow_null=True)


class ActivitySerializer(_Stats):
    rows = ActivityRowSerializer(many=True)
    total = ActivityNumbersSerializer()
    months = ActivityMonthSerializer(many=True)
    inactive_groups = InactiveGroupSerializer(many=True, help_text="The first 200; see inactive_count.")
    inactive_count = serializers.IntegerField()
