"""Edits of multi-row records: one transaction, each changed row with the reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.choices import AssessmentResult, TechnicalSuccess
from registry.history import revisions
from registry.models import Tumour, TumourAssessment, TumourTreatment
from tests.factories import (
    FollowUpFactory,
    ProcedureFactory,
    TumourAssessmentFactory,
    TumourFactory,
    TumourTreatmentFactory,
)

TODAY = datetime.date.today()
RowChange = services.RowChange


@pytest.fixture
def procedure(patient_a):
    procedure = ProcedureFactory(patient=patient_a)
    TumourTreatmentFactory(procedure=procedure, tumour=TumourFactory(patient=patient_a, label="T1"))
    return procedure


def test_procedure_edit_changes_adds_and_withdraws_treatments(procedure, clinician_a):
    (treatment,) = procedure.treatments.all()
    new_tumour = TumourFactory(patient=procedure.patient, label="T2")

    services.procedure_update(
        by=clinician_a,
        procedure=procedure,
        expected_version=1,
        reason="Second lesion treated too",
        data={"length_of_stay_days": 3},
        treatments=[
            RowChange(treatment, {"probes": 4}, expected_version=1),
            RowChange(None, {"tumour": new_tumour, "probes": 1, "freeze_thaw_cycles": 2}),
        ],
    )

    treatment.refresh_from_db()
    assert treatment.probes == 4
    assert revisions(treatment)[-1].reason == "Second lesion treated too"
    assert revisions(procedure)[-1].reason == "Second lesion treated too"
    assert TumourTreatment.objects.current().filter(procedure=procedure).count() == 2

    services.procedure_update(
        by=clinician_a,
        procedure=procedure,
        expected_version=2,
        reason="T1 was not treated",
        data={},
        treatments=[RowChange(treatment, expected_version=2, remove=True)],
    )
    treatment.refresh_from_db()
    assert treatment.is_withdrawn
    assert treatment.withdrawal_reason == "T1 was not treated"


def test_untouched_rows_get_no_new_version(procedure, clinician_a):
    (treatment,) = procedure.treatments.all()
    services.procedure_update(
        by=clinician_a,
        procedure=procedure,
        expected_version=1,
        reason="Nothing really",
        data={"approach": procedure.approach},
        treatments=[RowChange(treatment, {"probes": treatment.probes}, expected_version=1)],
    )
    procedure.refresh_from_db()
    treatment.refresh_from_db()
    assert (procedure.version, treatment.version) == (1, 1)


def test_an_invalid_row_saves_nothing_and_says_which_row(procedure, clinician_a):
    (treatment,) = procedure.treatments.all()
    with pytest.raises(services.RowValidationError) as caught:
        services.procedure_update(
            by=clinician_a,
            procedure=procedure,
            expected_version=1,
            reason="Typo",
            data={"length_of_stay_days": 5},
            treatments=[
                RowChange(treatment, {"technical_success": TechnicalSuccess.NO}, 1),
                RowChange(None, {"tumour": TumourFactory(patient=procedure.patient), "probes": 99}),
            ],
        )
    assert (caught.value.rows, caught.value.index) == ("treatments", 1)
    assert "probes" in caught.value.message_dict
    procedure.refresh_from_db()
    treatment.refresh_from_db()
    assert procedure.length_of_stay_days == 2
    assert treatment.technical_success == TechnicalSuccess.YES


def test_a_stale_row_refuses_the_whole_edit(procedure, clinician_a, lead_a):
    (treatment,) = procedure.treatments.all()
    services.record_update(
        by=lead_a, record=treatment, expected_version=1, reason="Checked", data={"probes": 3}
    )
    with pytest.raises(services.StaleEditError) as caught:
        services.procedure_update(
            by=clinician_a,
            procedure=procedure,
            expected_version=1,
            reason="Mine",
            data={"length_of_stay_days": 9},
            treatments=[RowChange(treatment, {"probes": 5}, expected_version=1)],
        )
    assert caught.value.record == treatment
    procedure.refresh_from_db()
    assert procedure.length_of_stay_days == 2


def test_withdrawing_a_row_checks_its_version_too(procedure, clinician_a, lead_a):
    (treatment,) = procedure.treatments.all()
    services.record_update(
        by=lead_a, record=treatment, expected_version=1, reason="Checked", data={"probes": 3}
    )
    with pytest.raises(services.StaleEditError):
        services.procedure_update(
            by=clinician_a,
            procedure=procedure,
            expected_version=1,
            reason="Not treated",
            data={},
            treatments=[RowChange(treatment, expected_version=1, remove=True)],
        )


def test_follow_up_edit_changes_and_adds_assessments(treated_patient_a, clinician_a):
    follow_up = FollowUpFactory(patient=treated_patient_a, seen_on=TODAY - datetime.timedelta(30))
    (tumour,) = Tumour.objects.filter(patient=treated_patient_a)
    assessment = TumourAssessmentFactory(follow_up=follow_up, tumour=tumour)

    services.follow_up_update(
        by=clinician_a,
        follow_up=follow_up,
        expected_version=1,
        reason="Reread the scan",
        data={"recist": "pd"},
        assessments=[
            RowChange(assessment, {"result": AssessmentResult.LOCAL_PROGRESSION}, 1),
        ],
    )
    assessment.refresh_from_db()
    assert assessment.result == AssessmentResult.LOCAL_PROGRESSION
    assert revisions(assessment)[-1].reason == "Reread the scan"


def test_follow_up_edit_refuses_an_untreated_tumour(treated_patient_a, clinician_a):
    follow_up = FollowUpFactory(patient=treated_patient_a, seen_on=TODAY - datetime.timedelta(30))
    untreated = TumourFactory(patient=treated_patient_a, label="T9")
    with pytest.raises(services.RowValidationError) as caught:
        services.follow_up_update(
            by=clinician_a,
            follow_up=follow_up,
            expected_version=1,
            reason="Added",
            data={},
            assessments=[RowChange(None, {"tumour": untreated, "result": "complete_ablation"})],
        )
    assert caught.value.index == 0
    assert not TumourAssessment.objects.filter(tumour=untreated).exists()


def test_patient_edit_adds_and_withdraws_tumours(treated_patient_a, clinician_a):
    (tumour,) = Tumour.objects.filter(patient=treated_patient_a)
    services.patient_update_with_tumours(
        by=clinician_a,
        patient=treated_patient_a,
        expected_version=1,
        reason="Second lesion on MRI",
        data={"hospital_number": "H-NEW"},
        tumours=[
            RowChange(tumour, expected_version=1, remove=True),
            RowChange(None, {"label": "T2", "segment": 7, "max_diameter_mm": 45}),
        ],
    )
    assert [t.label for t in Tumour.objects.current().filter(patient=treated_patient_a)] == ["T2"]
    tumour.refresh_from_db()
    assert tumour.withdrawal_reason == "Second lesion on MRI"


def test_create_errors_name_the_row(site_a, clinician_a):
    with pytest.raises(services.RowValidationError) as caught:
        services.patient_create_with_tumours(
            by=clinician_a,
            site=site_a,
            data={
                "hospital_number": "X1",
                "date_of_birth": datetime.date(1950, 1, 1),
                "sex": "male",
                "primary_site": "colorectal",
            },
            tumours=[
                {"label": "T1", "segment": 2, "max_diameter_mm": 10},
                {"label": "T2", "segment": 2, "max_diameter_mm": 0},
            ],
        )
    assert (caught.value.rows, caught.value.index) == ("tumours", 1)
    assert isinstance(caught.value, ValidationError)
