"""Match local results with published figures and give the verdict (no database).

The rules are written out in audit.definitions.VERDICT_RULES and shown on the
Definitions page: a figure is *comparable* (tested) when it is a cryotherapy
series reporting the same measure, unit of analysis and subgroup as a proportion
strictly between 0% and 100%; every other matching figure is shown for context.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from audit import stats
from audit.definitions import ALL, Arm, AuditSettings, Kind, Measure
from audit.rows import FigureRow


@dataclass(frozen=True)
class BenchmarkComparison:
    """A published figure beside a local result, with the test against it if comparable."""

    publication: str
    citation: str
    measure: str
    text: str
    value: float | None
    value_unit: str
    k: int | None
    n: int | None
    unit: str
    subgroup: str
    arm: str
    cohort: str
    time_point: str
    source_location: str
    note: str
    comparable: bool
    p_value: float | None
    verdict: str | None


def p_text(p_value: float | None) -> str:
    """Write a p-value as a reader expects it: 'p = 0.042' or 'p < 0.001'."""
    if p_value is None:
        return ""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def benchmark_rate(figure: FigureRow) -> float | None:
    """Return the published proportion: k/n where both are given, else the percentage."""
    if figure.value_unit != "percent":
        return None
    if figure.numerator is not None and figure.denominator:
        return figure.numerator / figure.denominator
    return None if figure.value is None else figure.value / 100.0


def is_comparable(measure: Measure, subgroup: str, figure: FigureRow) -> bool:
    """Tell whether a local proportion may be tested against the figure."""
    rate = benchmark_rate(figure)
    return (
        measure.kind is Kind.PROPORTION
        and figure.measure in measure.benchmarks
        and figure.unit == measure.unit
        and figure.subgroup == subgroup
        and figure.arm == Arm.CRYOTHERAPY
        and rate is not None
        and 0.0 < rate < 1.0
    )


def figures_for(
    measure: Measure,
    subgroup: str,
    figures: Iterable[FigureRow],
    horizon_months: float | None = None,
) -> list[FigureRow]:
    """Return the figures shown beside a result: like-for-like first, then context.

    Subgroup results show only figures of that subgroup; context figures are shown
    beside the whole-cohort result. Time-point results show figures at that time.
    """
    chosen = []
    for figure in figures:
        if horizon_months is not None and figure.horizon_months != horizon_months:
            continue
        like_for_like = figure.measure in measure.benchmarks and figure.subgroup == subgroup
        context = figure.measure in measure.context and subgroup == ALL == figure.subgroup
        if like_for_like or context:
            chosen.append(figure)
    return sorted(
        chosen, key=lambda f: (f.measure not in measure.benchmarks, f.arm != Arm.CRYOTHERAPY)
    )


def _test(
    measure: Measure, k: int, n: int, rate: float, config: AuditSettings
) -> tuple[float | None, str | None]:
    p_value = stats.binomial_test(k, n, rate)
    if n < config.min_cases:
        return p_value, stats.Verdict.TOO_FEW_CASES.value
    if measure.higher_is_better is None:
        return p_value, None
    verdict = stats.verdict(
        k,
        n,
        rate,
        higher_is_better=measure.higher_is_better,
        min_n=config.min_cases,
        p_value=p_value,
    )
    return p_value, verdict.value


def compare(
    measure: Measure,
    subgroup: str,
    k: int,
    n: int,
    figure: FigureRow,
    config: AuditSettings,
) -> BenchmarkComparison:
    """Set a local k/n beside one published figure, testing it when comparable."""
    comparable = is_comparable(measure, subgroup, figure)
    p_value = verdict = None
    rate = benchmark_rate(figure)
    if comparable and n > 0 and rate is not None:
        p_value, verdict = _test(measure, k, n, rate, config)
    return BenchmarkComparison(
        publication=figure.publication,
        citation=figure.citation,
        measure=figure.measure,
        text=figure.text,
        value=figure.value,
        value_unit=figure.value_unit,
        k=figure.numerator,
        n=figure.denominator,
        unit=figure.unit,
        subgroup=figure.subgroup,
        arm=figure.arm,
        cohort=figure.cohort,
        time_point=figure.time_point,
        source_location=figure.source_location,
        note=figure.note,
        comparable=comparable,
        p_value=p_value,
        verdict=verdict,
    )


def headline(
    measure: Measure, n: int, comparisons: Iterable[BenchmarkComparison], config: AuditSettings
) -> tuple[str | None, str]:
    """Return the tile's verdict and what it is based on.

    The reference publication's comparable figure decides; failing that, the first
    comparable figure. Without a comparable figure there is no verdict.
    """
    tested = [c for c in comparisons if c.comparable]
    if not tested:
        return None, "No like-for-like published figure: figures are shown for context."
    chosen = next((c for c in tested if c.publication == measure.reference), tested[0])
    against = f"{chosen.publication} {chosen.text}"
    if n < config.min_cases:
        return stats.Verdict.TOO_FEW_CASES.value, (
            f"Fewer than {config.min_cases} cases: no test against {against}."
        )
    shown = "" if chosen.p_value is None else f", {p_text(chosen.p_value)}"
    if chosen.verdict is None:
        return None, f"Two-sided exact binomial test against {against}{shown} (no direction)."
    return chosen.verdict, f"Two-sided exact binomial test against {against}{shown}."
