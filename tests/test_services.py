"""Writes through services: validated, transactional, and traced in the history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from registry import services
from registry.choices import AssessmentResult, TechnicalSuccess
from registry.history import revisions
from registry.models import Patient, Procedure, Tumour, TumourTreatment
from tests.factories import ProcedureFactory, TumourFactory

TODAY = datetime.date.today()

PATIENT = {
    "hospital_number": "RX123456",
    "nhs_number": "943 476 5919",
    "date_of_birth": datetime.date(1960, 2, 1),
    "sex": "male",
    "primary_site": "colorectal",
}


def test_create_writes_a_history_row_with_author_and_reason(site_a, clinician_a):
    patient = services.patient_create(by=clinician_a, site=site_a, data=PATIENT)

    row = patient.history.get()
    assert row.history_type == "+"
    assert row.history_user == clinician_a
    assert row.history_change_reason == "Created"
    assert row.nhs_number == "9434765919"
    assert patient.registry_id.startswith("CA-")


def test_update_records_old_and_new_values_and_the_reason(site_a, clinician_a, lead_a):
    patient = services.patient_create(by=clinician_a, site=site_a, data=PATIENT)

    services.record_update(
        by=lead_a,
        record=patient,
        expected_version=1,
        reason="Typo in hospital number",
        data={"hospital_number": "RX123457"},
    )

    latest = revisions(patient)[-1]
    assert latest.author == str(lead_a)
    assert latest.reason == "Typo in hospital number"
    assert latest.kind == "changed"
    assert [(c.field, c.old, c.new) for c in latest.changes] == [
        ("hospital_number", "RX123456", "RX123457")
    ]
    assert latest.at is not None


def test_update_without_a_reason_is_refused(patient_a, clinician_a):
    with pytest.raises(ValidationError) as caught:
        services.record_update(
            by=clinician_a, record=patient_a, expected_version=1, reason=" ", data={}
        )
    assert "reason" in caught.value.message_dict


def test_invalid_update_is_refused_with_field_errors_and_changes_nothing(patient_a, clinician_a):
    with pytest.raises(ValidationError) as caught:
        services.record_update(
            by=clinician_a,
            record=patient_a,
            expected_version=1,
            reason="Correction",
            data={"date_of_birth": TODAY + datetime.timedelta(days=3)},
        )
    assert "date_of_birth" in caught.value.message_dict
    patient_a.refresh_from_db()
    assert patient_a.version == 1
    assert patient_a.history.count() == 1


def test_withdraw_leaves_history_and_hides_the_record_from_current(patient_a, clinician_a):
    services.record_withdraw(by=clinician_a, record=patient_a, reason="Duplicate registration")

    assert not Patient.objects.current().filter(pk=patient_a.pk).exists()
    latest = revisions(patient_a)[-1]
    assert latest.reason == "Withdrawn (entered in error): Duplicate registration"
    assert latest.author == str(clinician_a)
    assert {c.field for c in latest.changes} >= {"withdrawn_at", "withdrawal_reason"}


def test_withdrawn_patient_hides_its_tumours_and_procedures(treated_patient_a, clinician_a):
    services.record_withdraw(by=clinician_a, record=treated_patient_a, reason="Wrong patient")

    assert not Tumour.objects.current().exists()
    assert not Procedure.objects.current().exists()
    assert not TumourTreatment.objects.current().exists()
    assert TumourTreatment.objects.count() == 1


def test_only_a_site_lead_can_restore(patient_a, clinician_a, lead_a):
    services.record_withdraw(by=clinician_a, record=patient_a, reason="Entered twice")

    with pytest.raises(PermissionDenied):
        services.record_restore(by=clinician_a, record=patient_a, reason="Was not a duplicate")
    services.record_restore(by=lead_a, record=patient_a, reason="Was not a duplicate")

    assert Patient.objects.current().filter(pk=patient_a.pk).exists()
    assert revisions(patient_a)[-1].reason == "Restored: Was not a duplicate"


def test_stale_edit_is_refused_and_says_what_changed_meanwhile(patient_a, clinician_a, lead_a):
    services.record_update(
        by=lead_a,
        record=patient_a,
        expected_version=1,
        reason="Checked notes",
        data={"hospital_number": "NEW-1"},
    )

    with pytest.raises(services.StaleEditError) as caught:
        services.record_update(
            by=clinician_a,
            record=patient_a,
            expected_version=1,
            reason="My edit",
            data={"hospital_number": "MINE"},
        )

    (revision,) = caught.value.revisions
    assert revision.author == str(lead_a)
    assert revision.changes[0].new == "NEW-1"
    patient_a.refresh_from_db()
    assert patient_a.hospital_number == "NEW-1"


def test_locked_record_refuses_changes_until_unlocked(treated_patient_a, clinician_a, lead_a):
    services.patient_lock(by=lead_a, patient=treated_patient_a, reason="Reviewed at audit")
    tumour = treated_patient_a.tumours.get()

    with pytest.raises(services.RecordLockedError):
        services.record_update(
            by=clinician_a,
            record=tumour,
            expected_version=1,
            reason="x",
            data={"max_diameter_mm": 30},
        )
    with pytest.raises(PermissionDenied):
        services.patient_unlock(by=clinician_a, patient=treated_patient_a, reason="Need to fix")

    services.patient_unlock(by=lead_a, patient=treated_patient_a, reason="Correction needed")
    services.record_update(
        by=clinician_a,
        record=tumour,
        expected_version=1,
        reason="Re-measured",
        data={"max_diameter_mm": 30},
    )
    reasons = [r.reason for r in revisions(treated_patient_a)]
    assert "Signed off and locked: Reviewed at audit" in reasons
    assert "Unlocked: Correction needed" in reasons


def test_clinician_cannot_write_at_another_site(patient_a, clinician_b, site_a):
    with pytest.raises(PermissionDenied):
        services.patient_create(by=clinician_b, site=site_a, data=PATIENT)
    with pytest.raises(PermissionDenied):
        services.record_update(
            by=clinician_b, record=patient_a, expected_version=1, reason="x", data={}
        )
    with pytest.raises(PermissionDenied):
        services.record_withdraw(by=clinician_b, record=patient_a, reason="x")


def test_governance_reviewer_cannot_write(patient_a, reviewer):
    with pytest.raises(PermissionDenied):
        services.record_withdraw(by=reviewer, record=patient_a, reason="x")


def test_procedure_with_treatments_is_all_or_nothing(patient_a, clinician_a):
    tumour = TumourFactory(patient=patient_a, label="T1")
    other_patients_tumour = TumourFactory(label="T9")
    procedure_data = {
        "performed_on": TODAY - datetime.timedelta(days=30),
        "approach": "percutaneous",
        "image_guidance": "ct",
        "anaesthesia": "general",
        "cryogen": "argon",
        "intent": "primary",
        "consent_documented": True,
    }

    with pytest.raises(ValidationError):
        services.procedure_create(
            by=clinician_a,
            patient=patient_a,
            data=procedure_data,
            treatments=[
                {"tumour": tumour, "probes": 2, "technical_success": TechnicalSuccess.YES},
                {"tumour": other_patients_tumour, "probes": 1},
            ],
        )

    assert not Procedure.objects.exists()
    assert not TumourTreatment.objects.exists()


def test_follow_up_with_assessments_is_saved_together(treated_patient_a, clinician_a):
    tumour = treated_patient_a.tumours.get()
    follow_up = services.follow_up_create(
        by=clinician_a,
        patient=treated_patient_a,
        data={
            "seen_on": TODAY - datetime.timedelta(days=200),
            "kind": "imaging",
            "imaging_modality": "mri",
        },
        assessments=[{"tumour": tumour, "result": AssessmentResult.LOCAL_PROGRESSION}],
    )
    assert follow_up.assessments.get().result == AssessmentResult.LOCAL_PROGRESSION
    assert follow_up.assessments.get().history.get().history_user == clinician_a


def test_unknown_field_names_are_a_programming_error(patient_a, clinician_a):
    with pytest.raises(ValueError, match="Not editable"):
        services.record_update(
            by=clinician_a,
            record=patient_a,
            expected_version=1,
            reason="x",
            data={"registry_id": "CA-0000-0000"},
        )


def test_complication_create_checks_the_procedure_site(clinician_b):
    procedure = ProcedureFactory()
    with pytest.raises(PermissionDenied):
        services.complication_create(
            by=clinician_b,
            procedure=procedure,
            data={"event_type": "fever", "onset_on": procedure.performed_on, "ctcae_grade": 1},
        )


def test_a_duplicate_refused_by_the_database_comes_back_as_field_errors(site_a, clinician_a):
    first = services.patient_create(by=clinician_a, site=site_a, data=PATIENT)

    with pytest.raises(ValidationError) as refused:
        services.patient_create(by=clinician_a, site=site_a, data=PATIENT | {"nhs_number": None})

    assert "hospital number" in str(refused.value).lower()
    assert list(Patient.objects.filter(site=site_a)) == [first]


def test_a_broken_check_constraint_comes_back_as_a_validation_error(patient_a, clinician_a):
    with pytest.raises(ValidationError):
        services.record_update(
            by=clinician_a,
            record=patient_a,
            expected_version=patient_a.version,
            reason="Typo",
            data={"sex": "not-a-sex"},
        )
    patient_a.refresh_from_db()
    assert patient_a.version == 1


def test_check_constraints_are_left_to_the_database_but_can_explain_a_refusal(patient_a):
    tumour = Tumour(patient=patient_a, label="T9", segment=9, max_diameter_mm=500)

    with pytest.raises(ValidationError) as refused:
        tumour.validate_check_constraints()

    broken = " ".join(refused.value.message_dict["__all__"])
    assert "tumour_diameter_1_to_200_mm" in broken and "tumour_segment_1_to_8" in broken
    tumour.validate_constraints()  # check constraints cost no query before saving
