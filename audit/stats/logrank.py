"""One-sample log-rank test of a local cohort against a published survival curve.

Units: the local follow-up ``times`` and the ``reference_times`` of the published curve
must be in the same unit (e.g. both in years). Nothing here converts units, so mixing
months with years silently scales the expected number of deaths by a factor of 12.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._validation import (
    FloatArray,
    Integers,
    Reals,
    as_events,
    as_times,
    check_confidence,
    check_same_length,
)

Interval = tuple[float, float]


@dataclass(frozen=True)
class OneSampleLogRank:
    """Observed (O) versus expected (E) deaths under a reference survival curve.

    ``smr`` is O/E (the standardised mortality ratio) with an exact Poisson (Garwood)
    confidence interval that treats E as fixed. ``chi_square`` is (O - E)^2 / E on 1
    degree of freedom. Ratio, interval and test are None when E == 0 (e.g. no cohort or
    every follow-up time is zero), because there is then nothing to compare against.
    """

    observed: int
    expected: float
    smr: float | None
    smr_ci: Interval | None
    chi_square: float | None
    p_value: float | None


def _reference_knots(
    reference_times: Sequence[float], reference_survival: Sequence[float]
) -> tuple[FloatArray, FloatArray]:
    """Validate the published curve and return knots and cumulative hazards from t = 0."""
    knot_times = as_times(reference_times, "reference_times")
    survival = np.asarray(reference_survival, dtype=np.float64)
    check_same_length(knot_times, survival, "reference_times and reference_survival")
    if knot_times.size == 0:
        raise ValueError("the reference curve needs at least one time point")
    if knot_times[0] <= 0.0 or np.any(np.diff(knot_times) <= 0.0):
        raise ValueError("reference_times must be positive and strictly increasing")
    if np.any(~np.isfinite(survival)) or np.any(survival <= 0.0) or np.any(survival > 1.0):
        raise ValueError("reference_survival must lie in (0, 1]")
    if np.any(np.diff(survival) > 0.0):
        raise ValueError("reference_survival must be non-increasing")
    knots = np.concatenate(([0.0], knot_times))
    hazards = np.concatenate(([0.0], -np.log(survival)))
    return knots, hazards


def _cumulative_hazard(t: FloatArray, knots: FloatArray, hazards: FloatArray) -> FloatArray:
    """Return H0(t), linear between knots and extended with the last interval's slope."""
    last_slope = (hazards[-1] - hazards[-2]) / (knots[-1] - knots[-2])
    inside = np.interp(t, knots, hazards)
    beyond = hazards[-1] + last_slope * (t - knots[-1])
    result: FloatArray = np.where(t > knots[-1], beyond, inside)
    return result


def reference_cumulative_hazard(
    times: Sequence[float],
    reference_times: Sequence[float],
    reference_survival: Sequence[float],
) -> tuple[float, ...]:
    """Return the reference cumulative hazard H0(t) = -log S0(t) at each time.

    S0(0) = 1 is assumed; H0 is interpolated linearly between the published points (a
    piecewise-exponential model) and extrapolated past the last point with the hazard of
    the last interval, so long local follow-up still accrues expected deaths.
    """
    knots, hazards = _reference_knots(reference_times, reference_survival)
    return tuple(_cumulative_hazard(as_times(times), knots, hazards).tolist())


def _poisson_ratio_interval(observed: int, expected: float, confidence: float) -> Interval:
    """Return the exact (Garwood) Poisson interval for observed/expected."""
    tail = (1.0 - confidence) / 2.0
    low = 0.0 if observed == 0 else stats.chi2.ppf(tail, 2 * observed) / 2.0
    high = stats.chi2.ppf(1.0 - tail, 2 * (observed + 1)) / 2.0
    return (float(low / expected), float(high / expected))


def one_sample_logrank(
    times: Reals,
    events: Integers,
    reference_times: Sequence[float],
    reference_survival: Sequence[float],
    *,
    confidence: float = 0.95,
) -> OneSampleLogRank:
    """Compare observed deaths with those expected under a published survival curve.

    E is the sum over all subjects of H0 at their follow-up time (event or censoring);
    O is the number of events (``events`` = 1). ``times`` and ``reference_times`` must
    share a unit - see the module docstring.
    """
    follow_up = as_times(times)
    status = as_events(events)
    check_same_length(follow_up, status, "times and events")
    confidence = check_confidence(confidence)
    knots, hazards = _reference_knots(reference_times, reference_survival)
    observed = int(status.sum())
    expected = float(_cumulative_hazard(follow_up, knots, hazards).sum())
    if expected <= 0.0:
        return OneSampleLogRank(observed, expected, None, None, None, None)
    chi_square = (observed - expected) ** 2 / expected
    return OneSampleLogRank(
        observed=observed,
        expected=expected,
        smr=observed / expected,
        smr_ci=_poisson_ratio_interval(observed, expected, confidence),
        chi_square=chi_square,
        p_value=float(stats.chi2.sf(chi_square, df=1)),
    )
