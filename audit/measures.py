"""Each measure of audit.definitions, computed from the cohort's facts (no database).

A proportion measure yields one `Observation` per unit in its denominator (a
tumour, a procedure or a patient) with its outcome (in the numerator or not),
its subgroups, site, date and operator. Time-to-event measures yield
`TimeToEvent` rows. audit.reference turns both into the columns (audit.columns)
that k and N per subgroup or site, the funnel plots and the CUSUM charts are
computed from.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import NamedTuple

from audit.cohort import Assessment, Cohort, PatientFacts, ProcedureFacts, TumourFacts
from audit.definitions import (
    DAYS_PER_MONTH,
    MAJOR_CTCAE_GRADE,
    PERIPROCEDURAL_DAYS,
    AuditSettings,
)

COMPLETE = "complete_ablation"
RESIDUAL = "residual_unablated"
PROGRESSION = "local_progression"
EVALUABLE = frozenset({COMPLETE, RESIDUAL, PROGRESSION})
RECIST_ORDER = ("cr", "pr", "sd", "pd")  # best first
TECHNICAL_KNOWN = frozenset({"yes", "no"})


class Observation(NamedTuple):
    """One unit of a measure's denominator and whether it is in the numerator."""

    outcome: bool
    groups: frozenset[str]
    site_id: int
    on: datetime.date
    order: int  # tie-break for date order (record id)
    operator: str


class TimeToEvent(NamedTuple):
    """Follow-up in months with a status code (0 censored, 1 event, 2 competing)."""

    months: float
    status: int
    groups: frozenset[str]


def _months(start: datetime.date, end: datetime.date) -> float:
    return max((end - start).days, 0) / DAYS_PER_MONTH


def _tumour(t: TumourFacts, outcome: bool) -> Observation:
    return Observation(outcome, t.groups, t.site_id, t.first_on, t.row.id, "")


def _patient(p: PatientFacts, outcome: bool) -> Observation:
    return Observation(outcome, p.groups, p.site_id, p.first_on, p.id, "")


def _procedure(p: ProcedureFacts, outcome: bool) -> Observation:
    return Observation(
        outcome, p.groups, p.site_id, p.row.performed_on, p.row.id, p.row.operator_name
    )


# --- Tumours ------------------------------------------------------------------------


def technical_success(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    """One observation per tumour treatment with a known technical success."""
    # Includes re-treatments of tumours first treated before the period.
    tumours = {t.row.id: t for t in cohort.treated_tumours}
    observations = []
    for procedure in cohort.procedures:
        for treatment in procedure.treatments:
            tumour = tumours.get(treatment.tumour_id)
            if tumour is None or treatment.technical_success not in TECHNICAL_KNOWN:
                continue
            observations.append(
                Observation(
                    treatment.technical_success == "yes",
                    tumour.groups,
                    procedure.site_id,
                    procedure.row.performed_on,
                    procedure.row.id,
                    procedure.row.operator_name,
                )
            )
    return observations


def first_in_window(tumour: TumourFacts, window: tuple[int, int]) -> Assessment | None:
    """Return the first evaluable assessment in the efficacy window, if any."""
    start = tumour.first_on + datetime.timedelta(days=window[0])
    end = tumour.first_on + datetime.timedelta(days=window[1])
    for on, result in tumour.assessments:
        if result in EVALUABLE and start <= on <= end:
            return on, result
    return None


def _efficacy(cohort: Cohort, config: AuditSettings, *, assisted: bool) -> list[Observation]:
    observations = []
    for tumour in cohort.tumours:
        assessment = first_in_window(tumour, config.efficacy_window_days)
        if assessment is None:
            continue
        on, result = assessment
        retreated = any(tumour.first_on < day < on for day in tumour.treatment_dates)
        success = result == COMPLETE and (assisted or not retreated)
        observations.append(_tumour(tumour, success))
    return observations


def primary_efficacy(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    return _efficacy(cohort, config, assisted=False)


def assisted_efficacy(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    return _efficacy(cohort, config, assisted=True)


def residual_tumour(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    observations = []
    for tumour in cohort.tumours:
        evaluable = [result for _, result in tumour.assessments if result in EVALUABLE]
        if evaluable:
            observations.append(_tumour(tumour, evaluable[0] == RESIDUAL))
    return observations


def progression_after_ablation(tumour: TumourFacts) -> tuple[datetime.date | None, bool]:
    """Return (first complete ablation date, whether progression followed it)."""
    ablated = next((on for on, result in tumour.assessments if result == COMPLETE), None)
    if ablated is None:
        return None, False
    progressed = any(r == PROGRESSION and on > ablated for on, r in tumour.assessments)
    return ablated, progressed


def local_progression(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    observations = []
    for tumour in cohort.tumours:
        ablated, progressed = progression_after_ablation(tumour)
        if ablated is not None:
            observations.append(_tumour(tumour, progressed))
    return observations


def ltp_times(cohort: Cohort) -> list[TimeToEvent]:
    """Time to LTP per tumour shown completely ablated; death without LTP competes."""
    rows = []
    for tumour in cohort.tumours:
        ablated, _ = progression_after_ablation(tumour)
        if ablated is None:
            continue
        progression = next(
            (on for on, r in tumour.assessments if r == PROGRESSION and on > ablated), None
        )
        if progression is not None:
            rows.append(TimeToEvent(_months(tumour.first_on, progression), 1, tumour.groups))
        elif tumour.death_on is not None:
            rows.append(TimeToEvent(_months(tumour.first_on, tumour.death_on), 2, tumour.groups))
        else:
            last = max(on for on, r in tumour.assessments if r in EVALUABLE)
            rows.append(TimeToEvent(_months(tumour.first_on, last), 0, tumour.groups))
    return rows


# --- Procedures ---------------------------------------------------------------------


def _within_window(procedure: ProcedureFacts, day: datetime.date) -> bool:
    return 0 <= (day - procedure.row.performed_on).days <= PERIPROCEDURAL_DAYS


def had_complication(procedure: ProcedureFacts, *, major: bool) -> bool:
    """Tell whether a complication (not a side effect) started within 30 days."""
    return any(
        c.category == "complication"
        and _within_window(procedure, c.onset_on)
        and (not major or c.ctcae_grade >= MAJOR_CTCAE_GRADE)
        for c in procedure.complications
    )


def died_within_30_days(procedure: ProcedureFacts) -> bool:
    fatal = any(
        c.ctcae_grade >= 5 and _within_window(procedure, c.onset_on)
        for c in procedure.complications
    )
    death = procedure.death_on
    return fatal or (death is not None and _within_window(procedure, death))


def _complete_procedures(cohort: Cohort) -> Iterable[ProcedureFacts]:
    return (p for p in cohort.procedures if p.window_over)


def any_complication(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    return [_procedure(p, had_complication(p, major=False)) for p in _complete_procedures(cohort)]


def major_complication(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    return [_procedure(p, had_complication(p, major=True)) for p in _complete_procedures(cohort)]


def mortality_30d(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    return [_procedure(p, died_within_30_days(p)) for p in _complete_procedures(cohort)]


# --- Patients -----------------------------------------------------------------------


def survival_times(cohort: Cohort) -> list[TimeToEvent]:
    """Months from first cryotherapy to death, or censored at the last contact alive."""
    rows = []
    for patient in cohort.patients:
        if patient.death_on is not None:
            rows.append(TimeToEvent(_months(patient.first_on, patient.death_on), 1, patient.groups))
        else:
            months = _months(patient.first_on, patient.last_contact)
            rows.append(TimeToEvent(months, 0, patient.groups))
    return rows


def any_recurrence(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    observations = []
    for patient in cohort.patients:
        if not patient.follow_ups:
            continue
        new_disease = any(
            f.new_intrahepatic_disease or f.extrahepatic_disease for f in patient.follow_ups
        )
        observations.append(_patient(patient, new_disease or patient.has_progression))
    return observations


def best_recist(patient: PatientFacts) -> str | None:
    """Return the best evaluable RECIST 1.1 response (CR > PR > SD > PD), if any."""
    found = {f.recist for f in patient.follow_ups}
    return next((code for code in RECIST_ORDER if code in found), None)


def _recist(category: str) -> Callable[[Cohort, AuditSettings], list[Observation]]:
    def measure(cohort: Cohort, config: AuditSettings) -> list[Observation]:
        observations = []
        for patient in cohort.patients:
            best = best_recist(patient)
            if best is not None:
                observations.append(_patient(patient, best == category))
        return observations

    return measure


def cea_normalisation(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    upper = config.cea_upper_limit
    start_day, end_day = config.efficacy_window_days
    observations = []
    for patient in cohort.patients:
        baseline = patient.row.baseline_cea
        if baseline is None or baseline <= upper:
            continue
        start = patient.first_on + datetime.timedelta(days=start_day)
        end = patient.first_on + datetime.timedelta(days=end_day)
        measured = [
            f.cea for f in patient.follow_ups if f.cea is not None and start <= f.seen_on <= end
        ]
        if measured:
            observations.append(_patient(patient, measured[0] <= upper))
    return observations


def repeat_procedure(cohort: Cohort, config: AuditSettings) -> list[Observation]:
    return [_patient(p, p.n_procedures > 1) for p in cohort.patients]


ObservationFunction = Callable[[Cohort, AuditSettings], list[Observation]]

PROPORTIONS: dict[str, ObservationFunction] = {
    "technical_success": technical_success,
    "primary_efficacy": primary_efficacy,
    "assisted_efficacy": assisted_efficacy,
    "residual_tumour": residual_tumour,
    "local_progression": local_progression,
    "any_complication": any_complication,
    "major_complication": major_complication,
    "mortality_30d": mortality_30d,
    "any_recurrence": any_recurrence,
    "recist_cr": _recist("cr"),
    "recist_pr": _recist("pr"),
    "recist_sd": _recist("sd"),
    "recist_pd": _recist("pd"),
    "cea_normalisation": cea_normalisation,
    "repeat_procedure": repeat_procedure,
}
