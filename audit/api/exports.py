"""Rows of the benchmarking export: metrics, the figures beside them, published series.

The endpoints (audit.api.views) and the bundle parts registered here build their
rows with the same functions, so `/api/v1/metrics/?format=csv` and the bundle's
metrics.csv hold the same columns and cells.

Metrics come from the public entry point `audit.metrics.compute_metrics`, once
for the sites of the export pooled and, per site, once for each site: its cache
and its fixed number of queries per call keep the cost independent of cohort
size. The sites are the caller's *export* scope (registry.api.bundle.export_scope:
governance reviewers and site leads their sites, registry admins all), the same
scope as every other export table.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from audit.api.serializers import (
    BenchmarkExportSerializer,
    MetricBenchmarkRowSerializer,
    MetricRowSerializer,
    PublicationExportSerializer,
)
from audit.metrics import MetricResult, compute_metrics
from audit.models import BenchmarkFigure, Publication
from registry.api import bundle
from registry.api.csv_export import cell
from registry.api.tables import ExportFilters
from registry.models import Site

METRICS_PART = "metrics"
METRIC_BENCHMARKS_PART = "metric_benchmarks"
BENCHMARKS_PART = "benchmarks"
PUBLICATIONS_PART = "benchmark_publications"


@dataclasses.dataclass(frozen=True)
class MetricsSelection:
    """Which metrics to compute: the export scope and the options of the request."""

    scope: bundle.ExportScope
    by_site: bool = False
    subgroups: bool = True
    as_of: datetime.date = dataclasses.field(default_factory=timezone.localdate)

    @property
    def filters(self) -> ExportFilters:
        return self.scope.filters


def figures() -> QuerySet[BenchmarkFigure]:
    """Return every published figure with its publication, in a stable order."""
    return BenchmarkFigure.objects.select_related("publication").order_by("id")


def publications() -> QuerySet[Publication]:
    return Publication.objects.order_by("id")


def site_codes(site_ids: Iterable[int]) -> list[tuple[int, str]]:
    """Return (id, code) of the sites, in code order (one query)."""
    rows = Site.objects.filter(pk__in=list(site_ids)).order_by("code")
    return list(rows.values_list("pk", "code"))


_RESULT_FIELDS = dataclasses.fields(MetricResult)


def _figures_text(result: MetricResult) -> str:
    return "; ".join(f"{c.publication}: {c.text}" for c in result.benchmarks)


def _metric_row(site: str | None, result: MetricResult, selection: MetricsSelection) -> dict:
    """Return one metric as the serializers read it (the result's fields and the scope)."""
    row: dict[str, Any] = {field.name: getattr(result, field.name) for field in _RESULT_FIELDS}
    row.update(
        site=site,
        procedure_from=selection.filters.procedure_from,
        procedure_to=selection.filters.procedure_to,
        as_of=selection.as_of,
        benchmark_figures=_figures_text(result),
    )
    return row


def metric_rows(selection: MetricsSelection, sites: Sequence[tuple[int, str]]) -> list[dict]:
    """Return the pooled results of the sites, then (by_site) each site's own.

    `sites` are the (id, code) of the export scope, from `site_codes()`.
    """
    groups: list[tuple[str | None, list[int]]] = [(None, [pk for pk, _ in sites])]
    if selection.by_site:
        groups += [(code, [pk]) for pk, code in sites]
    rows: list[dict] = []
    for code, site_ids in groups:
        results = compute_metrics(
            site_ids=site_ids,
            period_start=selection.filters.procedure_from,
            period_end=selection.filters.procedure_to,
            as_of=selection.as_of,
            subgroups=selection.subgroups,
        )
        rows.extend(_metric_row(code, result, selection) for result in results)
    return rows


def metric_benchmark_rows(metrics: Iterable[dict]) -> Iterator[dict]:
    """Yield one row per published figure shown beside a metric row."""
    for metric in metrics:
        for comparison in metric["benchmarks"]:
            yield {
                "site": metric["site"],
                "metric_measure": metric["code"],
                "metric_subgroup": metric["subgroup"],
                "metric_time_point_months": metric["time_point_months"],
                **dataclasses.asdict(comparison),
            }


def serialized_rows(
    serializer_class: type[serializers.Serializer], items: Iterable[Any]
) -> tuple[list[str], Iterator[list[str]]]:
    """Return the serializer's columns and a lazy iterator of CSV cells of the items.

    Cells are formatted by `registry.api.csv_export.cell`, as in every other export file.
    """
    columns = list(serializer_class().fields.items())
    fields = [field for _, field in columns]

    def rows() -> Iterator[list[str]]:
        for item in items:
            yield [cell(field, field.get_attribute(item)) for field in fields]

    return [name for name, _ in columns], rows()


# --- Bundle parts ---------------------------------------------------------------------


def _part(header: list[str], rows: Iterator[list[str]]) -> Iterator[Sequence[Any]]:
    yield header
    yield from rows


def _bundle_metrics(scope: bundle.ExportScope) -> list[dict]:
    # The bundle holds everything: pooled and per-site results with their subgroups.
    selection = MetricsSelection(scope=scope, by_site=True, subgroups=True)
    return metric_rows(selection, site_codes(scope.site_ids))


def metrics_part(scope: bundle.ExportScope) -> Iterator[Sequence[Any]]:
    """Produce metrics.csv: the dashboard's measures, pooled and per site."""
    return _part(*serialized_rows(MetricRowSerializer, _bundle_metrics(scope)))


def metric_benchmarks_part(scope: bundle.ExportScope) -> Iterator[Sequence[Any]]:
    """Produce metric_benchmarks.csv: each published figure beside each metric row."""
    rows = metric_benchmark_rows(_bundle_metrics(scope))
    return _part(*serialized_rows(MetricBenchmarkRowSerializer, rows))


def benchmarks_part(scope: bundle.ExportScope) -> Iterator[Sequence[Any]]:
    """Produce benchmarks.csv: every published figure (the same for every scope)."""
    return _part(*serialized_rows(BenchmarkExportSerializer, figures().iterator()))


def publications_part(scope: bundle.ExportScope) -> Iterator[Sequence[Any]]:
    """Produce benchmark_publications.csv: the published series the figures come from."""
    return _part(*serialized_rows(PublicationExportSerializer, publications().iterator()))


PARTS = (
    (METRICS_PART, metrics_part, MetricRowSerializer),
    (METRIC_BENCHMARKS_PART, metric_benchmarks_part, MetricBenchmarkRowSerializer),
    (BENCHMARKS_PART, benchmarks_part, BenchmarkExportSerializer),
    (PUBLICATIONS_PART, publications_part, PublicationExportSerializer),
)


def register_bundle_parts() -> None:
    """Add the benchmarking files to the export bundle and the data dictionary (once)."""
    registered = set(bundle.registered_parts())
    for name, producer, serializer_class in PARTS:
        if name not in registered:
            bundle.register_part(name, producer, serializer=serializer_class)
