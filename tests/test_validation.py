"""Model-level rules: each bad value is refused with a message on its field.

The rules live in field validators and `Model.clean()`, so forms, the admin
site and the API all inherit them through `full_clean()`.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.choices import (
    AssessmentResult,
    CauseOfDeath,
    ClavienDindo,
    EventType,
    FollowUpKind,
    Lobe,
    VitalStatus,
    lobe_of_segment,
)
from registry.models import Complication, FollowUp, Patient, TumourAssessment, TumourTreatment
from registry.validators import is_valid_nhs_number, normalise_nhs_number
from tests.factories import (
    ComplicationFactory,
    FollowUpFactory,
    PatientFactory,
    ProcedureFactory,
    TumourFactory,
    TumourTreatmentFactory,
)

TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)


def field_errors(record) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


# --- NHS numbers ---------------------------------------------------------------


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "943-476-5919", "4010232137"])
def test_valid_nhs_numbers_pass_modulus_11(number):
    assert is_valid_nhs_number(normalise_nhs_number(number))


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # check digit off by one
        "1234567890",  # remainder 10: no valid check digit exists
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "94347A5919",  # not digits
    ],
)
def test_invalid_nhs_numbers_are_refused_on_the_field(db, number):
    patient = PatientFactory.build(nhs_number=number)
    assert "nhs_number" in field_errors(patient)


def test_nhs_number_is_stored_without_spaces(db):
    patient = PatientFactory.build(nhs_number="943 476 5919")
    patient.full_clean()
    patient.save()
    patient.refresh_from_db()
    assert patient.nhs_number == "9434765919"


def test_nhs_number_is_optional_and_blank_is_stored_as_null(db):
    first = PatientFactory.build(nhs_number="")
    first.full_clean()
    first.save()
    second = PatientFactory.build(nhs_number=None)
    second.full_clean()
    second.save()
    assert Patient.objects.filter(nhs_number__isnull=True).count() == 2


def test_duplicate_nhs_number_is_refused_on_the_field(db):
    PatientFactory(nhs_number="9434765919")
    duplicate = PatientFactory.build(nhs_number="943 476 5919")
    assert "already registered" in field_errors(duplicate)["nhs_number"][0]


def test_database_refuses_a_duplicate_nhs_number_even_without_validation(db):
    PatientFactory(nhs_number="9434765919")
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientFactory(nhs_number="9434765919")


# --- Dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["date_of_birth", "primary_diagnosis_date", "mdt_date", "written_information_date"]
)
def test_future_patient_dates_are_refused(db, field):
    patient = PatientFactory.build(**{field: TOMORROW})
    assert "in the future" in field_errors(patient)[field][0]


def test_future_procedure_date_is_refused(db):
    procedure = ProcedureFactory.build(patient=PatientFactory(), performed_on=TOMORROW)
    assert "performed_on" in field_errors(procedure)


def test_patient_dates_before_birth_are_refused(db):
    patient = PatientFactory.build(mdt_date=datetime.date(1950, 1, 1))
    assert "before the patient's date of birth" in field_errors(patient)["mdt_date"][0]


def test_follow_up_before_the_first_procedure_is_refused(treated_patient_a):
    procedure = treated_patient_a.procedures.get()
    follow_up = FollowUpFactory.build(
        patient=treated_patient_a, seen_on=procedure.performed_on - datetime.timedelta(days=1)
    )
    assert "before the patient's first procedure" in field_errors(follow_up)["seen_on"][0]


def test_follow_up_without_any_procedure_is_refused(patient_a):
    follow_up = FollowUpFactory.build(patient=patient_a)
    assert "Record the patient's cryotherapy procedure" in field_errors(follow_up)["seen_on"][0]


def test_complication_before_its_procedure_is_refused(db):
    procedure = ProcedureFactory()
    complication = ComplicationFactory.build(
        procedure=procedure, onset_on=procedure.performed_on - datetime.timedelta(days=2)
    )
    assert "before the procedure" in field_errors(complication)["onset_on"][0]


def test_assessment_of_a_tumour_treated_after_the_follow_up_is_refused(treated_patient_a):
    procedure = treated_patient_a.procedures.get()
    follow_up = FollowUpFactory(patient=treated_patient_a, seen_on=procedure.performed_on)
    later = ProcedureFactory(
        patient=treated_patient_a, performed_on=procedure.performed_on + datetime.timedelta(days=5)
    )
    untreated_then = TumourFactory(patient=treated_patient_a, label="T2")
    TumourTreatmentFactory(procedure=later, tumour=untreated_then)
    assessment = TumourAssessment(
        follow_up=follow_up, tumour=untreated_then, result=AssessmentResult.COMPLETE_ABLATION
    )
    assert "no cryotherapy on or before" in field_errors(assessment)["tumour"][0]


def test_moving_a_procedure_after_its_complication_is_refused(db):
    complication = ComplicationFactory()
    procedure = complication.procedure
    procedure.performed_on = complication.onset_on + datetime.timedelta(days=1)
    assert "complication of this procedure started" in field_errors(procedure)["performed_on"][0]


# --- Tumours -----------------------------------------------------------------------


@pytest.mark.parametrize("diameter", [0, 500, 201])
def test_implausible_tumour_diameter_is_refused(db, diameter):
    tumour = TumourFactory.build(patient=PatientFactory(), max_diameter_mm=diameter)
    assert "max_diameter_mm" in field_errors(tumour)


@pytest.mark.parametrize("diameter", [1, 40, 200])
def test_tumour_diameter_limits_are_inclusive(db, diameter):
    TumourFactory.build(patient=PatientFactory(), max_diameter_mm=diameter).full_clean()


def test_database_refuses_an_implausible_diameter_even_without_validation(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        TumourFactory(max_diameter_mm=500)


@pytest.mark.parametrize(
    ("segment", "lobe"),
    [(1, Lobe.CAUDATE), (2, Lobe.LEFT), (4, Lobe.LEFT), (5, Lobe.RIGHT), (8, Lobe.RIGHT)],
)
def test_lobe_is_derived_from_the_couinaud_segment(segment, lobe):
    assert lobe_of_segment(segment) == lobe


def test_tumour_over_4_cm_is_flagged_for_nice(db):
    assert TumourFactory.build(max_diameter_mm=41).exceeds_nice_size
    assert not TumourFactory.build(max_diameter_mm=40).exceeds_nice_size


def test_treating_a_tumour_of_another_patient_is_refused(treated_patient_a):
    procedure = treated_patient_a.procedures.get()
    stranger = TumourFactory(patient=PatientFactory(site=treated_patient_a.site))
    treatment = TumourTreatment(procedure=procedure, tumour=stranger, probes=2)
    assert "belongs to another patient" in field_errors(treatment)["tumour"][0]


def test_treating_the_same_tumour_twice_in_a_procedure_is_refused(treated_patient_a):
    existing = TumourTreatment.objects.get()
    again = TumourTreatment(procedure=existing.procedure, tumour=existing.tumour, probes=1)
    assert "already recorded in this procedure" in str(field_errors(again))


# --- Follow-up and death ---------------------------------------------------------------


def test_negative_cea_is_refused(treated_patient_a):
    follow_up = FollowUpFactory.build(patient=treated_patient_a, cea=-1)
    assert "cea" in field_errors(follow_up)
    patient = PatientFactory.build(baseline_cea=-0.5)
    assert "baseline_cea" in field_errors(patient)


def _death(patient, **overrides):
    values = {
        "patient": patient,
        "seen_on": TODAY - datetime.timedelta(days=10),
        "kind": FollowUpKind.DEATH_NOTIFICATION,
        "vital_status": VitalStatus.DEAD,
        "death_date": TODAY - datetime.timedelta(days=12),
        "death_cause": CauseOfDeath.CANCER,
    }
    values.update(overrides)
    return FollowUp(**values)


def test_death_needs_a_date_and_a_cause(treated_patient_a):
    errors = field_errors(_death(treated_patient_a, death_date=None, death_cause=""))
    assert "death_date" in errors
    assert "death_cause" in errors


def test_death_before_a_procedure_is_refused(treated_patient_a):
    procedure = treated_patient_a.procedures.get()
    death = _death(treated_patient_a, death_date=procedure.performed_on - datetime.timedelta(1))
    assert "before a procedure" in field_errors(death)["death_date"][0]


def test_a_second_death_for_the_same_patient_is_refused(treated_patient_a):
    _death(treated_patient_a).save()
    second = _death(treated_patient_a, seen_on=TODAY)
    assert "already recorded" in field_errors(second)["vital_status"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_procedure_after_the_recorded_death_is_refused(treated_patient_a):
    _death(treated_patient_a).save()
    procedure = ProcedureFactory.build(patient=treated_patient_a, performed_on=TODAY)
    assert "death is recorded" in field_errors(procedure)["performed_on"][0]


def test_death_notification_must_record_the_patient_as_dead(treated_patient_a):
    follow_up = _death(
        treated_patient_a, vital_status=VitalStatus.ALIVE, death_date=None, death_cause=""
    )
    assert "vital_status" in field_errors(follow_up)


# --- Complications -------------------------------------------------------------------


def test_complication_grade_is_required_and_major_is_derived(db):
    complication = ComplicationFactory.build(procedure=ProcedureFactory(), ctcae_grade=None)
    assert "ctcae_grade" in field_errors(complication)
    assert ComplicationFactory.build(ctcae_grade=3).is_major
    assert not ComplicationFactory.build(ctcae_grade=2).is_major


def test_other_event_needs_a_description(db):
    complication = ComplicationFactory.build(
        procedure=ProcedureFactory(), event_type=EventType.OTHER, event_other=""
    )
    assert "event_other" in field_errors(complication)


def test_grading_systems_must_agree_about_death(db):
    complication = ComplicationFactory.build(
        procedure=ProcedureFactory(), ctcae_grade=3, clavien_dindo=ClavienDindo.V, cirse_grade=6
    )
    errors = field_errors(complication)
    assert "clavien_dindo" in errors
    assert "cirse_grade" in errors


@pytest.mark.parametrize(
    ("days", "timing"), [(0, "immediate"), (30, "periprocedural"), (31, "delayed")]
)
def test_complication_timing_is_derived_from_onset(db, days, timing):
    procedure = ProcedureFactory(performed_on=TODAY - datetime.timedelta(days=60))
    complication = Complication(
        procedure=procedure, onset_on=procedure.performed_on + datetime.timedelta(days=days)
    )
    assert complication.timing == timing
