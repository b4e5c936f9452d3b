"""Export endpoints: thin views over the tables, filters, CSV writer and bundle."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import selectors
from registry.api import bundle, dictionary
from registry.api.csv_export import CountingRows, TableCsv, csv_chunks
from registry.api.export_log import export_log_record, logged_stream
from registry.api.filters import ExportFilterBackend, filterset_for, parse_filters
from registry.api.permissions import CanExport
from registry.api.pseudonyms import PSEUDONYM_PATTERN, pseudonym
from registry.api.renderers import CSVRenderer, ZipRenderer
from registry.api.serializers import DictionaryEntrySerializer, ErrorSerializer
from registry.api.tables import TABLES_BY_NAME, ExportTable
from registry.api.throttles import EXPORT_SCOPE, ExportRateThrottle
from registry.models import ExportLog

_ERROR_MEANINGS = {
    400: "A parameter is invalid: one list of messages per parameter.",
    401: "Not signed in, or the token is not valid.",
    403: "Your role may not export.",
    404: "No such record, or a site outside your export scope.",
    429: "Too many export requests; retry later.",
}
# Errors are always JSON, whatever format the request asked for.
ERRORS = {
    (code, "application/json"): OpenApiResponse(ErrorSerializer, description=meaning)
    for code, meaning in _ERROR_MEANINGS.items()
}
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description="csv streams the whole filtered table as CSV (no pagination).",
)


def attachment_name(stem: str, extension: str) -> str:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"cryoaudit-{stem}-{stamp}.{extension}"


def streamed_csv(
    request: Request, stem: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Stream rows as a CSV attachment; the export log gets the row count at the end."""
    counted = CountingRows(rows)
    return streamed_chunks(request, stem, csv_chunks(header, counted), counter=counted)


def streamed_chunks(
    request: Request, stem: str, chunks: Iterator[bytes], *, counter: Any
) -> StreamingHttpResponse:
    """Stream CSV bytes as an attachment; the export log gets `counter.count` rows at the end."""
    log = export_log_record(
        request=request, format="csv", row_count=None, status=ExportLog.Status.STARTED
    )
    response = StreamingHttpResponse(
        logged_stream(chunks, log=log, counter=counter),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{attachment_name(stem, "csv")}"'
    return response


class ExportCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> tuple[str, ...]:
        return (view.table.ordering,)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        # A hand-made cursor can hold a position of the wrong type for the ordering.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, DataError) as error:
            raise NotFound(self.invalid_cursor_message) from error


class ExportViewMixin(APIView):
    """Who may export, how often, and errors always in JSON."""

    permission_classes = [CanExport]
    throttle_classes = [ExportRateThrottle]
    throttle_scope = EXPORT_SCOPE

    def handle_exception(self, exc: Exception) -> Response:
        # A CSV or zip client still gets a readable JSON error, not an empty file.
        # Also when negotiation itself failed (an unknown ?format=).
        accepted = getattr(self.request, "accepted_renderer", None)
        if accepted is None or accepted.format != "json":
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


def _table_schema(table: ExportTable, *, retrieve: bool = False, **extra: Any) -> Any:
    """Document a table's list and detail operations (JSON or CSV)."""
    plural = table.name.replace("_", " ")
    json_body = table.serializer_class if retrieve else table.serializer_class(many=True)
    return extend_schema(
        tags=["tables"],
        filters=True,  # Detail views apply the filters too (e.g. include_withdrawn).
        parameters=[FORMAT_PARAMETER, *extra.pop("parameters", [])],
        responses={
            (200, "application/json"): json_body,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=f"CSV of {plural}."),
            **ERRORS,
        },
        **extra,
    )


class TableViewSet(ExportViewMixin, viewsets.GenericViewSet):
    """List (cursor-paginated JSON, or the whole table as CSV) and retrieve one row."""

    table: ExportTable
    # Any path segment reaches the view, which answers a JSON 404 for a bad one.
    lookup_value_regex = "[^/]+"
    renderer_classes = [JSONRenderer, CSVRenderer]
    filter_backends = [ExportFilterBackend]
    pagination_class = ExportCursorPagination

    def get_queryset(self) -> QuerySet[Any]:
        # Withdrawn rows are dropped by the filters unless include_withdrawn=true.
        return selectors.export_records_for(
            self.request.user, self.table.model, include_withdrawn=True
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == "csv":
            return self._csv(queryset, self.table.name)
        page = self.paginate_queryset(self.table.rows(queryset))
        data = self.get_serializer(page, many=True).data
        export_log_record(request=request, format="json", row_count=len(data))
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        one = self.narrow(queryset, str(kwargs[self.lookup_field]))
        if request.accepted_renderer.format == "csv":
            return self._csv(one, f"{self.table.name}-record")
        row = self.table.rows(one).first()
        if row is None:
            raise Http404("No such record in your export scope.")
        export_log_record(request=request, format="json", row_count=1)
        return Response(self.get_serializer(row).data)

    def narrow(self, queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
        """Return the queryset narrowed to the one row the URL names, or raise Http404."""
        # ASCII digits only ("²".isdigit() is true), and within a bigint.
        if not re.fullmatch(r"[0-9]{1,18}", value):
            raise Http404("No such record in your export scope.")
        one = queryset.filter(pk=int(value))
        if not one.exists():
            raise Http404("No such record in your export scope.")
        return one

    def _csv(self, queryset: QuerySet[Any], stem: str) -> StreamingHttpResponse:
        table_csv = TableCsv(self.table, queryset)
        return streamed_chunks(self.request, stem, table_csv, counter=table_csv)


def table_viewset(
    table_name: str, *, lookup: type | None = None, lookup_parameter: Any = None
) -> type[TableViewSet]:
    """Build the documented viewset of one exported table."""
    table = TABLES_BY_NAME[table_name]
    bases = (lookup, TableViewSet) if lookup else (TableViewSet,)

    # Fresh functions per table: extend_schema annotates the function it decorates.
    def list_rows(self: TableViewSet, request: Request, *args: Any, **kwargs: Any) -> Any:
        return TableViewSet.list(self, request, *args, **kwargs)

    def retrieve_row(self: TableViewSet, request: Request, *args: Any, **kwargs: Any) -> Any:
        return TableViewSet.retrieve(self, request, *args, **kwargs)

    parameters = [lookup_parameter] if lookup_parameter else []
    viewset: type[TableViewSet] = type(
        f"{table.model.__name__}ExportViewSet",
        bases,
        {
            "table": table,
            "serializer_class": table.serializer_class,
            "filterset_class": filterset_for(table),
            "queryset": table.model._default_manager.none(),
            "__doc__": f"The {table.name.replace('_', ' ')} of the sites you may export.",
            "list": _table_schema(table)(list_rows),
            "retrieve": _table_schema(table, retrieve=True, parameters=parameters)(retrieve_row),
        },
    )
    return viewset


class SiteLookup:
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def narrow(self, queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
        one = queryset.filter(code=value) if "\x00" not in value else queryset.none()
        if not one.exists():
            raise Http404("No such site in your export scope.")
        return one


class PseudonymLookup:
    lookup_field = "pseudonym"
    lookup_value_regex = "[^/]+"

    def narrow(self, queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
        # Pseudonyms are not stored (they depend on the key): scan the scoped IDs.
        if re.match(PSEUDONYM_PATTERN, value):
            for pk, registry_id in queryset.values_list("pk", "registry_id").iterator():
                if pseudonym(registry_id) == value:
                    return queryset.filter(pk=pk)
        raise Http404("No such patient in your export scope.")


SiteViewSet = table_viewset("sites", lookup=SiteLookup)
PatientViewSet = table_viewset(
    "patients",
    lookup=PseudonymLookup,
    lookup_parameter=OpenApiParameter(
        "pseudonym",
        str,
        OpenApiParameter.PATH,
        pattern=PSEUDONYM_PATTERN,
        description="The patient's pseudonym (64 hex digits).",
    ),
)
TumourViewSet = table_viewset("tumours")
ProcedureViewSet = table_viewset("procedures")
TumourTreatmentViewSet = table_viewset("tumour_treatments")
FollowUpViewSet = table_viewset("follow_ups")
TumourAssessmentViewSet = table_viewset("tumour_assessments")
ComplicationViewSet = table_viewset("complications")


class DataDictionaryView(ExportViewMixin):
    """Every exported column: table, name, type, unit, allowed values, definition."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        tags=["data dictionary"],
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): DictionaryEntrySerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="The dictionary as CSV."
            ),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Any:
        entries = list(dictionary.entries())
        if request.accepted_renderer.format == "csv":
            export_log_record(request=request, format="csv", row_count=len(entries))
            rows = (entry.as_csv_row() for entry in entries)
            response = StreamingHttpResponse(
                csv_chunks(dictionary.CSV_HEADER, rows), content_type="text/csv; charset=utf-8"
            )
            name = attachment_name("data-dictionary", "csv")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        export_log_record(request=request, format="json", row_count=len(entries))
        return Response([entry.as_dict() for entry in entries])


class BundleView(ExportViewMixin, GenericAPIView):
    """A zip of every table, the data dictionary, registered parts and a manifest."""

    renderer_classes = [ZipRenderer, JSONRenderer]
    filter_backends = [ExportFilterBackend]
    filterset_class = filterset_for(TABLES_BY_NAME["patients"])
    queryset = TABLES_BY_NAME["patients"].model._default_manager.none()

    @extend_schema(
        tags=["bundle"],
        filters=True,
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="One CSV per table, data_dictionary.csv, registered parts "
                "and manifest.json (filters, row counts, SHA-256 of each file).",
            ),
            **ERRORS,
        },
    )
    def get(self, request: Request) -> Any:
        filters = parse_filters(request)
        archive, manifest = bundle.build_bundle(user=request.user, filters=filters)  # type: ignore[arg-type]
        rows = sum(f["rows"] for f in manifest["files"] if f["name"] != bundle.DICTIONARY_NAME)
        export_log_record(request=request, format="zip", row_count=rows)
        return FileResponse(
            archive,
            as_attachment=True,
            filename=attachment_name("bundle", "zip"),
            content_type="application/zip",
        )
