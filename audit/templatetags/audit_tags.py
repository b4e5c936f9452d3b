"""Formatting for benchmarking pages: every number with its unit."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()

DASH = "\N{EN DASH}"

VERDICT_CLASSES = {
    "consistent": "verdict-consistent",
    "better": "verdict-better",
    "worse": "verdict-worse",
    "too few cases": "verdict-too-few",
}


@register.filter
def pct(value: float | None, decimals: int = 1) -> str:
    """Format a percentage, or a dash when it cannot be estimated."""
    if value is None:
        return DASH
    return f"{value:.{decimals}f}%"


@register.filter
def num(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return DASH
    return f"{value:.{decimals}f}"


@register.filter
def ci(result: Any, unit: str = "%") -> str:
    """Format a result's 95% confidence interval with its unit."""
    suffix = "%" if unit == "%" else f" {unit}"
    if result.ci_low is None:
        return "95% CI not estimable"
    high = "not reached" if result.ci_high is None else f"{result.ci_high:.1f}"
    return f"95% CI {result.ci_low:.1f}{DASH}{high}{suffix}"


@register.filter
def pvalue(value: float | None) -> str:
    if value is None:
        return ""
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@register.filter
def unit_label(unit: str) -> str:
    """Return 'per tumour' etc., or 'unit not stated'."""
    return "unit not stated" if unit == "not_stated" else f"per {unit}"


@register.filter
def verdict_class(verdict: str | None) -> str:
    return VERDICT_CLASSES.get(verdict or "", "verdict-none")


@register.filter
def years(months: int | float) -> str:
    count = months / 12
    if count == int(count):
        return f"{count:.0f} year{'s' if count != 1 else ''}"
    return f"{months:g} months"


@register.filter
def anchor(code: str) -> str:
    """Return the Definitions page anchor of a measure code."""
    return f"measure-{code.replace('_', '-')}"


@register.inclusion_tag("audit/_chart.html", takes_context=True)
def chart(context: template.Context, slug: str) -> dict[str, Any]:
    """Embed a chart as <img> with its alt text (served as SVG from its own URL)."""
    info = context["charts"][slug]
    url = reverse("audit:chart", args=[slug])
    query = context.get("query")
    return {"src": f"{url}?{query}" if query else url, "alt": info["alt"], "title": info["title"]}


@register.filter
def get_label(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)
