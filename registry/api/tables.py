"""The exported tables: which rows, which columns, and how filters apply.

Each table pairs a model with its export serializer. `rows()` turns a scoped,
filtered queryset into `values()` dicts holding exactly the serializer's
sources, which the JSON views and the Python CSV writer consume; the
PostgreSQL CSV writer (registry/api/copy_export.py) selects the same annotated,
filtered queryset with each column formatted in SQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from rest_framework import serializers

from registry.api import serializers as export_serializers
from registry.models import (
    Complication,
    FollowUp,
    Patient,
    Procedure,
    Site,
    Tumour,
    TumourAssessment,
    TumourTreatment,
)


@dataclass(frozen=True)
class ExportFilters:
    """Validated export filters (see registry/api/filters.py)."""

    site_ids: tuple[int, ...] = ()
    procedure_from: datetime.date | None = None
    procedure_to: datetime.date | None = None
    updated_since: datetime.datetime | None = None
    include_withdrawn: bool = False

    def as_log(self) -> dict[str, Any]:
        """Return the filters in a JSON-friendly form for logs and manifests."""
        return {
            "site_ids": list(self.site_ids),
            "procedure_from": self.procedure_from.isoformat() if self.procedure_from else None,
            "procedure_to": self.procedure_to.isoformat() if self.procedure_to else None,
            "updated_since": self.updated_since.isoformat() if self.updated_since else None,
            "include_withdrawn": self.include_withdrawn,
        }


@dataclass(frozen=True)
class Column:
    name: str
    source: str
    field: serializers.Field


@dataclass(frozen=True)
class ExportTable:
    """One exported table (one CSV file in the bundle, one endpoint)."""

    name: str
    model: type[Model]
    serializer_class: type[serializers.Serializer]
    site_path: str
    # Path to the patient, for the procedure-date cohort; None for sites.
    patient_path: str | None = None
    # Path to the procedure date when rows belong to one procedure.
    procedure_date_path: str | None = None
    annotations: Callable[[], dict[str, Any]] = field(default=dict)
    ordering: str = "pk"

    @property
    def url_name(self) -> str:
        return self.name.replace("_", "-")

    def columns(self) -> list[Column]:
        """Return the exported columns, in order, from the serializer."""
        fields = self.serializer_class().fields
        return [Column(name, f.source or name, f) for name, f in fields.items()]

    def header(self) -> list[str]:
        return [column.name for column in self.columns()]

    @property
    def csv_ordering(self) -> tuple[str, ...]:
        """Return the order of a whole-table CSV: the ordering, ties broken by pk.

        A CSV has no cursor to show the pk, and the tie-break makes the file
        reproducible: both writers (Python and COPY) use it and agree row for row.
        """
        return (self.ordering,) if self.ordering == "pk" else (self.ordering, "pk")

    def annotated(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Return the queryset with the computed columns (and withdrawn) as annotations."""
        annotations = self.annotations()
        if self.model is not Site:
            annotations["withdrawn"] = _withdrawn_expression(self.model)
        # Annotations may build on earlier ones; values() later selects only the sources.
        return queryset.annotate(**annotations)

    def rows(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Return the rows as dicts of exactly the serializer's sources (and the ordering key)."""
        sources = {column.source for column in self.columns()} | {self.ordering}
        return self.annotated(queryset).values(*sorted(sources)).order_by(self.ordering)

    def apply_filters(self, queryset: QuerySet[Any], filters: ExportFilters) -> QuerySet[Any]:
        """Narrow a scoped queryset by the export filters; scope is never widened here."""
        if filters.site_ids:
            queryset = queryset.filter(**{f"{self.site_path}__in": filters.site_ids})
        if self.model is Site:
            return queryset
        if not filters.include_withdrawn:
            queryset = queryset.current()  # type: ignore[attr-defined]
        if filters.updated_since is not None:
            queryset = queryset.filter(updated_at__gte=filters.updated_since)
        if filters.procedure_from or filters.procedure_to:
            queryset = self._in_procedure_range(queryset, filters)
        return queryset

    def _in_procedure_range(self, queryset: QuerySet[Any], filters: ExportFilters) -> QuerySet[Any]:
        """Keep the cohort of patients with a current procedure in the date range.

        Rows that belong to one procedure (procedures, treatments, complications)
        must themselves fall in the range; patient-level rows (patients, tumours,
        follow-ups, assessments) follow their patient.
        """
        if self.procedure_date_path is not None:
            return queryset.filter(**_date_range(self.procedure_date_path, filters))
        procedures = Procedure.objects.current().filter(**_date_range("performed_on", filters))
        return queryset.filter(**{f"{self.patient_path}__in": procedures.values("patient_id")})


def _date_range(path: str, filters: ExportFilters) -> dict[str, datetime.date]:
    bounds = {}
    if filters.procedure_from:
        bounds[f"{path}__gte"] = filters.procedure_from
    if filters.procedure_to:
        bounds[f"{path}__lte"] = filters.procedure_to
    return bounds


def _withdrawn_expression(model: type[Model]) -> Case:
    current = Q(withdrawn_at__isnull=True)
    for path in getattr(model, "withdrawal_parents", ()):
        current &= Q(**{f"{path}__withdrawn_at__isnull": True})
    return Case(When(current, then=Value(False)), default=Value(True), output_field=BooleanField())


def _age_in_years(on: Combinable, born: Combinable) -> Combinable:
    """Return whole years between two date expressions (as Patient.age_on does)."""
    birthday_not_reached = Case(
        When(
            Q(on_month__lt=F("born_month")) | Q(on_month=F("born_month"), on_day__lt=F("born_day")),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return ExtractYear(on) - ExtractYear(born) - birthday_not_reached


def _patient_annotations() -> dict[str, Any]:
    first_procedure = Subquery(
        Procedure.objects.current()
        .filter(patient=OuterRef("pk"))
        .order_by("performed_on")
        .values("performed_on")[:1]
    )
    return {
        # Helpers for the age; values() leaves them (and the date of birth) out of the rows.
        "first_procedure_on": first_procedure,
        "on_month": ExtractMonth("first_procedure_on"),
        "on_day": ExtractDay("first_procedure_on"),
        "born_month": ExtractMonth("date_of_birth"),
        "born_day": ExtractDay("date_of_birth"),
        "age_at_first_procedure": _age_in_years(F("first_procedure_on"), F("date_of_birth")),
        "signed_off": Case(
            When(locked_at__isnull=False, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    }


TABLES: Sequence[ExportTable] = (
    ExportTable(
        name="sites",
        model=Site,
        serializer_class=export_serializers.SiteExportSerializer,
        site_path="pk",
        ordering="code",
    ),
    ExportTable(
        name="patients",
        model=Patient,
        serializer_class=export_serializers.PatientExportSerializer,
        site_path="site_id",
        patient_path="pk",
        annotations=_patient_annotations,
        # Not the registry ID (it must not leave) nor the pk: a cursor would show it.
        ordering="created_at",
    ),
    ExportTable(
        name="tumours",
        model=Tumour,
        serializer_class=export_serializers.TumourExportSerializer,
        site_path="patient__site_id",
        patient_path="patient_id",
    ),
    ExportTable(
        name="procedures",
        model=Procedure,
        serializer_class=export_serializers.ProcedureExportSerializer,
        site_path="patient__site_id",
        patient_path="patient_id",
        procedure_date_path="performed_on",
    ),
    ExportTable(
        name="tumour_treatments",
        model=TumourTreatment,
        serializer_class=export_serializers.TumourTreatmentExportSerializer,
        site_path="procedure__patient__site_id",
        patient_path="procedure__patient_id",
        procedure_date_path="procedure__performed_on",
    ),
    ExportTable(
        name="follow_ups",
        model=FollowUp,
        serializer_class=export_serializers.FollowUpExportSerializer,
        site_path="patient__site_id",
        patient_path="patient_id",
    ),
    ExportTable(
        name="tumour_assessments",
        model=TumourAssessment,
        serializer_class=export_serializers.TumourAssessmentExportSerializer,
        site_path="follow_up__patient__site_id",
        patient_path="follow_up__patient_id",
    ),
    ExportTable(
        name="complications",
        model=Complication,
        serializer_class=export_serializers.ComplicationExportSerializer,
        site_path="procedure__patient__site_id",
        patient_path="procedure__patient_id",
        procedure_date_path="procedure__performed_on",
    ),
)

TABLES_BY_NAME = {table.name: table for table in TABLES}
