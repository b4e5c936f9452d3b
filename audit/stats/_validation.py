"""Argument checks shared by the statistics modules.

Every public function validates its inputs here so that callers (forms, management
commands, cached report builders) get a ValueError with a readable message instead of
a numpy/scipy error from deep inside a computation.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
# Data columns: a sequence of Python numbers or a numpy array of them.
Reals = Sequence[float] | NDArray[np.floating[Any]]
Integers = Sequence[int] | NDArray[np.integer[Any]]


def as_count(value: object, name: str) -> int:
    """Return ``value`` as a non-negative int, rejecting bools and non-integers."""
    # bool is an int subclass; True as a case count is almost certainly a bug upstream.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} must be non-negative, got {count}")
    return count


def as_positive_count(value: object, name: str) -> int:
    """Return ``value`` as an int of at least 1."""
    count = as_count(value, name)
    if count < 1:
        raise ValueError(f"{name} must be at least 1, got {count}")
    return count


def check_k_n(k: object, n: object) -> tuple[int, int]:
    """Return ``(k, n)`` as ints after checking 0 <= k <= n."""
    k_int = as_count(k, "k")
    n_int = as_count(n, "n")
    if k_int > n_int:
        raise ValueError(f"k must not exceed n, got k={k_int}, n={n_int}")
    return k_int, n_int


def as_real(value: object, name: str) -> float:
    """Return ``value`` as a finite float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result}")
    return result


def check_open_unit(value: object, name: str) -> float:
    """Return ``value`` as a float strictly inside (0, 1)."""
    result = as_real(value, name)
    if not 0.0 < result < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {result}")
    return result


def check_confidence(value: object) -> float:
    """Return a confidence level strictly inside (0, 1)."""
    return check_open_unit(value, "confidence")


def check_time(value: object, name: str = "t") -> float:
    """Return a single time point as a finite, non-negative float."""
    result = as_real(value, name)
    if result < 0.0:
        raise ValueError(f"{name} must be non-negative, got {result}")
    return result


def as_times(values: Reals, name: str = "times") -> FloatArray:
    """Return a 1-D float array of finite, non-negative times."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of numbers") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    if np.any(array < 0.0):
        raise ValueError(f"{name} must be non-negative")
    return array


def as_codes(values: Integers, name: str, allowed: frozenset[int] | None = None) -> IntArray:
    """Return a 1-D int array of non-negative integer codes, optionally from ``allowed``."""
    try:
        raw = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of integer codes") from exc
    if raw.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {raw.shape}")
    # Going through float first lets 1.0 pass but catches 0.5 or NaN explicitly.
    if not np.all(np.isfinite(raw)) or np.any(raw != np.round(raw)) or np.any(raw < 0):
        raise ValueError(f"{name} must contain non-negative integers")
    codes = raw.astype(np.int64)
    if allowed is not None:
        bad = sorted(set(codes.tolist()) - allowed)
        if bad:
            raise ValueError(f"{name} may only contain {sorted(allowed)}, got {bad}")
    return codes


def as_events(values: Integers, name: str = "events") -> IntArray:
    """Return 0/1 event indicators (1 = event, 0 = censored) as an int array."""
    return as_codes(values, name, frozenset({0, 1}))


def check_same_length(first: NDArray[np.generic], second: NDArray[np.generic], names: str) -> None:
    """Raise ValueError unless the two arrays have the same length."""
    if first.shape[0] != second.shape[0]:
        raise ValueError(
            f"{names} must have the same length, got {first.shape[0]} and {second.shape[0]}"
        )
