"""The dashboard's chart panels, as plain numbers (no database, no drawing).

Each panel holds exactly what its chart draws and what the HTML table beside the
chart lists, so the picture and the numbers cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from audit import stats
from audit.columns import IntArray, Outcomes, Times
from audit.comparisons import benchmark_rate
from audit.definitions import ALL, SURVIVAL_MONTHS, Arm, AuditSettings, Measure
from audit.metrics import logrank_against, reference_curve
from audit.rows import FigureRow, SiteRow

AT_RISK_MONTHS = (0, *SURVIVAL_MONTHS)
LTP_TABLE_MONTHS = (6, 12, 24, 36)
LTP_GROUPS = (("size_lt40", "< 4 cm"), ("size_ge40", "≥ 4 cm"))


@dataclass(frozen=True)
class Curve:
    """A step curve in percent with its 95% band; ``times`` in months."""

    label: str
    n: int
    times: tuple[float, ...]
    values: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]


@dataclass(frozen=True)
class PublishedPoint:
    publication: str
    months: float
    value: float
    text: str
    label: str


@dataclass(frozen=True)
class SurvivalRow:
    """Local survival at a year beside the published figures at that year."""

    months: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    at_risk: int
    published: tuple[PublishedPoint, ...]
    reference_inside_ci: bool | None


@dataclass(frozen=True)
class SurvivalPanel:
    curve: Curve
    deaths: int
    at_risk: tuple[tuple[int, int], ...]  # (month, number at risk)
    rows: tuple[SurvivalRow, ...]
    reference: tuple[PublishedPoint, ...]
    logrank: stats.OneSampleLogRank | None
    median: stats.MedianSurvival


def _percent_curve(label: str, n: int, times: Sequence[float], *series: Sequence[float]) -> Curve:
    values, lower, upper = (tuple(100.0 * v for v in s) for s in series)
    return Curve(label, n, tuple(times), values, lower, upper)


def _published_points(
    figures: Sequence[FigureRow], measure_code: str
) -> tuple[PublishedPoint, ...]:
    return tuple(
        PublishedPoint(f.publication, f.horizon_months or 0.0, f.value or 0.0, f.text, f.cohort)
        for f in figures
        if f.measure == measure_code
        and f.horizon_months
        and f.value is not None
        and f.value_unit == "percent"
    )


def _survival_row(
    months: int,
    at_risk: int,
    point: tuple[float, float, float] | None,
    published: Sequence[PublishedPoint],
    reference: str,
) -> SurvivalRow:
    """Set the local estimate at a year beside the published ones (reference first)."""
    shown = tuple(
        sorted(
            (p for p in published if p.months == months),
            key=lambda p: (p.publication != reference, p.publication, p.label),
        )
    )
    reference_value = next((p.value for p in shown if p.publication == reference), None)
    inside = None
    if point is not None and reference_value is not None:
        inside = 100 * point[1] <= reference_value <= 100 * point[2]
    value, low, high = (100 * x for x in point) if point else (None, None, None)
    return SurvivalRow(months, value, low, high, at_risk, shown, inside)


def survival_panel(measure: Measure, times: Times, figures: Sequence[FigureRow]) -> SurvivalPanel:
    """Return the Kaplan-Meier curve, numbers at risk and the published points."""
    n = len(times)
    km = times.kaplan_meier()
    reference = reference_curve(measure, figures)
    published = _published_points(figures, "overall_survival")
    at_risk = km.at_risk([float(m) for m in AT_RISK_MONTHS]) if n else (0,) * len(AT_RISK_MONTHS)
    table = tuple(
        _survival_row(
            months, risk, km.survival_at(months) if n else None, published, measure.reference
        )
        for months, risk in zip(SURVIVAL_MONTHS, at_risk[1:], strict=True)
    )
    return SurvivalPanel(
        curve=_percent_curve("Overall survival", km.n, km.times, km.survival, km.lower, km.upper),
        deaths=sum(km.n_events),
        at_risk=tuple(zip(AT_RISK_MONTHS, at_risk, strict=True)),
        rows=table,
        reference=_published_points(reference, "overall_survival"),
        logrank=logrank_against(times, reference),
        median=km.median(),
    )


@dataclass(frozen=True)
class IncidenceRow:
    months: int
    values: tuple[tuple[float, float, float, int] | None, ...]  # per group: F, lo, hi, at risk


@dataclass(frozen=True)
class LtpPanel:
    curves: tuple[Curve, ...]
    events: tuple[int, ...]
    rows: tuple[IncidenceRow, ...]
    published: tuple[PublishedPoint, ...]


def ltp_panel(times: Times, figures: Sequence[FigureRow]) -> LtpPanel:
    """Return the cumulative incidence of LTP by size (< 4 cm, ≥ 4 cm) and Glazer's figures."""
    curves, events = [], []
    for code, label in LTP_GROUPS:
        members = times.of(code)
        curves.append((times.incidence(code), label, members))
        events.append(int(np.count_nonzero(members.status == 1)))
    table = []
    for months in LTP_TABLE_MONTHS:
        cells = []
        for cif, _, members in curves:
            point = cif.at(months) if len(members) else None
            cells.append(
                None
                if point is None
                else (100 * point[0], 100 * point[1], 100 * point[2], members.at_risk(months))
            )
        table.append(IncidenceRow(months, tuple(cells)))
    published = tuple(
        PublishedPoint(f.publication, f.horizon_months or 0.0, f.value or 0.0, f.text, f.cohort)
        for f in figures
        if f.measure == "local_progression"
        and f.subgroup in dict(LTP_GROUPS)
        and f.value is not None
    )
    return LtpPanel(
        curves=tuple(
            _percent_curve(label, len(members), cif.times, cif.incidence, cif.lower, cif.upper)
            for cif, label, members in curves
        ),
        events=tuple(events),
        rows=tuple(table),
        published=published,
    )


@dataclass(frozen=True)
class Target:
    """The published rate a funnel or CUSUM is drawn against."""

    publication: str
    text: str
    rate: float


def target_for(measure: Measure, figures: Sequence[FigureRow]) -> Target | None:
    """Return the reference publication's whole-cohort cryotherapy figure for the measure."""
    for figure in figures:
        rate = benchmark_rate(figure)
        if (
            figure.publication == measure.reference
            and figure.measure in measure.benchmarks
            and figure.subgroup == ALL
            and figure.arm == Arm.CRYOTHERAPY
            and rate is not None
            and 0.0 < rate < 1.0
        ):
            return Target(figure.publication, figure.text, rate)
    return None


@dataclass(frozen=True)
class FunnelUnit:
    site: str
    k: int
    n: int
    percent: float
    zone: str
    direction: str | None


@dataclass(frozen=True)
class FunnelPanel:
    code: str
    title: str
    unit: str
    target: Target | None
    units: tuple[FunnelUnit, ...]
    limits: tuple[stats.FunnelLimits, ...]
    overdispersion: stats.Overdispersion | None


def funnel_panel(
    measure: Measure,
    outcomes: Outcomes,
    sites: Sequence[SiteRow],
    figures: Sequence[FigureRow],
) -> FunnelPanel:
    """Place each site's k/N on a funnel around the published rate (95% and 99.8%)."""
    target = target_for(measure, figures)
    by_id = {site.id: site for site in sites}
    per_site = [(by_id[pk], k, n) for pk, k, n in outcomes.per_site(by_id)]
    units: list[FunnelUnit] = []
    limits: tuple[stats.FunnelLimits, ...] = ()
    dispersion = None
    if target is not None and per_site:
        for site, k, n in per_site:
            placed = stats.classify_unit(k, n, target.rate)
            units.append(
                FunnelUnit(
                    site.code,
                    k,
                    n,
                    100 * k / n,
                    placed.zone.value,
                    placed.direction and placed.direction.value,
                )
            )
        largest = max(n for _, _, n in per_site)
        limits = stats.funnel_curve(target.rate, 1, max(largest * 5 // 4, 10), points=60)
        if len(per_site) >= 2:
            dispersion = stats.overdispersion(
                [k for _, k, _ in per_site], [n for _, _, n in per_site], target.rate
            )
    return FunnelPanel(
        measure.code, measure.name, str(measure.unit), target, tuple(units), limits, dispersion
    )


@dataclass(frozen=True)
class CusumSeries:
    label: str
    n: int
    events: int
    path: tuple[float, ...]
    signals: tuple[int, ...]


@dataclass(frozen=True)
class CusumPanel:
    by: str  # "site" or "operator"
    target: Target | None
    limit: stats.ControlLimit | None
    odds_ratio: float
    series: tuple[CusumSeries, ...]


def _label_ranks(keys: IntArray, labels: Mapping[int, str]) -> tuple[IntArray, list[str]]:
    """Return each unit's label as its position in the sorted labels (equal labels merge)."""
    ordered = sorted(set(labels.values()))
    position = {label: index for index, label in enumerate(ordered)}
    present, inverse = np.unique(keys, return_inverse=True)
    rank_of = np.array([position[labels[int(key)]] for key in present], dtype=np.int64)
    return rank_of[inverse.reshape(-1)], ordered


def cusum_panel(
    by: str,
    measure: Measure,
    outcomes: Outcomes,
    keys: IntArray,
    labels: Mapping[int, str],
    figures: Sequence[FigureRow],
    config: AuditSettings,
    limit_for: Callable[[float], stats.ControlLimit],
) -> CusumPanel:
    """Run the Bernoulli CUSUM of the outcome for each site or operator, in date order.

    ``keys`` holds each unit's site or operator, ``labels`` the name shown for a key;
    units are grouped by that name and taken in date order (then record id).
    """
    target = target_for(measure, figures)
    if target is None or not len(outcomes):
        return CusumPanel(by, target, None, config.cusum_odds_ratio, ())
    assert outcomes.on is not None and outcomes.order is not None
    limit = limit_for(target.rate)
    ranks, names = _label_ranks(keys, labels)
    order = np.lexsort((outcomes.order, outcomes.on, ranks))
    ranks, sequence = ranks[order], outcomes.outcome[order].astype(np.int64)
    bounds = np.flatnonzero(np.diff(ranks)) + 1
    series = []
    for members, run_of in zip(np.split(sequence, bounds), np.split(ranks, bounds), strict=True):
        run = stats.bernoulli_cusum(
            members, target.rate, odds_ratio=config.cusum_odds_ratio, h=limit.h
        )
        label = names[int(run_of[0])]
        series.append(
            CusumSeries(label, int(members.size), int(members.sum()), run.path, run.signals)
        )
    return CusumPanel(by, target, limit, config.cusum_odds_ratio, tuple(series))
