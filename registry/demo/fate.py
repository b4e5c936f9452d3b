"""When the registry stops hearing about a patient: death, loss, or the as-of date."""

from __future__ import annotations

import datetime
import itertools
import math
from dataclasses import dataclass

from registry.choices import CauseOfDeath
from registry.demo.draw import Draw, table

# Xu et al. 2008: overall survival 78 / 62 / 41 / 34 / 23% at 1-5 years.
YEARLY_SURVIVAL = (0.78, 0.62, 0.41, 0.34, 0.23)
# About 2% of patients die of a complication in their first months (drawn with the
# procedures); the drawn survival leaves room for them so the total matches Xu.
PROCEDURE_DEATHS = 0.02
_SURVIVING = (1.0, *(share / (1 - PROCEDURE_DEATHS) for share in YEARLY_SURVIVAL))
# Constant hazard within each year reproduces the five points exactly; the fifth
# year's hazard carries on beyond it.
YEARLY_HAZARDS = tuple(math.log(a / b) for a, b in itertools.pairwise(_SURVIVING))

DEATH_CAUSES = table({CauseOfDeath.CANCER: 85, CauseOfDeath.OTHER: 9, CauseOfDeath.UNKNOWN: 6})
P_LOST = 0.04
P_OVERDUE = 0.1  # living patients whose latest scheduled follow-up is missing


@dataclass
class Fate:
    """How the course ends, drawn before it runs (a fatal complication may change it)."""

    death: datetime.date | None
    cause: str
    lost: datetime.date | None
    skip_last_visit: bool


def survival_years(surviving: float) -> float:
    """Return the time in years at which the model's survival falls to `surviving` (0-1]."""
    remaining = -math.log(surviving)  # cumulative hazard at death
    for year, hazard in enumerate(YEARLY_HAZARDS):
        if remaining < hazard:
            return year + remaining / hazard
        remaining -= hazard
    return len(YEARLY_HAZARDS) + remaining / YEARLY_HAZARDS[-1]


def draw_fate(draw: Draw, first: datetime.date, as_of: datetime.date, surviving: float) -> Fate:
    """Draw death (censored at the as-of date) and loss to follow-up.

    `surviving` is a uniform draw on (0, 1] that fixes the survival time.
    """
    death: datetime.date | None = first + days(survival_years(surviving) * 365.25)
    if death is not None and death > as_of:
        death = None
    span = ((death or as_of) - first).days
    lost = None
    if draw.chance(P_LOST) and span > 61:
        # Lost before death: the registry never learns of the death.
        lost, death = draw.days_after(first, 60, span - 1), None
    cause = draw.pick(DEATH_CAUSES) if death else ""
    skip = death is None and lost is None and draw.chance(P_OVERDUE)
    return Fate(death, cause, lost, skip)


def days(value: float) -> datetime.timedelta:
    """Return a whole number of days as a timedelta."""
    return datetime.timedelta(days=round(value))
