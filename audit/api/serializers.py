"""What the benchmarking export holds: explicit, read-only serializer fields.

As in registry.api.serializers, these serializers are the one description of
every column: the JSON endpoints render them, the CSV files (endpoints and
bundle) take their columns and cells from them, and the data dictionary is
generated from them.

Nothing here describes a patient: metrics are aggregates (k of N, per site and
pooled, as the dashboard shows them) and published figures come from the
literature.
"""

from __future__ import annotations

import math
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.definitions import MEASURES, SUBGROUP_CHOICES, Arm, Kind, PublishedMeasure, Unit
from audit.definitions import ValueUnit as FigureValueUnit
from audit.metrics import VALUE_UNITS
from audit.models import BenchmarkFigure, Publication
from audit.stats import Verdict
from registry.api.serializers import ExportSerializer

RATIO_MEASURE = ("procedures_per_patient", "Procedures per patient (calculated from the series)")
PER_PATIENT = "per patient"
VERDICT_CHOICES = [(verdict.value, verdict.value) for verdict in Verdict]
METRIC_VALUE_UNITS = [(unit, unit) for unit in dict.fromkeys(VALUE_UNITS.values())]
KIND_HELP = (
    "What sort of number the measure is: proportion (k of N, Wilson 95% CI), survival "
    "(Kaplan-Meier at the time point), median (months), cumulative_incidence (Aalen-Johansen "
    "at the time point) or mean (k over N)."
)


class FiniteFloatField(serializers.FloatField):
    """A float, or null when it is not a finite number (JSON has no NaN or infinity)."""

    def to_representation(self, value: Any) -> Any:
        number = float(value)
        return number if math.isfinite(number) else None


@extend_schema_field({"type": "string", "description": KIND_HELP})
class MeasureKindField(serializers.ChoiceField):
    """The kind of a measure: a code in the dictionary, a plain string in the schema.

    Documented as a string so that its enum does not take the name of the follow-up
    `kind` enum of the registry tables.
    """


def _id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, label="ID", help_text=help_text)


# --- Published series ---------------------------------------------------------------


class PublicationExportSerializer(ExportSerializer):
    """A published series (or guidance document) that reports benchmark figures."""

    id = _id("The publication's number in the registry.")

    class Meta:
        model = Publication
        fields = [
            "id",
            "short_name",
            "citation",
            "year",
            "cohort",
            "n_patients",
            "n_tumours",
            "n_procedures",
            "approach",
            "source_location",
            "provenance",
            "notes",
        ]
        extra_kwargs = {
            "year": {"help_text": "Year of publication."},
            "cohort": {"help_text": "The series' patients, as the publication describes them."},
            "n_patients": {"help_text": "Patients in the series, where published."},
            "n_tumours": {"help_text": "Tumours in the series, where published."},
            "n_procedures": {"help_text": "Procedures (sessions) in the series, where published."},
            "approach": {"help_text": "Approach and image guidance of the series."},
            "source_location": {"help_text": "Where in the publication the description is."},
            "provenance": {"help_text": "How the registry's transcription was checked."},
            "notes": {"help_text": "Registry notes on the series (not patient data)."},
        }


class BenchmarkExportSerializer(ExportSerializer):
    """One published figure, as the dashboard compares local results with it."""

    id = _id("The figure's number in the registry.")
    publication = serializers.CharField(
        source="publication.short_name",
        read_only=True,
        help_text="Short name of the publication (see benchmark_publications).",
    )
    text = serializers.CharField(
        source="display",
        read_only=True,
        help_text="The figure as published and as the dashboard shows it, "
        "e.g. '279/295 (94.6%)' or '29 months (range 3\N{EN DASH}62)'.",
    )

    class Meta:
        model = BenchmarkFigure
        fields = [
            "id",
            "publication",
            "measure",
            "unit",
            "subgroup",
            "arm",
            "cohort",
            "time_point",
            "horizon_months",
            "numerator",
            "denominator",
            "value",
            "value_unit",
            "value_decimals",
            "range_low",
            "range_high",
            "ci_low",
            "ci_high",
            "text",
            "source_location",
            "note",
        ]
        extra_kwargs = {
            "measure": {"help_text": "What the figure measures."},
            "unit": {"help_text": "Unit of analysis of the figure (patient, tumour, procedure)."},
            "subgroup": {"help_text": "The subgroup the figure describes ('all': everyone)."},
            "numerator": {"help_text": "Published numerator (k), where given."},
            "denominator": {"help_text": "Published denominator (N), where given."},
            "value": {"help_text": "Published value in value_unit, where given."},
            "value_unit": {"help_text": "Unit of value, range and CI."},
            "value_decimals": {"help_text": "Decimals the publication printed the value with."},
            "range_low": {"help_text": "Low end of a published range (value_unit)."},
            "range_high": {"help_text": "High end of a published range (value_unit)."},
            "note": {"help_text": "Registry note on the figure (not patient data)."},
        }


# --- Metrics ------------------------------------------------------------------------


class MetricRowSerializer(serializers.Serializer):
    """One measure for one subgroup (and time point), pooled or for one site: metrics.csv."""

    site = serializers.CharField(
        allow_null=True,
        help_text="Code of the site; empty (null) for the result pooled over every site "
        "of the export.",
    )
    procedure_from = serializers.DateField(
        allow_null=True,
        help_text="First day of the period (procedure dates, inclusive); empty when open.",
    )
    procedure_to = serializers.DateField(
        allow_null=True,
        help_text="Last day of the period (procedure dates, inclusive); empty when open.",
    )
    as_of = serializers.DateField(
        label="Data date",
        help_text="Outcomes are followed up to this day (the day of the export).",
    )
    measure = serializers.ChoiceField(
        source="code",
        choices=[(m.code, m.name) for m in MEASURES],
        help_text="The measure, as defined on the dashboard's Definitions page.",
    )
    measure_name = serializers.CharField(source="label", help_text="The measure's name.")
    unit = serializers.ChoiceField(
        choices=Unit.choices, help_text="Unit of analysis: what N counts."
    )
    kind = MeasureKindField(
        choices=[(kind.value, kind.value) for kind in Kind], help_text=KIND_HELP
    )
    definition = serializers.CharField(
        help_text="Numerator, denominator, time point and exclusions in words."
    )
    subgroup = serializers.ChoiceField(
        choices=SUBGROUP_CHOICES, help_text="The subgroup ('all': the whole cohort)."
    )
    subgroup_name = serializers.CharField(source="subgroup_label", help_text="The subgroup's name.")
    time_point_months = serializers.IntegerField(
        allow_null=True,
        label="Time point (months)",
        help_text="For survival and cumulative incidence; empty for other measures.",
    )
    k = serializers.IntegerField(
        allow_null=True,
        help_text="Numerator; for survival and cumulative incidence, events by the time point.",
    )
    n = serializers.IntegerField(
        help_text="Denominator; for survival and cumulative incidence, units at the start."
    )
    value = FiniteFloatField(
        allow_null=True,
        help_text="The local result in value_unit; empty when it cannot be estimated.",
    )
    value_unit = serializers.ChoiceField(
        choices=METRIC_VALUE_UNITS,
        help_text="'%' for proportions, survival and incidence, 'months' for medians, "
        "'per patient' for means.",
    )
    ci_low = FiniteFloatField(
        allow_null=True,
        label="95% CI low",
        help_text="In value_unit: Wilson (proportion), Greenwood log-log (survival), "
        "Brookmeyer-Crowley (median), delta method (incidence); empty when not estimable.",
    )
    ci_high = FiniteFloatField(
        allow_null=True, label="95% CI high", help_text="In value_unit; see ci_low."
    )
    higher_is_better = serializers.BooleanField(
        allow_null=True, help_text="Which direction is better; empty when neither."
    )
    verdict = serializers.ChoiceField(
        choices=VERDICT_CHOICES,
        allow_null=True,
        help_text="Local result against the like-for-like published figure (exact binomial "
        "test, or log-rank for survival, at 5%); empty when there is no test.",
    )
    verdict_basis = serializers.CharField(
        help_text="Which published figure and which test the verdict rests on, in words."
    )
    benchmark_figures = serializers.CharField(
        help_text="Every published figure shown beside the result, 'publication: as "
        "published', separated by '; ' (detail in metric_benchmarks).",
    )


class ComparisonSerializer(serializers.Serializer):
    """A published figure beside a local result, with the test against it if comparable."""

    publication = serializers.CharField(help_text="Short name of the publication.")
    citation = serializers.CharField(help_text="Full reference of the publication.")
    measure = serializers.ChoiceField(
        choices=[*PublishedMeasure.choices, RATIO_MEASURE],
        help_text="What the published figure measures.",
    )
    text = serializers.CharField(help_text="The figure as published.")
    value = FiniteFloatField(allow_null=True, help_text="Published value in value_unit.")
    value_unit = serializers.ChoiceField(
        choices=[*FigureValueUnit.choices, (PER_PATIENT, PER_PATIENT)],
        help_text="Unit of the published value.",
    )
    k = serializers.IntegerField(allow_null=True, help_text="Published numerator.")
    n = serializers.IntegerField(allow_null=True, help_text="Published denominator.")
    unit = serializers.ChoiceField(
        choices=Unit.choices, help_text="Unit of analysis of the published figure."
    )
    subgroup = serializers.ChoiceField(
        choices=SUBGROUP_CHOICES, help_text="Subgroup of the published figure."
    )
    arm = serializers.ChoiceField(choices=Arm.choices, help_text="Treatment arm of the figure.")
    cohort = serializers.CharField(help_text="The published group, as published.")
    time_point = serializers.CharField(help_text="The published time point, as published.")
    source_location = serializers.CharField(help_text="Where in the publication the figure is.")
    note = serializers.CharField(help_text="Registry note on the figure.")
    comparable = serializers.BooleanField(
        help_text="True when the figure is like-for-like and the local result was tested "
        "against it; false when it is shown for context only."
    )
    p_value = FiniteFloatField(
        allow_null=True,
        help_text="Two-sided exact binomial test of the local k/N against the published "
        "rate; empty when not tested.",
    )
    verdict = serializers.ChoiceField(
        choices=VERDICT_CHOICES,
        allow_null=True,
        help_text="The local result against this figure; empty when not tested.",
    )


class MetricKeySerializer(serializers.Serializer):
    """The columns that name a metric row (joins metric_benchmarks to metrics)."""

    site = serializers.CharField(
        allow_null=True, help_text="Code of the site of the metric; empty for pooled results."
    )
    metric_measure = serializers.ChoiceField(
        choices=[(m.code, m.name) for m in MEASURES], help_text="The metric's measure."
    )
    metric_subgroup = serializers.ChoiceField(
        choices=SUBGROUP_CHOICES, help_text="The metric's subgroup."
    )
    metric_time_point_months = serializers.IntegerField(
        allow_null=True, label="Metric time point (months)", help_text="The metric's time point."
    )


class MetricBenchmarkRowSerializer(MetricKeySerializer, ComparisonSerializer):
    """One published figure beside one metric row: metric_benchmarks.csv.

    The metric's key columns come first, then the figure's (base classes in order).
    """


class MetricSerializer(MetricRowSerializer):
    """A metric row in JSON: the CSV columns and the published figures beside it."""

    benchmarks = ComparisonSerializer(
        many=True, help_text="The published figures shown beside the result."
    )


class MetricsResponseSerializer(serializers.Serializer):
    """The metrics of the sites and period asked for."""

    sites = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the sites pooled in the results."
    )
    procedure_from = serializers.DateField(allow_null=True, help_text="Start of the period.")
    procedure_to = serializers.DateField(allow_null=True, help_text="End of the period.")
    as_of = serializers.DateField(help_text="The data date (today).")
    by_site = serializers.BooleanField(help_text="True when per-site rows follow the pooled ones.")
    subgroups = serializers.BooleanField(help_text="True when subgroup rows are included.")
    results = MetricSerializer(many=True)
