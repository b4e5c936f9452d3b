"""Follow-ups with one assessment row per treated tumour."""

import datetime

from registry.choices import AssessmentResult
from registry.history import revisions
from registry.models import FollowUp, TumourAssessment
from tests.factories import FollowUpFactory, TumourAssessmentFactory, TumourFactory
from tests.forms.helpers import form_data, submit

TODAY = datetime.date.today()


def test_only_treated_tumours_get_an_assessment_row(clinician_client, treated_patient_a):
    TumourFactory(patient=treated_patient_a, label="UNTREATED")
    page = clinician_client.get(f"/patients/{treated_patient_a.pk}/follow-ups/new/")
    text = page.content.decode()
    assert "Tumour T1" in text
    assert "Tumour UNTREATED" not in text


def test_follow_up_with_local_progression_is_saved_with_its_assessment(
    clinician_client, treated_patient_a
):
    tumour = treated_patient_a.tumours.get()
    response = submit(
        clinician_client,
        f"/patients/{treated_patient_a.pk}/follow-ups/new/",
        {
            "seen_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
            "kind": "imaging",
            "imaging_modality": "mri",
            f"tumour-{tumour.pk}-result": AssessmentResult.LOCAL_PROGRESSION,
        },
    )

    assert response.status_code == 302
    assessment = TumourAssessment.objects.get()
    assert assessment.result == AssessmentResult.LOCAL_PROGRESSION
    page = clinician_client.get(f"/patients/{treated_patient_a.pk}/").content.decode()
    assert "Local tumour progression" in page


def test_follow_up_rules_show_at_their_fields(clinician_client, treated_patient_a):
    response = submit(
        clinician_client,
        f"/patients/{treated_patient_a.pk}/follow-ups/new/",
        {"seen_on": "2001-01-01", "kind": "imaging", "imaging_modality": ""},
    )
    page = response.content.decode()
    assert "This date is before the patient&#x27;s first procedure" in page
    assert "Choose the imaging modality of an imaging follow-up." in page
    assert not FollowUp.objects.exists()


def test_edit_changes_removes_and_adds_assessments(clinician_client, treated_patient_a):
    tumour = treated_patient_a.tumours.get()
    follow_up = FollowUpFactory(patient=treated_patient_a, seen_on=TODAY - datetime.timedelta(9))
    assessment = TumourAssessmentFactory(follow_up=follow_up, tumour=tumour)
    url = f"/follow-ups/{follow_up.pk}/edit/"

    submit(
        clinician_client,
        url,
        {f"tumour-{tumour.pk}-result": "residual_unablated", "reason": "Second reading"},
    )
    assessment.refresh_from_db()
    assert assessment.result == "residual_unablated"
    assert revisions(assessment)[-1].reason == "Second reading"

    submit(clinician_client, url, {f"tumour-{tumour.pk}-result": "", "reason": "Not assessed"})
    assessment.refresh_from_db()
    assert assessment.is_withdrawn

    submit(
        clinician_client,
        url,
        {f"tumour-{tumour.pk}-result": "complete_ablation", "reason": "Reassessed"},
    )
    assert follow_up.assessments.current().get().result == "complete_ablation"
    assert form_data(clinician_client.get(url))["version"] == "1"  # untouched follow-up
