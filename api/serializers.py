"""Response and request shapes of the API (also what the OpenAPI schema says)."""

from __future__ import annotations

from rest_framework import serializers

from departments.models import Department, ServiceParameter
from improvements.models import ActionItem
from kpis.models import KpiValue
from scorecards.models import FEEDBACK_FIELDS
from surveys.models import Cycle

NOT_ENOUGH_RESPONSES = "not_enough_responses"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ImportErrorItemSerializer(serializers.Serializer):
    file = serializers.CharField(allow_null=True)
    line = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class ImportErrorsSerializer(serializers.Serializer):
    errors = ImportErrorItemSerializer(many=True)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "description", "front_line"]


class ParameterSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceParameter
        fields = ["code", "name", "description", "target", "weight", "position"]


class DepartmentDetailSerializer(DepartmentSerializer):
    charter = serializers.SerializerMethodField()
    providers = serializers.SerializerMethodField()
    consumers = serializers.SerializerMethodField()

    class Meta(DepartmentSerializer.Meta):
        fields = [*DepartmentSerializer.Meta.fields, "charter", "providers", "consumers"]

    def get_charter(self, department) -> list[dict]:
        rows = department.parameters.filter(active=True).order_by("position", "code")
        return ParameterSerializer(rows, many=True).data

    def get_providers(self, department) -> list[str]:
        return list(department.providers.filter(active=True).order_by("code").values_list("code", flat=True))

    def get_consumers(self, department) -> list[str]:
        return list(department.consumers.filter(active=True).order_by("code").values_list("code", flat=True))


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = ["id", "name", "status", "opens_at", "closes_at", "published_at", "score_threshold", "imported"]


class ParticipationCountsSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    completed = serializers.IntegerField()
    declined = serializers.IntegerField()
    rate = serializers.IntegerField(help_text="Percent of invitations answered (completed or declined).")


class ParticipationTotalsSerializer(ParticipationCountsSerializer):
    employees = serializers.IntegerField(allow_null=True, help_text="Null for an imported cycle.")


class ParticipationRowSerializer(ParticipationCountsSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ParticipationSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    totals = ParticipationTotalsSerializer()
    by_department = ParticipationRowSerializer(many=True)


def _figure():
    return serializers.FloatField(allow_null=True)


class ScoreSerializer(serializers.Serializer):
    """One row of the published scores: a parameter, or the department's overall index
    (parameter "__overall__"). A suppressed row has `not_enough_responses` and no figure, not even n."""

    provider_department = serializers.CharField()
    provider_department_name = serializers.CharField()
    parameter = serializers.CharField()
    suppressed = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True, help_text=f"'{NOT_ENOUGH_RESPONSES}' when suppressed.")
    n = serializers.IntegerField(allow_null=True)
    mean = _figure()
    stdev = _figure()
    top_box_pct = _figure()
    target = _figure()
    gap = _figure()
    ci_low = _figure()
    ci_high = _figure()
    feedback_n = serializers.IntegerField(allow_null=True)


for _column in FEEDBACK_FIELDS.values():
    ScoreSerializer._declared_fields[_column] = serializers.IntegerField(allow_null=True)


class HeatmapCellSerializer(serializers.Serializer):
    provider_department = serializers.CharField()
    provider_department_name = serializers.CharField()
    rater_department = serializers.CharField()
    rater_department_name = serializers.CharField()
    suppressed = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True, help_text=f"'{NOT_ENOUGH_RESPONSES}' when suppressed.")
    n = serializers.IntegerField(allow_null=True)
    mean = _figure()


class ActionItemSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parameters = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = ActionItem
        fields = ["department", "title", "change", "parameters", "status", "due_on", "percent_complete"]
        fields += ["completed_on", "created_at"]


class KpiValueSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="kpi.department.code")
    kpi = serializers.CharField(source="kpi.code")
    unit = serializers.CharField(source="kpi.unit")

    class Meta:
        model = KpiValue
        fields = ["department", "kpi", "unit", "period_start", "period_end", "value"]


class KpiRowSerializer(serializers.Serializer):
    department_code = serializers.CharField(max_length=50)
    kpi_code = serializers.CharField(max_length=50)
    period_start = serializers.CharField(max_length=20, help_text="YYYY-MM-DD")
    period_end = serializers.CharField(max_length=20, help_text="YYYY-MM-DD")
    value = serializers.CharField(max_length=30)


class KpiUploadSerializer(serializers.Serializer):
    rows = KpiRowSerializer(many=True, allow_empty=False, max_length=10000)
    dry_run = serializers.BooleanField(default=False)


class KpiUploadResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    replaced = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class OrgImportSerializer(serializers.Serializer):
    departments = serializers.FileField(required=False)
    employees = serializers.FileField(required=False)
    dependencies = serializers.FileField(required=False)
    parameters = serializers.FileField(required=False, help_text="Charters (parameters).")
    deactivate_missing = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False)


class KindSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deactivated = serializers.IntegerField()
    removed = serializers.IntegerField()


class OrgImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    departments = KindSummarySerializer()
    employees = KindSummarySerializer()
    dependencies = KindSummarySerializer()
    parameters = KindSummarySerializer()
