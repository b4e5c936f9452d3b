"""Plain rows handed from the selectors to the pure computations.

Named tuples of ints, strings, floats and dates: no model instances, so the
measures can be computed (and tested) without a database and the results cached.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple


class SiteRow(NamedTuple):
    id: int
    code: str
    name: str
    governance_lead_informed_on: datetime.date | None


class PatientRow(NamedTuple):
    id: int
    site_id: int
    primary_site: str
    baseline_cea: float | None
    mdt_date: datetime.date | None
    written_information_date: datetime.date | None
    alternatives_discussed: bool | None
    next_follow_up_due: datetime.date | None


class TumourRow(NamedTuple):
    id: int
    patient_id: int
    segment: int
    max_diameter_mm: int
    size_exception_reason: bool  # a reason for treating a tumour over 4 cm is recorded


class ProcedureRow(NamedTuple):
    id: int
    patient_id: int
    performed_on: datetime.date
    approach: str
    operator_id: int | None
    operator_name: str
    consent_documented: bool


class TreatmentRow(NamedTuple):
    procedure_id: int
    tumour_id: int
    technical_success: str


class FollowUpRow(NamedTuple):
    patient_id: int
    seen_on: datetime.date
    cea: float | None
    recist: str
    new_intrahepatic_disease: bool | None
    extrahepatic_disease: bool | None
    death_date: datetime.date | None


class AssessmentRow(NamedTuple):
    tumour_id: int
    seen_on: datetime.date
    result: str


class ComplicationRow(NamedTuple):
    procedure_id: int
    onset_on: datetime.date
    ctcae_grade: int
    category: str


class FigureRow(NamedTuple):
    """A published figure with its publication, as plain values."""

    id: int
    publication: str  # short name, e.g. "Xu 2008"
    citation: str
    year: int
    measure: str
    unit: str
    subgroup: str
    arm: str
    cohort: str
    time_point: str
    horizon_months: float | None
    numerator: int | None
    denominator: int | None
    value: float | None
    value_unit: str
    text: str  # as published, e.g. "279/295 (94.6%)"
    source_location: str
    note: str


class PublicationRow(NamedTuple):
    short_name: str
    citation: str
    n_patients: int | None
    n_procedures: int | None


@dataclass(frozen=True)
class RegistryData:
    """Every current record of the selected sites, as plain rows."""

    sites: tuple[SiteRow, ...]
    patients: tuple[PatientRow, ...]
    tumours: tuple[TumourRow, ...]
    procedures: tuple[ProcedureRow, ...]
    treatments: tuple[TreatmentRow, ...]
    follow_ups: tuple[FollowUpRow, ...]
    assessments: tuple[AssessmentRow, ...]
    complications: tuple[ComplicationRow, ...]


@dataclass(frozen=True)
class Period:
    """Procedure dates to include (either end open) and the date the data are read."""

    start: datetime.date | None
    end: datetime.date | None
    as_of: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)
