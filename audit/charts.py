"""Server-side SVG charts of the dashboard panels (matplotlib, Agg canvas, no pyplot).

Each chart has a title, axis labels and alt text, and draws only numbers that the
HTML table beside it also lists. Charts are served from their own URLs as
image/svg+xml and embedded with <img>, so the pages need no inline SVG styles
under a strict Content Security Policy.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from audit.dashboard import Dashboard
from audit.panels import CusumPanel, FunnelPanel

COLOURS = ("#005eb8", "#d5281b", "#007f3b", "#ffb81c", "#330072", "#768692", "#ae2573", "#00a499")
PUBLISHED = "#231f20"
# Stable element ids (cacheable, diffable SVG) and real <text> for the labels.
matplotlib.rcParams.update({"svg.hashsalt": "cryoaudit", "svg.fonttype": "none", "font.size": 9})


def _new_figure() -> Figure:
    figure = Figure(figsize=(7.0, 4.2), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _empty(axes: Any, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)


def _pct(value: float | None) -> str:
    return "not estimable" if value is None else f"{value:.0f}%"


# --- Overall survival -------------------------------------------------------------


def survival_chart(board: Dashboard) -> bytes:
    panel = board.survival
    figure = _new_figure()
    axes = figure.add_subplot()
    axes.set_title("Overall survival from first cryotherapy (Kaplan-Meier, 95% CI)")
    axes.set_xlabel("Months since first cryotherapy")
    axes.set_ylabel("Patients alive (%)")
    axes.set_ylim(0, 102)
    curve = panel.curve
    if curve.n:
        times = (0.0, *curve.times)
        axes.step(
            times,
            (100.0, *curve.values),
            where="post",
            color=COLOURS[0],
            label=f"Local (n = {curve.n})",
        )
        axes.fill_between(
            times,
            (100.0, *curve.lower),
            (100.0, *curve.upper),
            step="post",
            color=COLOURS[0],
            alpha=0.2,
            label="Local 95% CI",
        )
    else:
        _empty(axes, "No patients in this selection")
    if panel.reference:
        axes.plot(
            [p.months for p in panel.reference],
            [p.value for p in panel.reference],
            "o",
            color=PUBLISHED,
            label=f"{panel.reference[0].publication} (published)",
        )
    axes.set_xlim(0, max(62.0, max(curve.times, default=0.0)))
    axes.legend(loc="upper right")
    return _svg(figure)


def survival_alt(board: Dashboard) -> str:
    panel = board.survival
    first_year = panel.rows[0] if panel.rows else None
    published = ", ".join(f"{p.months / 12:.0f} y {p.text}" for p in panel.reference)
    local = (
        f"survival at 1 year {_pct(first_year.value)}" if first_year else "no estimate at 1 year"
    )
    source = panel.reference[0].publication if panel.reference else "none"
    return (
        f"Kaplan-Meier curve of overall survival for {panel.curve.n} patients "
        f"({panel.deaths} deaths) with a 95% confidence band; {local}. Published points "
        f"({source}): {published or 'none'}. The table beside the chart lists the numbers."
    )


# --- Local tumour progression -----------------------------------------------------


def ltp_chart(board: Dashboard) -> bytes:
    panel = board.ltp
    figure = _new_figure()
    axes = figure.add_subplot()
    axes.set_title("Local tumour progression by tumour size (cumulative incidence, 95% CI)")
    axes.set_xlabel("Months since the tumour's first cryotherapy")
    axes.set_ylabel("Tumours with local progression (%)")
    axes.set_ylim(0, 100)
    drawn = False
    for index, curve in enumerate(panel.curves):
        if not curve.n:
            continue
        drawn = True
        colour = COLOURS[index]
        times = (0.0, *curve.times)
        axes.step(
            times,
            (0.0, *curve.values),
            where="post",
            color=colour,
            label=f"Local, {curve.label} (n = {curve.n})",
        )
        axes.fill_between(
            times, (0.0, *curve.lower), (0.0, *curve.upper), step="post", color=colour, alpha=0.15
        )
    if not drawn:
        _empty(axes, "No tumours shown completely ablated in this selection")
    for index, point in enumerate(panel.published):
        marker = "s" if "< 4" in point.label else "^"
        axes.plot(
            [point.months],
            [point.value],
            marker,
            color=COLOURS[index % 2],
            markeredgecolor=PUBLISHED,
            label=f"{point.publication} crude, {point.label}: {point.text}",
        )
    axes.set_xlim(0, 48)
    axes.legend(loc="upper left")
    return _svg(figure)


def ltp_alt(board: Dashboard) -> str:
    panel = board.ltp
    groups = "; ".join(
        f"{curve.label}: {curve.n} tumours, {events} with local progression"
        for curve, events in zip(panel.curves, panel.events, strict=True)
    )
    published = "; ".join(f"{p.publication} {p.label} {p.text}" for p in panel.published)
    return (
        f"Cumulative incidence of local tumour progression by tumour size ({groups}), with "
        f"the published crude proportions at their mean follow-up ({published or 'none'}). "
        "The table beside the chart lists the numbers."
    )


# --- Funnel plots -----------------------------------------------------------------


def _funnel_chart(panel: FunnelPanel) -> bytes:
    figure = _new_figure()
    axes = figure.add_subplot()
    against = panel.target.publication if panel.target else "no benchmark"
    axes.set_title(f"{panel.title}: sites against {against}")
    axes.set_xlabel(f"Number of {panel.unit}s (denominator)")
    axes.set_ylabel(f"{panel.title} (%)")
    if panel.target is None or not panel.units:
        _empty(axes, "No benchmark or no cases in this selection")
        return _svg(figure)
    sizes = [limit.n for limit in panel.limits]
    axes.axhline(
        100 * panel.target.rate,
        color=PUBLISHED,
        label=f"{panel.target.publication} {panel.target.text}",
    )
    axes.plot(
        sizes, [100 * x.upper_95 for x in panel.limits], "--", color=COLOURS[0], label="95% limits"
    )
    axes.plot(sizes, [100 * x.lower_95 for x in panel.limits], "--", color=COLOURS[0])
    axes.plot(
        sizes,
        [100 * x.upper_998 for x in panel.limits],
        ":",
        color=COLOURS[1],
        label="99.8% limits",
    )
    axes.plot(sizes, [100 * x.lower_998 for x in panel.limits], ":", color=COLOURS[1])
    axes.plot(
        [u.n for u in panel.units],
        [u.percent for u in panel.units],
        "o",
        color=COLOURS[2],
        label="Sites",
    )
    for unit in panel.units:
        axes.annotate(unit.site, (unit.n, unit.percent), textcoords="offset points", xytext=(4, 4))
    axes.set_ylim(0, 100)
    axes.legend(loc="best")
    return _svg(figure)


def _funnel_alt(panel: FunnelPanel) -> str:
    if panel.target is None:
        return f"Funnel plot of {panel.title}: no published benchmark to draw it against."
    sites = "; ".join(f"{u.site} {u.k}/{u.n} ({u.percent:.1f}%, {u.zone})" for u in panel.units)
    return (
        f"Funnel plot of {panel.title} per site against {panel.target.publication} "
        f"{panel.target.text}, with 95% and 99.8% control limits. Sites: {sites or 'none'}. "
        "The table beside the chart lists the numbers."
    )


# --- CUSUM ------------------------------------------------------------------------


def _cusum_lines(axes: Any, panel: CusumPanel) -> None:
    for index, series in enumerate(panel.series):
        colour = COLOURS[index % len(COLOURS)]
        steps = range(1, series.n + 1)
        label = f"{series.label} ({series.events}/{series.n})"
        axes.plot(steps, series.path, "-", color=colour, label=label)
        if series.signals:
            signalled = [series.path[s] for s in series.signals]
            axes.plot([s + 1 for s in series.signals], signalled, "x", color=colour, markersize=9)


def _cusum_chart(panel: CusumPanel) -> bytes:
    figure = _new_figure()
    axes = figure.add_subplot()
    axes.set_title(f"CUSUM of major complications per {panel.by} (odds ratio {panel.odds_ratio:g})")
    axes.set_xlabel(f"Procedures of the {panel.by}, in date order")
    axes.set_ylabel("CUSUM (log-likelihood ratio)")
    if panel.limit is None or not panel.series:
        _empty(axes, "No benchmark or no procedures in this selection")
        return _svg(figure)
    _cusum_lines(axes, panel)
    h = panel.limit.h
    axes.axhline(h, color=PUBLISHED, linestyle="--", label=f"Control limit h = {h:.2f}")
    highest = max(max(s.path, default=0.0) for s in panel.series)
    axes.set_ylim(0, max(h * 1.15, highest * 1.1))
    axes.legend(loc="upper left")
    return _svg(figure)


def _cusum_alt(panel: CusumPanel) -> str:
    if panel.limit is None or panel.target is None:
        return f"CUSUM chart per {panel.by}: no benchmark or no procedures."
    series = "; ".join(
        f"{s.label}: {s.events} major complications in {s.n} procedures, "
        f"{len(s.signals)} signal{'s' if len(s.signals) != 1 else ''}"
        for s in panel.series
    )
    return (
        f"Bernoulli CUSUM of major complications per {panel.by} against "
        f"{panel.target.publication} {panel.target.text}, control limit h = {panel.limit.h:.2f}. "
        f"{series}. The table beside the chart lists the numbers."
    )


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    draw: Callable[[Dashboard], bytes]
    alt: Callable[[Dashboard], str]


CHARTS: dict[str, Chart] = {
    chart.slug: chart
    for chart in (
        Chart("survival", "Overall survival", survival_chart, survival_alt),
        Chart("ltp", "Local tumour progression by size", ltp_chart, ltp_alt),
        Chart(
            "funnel-major-complication",
            "Funnel plot: major complications",
            lambda b: _funnel_chart(b.funnel("major_complication")),
            lambda b: _funnel_alt(b.funnel("major_complication")),
        ),
        Chart(
            "funnel-technique-efficacy",
            "Funnel plot: primary technique efficacy",
            lambda b: _funnel_chart(b.funnel("primary_efficacy")),
            lambda b: _funnel_alt(b.funnel("primary_efficacy")),
        ),
        Chart(
            "cusum-site",
            "CUSUM per site",
            lambda b: _cusum_chart(b.cusum("site")),
            lambda b: _cusum_alt(b.cusum("site")),
        ),
        Chart(
            "cusum-operator",
            "CUSUM per operator",
            lambda b: _cusum_chart(b.cusum("operator")),
            lambda b: _cusum_alt(b.cusum("operator")),
        ),
    )
}


def render(slug: str, board: Dashboard) -> bytes:
    """Return the SVG of a chart (KeyError for an unknown chart)."""
    return CHARTS[slug].draw(board)
