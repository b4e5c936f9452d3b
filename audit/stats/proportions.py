"""Binomial proportions: point estimates, confidence intervals, tests and audit verdicts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from scipy import special, stats

from ._validation import as_positive_count, check_confidence, check_k_n, check_open_unit

Interval = tuple[float, float]

DEFAULT_CONFIDENCE: Final = 0.95
DEFAULT_ALPHA: Final = 0.05
DEFAULT_MIN_N: Final = 10


class Verdict(StrEnum):
    """Outcome of comparing a local rate with a published benchmark."""

    CONSISTENT = "consistent"
    BETTER = "better"
    WORSE = "worse"
    TOO_FEW_CASES = "too few cases"


@dataclass(frozen=True)
class Proportion:
    """A proportion k/n with Wilson and exact (Clopper-Pearson) intervals.

    ``value`` and both intervals are None when n == 0, because no rate can be estimated.
    """

    k: int
    n: int
    value: float | None
    wilson: Interval | None
    exact: Interval | None
    confidence: float = DEFAULT_CONFIDENCE


@dataclass(frozen=True)
class FisherResult:
    """Fisher's exact test on a 2x2 table of (k1 of n1) versus (k2 of n2).

    ``odds_ratio`` is the sample odds ratio (k1 (n2-k2)) / ((n1-k1) k2). It is None when
    it is not a finite number: ``odds_ratio_infinite`` tells an infinite ratio (zero cell in
    the denominator only) apart from an undefined one (0/0), and keeps results JSON-safe.
    """

    odds_ratio: float | None
    odds_ratio_infinite: bool
    p_value: float


def _interval(k: int, n: int, confidence: float, method: str) -> Interval | None:
    """Return a binomial confidence interval from scipy, or None when n == 0."""
    if n == 0:
        return None
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method=method)
    return (float(ci.low), float(ci.high))


def _wilson(k: int, n: int, confidence: float) -> Interval | None:
    """Return the Wilson score interval from its closed form (Newcombe 1998, method 3).

    The arithmetic is that of scipy's ``binomtest(k, n).proportion_ci(method="wilson")``,
    step for step, so the limits are the same floats; calling scipy would also compute
    a p-value that is never used, which made the interval the costliest part of a tile.
    """
    if n == 0:
        return None
    p = k / n
    z = float(special.ndtri(0.5 + 0.5 * confidence))
    denominator = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denominator
    delta = z / denominator * math.sqrt(4 * n * p * (1 - p) + z**2)
    low = 0.0 if k == 0 else center - delta
    high = 1.0 if k == n else center + delta
    return (low, high)


def wilson_interval(k: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Interval | None:
    """Return the Wilson score interval for k/n (no continuity correction), None if n == 0."""
    k, n = check_k_n(k, n)
    return _wilson(k, n, check_confidence(confidence))


def clopper_pearson_interval(
    k: int, n: int, confidence: float = DEFAULT_CONFIDENCE
) -> Interval | None:
    """Return the exact Clopper-Pearson interval for k/n, or None if n == 0."""
    k, n = check_k_n(k, n)
    return _interval(k, n, check_confidence(confidence), "exact")


def proportion(k: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Proportion:
    """Compute k/n with its Wilson and Clopper-Pearson confidence intervals."""
    k, n = check_k_n(k, n)
    confidence = check_confidence(confidence)
    value = k / n if n > 0 else None
    return Proportion(
        k=k,
        n=n,
        value=value,
        wilson=_wilson(k, n, confidence),
        exact=_interval(k, n, confidence, "exact"),
        confidence=confidence,
    )


def binomial_test(k: int, n: int, p0: float) -> float | None:
    """Return the two-sided exact binomial p-value of k/n against p0, or None if n == 0.

    The two-sided p-value sums the probabilities of all outcomes no more likely than the
    observed one (scipy's definition, as in R's binom.test).
    """
    k, n = check_k_n(k, n)
    p0 = check_open_unit(p0, "p0")
    if n == 0:
        return None
    return float(stats.binomtest(k, n, p0, alternative="two-sided").pvalue)


def _odds_ratio(k1: int, n1: int, k2: int, n2: int) -> tuple[float | None, bool]:
    """Return the sample odds ratio (None if not finite) and whether it is infinite."""
    numerator = k1 * (n2 - k2)
    denominator = (n1 - k1) * k2
    if denominator == 0:
        return None, numerator > 0
    return numerator / denominator, False


def fisher_test(k1: int, n1: int, k2: int, n2: int) -> FisherResult:
    """Compute Fisher's exact test (two-sided) comparing k1/n1 with k2/n2."""
    k1, n1 = check_k_n(k1, n1)
    k2, n2 = check_k_n(k2, n2)
    table = [[k1, n1 - k1], [k2, n2 - k2]]
    # scipy returns p = 1 for tables with an empty row or column, which is what we want.
    p_value = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
    odds_ratio, infinite = _odds_ratio(k1, n1, k2, n2)
    return FisherResult(odds_ratio=odds_ratio, odds_ratio_infinite=infinite, p_value=p_value)


def verdict(
    k: int,
    n: int,
    p0: float,
    *,
    higher_is_better: bool,
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
    p_value: float | None = None,
) -> Verdict:
    """Classify a local rate k/n against the benchmark p0.

    Return TOO_FEW_CASES when n < min_n (or n == 0); otherwise CONSISTENT unless the
    two-sided exact binomial test rejects at ``alpha``, in which case the direction of
    k/n relative to p0, read through ``higher_is_better``, decides BETTER or WORSE.
    Pass ``p_value`` when ``binomial_test(k, n, p0)`` is already known: the test
    costs milliseconds for a large n.
    """
    k, n = check_k_n(k, n)
    p0 = check_open_unit(p0, "p0")
    alpha = check_open_unit(alpha, "alpha")
    min_n = as_positive_count(min_n, "min_n")
    if n < min_n:
        return Verdict.TOO_FEW_CASES
    if p_value is None:
        p_value = float(stats.binomtest(k, n, p0, alternative="two-sided").pvalue)
    if p_value >= alpha:
        return Verdict.CONSISTENT
    observed_higher = k / n > p0
    return Verdict.BETTER if observed_higher == higher_is_better else Verdict.WORSE
