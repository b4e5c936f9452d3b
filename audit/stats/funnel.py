"""Funnel-plot control limits for a proportion (Spiegelhalter 2005, Stat Med 24:1185).

Exact binomial limits with Spiegelhalter's interpolation between integer counts, a
Winsorised test for overdispersion, multiplicatively inflated limits when overdispersion
is present, and classification of each unit into the usual 95% / 99.8% zones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
from scipy import stats

from ._validation import (
    FloatArray,
    as_positive_count,
    as_real,
    check_k_n,
    check_open_unit,
)

# Two-sided 95% and 99.8% limits, as in Spiegelhalter (2005).
ALERT_LEVELS: Final = (0.025, 0.975)
ALARM_LEVELS: Final = (0.001, 0.999)
WINSOR_FRACTION: Final = 0.1


class FunnelZone(StrEnum):
    """Where a unit falls relative to the funnel limits."""

    WITHIN_95 = "within 95%"
    ALERT = "between 95% and 99.8% (alert)"
    ALARM = "beyond 99.8% (alarm)"


class Direction(StrEnum):
    """Side of the target on which an outlying unit lies."""

    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True)
class FunnelLimits:
    """Lower/upper 95% and 99.8% control limits for a proportion at sample size n."""

    n: int
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


@dataclass(frozen=True)
class UnitClassification:
    """Zone of one unit; ``direction`` is None while the unit is within the 95% limits."""

    k: int
    n: int
    proportion: float
    zone: FunnelZone
    direction: Direction | None


@dataclass(frozen=True)
class Overdispersion:
    """Winsorised overdispersion estimate and chi-square test (Spiegelhalter 2005).

    ``statistic`` is I * phi, compared with the upper 95% point of chi-square on I - 1
    degrees of freedom (``critical_value``).
    """

    p0: float
    n_units: int
    phi: float
    statistic: float
    df: int
    critical_value: float
    p_value: float
    overdispersed: bool

    def limits(self, n: int) -> FunnelLimits:
        """Return inflated limits if overdispersed, otherwise the exact binomial limits."""
        if self.overdispersed:
            return inflated_limits(self.p0, n, self.phi)
        return _exact_limits(self.p0, as_positive_count(n, "n"))


def binomial_limit(p0: float, n: int, level: float) -> float:
    """Return Spiegelhalter's interpolated binomial control limit at probability ``level``.

    With r = the ``level`` quantile of Binomial(n, p0) and
    a = (F(r) - level) / (F(r) - F(r - 1)), the limit is (r - a) / n clipped to [0, 1].
    The interpolation turns the step-shaped binomial quantile into a smooth funnel.
    """
    p0 = check_open_unit(p0, "p0")
    n = as_positive_count(n, "n")
    level = check_open_unit(level, "level")
    return _interpolated_limit(p0, n, level)


def _interpolated_limit(p0: float, n: int, level: float) -> float:
    """Compute the interpolated limit for already-validated arguments."""
    r = float(stats.binom.ppf(level, n, p0))
    cdf_r = float(stats.binom.cdf(r, n, p0))
    cdf_below = float(stats.binom.cdf(r - 1.0, n, p0))
    a = (cdf_r - level) / (cdf_r - cdf_below)
    return min(max((r - a) / n, 0.0), 1.0)


def _limit_table(p0: float, ns: Sequence[int]) -> list[list[float]]:
    """Compute `_interpolated_limit` at the four levels (columns) for every n (rows).

    The same arithmetic on arrays: one scipy call per step for the whole table
    rather than one per limit, which is where a funnel curve spent its time.
    """
    levels = np.array([*ALERT_LEVELS, *ALARM_LEVELS])[np.newaxis, :]
    sizes = np.array(ns, dtype=np.int64)[:, np.newaxis]
    r = stats.binom.ppf(levels, sizes, p0)
    cdf_r = stats.binom.cdf(r, sizes, p0)
    step = cdf_r - stats.binom.cdf(r - 1.0, sizes, p0)
    if np.any(step == 0.0):
        raise ZeroDivisionError("float division by zero")  # as the scalar arithmetic
    a = (cdf_r - levels) / step
    table: list[list[float]] = np.minimum(np.maximum((r - a) / sizes, 0.0), 1.0).tolist()
    return table


def _limits(p0: float, ns: Sequence[int]) -> tuple[FunnelLimits, ...]:
    """Compute the four exact binomial limits for already-validated arguments."""
    if not ns:
        return ()
    return tuple(
        FunnelLimits(n=n, lower_95=lo95, upper_95=hi95, lower_998=lo998, upper_998=hi998)
        for n, (lo95, hi95, lo998, hi998) in zip(ns, _limit_table(p0, ns), strict=True)
    )


def _exact_limits(p0: float, n: int) -> FunnelLimits:
    """Compute the four exact binomial limits for already-validated arguments."""
    return _limits(p0, [n])[0]


def funnel_limits(p0: float, ns: Sequence[int]) -> tuple[FunnelLimits, ...]:
    """Return the exact 95% and 99.8% funnel limits for each sample size in ``ns``."""
    p0 = check_open_unit(p0, "p0")
    return _limits(p0, [as_positive_count(n, "n") for n in ns])


def funnel_curve(p0: float, n_min: int, n_max: int, points: int = 100) -> tuple[FunnelLimits, ...]:
    """Return funnel limits at up to ``points`` integer sizes spread evenly over the range.

    Sizes are rounded to integers (the binomial needs whole cases), so duplicates are
    dropped and fewer than ``points`` rows come back when the range is narrow.
    """
    n_min = as_positive_count(n_min, "n_min")
    n_max = as_positive_count(n_max, "n_max")
    points = as_positive_count(points, "points")
    if n_max < n_min:
        raise ValueError(f"n_max must be >= n_min, got n_min={n_min}, n_max={n_max}")
    sizes = np.unique(np.round(np.linspace(n_min, n_max, points)).astype(np.int64))
    return funnel_limits(p0, [int(size) for size in sizes])


def inflated_limits(p0: float, n: int, phi: float) -> FunnelLimits:
    """Return normal-approximation limits p0 +/- z * sqrt(phi * p0 (1 - p0) / n).

    These are Spiegelhalter's multiplicative overdispersion limits, clipped to [0, 1].
    """
    p0 = check_open_unit(p0, "p0")
    n = as_positive_count(n, "n")
    phi = as_real(phi, "phi")
    if phi <= 0.0:
        raise ValueError(f"phi must be positive, got {phi}")
    spread = math.sqrt(phi * p0 * (1.0 - p0) / n)

    def limit(level: float) -> float:
        """Return p0 + z_level * spread clipped to [0, 1]."""
        return min(max(p0 + float(stats.norm.ppf(level)) * spread, 0.0), 1.0)

    return FunnelLimits(
        n=n,
        lower_95=limit(ALERT_LEVELS[0]),
        upper_95=limit(ALERT_LEVELS[1]),
        lower_998=limit(ALARM_LEVELS[0]),
        upper_998=limit(ALARM_LEVELS[1]),
    )


def _winsorised_z_scores(
    ks: Sequence[int], ns: Sequence[int], p0: float, fraction: float
) -> FloatArray:
    """Return z-scores (y - p0) / sqrt(p0 (1 - p0) / n) clipped at the given percentiles."""
    if len(ks) != len(ns):
        raise ValueError(f"ks and ns must have the same length, got {len(ks)} and {len(ns)}")
    pairs = [check_k_n(k, n) for k, n in zip(ks, ns, strict=True)]
    if any(n == 0 for _, n in pairs):
        raise ValueError("every unit needs n >= 1 for the overdispersion test")
    counts = np.array([k for k, _ in pairs], dtype=np.float64)
    sizes = np.array([n for _, n in pairs], dtype=np.float64)
    z = (counts / sizes - p0) / np.sqrt(p0 * (1.0 - p0) / sizes)
    # numpy's default (linear) percentile: extreme z-scores are pulled in to these values.
    low, high = np.percentile(z, [100.0 * fraction, 100.0 * (1.0 - fraction)])
    clipped: FloatArray = np.clip(z, low, high)
    return clipped


def overdispersion(
    ks: Sequence[int], ns: Sequence[int], p0: float, *, winsor_fraction: float = WINSOR_FRACTION
) -> Overdispersion:
    """Estimate overdispersion phi = sum(z_w^2) / I from Winsorised z-scores and test it.

    ``ks``/``ns`` are the numerators and denominators of the I units. The units are
    overdispersed when I * phi exceeds the chi-square (I - 1 df) upper 95% point.
    """
    p0 = check_open_unit(p0, "p0")
    fraction = as_real(winsor_fraction, "winsor_fraction")
    if not 0.0 <= fraction < 0.5:
        raise ValueError(f"winsor_fraction must be in [0, 0.5), got {fraction}")
    if len(ks) < 2:
        raise ValueError("the overdispersion test needs at least two units")
    z = _winsorised_z_scores(ks, ns, p0, fraction)
    n_units = int(z.size)
    statistic = float(np.sum(z**2))
    df = n_units - 1
    critical = float(stats.chi2.ppf(0.95, df))
    return Overdispersion(
        p0=p0,
        n_units=n_units,
        phi=statistic / n_units,
        statistic=statistic,
        df=df,
        critical_value=critical,
        p_value=float(stats.chi2.sf(statistic, df)),
        overdispersed=statistic > critical,
    )


def _zone(value: float, limits: FunnelLimits) -> FunnelZone:
    """Return the zone of an observed proportion; a value on a limit counts as inside."""
    if value > limits.upper_998 or value < limits.lower_998:
        return FunnelZone.ALARM
    if value > limits.upper_95 or value < limits.lower_95:
        return FunnelZone.ALERT
    return FunnelZone.WITHIN_95


def classify_unit(
    k: int, n: int, p0: float, *, limits: FunnelLimits | None = None
) -> UnitClassification:
    """Place the unit k/n in a funnel zone (on-limit counts as inside).

    ``limits`` defaults to the exact binomial limits for n; pass
    ``Overdispersion.limits(n)`` to classify against overdispersion-inflated limits.
    """
    k, n = check_k_n(k, n)
    p0 = check_open_unit(p0, "p0")
    if n == 0:
        raise ValueError("a unit with n == 0 cannot be placed on a funnel plot")
    if limits is None:
        limits = _exact_limits(p0, n)
    elif limits.n != n:
        raise ValueError(f"limits are for n={limits.n}, but the unit has n={n}")
    value = k / n
    zone = _zone(value, limits)
    direction = None
    if zone is not FunnelZone.WITHIN_95:
        direction = Direction.ABOVE if value > p0 else Direction.BELOW
    return UnitClassification(k=k, n=n, proportion=value, zone=zone, direction=direction)
