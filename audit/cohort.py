"""Facts per patient, tumour and procedure, derived from plain rows (no database).

The cohort of a period is defined by procedure dates:

* a procedure belongs to the period when it was performed in it;
* a tumour when its first (current) cryotherapy was in it;
* a patient when their first (current) cryotherapy was in it.

Outcomes are followed beyond the period end, up to the data date (`Period.as_of`).
A patient's death is the date of death recorded at a follow-up or, failing that,
the onset of a fatal (CTCAE grade 5) complication.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from audit.definitions import SIZE_NICE_MM, SIZE_SMALL_MM
from audit.rows import (
    ComplicationRow,
    FollowUpRow,
    PatientRow,
    Period,
    ProcedureRow,
    RegistryData,
    SiteRow,
    TreatmentRow,
    TumourRow,
)
from registry.choices import lobe_of_segment

FATAL_GRADE = 5
V = TypeVar("V")

Assessment = tuple[datetime.date, str]


def group_codes(
    *, size_mm: int | None, lobe: str | None, approach: str | None, primary_site: str | None
) -> frozenset[str]:
    """Return the subgroups (see audit.definitions.SUBGROUP_CHOICES) a unit belongs to."""
    codes = {"all"}
    if size_mm is not None:
        codes.add("size_lt30" if size_mm < SIZE_SMALL_MM else "size_ge30")
        codes.add("size_lt40" if size_mm < SIZE_NICE_MM else "size_ge40")
    if lobe:
        codes.add(f"lobe_{lobe}")
    if approach:
        codes.add(f"approach_{approach}")
    if primary_site:
        codes.add(f"primary_{primary_site}")
    return frozenset(codes)


@dataclass(frozen=True)
class PatientFacts:
    row: PatientRow
    first_on: datetime.date
    n_procedures: int
    death_on: datetime.date | None
    last_contact: datetime.date
    follow_ups: tuple[FollowUpRow, ...]
    groups: frozenset[str]
    has_progression: bool  # a tumour assessment showed local tumour progression

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def site_id(self) -> int:
        return self.row.site_id


@dataclass(frozen=True)
class TumourFacts:
    row: TumourRow
    site_id: int
    first_on: datetime.date
    treatment_dates: tuple[datetime.date, ...]
    assessments: tuple[Assessment, ...]  # (date, result), in date order
    death_on: datetime.date | None
    groups: frozenset[str]


@dataclass(frozen=True)
class ProcedureFacts:
    row: ProcedureRow
    site_id: int
    complications: tuple[ComplicationRow, ...]
    death_on: datetime.date | None
    window_over: bool  # the 30 days after the procedure are over by the data date
    groups: frozenset[str]
    treatments: tuple[TreatmentRow, ...]


@dataclass(frozen=True)
class Cohort:
    """The units of analysis of one period, with the facts the measures need."""

    period: Period
    sites: tuple[SiteRow, ...]
    patients: tuple[PatientFacts, ...]
    tumours: tuple[TumourFacts, ...]
    procedures: tuple[ProcedureFacts, ...]
    # Every treated tumour, first treated in the period or not: a procedure of the
    # period may re-treat a tumour first treated earlier.
    treated_tumours: tuple[TumourFacts, ...]


@dataclass(frozen=True)
class _Index:
    """Rows of the registry grouped by their parent, for one pass over each table."""

    patients: dict[int, PatientRow]
    tumours: dict[int, TumourRow]
    procedures_of: dict[int, list[ProcedureRow]]
    treatments_of_procedure: dict[int, list[TreatmentRow]]
    treatments_of_tumour: dict[int, list[tuple[datetime.date, ProcedureRow]]]
    follow_ups_of: dict[int, list[FollowUpRow]]
    assessments_of: dict[int, list[Assessment]]
    complications_of: dict[int, list[ComplicationRow]]


def _grouped(pairs: Iterable[tuple[int, V]]) -> dict[int, list[V]]:
    grouped: dict[int, list[V]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return grouped


def _index(data: RegistryData) -> _Index:
    procedures = {row.id: row for row in data.procedures}
    treatments_of_tumour: dict[int, list[tuple[datetime.date, ProcedureRow]]] = defaultdict(list)
    for treatment in data.treatments:
        procedure = procedures.get(treatment.procedure_id)
        if procedure is not None:
            treatments_of_tumour[treatment.tumour_id].append((procedure.performed_on, procedure))
    for dates in treatments_of_tumour.values():
        dates.sort(key=lambda pair: (pair[0], pair[1].id))
    assessments = _grouped((a.tumour_id, (a.seen_on, a.result)) for a in data.assessments)
    for rows in assessments.values():
        rows.sort()
    return _Index(
        patients={row.id: row for row in data.patients},
        tumours={row.id: row for row in data.tumours},
        procedures_of=_grouped((p.patient_id, p) for p in data.procedures),
        treatments_of_procedure=_grouped((t.procedure_id, t) for t in data.treatments),
        treatments_of_tumour=treatments_of_tumour,
        follow_ups_of=_grouped((f.patient_id, f) for f in data.follow_ups),
        assessments_of=assessments,
        complications_of=_grouped((c.procedure_id, c) for c in data.complications),
    )


def _death_dates(data: RegistryData) -> dict[int, datetime.date]:
    """Return each dead patient's date of death (follow-up first, else fatal complication)."""
    deaths: dict[int, datetime.date] = {}
    procedures = {row.id: row for row in data.procedures}
    for complication in data.complications:
        procedure = procedures.get(complication.procedure_id)
        if complication.ctcae_grade >= FATAL_GRADE and procedure is not None:
            known = deaths.get(procedure.patient_id)
            if known is None or complication.onset_on < known:
                deaths[procedure.patient_id] = complication.onset_on
    for follow_up in data.follow_ups:
        if follow_up.death_date is not None:
            deaths[follow_up.patient_id] = follow_up.death_date
    return deaths


def _largest_tumour(tumour_ids: Iterable[int], index: _Index) -> TumourRow | None:
    tumours = [index.tumours[pk] for pk in tumour_ids if pk in index.tumours]
    return max(tumours, key=lambda row: (row.max_diameter_mm, -row.id), default=None)


def _groups(largest: TumourRow | None, approach: str | None, primary: str | None) -> frozenset[str]:
    return group_codes(
        size_mm=largest.max_diameter_mm if largest else None,
        lobe=lobe_of_segment(largest.segment) if largest else None,
        approach=approach,
        primary_site=primary,
    )


def _patient_facts(
    row: PatientRow, index: _Index, deaths: dict[int, datetime.date]
) -> PatientFacts | None:
    procedures = index.procedures_of.get(row.id, [])
    if not procedures:
        return None
    first = min(procedures, key=lambda p: (p.performed_on, p.id))
    follow_ups = tuple(sorted(index.follow_ups_of.get(row.id, []), key=lambda f: f.seen_on))
    contacts = [p.performed_on for p in procedures] + [f.seen_on for f in follow_ups]
    treated = {t.tumour_id for p in procedures for t in index.treatments_of_procedure.get(p.id, [])}
    progression = any(
        result == "local_progression"
        for tumour_id in treated
        for _, result in index.assessments_of.get(tumour_id, [])
    )
    return PatientFacts(
        row=row,
        first_on=first.performed_on,
        n_procedures=len(procedures),
        death_on=deaths.get(row.id),
        last_contact=max(contacts),
        follow_ups=follow_ups,
        groups=_groups(_largest_tumour(treated, index), first.approach, row.primary_site),
        has_progression=progression,
    )


def _tumour_facts(
    row: TumourRow, index: _Index, deaths: dict[int, datetime.date]
) -> TumourFacts | None:
    treatments = index.treatments_of_tumour.get(row.id)
    patient = index.patients.get(row.patient_id)
    if not treatments or patient is None:
        return None
    first_on, first_procedure = treatments[0]
    return TumourFacts(
        row=row,
        site_id=patient.site_id,
        first_on=first_on,
        treatment_dates=tuple(on for on, _ in treatments),
        assessments=tuple(index.assessments_of.get(row.id, [])),
        death_on=deaths.get(row.patient_id),
        groups=_groups(row, first_procedure.approach, patient.primary_site),
    )


def _procedure_facts(
    row: ProcedureRow, index: _Index, deaths: dict[int, datetime.date], period: Period
) -> ProcedureFacts | None:
    patient = index.patients.get(row.patient_id)
    if patient is None:
        return None
    treatments = tuple(index.treatments_of_procedure.get(row.id, []))
    largest = _largest_tumour((t.tumour_id for t in treatments), index)
    window_end = row.performed_on + datetime.timedelta(days=30)
    return ProcedureFacts(
        row=row,
        site_id=patient.site_id,
        complications=tuple(index.complications_of.get(row.id, [])),
        death_on=deaths.get(row.patient_id),
        window_over=window_end <= period.as_of,
        groups=_groups(largest, row.approach, patient.primary_site),
        treatments=treatments,
    )


def build_cohort(data: RegistryData, period: Period) -> Cohort:
    """Derive the facts of every patient, tumour and procedure of the period."""
    index = _index(data)
    deaths = _death_dates(data)
    patients = (_patient_facts(row, index, deaths) for row in data.patients)
    tumours = tuple(
        t for t in (_tumour_facts(row, index, deaths) for row in data.tumours) if t is not None
    )
    procedures = (_procedure_facts(row, index, deaths, period) for row in data.procedures)
    return Cohort(
        period=period,
        sites=data.sites,
        patients=tuple(p for p in patients if p is not None and period.contains(p.first_on)),
        tumours=tuple(t for t in tumours if period.contains(t.first_on)),
        procedures=tuple(
            p for p in procedures if p is not None and period.contains(p.row.performed_on)
        ),
        treated_tumours=tumours,
    )
