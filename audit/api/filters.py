"""The query parameters of /api/v1/metrics/, validated like every export filter.

The filter set builds on registry.api.filters.SiteFilterSet: the same `site`
parameter (only the sites you may export; another site is 404 like everywhere
in the API), the same form (procedure_to may not precede procedure_from) and the
same errors (400, one list of messages per parameter).
"""

from __future__ import annotations

import django_filters
from django.http import HttpRequest

from audit.api.exports import MetricsSelection
from registry.api.bundle import export_scope
from registry.api.filters import BOOLEAN_CHOICES, SiteFilterSet, validated_filters
from registry.models import Site


class MetricsFilterSet(SiteFilterSet):
    """Sites, period and layout of the metrics."""

    procedure_from = django_filters.DateFilter(
        help_text="First day of the period (YYYY-MM-DD): procedures performed on or after "
        "it, tumours and patients whose first cryotherapy was on or after it. Outcomes are "
        "followed up to today."
    )
    procedure_to = django_filters.DateFilter(
        help_text="Last day of the period (YYYY-MM-DD), inclusive."
    )
    by_site = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        empty_label=None,
        help_text="true to add each site's own results after the pooled ones (rows with "
        "a site code). Default false: the results pooled over the sites asked for.",
    )
    subgroups = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        empty_label=None,
        help_text="false to leave out the subgroup rows (tumour size, approach, lobe, "
        "primary site). Default true.",
    )

    def selection(self, request: HttpRequest) -> MetricsSelection:
        """Return what to compute (call after validated_filters())."""
        data = self.form.cleaned_data
        return MetricsSelection(
            scope=export_scope(request.user, self.export_filters()),  # type: ignore[arg-type]
            by_site=data.get("by_site") == "true",
            subgroups=data.get("subgroups") != "false",
        )


def parse_metrics_filters(request: HttpRequest) -> MetricsSelection:
    """Validate the parameters; raise 400 (bad values) or 404 (a site out of scope)."""
    filterset = MetricsFilterSet(request.GET, queryset=Site.objects.none(), request=request)
    validated_filters(filterset)
    return filterset.selection(request)
