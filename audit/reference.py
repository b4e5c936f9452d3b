"""The rules spelt out unit by unit: a `Tally` from audit.cohort's facts (no database).

This is the executable specification of every measure (audit.measures) and
criterion: one readable Python function per rule, applied to one patient,
tumour or procedure at a time. It is too slow for a national cohort, so the
pages compute the same `Tally` in SQL (audit.facts); the tests check that the
two agree on a varied cohort.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np

from audit.cohort import Cohort, PatientFacts
from audit.columns import NO_OPERATOR, Counts, Outcomes, Tally, Times, ints, mask_of
from audit.definitions import SIZE_NICE_MM, AuditSettings
from audit.measures import (
    EVALUABLE,
    PROPORTIONS,
    TECHNICAL_KNOWN,
    Observation,
    TimeToEvent,
    ltp_times,
    survival_times,
)
from registry import schedule


def outcomes_of(observations: Sequence[Observation]) -> Outcomes:
    """Return observations as columns (operators keyed by their label's position)."""
    labels = sorted({o.operator or NO_OPERATOR for o in observations})
    key = {label: index for index, label in enumerate(labels)}
    return Outcomes(
        outcome=np.fromiter((o.outcome for o in observations), dtype=np.bool_),
        mask=ints(mask_of(o.groups) for o in observations),
        site_id=ints(o.site_id for o in observations),
        on=ints(o.on.toordinal() for o in observations),
        order=ints(o.order for o in observations),
        operator=ints(key[o.operator or NO_OPERATOR] for o in observations),
        operator_labels=dict(enumerate(labels)),
    )


def times_of(rows: Sequence[TimeToEvent]) -> Times:
    return Times(
        months=np.fromiter((r.months for r in rows), dtype=np.float64),
        status=ints(r.status for r in rows),
        mask=ints(mask_of(r.groups) for r in rows),
    )


def mdt_before(patient: PatientFacts) -> bool:
    mdt = patient.row.mdt_date
    return mdt is not None and mdt <= patient.first_on


def informed(patient: PatientFacts) -> bool:
    given = patient.row.written_information_date
    return (
        given is not None
        and given <= patient.first_on
        and patient.row.alternatives_discussed is True
    )


def followed_up(patient: PatientFacts, days: int) -> bool:
    due = patient.first_on + datetime.timedelta(days=days)
    seen = any(f.seen_on >= due for f in patient.follow_ups)
    died_before = patient.death_on is not None and patient.death_on < due
    return seen or died_before


def _overdue(cohort: Cohort, config: AuditSettings) -> tuple[tuple[int, int, int], ...]:
    rows = []
    for site in cohort.sites:
        patients = [p.row for p in cohort.patients if p.site_id == site.id]
        due = [p.next_follow_up_due for p in patients if p.next_follow_up_due is not None]
        overdue = sum(
            schedule.is_overdue(day, cohort.period.as_of, window_days=config.overdue_grace_days)
            for day in due
        )
        rows.append((overdue, len(due), len(patients)))
    return tuple(rows)


def _patient_counts(cohort: Cohort, config: AuditSettings) -> dict[str, int]:
    patients = cohort.patients
    rows = [p.row for p in patients]
    due_by = cohort.period.as_of - datetime.timedelta(days=config.follow_up_days)
    eligible = [p for p in patients if p.first_on <= due_by]
    return {
        "patients": len(patients),
        "mdt_before": sum(mdt_before(p) for p in patients),
        "informed": sum(informed(p) for p in patients),
        "mdt_missing": sum(p.mdt_date is None for p in rows),
        "information_missing": sum(p.written_information_date is None for p in rows),
        "alternatives_missing": sum(p.alternatives_discussed is None for p in rows),
        "baseline_cea_missing": sum(p.baseline_cea is None for p in rows),
        "follow_up_eligible": len(eligible),
        "followed_up": sum(followed_up(p, config.follow_up_days) for p in eligible),
    }


def _procedure_counts(cohort: Cohort) -> dict[str, int]:
    rows = [p.row for p in cohort.procedures]
    treatments = [t for p in cohort.procedures for t in p.treatments]
    return {
        "procedures": len(rows),
        "consented": sum(p.consent_documented for p in rows),
        "operator_missing": sum(p.operator_id is None for p in rows),
        "treatments": len(treatments),
        "technical_unknown": sum(t.technical_success not in TECHNICAL_KNOWN for t in treatments),
    }


def _tumour_counts(cohort: Cohort, config: AuditSettings) -> dict[str, int]:
    large = [t for t in cohort.tumours if t.row.max_diameter_mm > SIZE_NICE_MM]
    window = datetime.timedelta(days=config.efficacy_window_days[1])
    due = [t for t in cohort.tumours if t.first_on + window <= cohort.period.as_of]
    return {
        "tumours": len(cohort.tumours),
        "large": len(large),
        "large_with_reason": sum(1 for t in large if t.row.size_exception_reason),
        "imaging_due": len(due),
        "imaging_missing": sum(
            not any(r in EVALUABLE and on <= t.first_on + window for on, r in t.assessments)
            for t in due
        ),
    }


def counts_of_cohort(cohort: Cohort, config: AuditSettings) -> Counts:
    """Count what the NICE criteria and the completeness table need, unit by unit."""
    return Counts(
        **_patient_counts(cohort, config),
        **_procedure_counts(cohort),
        **_tumour_counts(cohort, config),
        overdue=_overdue(cohort, config),
    )


def tally_of_cohort(cohort: Cohort, config: AuditSettings) -> Tally:
    """Derive the cohort's tally with the per-unit rules of audit.measures."""
    return Tally(
        period=cohort.period,
        sites=cohort.sites,
        n_patients=len(cohort.patients),
        n_tumours=len(cohort.tumours),
        n_procedures=len(cohort.procedures),
        outcomes={
            code: outcomes_of(function(cohort, config)) for code, function in PROPORTIONS.items()
        },
        survival=times_of(survival_times(cohort)),
        ltp=times_of(ltp_times(cohort)),
        patient_mask=ints(mask_of(p.groups) for p in cohort.patients),
        patient_procedures=ints(p.n_procedures for p in cohort.patients),
        counts=counts_of_cohort(cohort, config),
    )
