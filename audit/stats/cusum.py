"""Bernoulli CUSUM for a complication rate (Steiner, Cook, Farewell & Treasure 2000).

Unadjusted form: every procedure has the same in-control risk p0. The chart tests
H0: odds = odds(p0) against HA: odds = R_A * odds(p0), i.e. p1 = R_A p0 / (1 - p0 + R_A p0).
Each outcome y (1 = complication) adds its log-likelihood ratio

    W = y log(p1 / p0) + (1 - y) log((1 - p1) / (1 - p0))
      = y log(R_A) - log(1 - p0 + R_A p0),

so a complication scores log(R_A / (1 - p0 + R_A p0)) and an uncomplicated case scores
log(1 / (1 - p0 + R_A p0)), which is negative whenever R_A > 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np

from ._validation import (
    FloatArray,
    IntArray,
    Integers,
    as_count,
    as_events,
    as_positive_count,
    as_real,
    check_open_unit,
)

DEFAULT_ODDS_RATIO: Final = 2.0
DEFAULT_N_SIM: Final = 2000
DEFAULT_SEED: Final = 20001441
# Simulated runs are truncated at max_run; 5 x target keeps the truncation bias near
# exp(-5) (~0.7%) for the roughly geometric run-length distribution of a CUSUM.
MAX_RUN_FACTOR: Final = 5
# Grid step for h: a power of two makes h = j * step and M / step exact in floating point.
_H_STEP: Final = 2.0**-9
_CHUNK_ROWS: Final = 256


@dataclass(frozen=True)
class CusumWeights:
    """Log-likelihood-ratio scores for an uncomplicated case and for a complication."""

    success: float
    failure: float


@dataclass(frozen=True)
class CusumResult:
    """A CUSUM path and the (0-based) indices of the outcomes at which it signalled.

    ``path[t]`` is S_t before any reset, so a signalling point shows the value that
    crossed h; the next point starts again from 0.
    """

    path: tuple[float, ...]
    signals: tuple[int, ...]
    h: float
    weights: CusumWeights


@dataclass(frozen=True)
class ControlLimit:
    """A simulated control limit h and the in-control ARL it achieves."""

    h: float
    arl0: float
    target_arl0: float
    n_sim: int
    max_run: int
    seed: int


def _check_odds_ratio(odds_ratio: float) -> float:
    """Return the odds ratio to detect, which must be positive and not 1."""
    value = as_real(odds_ratio, "odds_ratio")
    if value <= 0.0 or value == 1.0:
        raise ValueError(f"odds_ratio must be positive and different from 1, got {value}")
    return value


def cusum_weights(p0: float, odds_ratio: float = DEFAULT_ODDS_RATIO) -> CusumWeights:
    """Return the CUSUM scores for an outcome without and with a complication."""
    p0 = check_open_unit(p0, "p0")
    odds_ratio = _check_odds_ratio(odds_ratio)
    log_denominator = math.log(1.0 - p0 + odds_ratio * p0)
    return CusumWeights(success=-log_denominator, failure=math.log(odds_ratio) - log_denominator)


def _check_h(h: float) -> float:
    """Return the control limit h, which must be positive."""
    value = as_real(h, "h")
    if value <= 0.0:
        raise ValueError(f"h must be positive, got {value}")
    return value


def bernoulli_cusum(
    outcomes: Integers,
    p0: float,
    *,
    odds_ratio: float = DEFAULT_ODDS_RATIO,
    h: float,
) -> CusumResult:
    """Run the upper Bernoulli CUSUM S_t = max(0, S_{t-1} + W_t) over ``outcomes``.

    ``outcomes`` are in procedure order, 1 = complication. A signal is raised when
    S_t >= h, after which the chart restarts from 0.
    """
    y = as_events(outcomes, "outcomes")
    weights = cusum_weights(p0, odds_ratio)
    h = _check_h(h)
    path: list[float] = []
    signals: list[int] = []
    level = 0.0
    failure, success = weights.failure, weights.success
    # A plain loop, written for speed (a national chart runs it 160,000 times): the
    # comparison below is max(0.0, level) without a call per step.
    for index, outcome in enumerate(y.tolist()):
        level += failure if outcome else success
        if not level > 0.0:
            level = 0.0
        path.append(level)
        if level >= h:
            signals.append(index)
            level = 0.0
    return CusumResult(path=tuple(path), signals=tuple(signals), h=h, weights=weights)


def _check_simulation(n_sim: int, seed: int, max_run: int) -> tuple[int, int, int]:
    """Return validated simulation settings (n_sim >= 1, seed >= 0, max_run >= 2)."""
    n_sim = as_positive_count(n_sim, "n_sim")
    seed = as_count(seed, "seed")
    max_run = as_positive_count(max_run, "max_run")
    if max_run < 2:
        raise ValueError(f"max_run must be at least 2, got {max_run}")
    return n_sim, seed, max_run


def _running_maxima(
    p0: float, weights: CusumWeights, n_sim: int, max_run: int, seed: int
) -> Iterator[FloatArray]:
    """Yield, chunk by chunk, max_{s<=t} S_s of simulated in-control charts (t < max_run).

    Until its first signal a chart never resets, so S_t is the reflected random walk
    C_t - min(0, min_{s<=t} C_s) with C the cumulative sum of scores: no Python loop over
    procedures is needed, and the run length for any h follows from the running maximum.
    """
    rng = np.random.default_rng(seed)
    for start in range(0, n_sim, _CHUNK_ROWS):
        rows = min(_CHUNK_ROWS, n_sim - start)
        failures = rng.random((rows, max_run - 1)) < p0
        walk = np.cumsum(np.where(failures, weights.failure, weights.success), axis=1)
        level = walk - np.minimum(np.minimum.accumulate(walk, axis=1), 0.0)
        yield np.maximum.accumulate(level, axis=1)


def simulate_arl0(
    p0: float,
    h: float,
    *,
    odds_ratio: float = DEFAULT_ODDS_RATIO,
    n_sim: int = DEFAULT_N_SIM,
    seed: int = DEFAULT_SEED,
    max_run: int = 10_000,
) -> float:
    """Estimate the in-control average run length for limit h by Monte-Carlo simulation.

    The run length is the number of procedures up to and including the first signal
    when outcomes are Bernoulli(p0), truncated at ``max_run``.
    """
    weights = cusum_weights(p0, odds_ratio)
    h = _check_h(h)
    n_sim, seed, max_run = _check_simulation(n_sim, seed, max_run)
    # Run length = 1 + number of the first max_run - 1 steps whose running max is < h.
    maxima = _running_maxima(p0, weights, n_sim, max_run, seed)
    below = sum(int(np.count_nonzero(chunk < h)) for chunk in maxima)
    return 1.0 + below / n_sim


def _arl_by_grid(
    p0: float, weights: CusumWeights, n_sim: int, max_run: int, seed: int, n_bins: int
) -> FloatArray:
    """Return ARL0(j * step) for j = 0..n_bins, counting running maxima per grid cell."""
    counts: IntArray = np.zeros(n_bins + 1, dtype=np.int64)
    for maxima in _running_maxima(p0, weights, n_sim, max_run, seed):
        # M / step is exact because step is a power of two, so cell j holds M in [j, j+1).
        cells = np.minimum(np.floor(maxima / _H_STEP), n_bins).astype(np.int64)
        counts += np.bincount(cells.ravel(), minlength=n_bins + 1)
    below_edge = np.concatenate(([0], np.cumsum(counts)[:-1]))
    arl: FloatArray = 1.0 + below_edge / n_sim
    return arl


def _first_index_reaching(arl: FloatArray, target: float) -> int:
    """Return the first grid index j >= 1 with ARL0(j * step) >= target."""
    reached = np.flatnonzero(arl[1:] >= target)
    if reached.size == 0:
        raise ValueError("target_arl0 not reached within max_run; increase max_run or n_sim")
    index = int(reached[0]) + 1
    if index == 1:
        # Even the tiniest h already exceeds the target (about 1/p0 when R_A > 1).
        raise ValueError(
            f"target_arl0={target} is below the smallest achievable ARL0 ({arl[1]:.1f})"
        )
    return index


def control_limit(
    p0: float,
    *,
    odds_ratio: float = DEFAULT_ODDS_RATIO,
    target_arl0: float,
    n_sim: int = DEFAULT_N_SIM,
    seed: int = DEFAULT_SEED,
    max_run: int | None = None,
) -> ControlLimit:
    """Choose the smallest h (on a 2^-9 grid) whose simulated in-control ARL0 >= target.

    ``n_sim`` in-control charts (outcomes ~ Bernoulli(p0), runs truncated at
    ``max_run``, default 5 x target) are simulated once and shared by every candidate h
    (common random numbers), so the simulated ARL0(h) is monotone in h and one pass
    gives it on the whole grid; the returned ``arl0`` is exactly what ``simulate_arl0``
    reports for the same h, seed, n_sim and max_run. Because a likelihood-ratio CUSUM
    has ARL0 >= exp(h), the grid only needs to reach a little beyond log(target).
    """
    weights = cusum_weights(p0, odds_ratio)
    target = as_real(target_arl0, "target_arl0")
    if target <= 1.0:
        raise ValueError(f"target_arl0 must exceed 1, got {target}")
    if max_run is None:
        max_run = max(10, math.ceil(MAX_RUN_FACTOR * target))
    n_sim, seed, max_run = _check_simulation(n_sim, seed, max_run)
    h_top = math.log(target) + abs(weights.failure) + abs(weights.success)
    n_bins = math.ceil(h_top / _H_STEP)
    arl = _arl_by_grid(p0, weights, n_sim, max_run, seed, n_bins)
    index = _first_index_reaching(arl, target)
    return ControlLimit(
        h=index * _H_STEP,
        arl0=float(arl[index]),
        target_arl0=target,
        n_sim=n_sim,
        max_run=max_run,
        seed=seed,
    )
