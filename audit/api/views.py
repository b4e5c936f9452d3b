"""Benchmarking endpoints of the export API: published benchmarks and metrics.

Thin views on registry.api's machinery: the same permission (CanExport), token
and session authentication, throttle, JSON errors, cursor pagination, streamed
CSV and export log as every other table.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api import exports
from audit.api.filters import MetricsFilterSet, parse_metrics_filters
from audit.api.serializers import (
    BenchmarkExportSerializer,
    MetricRowSerializer,
    MetricsResponseSerializer,
    PublicationExportSerializer,
)
from registry.api.export_log import export_log_record
from registry.api.filters import ExportFilterBackend
from registry.api.renderers import CSVRenderer
from registry.api.views import (
    ERRORS,
    FORMAT_PARAMETER,
    ExportCursorPagination,
    ExportViewMixin,
    streamed_csv,
)
from registry.models import Site


class IdCursorPagination(ExportCursorPagination):
    """The export's cursor pagination, over the registry's numbers of the rows."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return ("id",)


def _csv_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(OpenApiTypes.STR, description=description)


def _reference_schema(serializer: type, plural: str) -> Any:
    """Document the list and detail operations of a published-benchmarks table."""
    return extend_schema_view(
        list=extend_schema(
            tags=["benchmarks"],
            parameters=[FORMAT_PARAMETER],
            responses={
                (200, "application/json"): serializer(many=True),
                (200, "text/csv"): _csv_response(f"CSV of every {plural}."),
                **ERRORS,
            },
        ),
        retrieve=extend_schema(
            tags=["benchmarks"],
            parameters=[FORMAT_PARAMETER],
            responses={
                (200, "application/json"): serializer,
                (200, "text/csv"): _csv_response(f"CSV of one {plural}."),
                **ERRORS,
            },
        ),
    )


class ReferenceViewSet(ExportViewMixin, viewsets.GenericViewSet):
    """A table that is the same for everyone who may export (the published series)."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = IdCursorPagination
    filter_backends: list[type] = []
    # Any path segment reaches the view, which answers a JSON 404 for a bad one.
    lookup_value_regex = "[^/]+"
    serializer_class: type[serializers.Serializer]
    file_stem: str
    not_found: str

    def list(self, request: Request) -> Any:
        queryset = self.get_queryset()
        if request.accepted_renderer.format == "csv":
            return self._csv(queryset, self.file_stem)
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(page, many=True).data
        export_log_record(request=request, format="json", row_count=len(data))
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Any:
        # ASCII digits only, within a bigint (as the registry tables).
        one = self.get_queryset().none()
        if re.fullmatch(r"[0-9]{1,18}", pk):
            one = self.get_queryset().filter(pk=int(pk))
        if request.accepted_renderer.format == "csv":
            if not one.exists():
                raise Http404(self.not_found)
            return self._csv(one, f"{self.file_stem}-record")
        row = one.first()
        if row is None:
            raise Http404(self.not_found)
        export_log_record(request=request, format="json", row_count=1)
        return Response(self.get_serializer(row).data)

    def _csv(self, queryset: QuerySet[Any], stem: str) -> Any:
        header, rows = exports.serialized_rows(self.serializer_class, queryset.iterator())
        return streamed_csv(self.request, stem, header, rows)


@_reference_schema(BenchmarkExportSerializer, "published figure")
class BenchmarkViewSet(ReferenceViewSet):
    """Every published figure the dashboard compares local results with."""

    serializer_class = BenchmarkExportSerializer
    file_stem = "benchmarks"
    not_found = "No such published figure."

    def get_queryset(self) -> QuerySet[Any]:
        return exports.figures()


@_reference_schema(PublicationExportSerializer, "publication")
class PublicationViewSet(ReferenceViewSet):
    """The published series (and guidance documents) the figures come from."""

    serializer_class = PublicationExportSerializer
    file_stem = "benchmark-publications"
    not_found = "No such publication."

    def get_queryset(self) -> QuerySet[Any]:
        return exports.publications()


class MetricsView(ExportViewMixin, GenericAPIView):
    """The dashboard's measures: k, N, value, 95% CI, published figures and verdict."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    # For the schema: the parameters are documented from the filter set.
    filter_backends = [ExportFilterBackend]
    filterset_class = MetricsFilterSet
    queryset = Site.objects.none()

    @extend_schema(
        tags=["metrics"],
        filters=True,
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): MetricsResponseSerializer,
            (200, "text/csv"): _csv_response(
                "One row per measure, subgroup and time point: pooled, then per site."
            ),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Any:
        selection = parse_metrics_filters(request)
        sites = exports.site_codes(selection.scope.site_ids)
        rows = exports.metric_rows(selection, sites)
        if request.accepted_renderer.format == "csv":
            header, cells = exports.serialized_rows(MetricRowSerializer, rows)
            return streamed_csv(request, "metrics", header, cells)
        export_log_record(request=request, format="json", row_count=len(rows))
        filters = selection.filters
        body = {
            "sites": [code for _, code in sites],
            "procedure_from": filters.procedure_from,
            "procedure_to": filters.procedure_to,
            "as_of": selection.as_of,
            "by_site": selection.by_site,
            "subgroups": selection.subgroups,
            "results": rows,
        }
        return Response(MetricsResponseSerializer(body).data)
