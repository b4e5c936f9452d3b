"""Dashboard, charts, printable report and definitions (thin views over audit.dashboard).

Every page and chart is scoped the same way: the filter form offers only the sites
the user may see, a site outside them is a form error (never its data), and no
site ticked means all of the user's sites. Bad filter input answers 400 with the
form's messages, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import cache, charts, selectors
from audit.dashboard import Dashboard, get_dashboard
from audit.definitions import (
    SUBGROUP_NOTE,
    VERDICT_RULES,
    Arm,
    PublishedMeasure,
    audit_settings,
    measures_for_display,
)
from audit.forms import DashboardFilterForm
from audit.metrics import make_period
from audit.rows import Period
from registry.models import Site


@dataclass(frozen=True)
class Selection:
    """A validated filter: which sites, which period, and its canonical query string."""

    form: DashboardFilterForm
    site_ids: list[int] | None
    period: Period
    query: str


def _form(request: HttpRequest) -> tuple[DashboardFilterForm, set[int] | None]:
    visible = selectors.visible_site_ids(request.user)
    if visible is not None and not visible:
        raise PermissionDenied("You have no role at any site: ask a registry admin.")
    sites = Site.objects.order_by("code")
    if visible is not None:
        sites = sites.filter(pk__in=sorted(visible))
    return DashboardFilterForm(request.GET or None, sites=sites), visible


def _selection(form: DashboardFilterForm, visible: set[int] | None) -> Selection:
    cleaned = form.cleaned_data if form.is_bound else {}
    start, end = cleaned.get("start"), cleaned.get("end")
    chosen = (
        form.chosen_site_ids(visible)
        if form.is_bound
        else (None if visible is None else sorted(visible))
    )
    query = [("site", pk) for pk in (sorted(s.pk for s in cleaned.get("site") or []))]
    query += [(name, day.isoformat()) for name, day in (("start", start), ("end", end)) if day]
    return Selection(form, chosen, make_period(start, end), urlencode(query))


def _select(request: HttpRequest) -> Selection | None:
    """Return the validated selection, or None when the filter has errors."""
    form, visible = _form(request)
    if form.is_bound and not form.is_valid():
        return None
    return _selection(form, visible)


def _page(request: HttpRequest, template: str) -> HttpResponse:
    form, visible = _form(request)
    if form.is_bound and not form.is_valid():
        return render(request, template, {"form": form, "board": None}, status=400)
    selection = _selection(form, visible)
    board = get_dashboard(site_ids=selection.site_ids, period=selection.period)
    return render(request, template, _context(selection, board))


def _context(selection: Selection, board: Dashboard) -> dict[str, object]:
    return {
        "form": selection.form,
        "board": board,
        "query": selection.query,
        "charts": {
            slug: {"title": chart.title, "alt": chart.alt(board)}
            for slug, chart in charts.CHARTS.items()
        },
        "generated_at": timezone.localtime(),
        "subgroup_note": SUBGROUP_NOTE,
    }


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the benchmarking dashboard for the chosen sites and period."""
    return _page(request, "audit/dashboard.html")


@require_GET
@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Show the printable audit report (A4) for the governance meeting."""
    return _page(request, "audit/report.html")


@require_GET
@login_required
def chart(request: HttpRequest, name: str) -> HttpResponse:
    """Serve one chart as SVG, scoped exactly like the dashboard."""
    if name not in charts.CHARTS:
        raise Http404("No such chart.")
    selection = _select(request)
    if selection is None:
        return HttpResponse("Invalid filter.", status=400, content_type="text/plain")
    # The drawn chart is cached on its own, so a cached chart needs no dashboard at all.
    parts = ("chart", name, selection.site_ids, selection.period, audit_settings())
    svg = cache.cached(
        parts,
        lambda: charts.render(
            name, get_dashboard(site_ids=selection.site_ids, period=selection.period)
        ),
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    """Show every measure's definition, the verdict rules and the published figures."""
    figures, _ = selectors.published_figures()
    config = audit_settings()
    return render(
        request,
        "audit/definitions.html",
        {
            "measures": measures_for_display(config),
            "config": config,
            "verdict_rules": VERDICT_RULES,
            "subgroup_note": SUBGROUP_NOTE,
            "figures": figures,
            "measure_labels": dict(PublishedMeasure.choices),
            "arm_labels": dict(Arm.choices),
        },
    )
