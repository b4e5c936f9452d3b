"""Kaplan-Meier survival with Greenwood / log-log confidence bands and median survival."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._risk import risk_table, step_index
from ._validation import (
    FloatArray,
    IntArray,
    Integers,
    Reals,
    as_events,
    as_times,
    check_confidence,
    check_same_length,
    check_time,
)

SurvivalPoint = tuple[float, float, float]

_MEDIAN_LEVEL = 0.5


@dataclass(frozen=True)
class MedianSurvival:
    """Median survival time with its confidence limits; None where not reached."""

    estimate: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier curve tabulated at every distinct observed time.

    ``times`` includes censoring times (the curve is flat there), matching R's survfit.
    ``std_err`` is Greenwood's standard error of S(t); ``lower``/``upper`` are pointwise
    log-log (complementary log-log) limits built on the Greenwood variance. Where that
    interval is undefined - S(t) = 1 before the first event, or S(t) = 0 once everyone has
    failed - the Greenwood variance is zero and the band collapses onto the estimate.
    """

    n: int
    confidence: float
    times: tuple[float, ...]
    n_at_risk: tuple[int, ...]
    n_events: tuple[int, ...]
    n_censored: tuple[int, ...]
    survival: tuple[float, ...]
    std_err: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]

    def survival_at(self, t: float) -> SurvivalPoint | None:
        """Return (S, lower, upper) at time t, or None beyond the last observed time.

        The curve is a right-continuous step function, so an event at t is already
        reflected in S(t). No extrapolation is made past the longest follow-up.
        """
        t = check_time(t)
        if not self.times or t > self.times[-1]:
            return None
        index = step_index(np.asarray(self.times), t)
        if index < 0:
            return (1.0, 1.0, 1.0)
        return (self.survival[index], self.lower[index], self.upper[index])

    def median(self) -> MedianSurvival:
        """Return the median survival and its Brookmeyer-Crowley-style confidence limits.

        The median is the smallest time with S(t) <= 0.5; the lower (upper) limit is the
        smallest time at which the lower (upper) confidence band drops to 0.5 or below.
        Unlike R's survfit, no midpoint is taken when S(t) sits exactly at 0.5 over an
        interval: the start of that interval is returned.
        """
        return MedianSurvival(
            estimate=_first_time_at_or_below(self.times, self.survival),
            lower=_first_time_at_or_below(self.times, self.lower),
            upper=_first_time_at_or_below(self.times, self.upper),
        )

    def at_risk(self, times: Sequence[float]) -> tuple[int, ...]:
        """Return the number still under follow-up (follow-up time >= t) at each time."""
        query = as_times(times)
        grid = np.asarray(self.times)
        # n_at_risk at the first tabulated time >= t is exactly #{T_i >= t}.
        position = np.searchsorted(grid, query, side="left")
        padded = np.append(np.asarray(self.n_at_risk, dtype=np.int64), 0)
        return tuple(int(count) for count in padded[position])


def _first_time_at_or_below(times: tuple[float, ...], curve: tuple[float, ...]) -> float | None:
    """Return the first time at which ``curve`` is <= 0.5, or None if it never is."""
    for time, value in zip(times, curve, strict=True):
        if value <= _MEDIAN_LEVEL:
            return time
    return None


def _greenwood_std_err(survival: FloatArray, at_risk: IntArray, events: IntArray) -> FloatArray:
    """Return Greenwood's standard error S(t) * sqrt(sum d / (n (n - d)))."""
    survivors = at_risk - events
    # When everyone at risk fails (n == d), S drops to 0 and its variance is taken as 0.
    terms = np.divide(events, at_risk * survivors, out=np.zeros(events.shape), where=survivors > 0)
    std_err: FloatArray = survival * np.sqrt(np.cumsum(terms))
    return np.where(survival > 0.0, std_err, 0.0)


def _scipy_curve(
    times: FloatArray, events: IntArray, grid: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return scipy's Kaplan-Meier estimate and Greenwood log-log band at ``grid``."""
    data = stats.CensoredData.right_censored(times, events == 0)
    survival_function = stats.ecdf(data).sf
    with warnings.catch_warnings():
        # scipy warns where S is 0 or 1; those NaNs are replaced below on purpose.
        warnings.simplefilter("ignore", RuntimeWarning)
        band = survival_function.confidence_interval(confidence, method="log-log")
    survival = survival_function.evaluate(grid)
    lower = band.low.evaluate(grid)
    upper = band.high.evaluate(grid)
    return (
        survival,
        np.where(np.isnan(lower), survival, lower),
        np.where(np.isnan(upper), survival, upper),
    )


def kaplan_meier(times: Reals, events: Integers, *, confidence: float = 0.95) -> KaplanMeier:
    """Estimate the Kaplan-Meier survival curve with Greenwood log-log intervals.

    ``events`` uses 1 for an observed event and 0 for a censored follow-up time. Times
    must be non-negative and all in one unit (the unit carries through to the results).
    """
    follow_up = as_times(times)
    status = as_events(events)
    check_same_length(follow_up, status, "times and events")
    confidence = check_confidence(confidence)
    table = risk_table(follow_up, status)
    n_events = table.events[:, 0]
    if follow_up.size:
        survival, lower, upper = _scipy_curve(follow_up, status, table.times, confidence)
    else:
        survival = lower = upper = np.zeros(0)
    return KaplanMeier(
        n=int(follow_up.size),
        confidence=confidence,
        times=tuple(table.times.tolist()),
        n_at_risk=tuple(table.at_risk.tolist()),
        n_events=tuple(n_events.tolist()),
        n_censored=tuple(table.censored.tolist()),
        survival=tuple(survival.tolist()),
        std_err=tuple(_greenwood_std_err(survival, table.at_risk, n_events).tolist()),
        lower=tuple(lower.tolist()),
        upper=tuple(upper.tolist()),
    )
