"""Export filters: parsed and validated by django-filter, applied by the table.

Every endpoint (JSON, CSV and the bundle) validates its query parameters here,
so a bad value answers 400 with a message for that parameter, never 500. The
`site` filter offers only the sites the user may export: it can narrow the
scope, never widen it.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import NotFound, ValidationError

from registry import selectors
from registry.api.tables import ExportFilters, ExportTable
from registry.models import Site

BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
SITE_CODE_PATTERN = "^[A-Z0-9][A-Z0-9-]*$"  # as Site.code's validator


def _export_sites(request: HttpRequest | None) -> QuerySet[Site]:
    if request is None:
        return Site.objects.none()
    return selectors.export_sites_for(request.user)


class ExportSiteField(django_filters.fields.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": "'%(value)s' is not the code of a site you may export.",
    }

    def clean(self, value: Any) -> Any:
        # "site=" (empty) means no site filter, as leaving the parameter out does.
        if isinstance(value, list | tuple):
            value = [item for item in value if item != ""]
        return super().clean(value)


SITE_HELP = (
    "Site code to export; repeat for several. Only sites you may export; without it, all of them."
)


@extend_schema_field(
    {"type": "string", "pattern": SITE_CODE_PATTERN, "maxLength": 12, "description": SITE_HELP}
)
class ExportSiteFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ExportSiteField


class StrictDateTimeField(forms.DateTimeField):
    """An ISO 8601 date-time; naive values are read in the server's time zone."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        try:
            parsed = parse_datetime(str(value).strip())
            if parsed is None:
                raise ValueError
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            return parsed.astimezone(datetime.UTC)
        except (ValueError, OverflowError) as error:
            raise forms.ValidationError(
                "Enter an ISO 8601 date-time, e.g. 2025-01-31T09:00:00Z.", code="invalid"
            ) from error


class StrictDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = StrictDateTimeField


class ExportFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("procedure_from"), cleaned.get("procedure_to")
        if start and end and end < start:
            self.add_error("procedure_to", "procedure_to is before procedure_from.")
        return cleaned


class SiteFilterSet(django_filters.FilterSet):
    """The filter every export endpoint takes: which of your sites."""

    site = ExportSiteFilter(
        queryset=_export_sites,
        to_field_name="code",
        help_text=SITE_HELP,
    )

    table: ExportTable | None = None

    class Meta:
        form = ExportFilterForm
        fields: list[str] = []

    def export_filters(self) -> ExportFilters:
        """Return the validated filters (call after is_valid())."""
        data = self.form.cleaned_data
        return ExportFilters(
            site_ids=tuple(sorted(site.pk for site in data.get("site") or ())),
            procedure_from=data.get("procedure_from"),
            procedure_to=data.get("procedure_to"),
            updated_since=data.get("updated_since"),
            include_withdrawn=data.get("include_withdrawn") == "true",
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        assert self.table is not None, "Use filterset_for(table)."
        return self.table.apply_filters(queryset, self.export_filters())


class ExportFilterSet(SiteFilterSet):
    """The filters of the clinical tables and the bundle."""

    procedure_from = django_filters.DateFilter(
        help_text="Only the cohort with a procedure on or after this date (YYYY-MM-DD): "
        "procedure-level rows in the range, patient-level rows of those patients."
    )
    procedure_to = django_filters.DateFilter(
        help_text="Only the cohort with a procedure on or before this date (YYYY-MM-DD)."
    )
    updated_since = StrictDateTimeFilter(
        help_text="Only rows changed at or after this ISO 8601 date-time (incremental "
        "export). Combine with include_withdrawn=true to see withdrawals."
    )
    include_withdrawn = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        empty_label=None,
        help_text="true to include withdrawn records (flagged in the withdrawn column). "
        "Default false.",
    )


def filterset_for(table: ExportTable) -> type[SiteFilterSet]:
    """Return the filter set class of a table."""
    base = SiteFilterSet if table.name == "sites" else ExportFilterSet
    return type(f"{table.model.__name__}ExportFilterSet", (base,), {"table": table})


def validated_filters(filterset: SiteFilterSet) -> ExportFilters:
    """Return a filter set's filters, or raise DRF's 400 (or 404 for a site out of scope).

    A well-formed site code the user may not export is "not found", like any
    record outside their scope; every other invalid value is a 400 with one
    message per parameter.
    """
    if filterset.is_valid():
        return filterset.export_filters()
    errors = filterset.errors
    site_errors = errors.as_data().get("site", [])
    if set(errors) == {"site"} and all(e.code == "invalid_choice" for e in site_errors):
        raise NotFound({"site": errors["site"]})
    raise ValidationError(errors)


def parse_filters(request: HttpRequest) -> ExportFilters:
    """Validate the bundle's query parameters."""
    filterset = ExportFilterSet(request.GET, queryset=Site.objects.none(), request=request)
    return validated_filters(filterset)


class ExportFilterBackend(DjangoFilterBackend):
    """django-filter's DRF backend, answering out-of-scope sites with 404."""

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        validated_filters(filterset)
        return filterset.qs
