"""The outcome measures of a set of sites and a period: the public entry point.

Use from anywhere (dashboard, report, REST export)::

    from audit.metrics import compute_metrics

    results = compute_metrics(
        site_ids={1, 2},               # the sites the caller may see; None = every site
        period_start=date(2024, 1, 1),  # procedure dates, inclusive; None = open
        period_end=date(2024, 12, 31),  # inclusive; None = open
    )                                   # optional: as_of=date (default today), subgroups=bool

`compute_metrics` returns a list of `MetricResult`, frozen dataclasses of plain
values (str, int, float, None, tuples) that serialise directly to JSON (e.g.
`dataclasses.asdict`). One result per measure (audit.definitions.MEASURES) and
subgroup ("all" first, then each subgroup with at least one case), and for
time-to-event measures one per time point. Fields:

    code, label            the measure (audit.definitions) and its name
    unit                   unit of analysis: "patient", "tumour" or "procedure"
    kind                   "proportion", "survival", "median", "cumulative_incidence", "mean"
    definition             numerator, denominator, time point and exclusions in words
    subgroup, subgroup_label
    time_point_months      for survival / cumulative incidence, else None
    k, n                   numerator and denominator (for survival and cumulative
                           incidence: events by the time point, and units at the start)
    value                  percent (proportion, survival, incidence), months (median)
                           or events per unit (mean); None when not estimable
    value_unit             "%", "months" or "per patient"
    ci_low, ci_high        95% CI: Wilson (proportion), Greenwood log-log (survival),
                           Brookmeyer-Crowley (median), delta method (incidence)
    higher_is_better       True, False or None (no direction)
    benchmarks             tuple of audit.comparisons.BenchmarkComparison: publication,
                           citation, text as published, value, k, n, unit, subgroup,
                           arm, cohort, time point, comparable, p_value, verdict
    verdict                "consistent", "better", "worse", "too few cases" or None
    verdict_basis          which figure and test the verdict rests on, in words

The caller is responsible for scoping: pass only the sites the user may see
(`audit.selectors.visible_site_ids(user)`; None means every site and is for
registry admins only). Results are cached by registry data version (audit.cache),
so any write to the registry or to the published figures recomputes them.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from audit import cache, selectors, stats
from audit.cohort import build_cohort
from audit.columns import Outcomes, Tally, Times, in_subgroup, subgroups_present
from audit.comparisons import BenchmarkComparison, compare, figures_for, headline, p_text
from audit.definitions import (
    ALL,
    SUBGROUP_LABELS,
    Arm,
    AuditSettings,
    Kind,
    Measure,
    audit_settings,
    measures_for_display,
)
from audit.facts import tally_of_facts
from audit.reference import tally_of_cohort
from audit.rows import FigureRow, Period, PublicationRow

VALUE_UNITS = {
    Kind.PROPORTION: "%",
    Kind.SURVIVAL: "%",
    Kind.CUMULATIVE_INCIDENCE: "%",
    Kind.MEDIAN: "months",
    Kind.MEAN: "per patient",
}


@dataclass(frozen=True)
class MetricResult:
    """One measure for one subgroup (and time point): local result against published."""

    code: str
    label: str
    unit: str
    kind: str
    definition: str
    subgroup: str
    subgroup_label: str
    time_point_months: int | None
    k: int | None
    n: int
    value: float | None
    value_unit: str
    ci_low: float | None
    ci_high: float | None
    higher_is_better: bool | None
    benchmarks: tuple[BenchmarkComparison, ...]
    verdict: str | None
    verdict_basis: str


@dataclass(frozen=True)
class _Context:
    tally: Tally
    figures: tuple[FigureRow, ...]
    publications: tuple[PublicationRow, ...]
    config: AuditSettings
    subgroups: bool


def definition_text(measure: Measure) -> str:
    return (
        f"Numerator: {measure.numerator}. Denominator: {measure.denominator}. "
        f"Time point: {measure.time_point}. Exclusions: {measure.exclusions}"
    )


def _result(measure: Measure, subgroup: str, n: int, **values: object) -> MetricResult:
    defaults: dict[str, object] = {
        "time_point_months": None,
        "k": None,
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "benchmarks": (),
        "verdict": None,
        "verdict_basis": "",
    }
    return MetricResult(
        code=measure.code,
        label=measure.name,
        unit=str(measure.unit),
        kind=str(measure.kind),
        definition=definition_text(measure),
        subgroup=subgroup,
        subgroup_label=SUBGROUP_LABELS.get(subgroup, subgroup),
        n=n,
        value_unit=VALUE_UNITS[measure.kind],
        higher_is_better=measure.higher_is_better,
        **{**defaults, **values},  # type: ignore[arg-type]
    )


def _percent(value: float | None) -> float | None:
    return None if value is None else 100.0 * value


def proportion_results(
    measure: Measure, outcomes: Outcomes, context: _Context
) -> list[MetricResult]:
    """Return k/N, %, Wilson 95% CI and benchmarks of a proportion measure per subgroup."""
    results = []
    for subgroup in outcomes.subgroups(context.subgroups):
        k, n = outcomes.counts(subgroup)
        low, high = stats.wilson_interval(k, n) or (None, None)
        comparisons = tuple(
            compare(measure, subgroup, k, n, figure, context.config)
            for figure in figures_for(measure, subgroup, context.figures)
        )
        verdict, basis = headline(measure, n, comparisons, context.config)
        results.append(
            _result(
                measure,
                subgroup,
                n,
                k=k,
                value=_percent(k / n if n else None),
                ci_low=_percent(low),
                ci_high=_percent(high),
                benchmarks=comparisons,
                verdict=verdict,
                verdict_basis=basis,
            )
        )
    return results


def _context_only(
    measure: Measure, subgroup: str, figures: Iterable[FigureRow], config: AuditSettings, n: int
) -> tuple[BenchmarkComparison, ...]:
    return tuple(compare(measure, subgroup, 0, n, figure, config) for figure in figures)


def reference_curve(measure: Measure, figures: Iterable[FigureRow]) -> list[FigureRow]:
    """Return the reference publication's yearly survival points, in time order."""
    curve = [
        f
        for f in figures
        if f.measure == "overall_survival"
        and f.publication == measure.reference
        and f.arm == Arm.CRYOTHERAPY
        and f.subgroup == ALL
        and f.horizon_months
        and f.value is not None
    ]
    return sorted(curve, key=lambda f: f.horizon_months or 0.0)


def logrank_against(times: Times, curve: Sequence[FigureRow]) -> stats.OneSampleLogRank | None:
    """Compare local survival with the published curve (both in months).

    Return None when there is nothing to compare, or when the published points do not
    make a survival curve (e.g. two figures at one time point after an admin edit):
    the dashboard then says so instead of failing.
    """
    if not len(times) or not curve:
        return None
    try:
        return stats.one_sample_logrank(
            times.months,
            times.status,
            [f.horizon_months or 0.0 for f in curve],
            [(f.value or 0.0) / 100.0 for f in curve],
        )
    except ValueError:
        return None


def survival_verdict(
    test: stats.OneSampleLogRank | None, n: int, reference: str, config: AuditSettings
) -> tuple[str | None, str]:
    """Return the verdict of the one-sample log-rank test against the reference curve."""
    if test is None or test.p_value is None or test.smr is None:
        return None, (
            f"No test: no follow-up yet, or no usable {reference} survival curve "
            "(yearly points, each later one no higher)."
        )
    if n < config.min_cases:
        return stats.Verdict.TOO_FEW_CASES.value, (
            f"Fewer than {config.min_cases} patients: no test against {reference}."
        )
    basis = (
        f"One-sample log-rank test against the {reference} curve: {test.observed} deaths "
        f"observed, {test.expected:.1f} expected (ratio {test.smr:.2f}), {p_text(test.p_value)}."
    )
    if test.p_value >= 0.05:
        return stats.Verdict.CONSISTENT.value, basis
    better = test.smr < 1.0
    return (stats.Verdict.BETTER if better else stats.Verdict.WORSE).value, basis


def survival_results(measure: Measure, times: Times, context: _Context) -> list[MetricResult]:
    """Return Kaplan-Meier survival at each time point per subgroup."""
    results = []
    test = logrank_against(times, reference_curve(measure, context.figures))
    for subgroup in times.subgroups(context.subgroups):
        members = times.of(subgroup)
        curve = times.kaplan_meier(subgroup)
        if subgroup == ALL:
            verdict, basis = survival_verdict(test, len(members), measure.reference, context.config)
        else:
            verdict, basis = None, "The published curves are for whole cohorts: no test."
        for months in measure.time_points_months:
            point = curve.survival_at(months) if len(members) else None
            shown = figures_for(measure, subgroup, context.figures, horizon_months=float(months))
            results.append(
                _result(
                    measure,
                    subgroup,
                    len(members),
                    time_point_months=months,
                    k=members.events_by(months),
                    value=_percent(point[0]) if point else None,
                    ci_low=_percent(point[1]) if point else None,
                    ci_high=_percent(point[2]) if point else None,
                    benchmarks=_context_only(
                        measure, subgroup, shown, context.config, len(members)
                    ),
                    verdict=verdict,
                    verdict_basis=basis,
                )
            )
    return results


def median_results(measure: Measure, times: Times, context: _Context) -> list[MetricResult]:
    results = []
    for subgroup in times.subgroups(context.subgroups):
        members = times.of(subgroup)
        median = times.kaplan_meier(subgroup).median()
        shown = figures_for(measure, subgroup, context.figures)
        results.append(
            _result(
                measure,
                subgroup,
                len(members),
                k=int(members.status.sum()),
                value=median.estimate if len(members) else None,
                ci_low=median.lower if len(members) else None,
                ci_high=median.upper if len(members) else None,
                benchmarks=_context_only(measure, subgroup, shown, context.config, len(members)),
                verdict_basis="Medians are shown beside the published ones; the log-rank "
                "test on overall survival gives the verdict.",
            )
        )
    return results


def incidence_results(measure: Measure, times: Times, context: _Context) -> list[MetricResult]:
    """Return the Aalen-Johansen cumulative incidence of LTP at each time point."""
    results = []
    for subgroup in times.subgroups(context.subgroups):
        members = times.of(subgroup)
        curve = times.incidence(subgroup)
        shown = figures_for(measure, subgroup, context.figures)
        for months in measure.time_points_months:
            point = curve.at(months) if len(members) else None
            results.append(
                _result(
                    measure,
                    subgroup,
                    len(members),
                    time_point_months=months,
                    k=members.events_by(months),
                    value=_percent(point[0]) if point else None,
                    ci_low=_percent(point[1]) if point else None,
                    ci_high=_percent(point[2]) if point else None,
                    benchmarks=_context_only(
                        measure, subgroup, shown, context.config, len(members)
                    ),
                    verdict_basis="Published local progression is crude (different follow-up): "
                    "shown for context, no test.",
                )
            )
    return results


def _publication_ratio(publication: PublicationRow) -> BenchmarkComparison:
    assert publication.n_patients and publication.n_procedures
    ratio = publication.n_procedures / publication.n_patients
    return BenchmarkComparison(
        publication=publication.short_name,
        citation=publication.citation,
        measure="procedures_per_patient",
        text=f"{publication.n_procedures} procedures / {publication.n_patients} patients "
        f"({ratio:.2f} per patient, calculated)",
        value=ratio,
        value_unit="per patient",
        k=publication.n_procedures,
        n=publication.n_patients,
        unit="patient",
        subgroup=ALL,
        arm=Arm.CRYOTHERAPY,
        cohort="whole series",
        time_point="whole follow-up",
        source_location="cohort description",
        note="Calculated from the published numbers of procedures and patients.",
        comparable=False,
        p_value=None,
        verdict=None,
    )


def mean_results(measure: Measure, context: _Context) -> list[MetricResult]:
    masks, procedures = context.tally.patient_mask, context.tally.patient_procedures
    results = []
    published = tuple(
        _publication_ratio(p) for p in context.publications if p.n_patients and p.n_procedures
    )
    for subgroup in subgroups_present(masks, context.subgroups):
        members = in_subgroup(masks, subgroup)
        k, n = int(procedures[members].sum()), int(members.sum())
        results.append(
            _result(
                measure,
                subgroup,
                n,
                k=k,
                value=k / n if n else None,
                benchmarks=published if subgroup == ALL else (),
                verdict_basis="Shown beside the published series; no test.",
            )
        )
    return results


def _measure_results(measure: Measure, context: _Context) -> list[MetricResult]:
    tally = context.tally
    if measure.kind is Kind.PROPORTION:
        return proportion_results(measure, tally.outcomes[measure.code], context)
    if measure.kind is Kind.SURVIVAL:
        return survival_results(measure, tally.survival, context)
    if measure.kind is Kind.MEDIAN:
        return median_results(measure, tally.survival, context)
    if measure.kind is Kind.CUMULATIVE_INCIDENCE:
        return incidence_results(measure, tally.ltp, context)
    return mean_results(measure, context)


def metrics_for_tally(
    tally: Tally,
    figures: tuple[FigureRow, ...],
    publications: tuple[PublicationRow, ...],
    config: AuditSettings,
    *,
    subgroups: bool = True,
) -> tuple[MetricResult, ...]:
    """Compute every measure of a cohort's tally (pure: no database, no cache)."""
    context = _Context(tally, figures, publications, config, subgroups)
    results: list[MetricResult] = []
    for measure in measures_for_display(config):
        results.extend(_measure_results(measure, context))
    return tuple(results)


def make_period(
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    as_of: datetime.date | None = None,
) -> Period:
    return Period(start=period_start, end=period_end, as_of=as_of or timezone.localdate())


def read_tally(*, site_ids: Collection[int] | None, period: Period, config: AuditSettings) -> Tally:
    """Read the cohort of the sites (None: every site) and period as a tally.

    On PostgreSQL the facts query summarises the registry where it is (audit.facts);
    the SQLite demo, a few hundred patients, is read row by row and derived with the
    reference rules (audit.reference), which give the same results.
    """
    if not selectors.facts_supported():
        cohort = build_cohort(selectors.registry_data(site_ids=site_ids), period)
        return tally_of_cohort(cohort, config)
    raw = selectors.cohort_facts(site_ids=site_ids, period=period, config=config)
    return tally_of_facts(raw, selectors.sites(site_ids), period)


def compute_metrics(
    *,
    site_ids: Collection[int] | None,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    as_of: datetime.date | None = None,
    subgroups: bool = True,
) -> list[MetricResult]:
    """Return every measure for the sites and period (see the module docstring)."""
    period = make_period(period_start, period_end, as_of)
    scope = None if site_ids is None else sorted(set(site_ids))
    config = audit_settings()

    def compute() -> tuple[MetricResult, ...]:
        tally = read_tally(site_ids=scope, period=period, config=config)
        figures, publications = selectors.published_figures()
        return metrics_for_tally(tally, figures, publications, config, subgroups=subgroups)

    key = ("metrics", scope, period, subgroups, config)
    return list(cache.cached(key, compute))
