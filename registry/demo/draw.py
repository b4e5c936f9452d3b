"""One seeded random generator and the few kinds of draw the cohort needs."""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from registry.models.patients import _REGISTRY_ID_ALPHABET
from registry.validators import nhs_check_digit

T = TypeVar("T")

# NHS numbers starting 999 are never issued to patients: safe for test data.
_NHS_TEST_PREFIX = "999"


@dataclass(frozen=True)
class Table(Generic[T]):
    """Values with cumulative weights, ready for repeated weighted draws."""

    values: tuple[T, ...]
    cum_weights: tuple[float, ...]


def table(weights: Mapping[T, float]) -> Table[T]:
    """Freeze a value -> weight mapping into a Table (weights need not sum to 1)."""
    return Table(tuple(weights), tuple(itertools.accumulate(weights.values())))


class Draw:
    """Draw every synthetic value from one random.Random, so a seed fixes the cohort."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options: Table[T]) -> T:
        # bisect on the cumulative weights: rng.choices() rebuilds more per call.
        cum = options.cum_weights
        return options.values[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def one_of(self, values: Sequence[T]) -> T:
        return values[self.rng.randrange(len(values))]

    def tristate(self, p_true: float, p_false: float) -> bool | None:
        """Return True, False or None (not recorded) with the given chances."""
        u = self.rng.random()
        if u < p_true:
            return True
        return False if u < p_true + p_false else None

    def shuffle(self, values: list[T]) -> None:
        self.rng.shuffle(values)

    def integer(self, low: int, high: int) -> int:
        """Return an integer from low to high inclusive."""
        return self.rng.randint(low, high)

    def uniform(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def normal(self, mean: float, sd: float, low: float, high: float) -> float:
        return min(high, max(low, self.rng.gauss(mean, sd)))

    def lognormal(self, median: float, sigma: float, low: float, high: float) -> float:
        return min(high, max(low, self.rng.lognormvariate(math.log(median), sigma)))

    def exponential(self, mean: float) -> float:
        return self.rng.expovariate(1 / mean)

    def days_after(self, day: datetime.date, low: int, high: int) -> datetime.date:
        return day + datetime.timedelta(days=self.rng.randint(low, high))

    def days_before(self, day: datetime.date, low: int, high: int) -> datetime.date:
        return day - datetime.timedelta(days=self.rng.randint(low, high))

    def decimal(self, low: float, high: float) -> Decimal:
        """Return a value from low to high with one decimal place."""
        return Decimal(f"{self.rng.uniform(low, high):.1f}")


def registry_id(draw: Draw, taken: set[str]) -> str:
    """Return a new registry ID in the model's format, drawn from the seeded generator."""
    alphabet = _REGISTRY_ID_ALPHABET
    while True:
        chars = "".join(draw.one_of(alphabet) for _ in range(8))
        value = f"CA-{chars[:4]}-{chars[4:]}"
        if value not in taken:
            taken.add(value)
            return value


def nhs_number(draw: Draw, taken: set[str]) -> str:
    """Return a new NHS number in the 999 test range with a valid Modulus 11 check digit."""
    while True:
        first_nine = f"{_NHS_TEST_PREFIX}{draw.integer(0, 999_999):06d}"
        check = nhs_check_digit(first_nine)
        if check is None:
            continue  # No check digit exists for these nine digits: draw again.
        value = f"{first_nine}{check}"
        if value not in taken:
            taken.add(value)
            return value
