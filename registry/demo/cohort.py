"""Generate the synthetic demo cohort as plain plans: pure Python, no database.

Everything is drawn from one seeded generator in a fixed order, so the same
seed, size and as-of date always give the same cohort: registry IDs, NHS
numbers and every value.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from registry.choices import MetastasisTiming, PrimarySite, Sex
from registry.demo import draw as ids
from registry.demo.course import Course
from registry.demo.draw import Draw, table
from registry.demo.fate import draw_fate
from registry.demo.plans import PatientPlan
from registry.demo.tumours import baseline_tumours

ACCRUAL_DAYS = 6 * 365  # first procedures spread over the six years before as-of
SITE_SHARE_DECAY = 0.75  # each further site treats three quarters as many patients
SEX = table({Sex.MALE: 55, Sex.FEMALE: 44.5, Sex.NOT_KNOWN: 0.5})
PRIMARY = table(
    {
        PrimarySite.COLORECTAL: 75,
        PrimarySite.NEUROENDOCRINE: 6,
        PrimarySite.BREAST: 5,
        PrimarySite.GASTRIC: 3,
        PrimarySite.OTHER: 3,
        PrimarySite.LUNG: 2,
        PrimarySite.MELANOMA: 2,
        PrimarySite.SARCOMA: 2,
        PrimarySite.RENAL: 2,
    }
)
TIMING = table(
    {
        MetastasisTiming.SYNCHRONOUS: 40,
        MetastasisTiming.METACHRONOUS: 52,
        MetastasisTiming.NOT_KNOWN: 8,
    }
)
# Days from primary diagnosis to the first cryotherapy.
DIAGNOSIS_LEAD_DAYS: dict[str, tuple[int, int]] = {
    MetastasisTiming.SYNCHRONOUS: (60, 270),
    MetastasisTiming.METACHRONOUS: (395, 1800),
    MetastasisTiming.NOT_KNOWN: (60, 1800),
}


@dataclass(frozen=True)
class CohortSpec:
    """What the cohort is generated for."""

    patients: int
    as_of: datetime.date
    site_operators: tuple[int, ...]  # how many operators each site has
    site_prefixes: tuple[str, ...]  # hospital-number prefix of each site


class Cohort:
    """Draw patients one at a time, keeping identifiers unique across the cohort."""

    def __init__(self, draw: Draw, spec: CohortSpec, taken_nhs_numbers: set[str]) -> None:
        self.draw = draw
        self.spec = spec
        self.registry_ids: set[str] = set()
        self.nhs_numbers = set(taken_nhs_numbers)
        self.hospital_numbers: list[set[str]] = [set() for _ in spec.site_prefixes]
        sites = range(len(spec.site_prefixes))
        self.sites = table({site: SITE_SHARE_DECAY**site for site in sites})
        # Stratified (Latin hypercube) survival: patient i gets one of N equal slices
        # of the survival distribution, so even 300 patients trace Xu's curve
        # closely instead of wandering with the seed.
        self.survival_strata = list(range(spec.patients))
        draw.shuffle(self.survival_strata)

    def patients(self) -> Iterator[PatientPlan]:
        """Yield the cohort's patients, each with the whole course already drawn."""
        for stratum in self.survival_strata:
            yield self.patient(stratum)

    def patient(self, stratum: int) -> PatientPlan:
        draw, as_of = self.draw, self.spec.as_of
        site = draw.pick(self.sites)
        first = draw.days_before(as_of, 7, ACCRUAL_DAYS)
        plan = self._baseline(site, first)
        plan.tumours = baseline_tumours(draw, first)
        surviving = 1 - (stratum + draw.uniform(0, 1)) / self.spec.patients
        fate = draw_fate(draw, first, as_of, max(surviving, 1e-9))
        Course(draw, plan, fate, as_of, self.spec.site_operators[site]).run(first)
        return plan

    def _baseline(self, site: int, first: datetime.date) -> PatientPlan:
        draw = self.draw
        age_days = round(draw.normal(63, 10, 30, 88) * 365.25)
        timing = draw.pick(TIMING)
        primary = draw.pick(PRIMARY)
        return PatientPlan(
            site=site,
            registry_id=ids.registry_id(draw, self.registry_ids),
            nhs_number=None if draw.chance(0.05) else ids.nhs_number(draw, self.nhs_numbers),
            hospital_number=self._hospital_number(site),
            date_of_birth=first - datetime.timedelta(days=age_days),
            sex=draw.pick(SEX),
            primary_site=primary,
            primary_diagnosis_date=self._diagnosis(timing, first),
            metastasis_timing=timing,
            node_positive_primary=draw.tristate(0.55, 0.35),
            extrahepatic_disease=draw.tristate(0.12, 0.78),
            prior_hepatectomy=draw.tristate(0.25, 0.7),
            prior_chemotherapy=draw.tristate(0.7, 0.25),
            baseline_cea=self._cea(primary),
            mdt_date=self._mdt(first),
            written_information_date=(
                draw.days_before(first, 1, 30) if draw.chance(0.93) else None
            ),
            alternatives_discussed=draw.tristate(0.9, 0.05),
        )

    def _hospital_number(self, site: int) -> str:
        taken = self.hospital_numbers[site]
        while True:
            value = f"{self.spec.site_prefixes[site]}{self.draw.integer(1_000_000, 9_999_999)}"
            if value not in taken:
                taken.add(value)
                return value

    def _diagnosis(self, timing: str, first: datetime.date) -> datetime.date | None:
        if self.draw.chance(0.05):
            return None
        return self.draw.days_before(first, *DIAGNOSIS_LEAD_DAYS[timing])

    def _cea(self, primary: str) -> Decimal | None:
        """Draw baseline CEA: raised in most colorectal patients (median ~15 ng/mL)."""
        draw = self.draw
        if primary == PrimarySite.COLORECTAL:
            if draw.chance(0.12):
                return None
            value = draw.lognormal(15, 1.2, 0.5, 5000)
        else:
            if draw.chance(0.6):
                return None
            value = draw.lognormal(3, 0.8, 0.5, 500)
        return Decimal(f"{value:.1f}")

    def _mdt(self, first: datetime.date) -> datetime.date | None:
        """Date the MDT discussed the patient: before treatment in ~97%."""
        u = self.draw.uniform(0, 1)
        if u < 0.97:
            return self.draw.days_before(first, 7, 60)
        if u < 0.99:
            return None
        # Discussed only after the procedure: the MDT criterion should flag it.
        return min(self.draw.days_after(first, 1, 20), self.spec.as_of)
