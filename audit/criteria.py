"""NICE HTG241 audit criteria and data completeness of a cohort (no database).

The criteria follow the shape of NICE's interventional-procedure audit tools: each
is a percentage with a numerator, a denominator and a standard, either taken from
the guidance (100%) or set locally.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from audit.cohort import Cohort, PatientFacts
from audit.definitions import SIZE_NICE_MM, AuditSettings
from audit.measures import EVALUABLE
from audit.metrics import MetricResult
from registry import schedule


@dataclass(frozen=True)
class CriterionRow:
    key: str
    criterion: str
    source: str
    numerator: str
    denominator: str
    k: int
    n: int
    standard: str
    standard_percent: float | None
    note: str = ""

    @property
    def percent(self) -> float | None:
        return 100.0 * self.k / self.n if self.n else None

    @property
    def met(self) -> bool | None:
        """Tell whether the standard is met (None: no numeric standard or no cases)."""
        if self.standard_percent is None or self.percent is None:
            return None
        return self.percent >= self.standard_percent


def _mdt_before(patient: PatientFacts) -> bool:
    mdt = patient.row.mdt_date
    return mdt is not None and mdt <= patient.first_on


def _informed(patient: PatientFacts) -> bool:
    given = patient.row.written_information_date
    return (
        given is not None
        and given <= patient.first_on
        and patient.row.alternatives_discussed is True
    )


def _followed_up(patient: PatientFacts, days: int) -> bool:
    due = patient.first_on + datetime.timedelta(days=days)
    seen = any(f.seen_on >= due for f in patient.follow_ups)
    died_before = patient.death_on is not None and patient.death_on < due
    return seen or died_before


def _outcomes_row(metrics: Sequence[MetricResult]) -> CriterionRow:
    tested = [
        m
        for m in metrics
        if m.subgroup == "all"
        and m.verdict in {"consistent", "better", "worse"}
        and (m.time_point_months in (None, 12))
    ]
    good = [m for m in tested if m.verdict in {"consistent", "better"}]
    worse = [m.label for m in tested if m.verdict == "worse"]
    return CriterionRow(
        key="outcomes",
        criterion="Efficacy and safety",
        source="HTG241 1.2, 2.3.4, 2.4",
        numerator="Outcome measures consistent with or better than the published series",
        denominator="Outcome measures with a verdict (see the tiles)",
        k=len(good),
        n=len(tested),
        standard="published series",
        standard_percent=100.0,
        note=f"Worse: {'; '.join(worse)}." if worse else "",
    )


_FIRST_TREATED = "Patients whose first cryotherapy was in the period"


def _mdt_row(cohort: Cohort) -> CriterionRow:
    patients = cohort.patients
    return CriterionRow(
        "mdt",
        "MDT selection",
        "HTG241 1.3",
        "Patients discussed by a hepatobiliary MDT on or before their first cryotherapy",
        _FIRST_TREATED,
        sum(_mdt_before(p) for p in patients),
        len(patients),
        "100%",
        100.0,
    )


def _information_row(cohort: Cohort) -> CriterionRow:
    patients = cohort.patients
    return CriterionRow(
        "information",
        "Written information naming the alternatives",
        "HTG241 1.2",
        "Patients given written information on or before their first cryotherapy, "
        "with the alternative ablative treatments discussed",
        _FIRST_TREATED,
        sum(_informed(p) for p in patients),
        len(patients),
        "100%",
        100.0,
    )


def _consent_row(cohort: Cohort) -> CriterionRow:
    procedures = cohort.procedures
    return CriterionRow(
        "consent",
        "Consent recorded",
        "HTG241 1.1",
        "Procedures with documented consent",
        "Procedures performed in the period",
        sum(p.row.consent_documented for p in procedures),
        len(procedures),
        "100%",
        100.0,
    )


def _governance_row(cohort: Cohort) -> CriterionRow:
    return CriterionRow(
        "governance",
        "Governance lead informed",
        "HTG241 1.2",
        "Sites with the date their clinical governance lead was informed recorded",
        "Sites selected",
        sum(s.governance_lead_informed_on is not None for s in cohort.sites),
        len(cohort.sites),
        "100%",
        100.0,
    )


def _size_row(cohort: Cohort) -> CriterionRow:
    large = [t for t in cohort.tumours if t.row.max_diameter_mm > SIZE_NICE_MM]
    with_reason = sum(1 for t in large if t.row.size_exception_reason)
    return CriterionRow(
        "size",
        "Tumours over 4 cm",
        "HTG241 2.2.3",
        "Tumours over 4 cm (40 mm) at their first cryotherapy",
        "Tumours first treated in the period",
        len(large),
        len(cohort.tumours),
        "local (an exception, with a reason)",
        None,
        note=f"{with_reason} of {len(large)} with a reason recorded.",
    )


def _follow_up_row(cohort: Cohort, config: AuditSettings) -> CriterionRow:
    days = config.follow_up_days
    due_by = cohort.period.as_of - datetime.timedelta(days=days)
    eligible = [p for p in cohort.patients if p.first_on <= due_by]
    return CriterionRow(
        "follow_up",
        "Outcome follow-up",
        "HTG241 1.2",
        f"Patients with a follow-up at least {days} days after their first cryotherapy, "
        "or who died before then",
        f"Patients first treated in the period at least {days} days before the data date",
        sum(_followed_up(p, days) for p in eligible),
        len(eligible),
        f"{config.follow_up_standard_percent:g}% (local)",
        config.follow_up_standard_percent,
    )


def nice_criteria(
    cohort: Cohort, metrics: Sequence[MetricResult], config: AuditSettings
) -> tuple[CriterionRow, ...]:
    """Return the NICE HTG241 audit criteria for the cohort (reference section 1)."""
    return (
        _mdt_row(cohort),
        _information_row(cohort),
        _consent_row(cohort),
        _governance_row(cohort),
        _size_row(cohort),
        _follow_up_row(cohort, config),
        _outcomes_row(metrics),
    )


@dataclass(frozen=True)
class CompletenessRow:
    item: str
    unit: str
    missing: int
    n: int

    @property
    def percent_missing(self) -> float | None:
        return 100.0 * self.missing / self.n if self.n else None


def _missing(item: str, unit: str, flags: Sequence[bool]) -> CompletenessRow:
    return CompletenessRow(item, unit, sum(flags), len(flags))


def _patient_items(cohort: Cohort) -> list[CompletenessRow]:
    rows = [p.row for p in cohort.patients]
    return [
        _missing("MDT date", "patient", [p.mdt_date is None for p in rows]),
        _missing(
            "Written information date",
            "patient",
            [p.written_information_date is None for p in rows],
        ),
        _missing(
            "Alternatives discussed (yes/no)",
            "patient",
            [p.alternatives_discussed is None for p in rows],
        ),
        _missing("Baseline CEA", "patient", [p.baseline_cea is None for p in rows]),
    ]


def _procedure_items(cohort: Cohort) -> list[CompletenessRow]:
    rows = [p.row for p in cohort.procedures]
    treatments = [t for p in cohort.procedures for t in p.treatments]
    known = {"yes", "no"}
    return [
        _missing("Consent documented", "procedure", [not p.consent_documented for p in rows]),
        _missing("Operator", "procedure", [p.operator_id is None for p in rows]),
        _missing(
            "Technical success (yes/no)",
            "tumour treatment",
            [t.technical_success not in known for t in treatments],
        ),
    ]


def _tumour_items(cohort: Cohort, config: AuditSettings) -> list[CompletenessRow]:
    large = [t for t in cohort.tumours if t.row.max_diameter_mm > SIZE_NICE_MM]
    window = datetime.timedelta(days=config.efficacy_window_days[1])
    due = [t for t in cohort.tumours if t.first_on + window <= cohort.period.as_of]
    return [
        _missing(
            "Reason for treating a tumour over 4 cm",
            "tumour over 4 cm",
            [not t.row.size_exception_reason for t in large],
        ),
        _missing(
            "Imaging assessment by the end of the efficacy window",
            "tumour",
            [
                not any(r in EVALUABLE and on <= t.first_on + window for on, r in t.assessments)
                for t in due
            ],
        ),
    ]


def completeness(cohort: Cohort, config: AuditSettings) -> tuple[CompletenessRow, ...]:
    """Count required items left empty in the cohort's records."""
    return (
        *_patient_items(cohort),
        *_procedure_items(cohort),
        *_tumour_items(cohort, config),
    )


@dataclass(frozen=True)
class OverdueRow:
    site: str
    overdue: int
    scheduled: int
    patients: int


def overdue_follow_ups(cohort: Cohort, config: AuditSettings) -> tuple[OverdueRow, ...]:
    """Count, per site, patients whose next follow-up window has closed without a contact.

    The next due date is Patient.next_follow_up_due, derived by the registry's
    follow-up schedule (empty for the dead, the lost to follow-up and completed schedules);
    "overdue" is the schedule's own definition, as on the clinicians' worklist.
    """
    rows = []
    for site in cohort.sites:
        patients = [p.row for p in cohort.patients if p.site_id == site.id]
        due = [p.next_follow_up_due for p in patients if p.next_follow_up_due is not None]
        overdue = sum(
            schedule.is_overdue(day, cohort.period.as_of, window_days=config.overdue_grace_days)
            for day in due
        )
        rows.append(OverdueRow(site.code, overdue, len(due), len(patients)))
    return tuple(rows)
