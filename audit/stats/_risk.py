"""Risk-set bookkeeping shared by the Kaplan-Meier and cumulative-incidence estimators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import FloatArray, IntArray


@dataclass(frozen=True)
class RiskTable:
    """Counts at each distinct observed time (events and censorings alike).

    ``events`` has one column per event code 1..max_code (column 0 is code 1), so a
    single-cause table has one column and a competing-risks table has one per cause.
    """

    times: FloatArray
    at_risk: IntArray
    events: IntArray
    censored: IntArray

    @property
    def all_events(self) -> IntArray:
        """Return the number of events of any cause at each time."""
        total: IntArray = self.events.sum(axis=1)
        return total


def risk_table(times: FloatArray, codes: IntArray) -> RiskTable:
    """Tabulate subjects at risk, events by code and censorings at each distinct time.

    ``codes`` uses 0 for censored and 1, 2, ... for event types; ties are handled by the
    usual convention that subjects censored at t are still at risk at t.
    """
    unique_times, inverse = np.unique(times, return_inverse=True)
    n_times = unique_times.shape[0]
    max_code = int(codes.max()) if codes.size else 0
    events = np.zeros((n_times, max(max_code, 1)), dtype=np.int64)
    for code in range(1, max_code + 1):
        events[:, code - 1] = np.bincount(inverse[codes == code], minlength=n_times)
    censored = np.bincount(inverse[codes == 0], minlength=n_times).astype(np.int64)
    leaving = events.sum(axis=1) + censored
    # Number at risk at t_j = everyone minus those who left strictly before t_j.
    left_before = np.cumsum(leaving) - leaving
    at_risk = (times.shape[0] - left_before).astype(np.int64)
    return RiskTable(unique_times, at_risk, events, censored)


def product_limit(at_risk: IntArray, events: IntArray) -> FloatArray:
    """Return the Kaplan-Meier survival after each time from risk-set counts."""
    # at_risk is >= 1 at every tabulated time, so the division is always defined.
    factors = 1.0 - events / at_risk
    survival: FloatArray = np.cumprod(factors, dtype=np.float64)
    return survival


def step_index(grid: FloatArray, t: float) -> int:
    """Return the index of the last grid time <= t, or -1 if t precedes the grid."""
    return int(np.searchsorted(grid, t, side="right")) - 1
