"""The REST API (v1): token-only, scoped, throttled per token, paginated lists.

Published scores and heatmaps come from the rows the CSV/XLSX exports use
(scorecards.exports), so the API cannot show more than the exports and pages: a suppressed row
keeps only the "not_enough_responses" marker, and no count below the cycle's threshold appears.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from departments.models import Department, ServiceParameter
from departments.org_import import CsvFile, ImportFailed, org_import
from improvements.models import ActionItem
from kpis.models import KpiValue
from kpis.services import kpi_values_import
from scorecards import exports
from scorecards.reports import published_cycles
from surveys.models import Cycle
from surveys.reports import participation

from . import serializers as s
from .errors import structured
from .models import ApiToken

ERROR = s.ErrorSerializer
COMMON = {
    401: OpenApiResponse(ERROR, description="No token, or an invalid, expired or revoked one."),
    403: OpenApiResponse(ERROR, description="The token lacks this endpoint's scope."),
    429: OpenApiResponse(ERROR, description="Too many requests for this token: see Retry-After."),
}
NOT_FOUND = {404: OpenApiResponse(ERROR, description="No such object, or not published.")}
LIST_ERRORS = {**COMMON, **NOT_FOUND}  # 404: a page past the end
IMPORT_ERRORS = {400: OpenApiResponse(s.ImportErrorsSerializer, description="Nothing was written."), **COMMON}


class ReadScores:
    required_scope = ApiToken.Scope.READ_SCORES


@extend_schema(tags=["organisation"], responses={200: s.DepartmentSerializer(many=True), **LIST_ERRORS})
class DepartmentList(ReadScores, generics.ListAPIView):
    """Active departments, by code."""

    serializer_class = s.DepartmentSerializer
    queryset = Department.objects.filter(active=True).order_by("code")


@extend_schema(tags=["organisation"], responses={200: s.DepartmentDetailSerializer, **COMMON, **NOT_FOUND})
class DepartmentDetail(ReadScores, generics.RetrieveAPIView):
    """A department with its charter (active parameters and their targets), providers and consumers."""

    serializer_class = s.DepartmentDetailSerializer
    queryset = Department.objects.filter(active=True).prefetch_related(
        Prefetch("parameters", queryset=ServiceParameter.objects.filter(active=True))
    )
    lookup_field = "code"


@extend_schema(tags=["cycles"], responses={200: s.CycleSerializer(many=True), **LIST_ERRORS})
class CycleList(ReadScores, generics.ListAPIView):
    """Survey cycles, newest first (as on HR's cycle pages)."""

    serializer_class = s.CycleSerializer
    queryset = Cycle.objects.order_by("-opens_at", "-pk")


@extend_schema(tags=["cycles"], responses={200: s.ParticipationSerializer, **COMMON, **NOT_FOUND})
class CycleParticipation(ReadScores, APIView):
    """Participation: totals and per department rated, as HR's cycle page shows them (invitations
    only; nobody is named). Not per rating department: a department that rates one provider only
    would give back the count of a heatmap cell hidden for being small."""

    def get(self, request, pk: int):
        cycle = _cycle_or_404(pk)
        # The serializer is the whitelist: totals and per department rated, nothing per rater.
        data = {"cycle": cycle.pk, **participation(cycle)}
        return Response(s.ParticipationSerializer(data).data)


MAX_ID = 2**31 - 1  # what every database's integer key holds; larger ids are simply not found


def _is_id(pk: int) -> bool:
    return 0 < pk <= MAX_ID


def _cycle_or_404(pk: int) -> Cycle:
    if not _is_id(pk):
        raise Http404
    return get_object_or_404(Cycle, pk=pk)


def _published(pk: int) -> Cycle:
    cycle = published_cycles().filter(pk=pk).first() if _is_id(pk) else None
    if cycle is None:
        raise Http404(_("No published cycle has this id."))
    return cycle


def _api_row(record: dict, threshold: int) -> dict:
    """An export record as the API gives it: a suppressed row carries no figure, not even n, and no
    count below the cycle's threshold is ever shown; figures rounded as the export writes them."""
    suppressed = record["suppressed"]
    row = {"suppressed": suppressed, "marker": s.NOT_ENOUGH_RESPONSES if suppressed else None}
    for column, value in record.items():
        if column == "suppressed" or column in exports.TEXT_COLUMNS:
            row.setdefault(column, value)
        elif column in exports.WHOLE_NUMBERS:
            row[column] = None if suppressed or value is None or value < threshold else value
        else:
            row[column] = None if suppressed or value is None else round(float(value), 4)
    return row


class _ExportRows(ReadScores, generics.GenericAPIView):
    """A paginated list of the rows of a published cycle's export."""

    def rows(self, cycle: Cycle) -> list[dict]:
        raise NotImplementedError

    def get(self, request, pk: int):
        cycle = _published(pk)
        page = self.paginate_queryset(self.rows(cycle))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["scores"], responses={200: s.ScoreSerializer(many=True), **LIST_ERRORS})
class CycleScores(_ExportRows):
    """A published cycle's scores: each department's parameters and overall index ("__overall__")."""

    serializer_class = s.ScoreSerializer

    def rows(self, cycle: Cycle) -> list[dict]:
        return [_api_row(record, cycle.score_threshold) for record in exports.score_records(cycle)]


@extend_schema(tags=["scores"], responses={200: s.HeatmapCellSerializer(many=True), **LIST_ERRORS})
class CycleHeatmap(_ExportRows):
    """A published cycle's heatmap: how each rating department rated each provider. Small cells,
    and the cells hidden so that a small one cannot be worked out, carry no figure."""

    serializer_class = s.HeatmapCellSerializer

    def rows(self, cycle: Cycle) -> list[dict]:
        return [_api_row(record, cycle.score_threshold) for record in exports.heatmap_records(cycle)]


DEPARTMENT_FILTER = OpenApiParameter("department", str, description="Only this department's (its code).")


@extend_schema(
    tags=["improvements"],
    parameters=[DEPARTMENT_FILTER],
    responses={200: s.ActionItemSerializer(many=True), **LIST_ERRORS},
)
class ActionItemList(ReadScores, generics.ListAPIView):
    """Action items of active departments, newest first."""

    serializer_class = s.ActionItemSerializer

    def get_queryset(self):
        items = ActionItem.objects.filter(department__active=True).select_related("department")
        if code := self.request.query_params.get("department"):
            items = items.filter(department__code=code)
        # No id, and not in the order they were stored: an item raised by an audit is dated by its
        # month, and its place among the others' ids would date it to the moment of the submit.
        return items.prefetch_related("parameters").order_by("-created_at", "department__code", "title", "pk")


def _acting_user(request):
    """Whom the change history names for a token's write: the HR person who created the token (the
    service account has no user of its own), or nobody."""
    creator = request.auth.created_by
    user = creator.user if creator is not None else AnonymousUser()
    request._request.user = user  # what django-simple-history's middleware records
    return user if creator is not None else None


def _errors_response(errors: list[str], file_names: list[str]) -> Response:
    return Response({"errors": structured(errors, file_names)}, status=status.HTTP_400_BAD_REQUEST)


def _invalid_request(serializer) -> Response:
    """A request that does not have the documented shape, as import errors of no file."""
    errors = []

    def walk(value, where: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{where}.{key}" if where else str(key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{where}[{index}]" if not isinstance(inner, str) else where)
        else:
            errors.append({"file": None, "line": None, "reason": f"{where}: {value}"})

    walk(serializer.errors, "")
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class KpiValues(generics.ListCreateAPIView):
    """KPI values: read with the read-scores scope, upload with the write-KPIs scope."""

    serializer_class = s.KpiValueSerializer

    @property
    def required_scope(self) -> str:
        return ApiToken.Scope.WRITE_KPIS if self.request.method == "POST" else ApiToken.Scope.READ_SCORES

    def get_queryset(self):
        values = KpiValue.objects.filter(kpi__department__active=True).select_related("kpi__department")
        if code := self.request.query_params.get("department"):
            values = values.filter(kpi__department__code=code)
        return values.order_by("kpi__department__code", "kpi__code", "-period_start", "pk")

    @extend_schema(
        tags=["kpis"], parameters=[DEPARTMENT_FILTER], responses={200: s.KpiValueSerializer(many=True), **LIST_ERRORS}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["kpis"],
        request=s.KpiUploadSerializer,
        responses={200: s.KpiUploadResultSerializer, **IMPORT_ERRORS},
        description="Upload KPI values, all or nothing: the same validation as the KPI CSV upload. Errors "
        "name the row (file 'rows', line = its number from 1).",
    )
    def post(self, request, *args, **kwargs):
        upload = s.KpiUploadSerializer(data=request.data)
        if not upload.is_valid():
            return _invalid_request(upload)
        try:
            summary = kpi_values_import(
                rows=upload.validated_data["rows"],
                allowed_departments=None,
                uploaded_by=_acting_user(request),
                dry_run=upload.validated_data["dry_run"],
            )
        except ImportFailed as failure:
            return _errors_response(failure.errors, ["rows"])
        return Response(s.KpiUploadResultSerializer(summary).data)


class OrgImport(APIView):
    """Import the organisation from the CSV files of HR's import page, all or nothing."""

    required_scope = ApiToken.Scope.WRITE_ORGANISATION

    @extend_schema(
        tags=["organisation"],
        request={"multipart/form-data": s.OrgImportSerializer},
        responses={200: s.OrgImportResultSerializer, **IMPORT_ERRORS},
        description="Any of the files departments, employees, dependencies, parameters (the columns of HR's "
        "import page). With dry_run, the summary is computed and nothing is written.",
    )
    def post(self, request):
        form = s.OrgImportSerializer(data=request.data)
        if not form.is_valid():
            return _invalid_request(form)
        limit = settings.ORG_IMPORT_MAX_UPLOAD_MB * 1024 * 1024
        files: dict[str, CsvFile] = {}
        errors: list[str] = []
        for kind in ("departments", "employees", "dependencies", "parameters"):
            upload = form.validated_data.get(kind)
            if upload is None:
                continue
            if upload.size > limit:
                errors.append(
                    _("%(file)s: is larger than %(mb)s MB")
                    % {"file": upload.name, "mb": settings.ORG_IMPORT_MAX_UPLOAD_MB}
                )
            else:
                files[kind] = CsvFile(upload.name, upload.read())
        names = [f.name for f in files.values()]
        if errors:
            return _errors_response(errors, names)
        _acting_user(request)
        try:
            summary = org_import(
                **files,
                deactivate_missing=form.validated_data["deactivate_missing"],
                dry_run=form.validated_data["dry_run"],
            )
        except ImportFailed as failure:
            return _errors_response(failure.errors, names)
        data = {"dry_run": summary.dry_run} | {kind: vars(kind_summary) for kind, kind_summary in summary.items()}
        return Response(s.OrgImportResultSerializer(data).data)
