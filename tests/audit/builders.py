"""Small constructed cohorts for the benchmarking tests, written with the factories.

Dates are fixed (AS_OF is the data date passed to the computations), so every
hand count in the tests can be checked with a calendar.
"""

import datetime

from tests.factories import (
    ComplicationFactory,
    FollowUpFactory,
    PatientFactory,
    ProcedureFactory,
    TumourAssessmentFactory,
    TumourFactory,
    TumourTreatmentFactory,
)

AS_OF = datetime.date(2025, 6, 30)
DAY0 = datetime.date(2024, 1, 10)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def treated_patient(
    site,
    *,
    on=DAY0,
    diameters=(25,),
    segment=6,
    approach="percutaneous",
    primary_site="colorectal",
    operator=None,
    technical_success="yes",
    **patient_fields,
):
    """Create a patient with tumours of the given sizes, all treated in one procedure."""
    patient_fields.setdefault("mdt_date", on - days(20))
    patient_fields.setdefault("written_information_date", on - days(15))
    patient = PatientFactory(site=site, primary_site=primary_site, **patient_fields)
    procedure = ProcedureFactory(
        patient=patient, performed_on=on, approach=approach, operator=operator
    )
    tumours = []
    for index, diameter in enumerate(diameters, start=1):
        tumour = TumourFactory(
            patient=patient,
            label=f"T{index}",
            max_diameter_mm=diameter,
            segment=segment,
            detected_on=on - days(40),
        )
        TumourTreatmentFactory(
            procedure=procedure, tumour=tumour, technical_success=technical_success
        )
        tumours.append(tumour)
    return patient, procedure, tumours


def retreat(patient, tumours, *, on, approach="percutaneous"):
    """Record a further procedure treating the given tumours."""
    procedure = ProcedureFactory(patient=patient, performed_on=on, approach=approach)
    for tumour in tumours:
        TumourTreatmentFactory(procedure=procedure, tumour=tumour)
    return procedure


def follow_up(patient, *, on, results=(), **fields):
    """Record a follow-up with (tumour, result) assessments."""
    visit = FollowUpFactory(patient=patient, seen_on=on, **fields)
    for tumour, result in results:
        TumourAssessmentFactory(follow_up=visit, tumour=tumour, result=result)
    return visit


def death(patient, *, on, cause="cancer"):
    return FollowUpFactory(
        patient=patient,
        seen_on=on,
        kind="death_notification",
        imaging_modality="",
        vital_status="dead",
        death_date=on,
        death_cause=cause,
    )


def complication(procedure, *, after_days=1, grade=3, category="complication"):
    return ComplicationFactory(
        procedure=procedure,
        onset_on=procedure.performed_on + days(after_days),
        ctcae_grade=grade,
        category=category,
        event_type="death" if grade == 5 else "haemorrhage",
    )


def metrics_of(*sites, start=None, end=None, as_of=AS_OF):
    """Compute every measure for the sites; return them keyed (code, subgroup, months)."""
    from audit.metrics import compute_metrics

    results = compute_metrics(
        site_ids=[site.pk for site in sites], period_start=start, period_end=end, as_of=as_of
    )
    return {(r.code, r.subgroup, r.time_point_months): r for r in results}


def k_n(results, code, subgroup="all", months=None):
    result = results[(code, subgroup, months)]
    return result.k, result.n


def withdraw(record, by):
    from registry import services

    return services.record_withdraw(by=by, record=record, reason="Entered in error")
