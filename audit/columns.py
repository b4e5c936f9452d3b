"""A cohort as columns: what every result, panel and criterion is computed from (no database).

Each proportion measure is an `Outcomes`: per unit of its denominator, the outcome,
its subgroups as a bit mask (bit i is SUBGROUP_CHOICES[i]) and its site, and for
the CUSUM charts its date, record id and operator. Each time-to-event measure is a
`Times`. The criteria and completeness tables are plain `Counts`. Numpy columns
make a subgroup or a site one vectorised selection rather than a pass over
Python objects, which is what keeps a national cohort fast.

Two derivations produce a `Tally`: audit.facts from SQL (what the pages and the
REST export use) and audit.reference from audit.cohort's per-unit facts (the
rules spelt out in Python, which the tests hold the SQL to).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from audit import stats
from audit.definitions import ALL, SUBGROUP_CHOICES
from audit.rows import Period, SiteRow

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

NO_OPERATOR = "Operator not recorded"  # the CUSUM's label for procedures without one
SUBGROUP_CODES: tuple[str, ...] = tuple(code for code, _ in SUBGROUP_CHOICES)
SUBGROUP_BITS: dict[str, int] = {code: 1 << index for index, code in enumerate(SUBGROUP_CODES)}


def mask_of(groups: Iterable[str]) -> int:
    """Return the bit mask of a set of subgroup codes (codes outside SUBGROUP_CHOICES drop)."""
    return sum(SUBGROUP_BITS.get(code, 0) for code in set(groups))


def ints(values: Iterable[int]) -> IntArray:
    return np.fromiter(values, dtype=np.int64)


def subgroups_present(masks: IntArray, wanted: bool) -> list[str]:
    """Return "all" and, if wanted, every subgroup some unit belongs to, in the usual order."""
    present = int(np.bitwise_or.reduce(masks)) if wanted and masks.size else 0
    return [code for code in SUBGROUP_CODES if code == ALL or present & SUBGROUP_BITS[code]]


def in_subgroup(masks: IntArray, subgroup: str) -> BoolArray:
    result: BoolArray = (masks & SUBGROUP_BITS[subgroup]) != 0
    return result


@dataclass(frozen=True, eq=False)
class Outcomes:
    """A proportion measure's denominator, one unit per row, and whether each is a success."""

    outcome: BoolArray
    mask: IntArray
    site_id: IntArray
    # For the CUSUM charts (procedure measures): date (day number), record id, operator.
    on: IntArray | None = None
    order: IntArray | None = None
    operator: IntArray | None = None  # a key of `operator_labels`
    operator_labels: Mapping[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.outcome.size)

    def subgroups(self, wanted: bool) -> list[str]:
        return subgroups_present(self.mask, wanted)

    def counts(self, subgroup: str = ALL) -> tuple[int, int]:
        """Return (k, N) of the units in a subgroup."""
        members = in_subgroup(self.mask, subgroup)
        return int(np.count_nonzero(self.outcome & members)), int(np.count_nonzero(members))

    def per_site(self, site_ids: Iterable[int]) -> list[tuple[int, int, int]]:
        """Return (site id, k, N) of each of the sites with at least one unit, in that order."""
        rows = []
        for site_id in site_ids:
            members = self.site_id == site_id
            n = int(np.count_nonzero(members))
            if n:
                rows.append((site_id, int(np.count_nonzero(self.outcome & members)), n))
        return rows


@dataclass(frozen=True, eq=False)
class Times:
    """Follow-up in months with a status (0 censored, 1 event, 2 competing) and subgroups."""

    months: FloatArray
    status: IntArray
    mask: IntArray
    _curves: dict[tuple[str, str], object] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.months.size)

    def subgroups(self, wanted: bool) -> list[str]:
        return subgroups_present(self.mask, wanted)

    def of(self, subgroup: str) -> Times:
        """Return the units of a subgroup."""
        if subgroup == ALL:
            return self
        members = in_subgroup(self.mask, subgroup)
        return Times(self.months[members], self.status[members], self.mask[members])

    def events_by(self, months: float, status: int = 1) -> int:
        return int(np.count_nonzero((self.status == status) & (self.months <= months)))

    def at_risk(self, months: float) -> int:
        return int(np.count_nonzero(self.months >= months))

    def kaplan_meier(self, subgroup: str = ALL) -> stats.KaplanMeier:
        """Return the subgroup's Kaplan-Meier curve, estimated once and shared by its users."""
        key = ("km", subgroup)
        if key not in self._curves:
            members = self.of(subgroup)
            self._curves[key] = stats.kaplan_meier(members.months, members.status)
        curve = self._curves[key]
        assert isinstance(curve, stats.KaplanMeier)
        return curve

    def incidence(self, subgroup: str = ALL) -> stats.CumulativeIncidence:
        """Return the subgroup's cumulative incidence of cause 1, estimated once."""
        key = ("cif", subgroup)
        if key not in self._curves:
            members = self.of(subgroup)
            self._curves[key] = stats.cumulative_incidence(members.months, members.status)
        curve = self._curves[key]
        assert isinstance(curve, stats.CumulativeIncidence)
        return curve


@dataclass(frozen=True)
class Counts:
    """The numbers the NICE criteria and the completeness table are made of."""

    patients: int
    mdt_before: int  # MDT on or before the first cryotherapy
    informed: int  # written information before, alternatives discussed
    mdt_missing: int
    information_missing: int
    alternatives_missing: int
    baseline_cea_missing: int
    follow_up_eligible: int  # first treated at least follow_up_days before the data date
    followed_up: int
    procedures: int
    consented: int
    operator_missing: int
    treatments: int  # current treatments of the period's procedures
    technical_unknown: int
    tumours: int
    large: int  # over 4 cm
    large_with_reason: int
    imaging_due: int  # efficacy window over by the data date
    imaging_missing: int
    # Per site (in the order of Tally.sites): overdue, scheduled, patients.
    overdue: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True, eq=False)
class Tally:
    """Everything the results of one set of sites and one period are computed from."""

    period: Period
    sites: tuple[SiteRow, ...]
    n_patients: int
    n_tumours: int
    n_procedures: int
    outcomes: Mapping[str, Outcomes]  # per proportion measure (audit.measures.PROPORTIONS)
    survival: Times  # per patient: months to death, or censored at the last contact
    ltp: Times  # per tumour shown completely ablated: months to LTP, death competing
    patient_mask: IntArray
    patient_procedures: IntArray  # procedures per patient
    counts: Counts
