"""The admin site: staff only, every model browsable, every change traced."""

import datetime

import pytest
from django.urls import reverse

from registry import services
from registry.history import revisions
from registry.models import (
    Complication,
    FollowUp,
    Membership,
    Patient,
    Procedure,
    Site,
    Tumour,
    TumourAssessment,
    TumourTreatment,
    User,
)
from tests.factories import (
    ComplicationFactory,
    FollowUpFactory,
    TumourAssessmentFactory,
)

MODELS = [
    Site,
    Membership,
    User,
    Patient,
    Tumour,
    Procedure,
    TumourTreatment,
    FollowUp,
    TumourAssessment,
    Complication,
]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(client, registry_admin):
    client.force_login(registry_admin)
    return client


@pytest.fixture
def everything(treated_patient_a, clinician_a):
    procedure = treated_patient_a.procedures.get()
    follow_up = FollowUpFactory(patient=treated_patient_a, seen_on=procedure.performed_on)
    TumourAssessmentFactory(follow_up=follow_up, tumour=treated_patient_a.tumours.get())
    ComplicationFactory(procedure=procedure)
    return treated_patient_a


def patient_form(patient=None, **overrides):
    data = {
        "site": patient.site_id if patient else "",
        "hospital_number": patient.hospital_number if patient else "",
        "nhs_number": patient.nhs_number if patient else "",
        "date_of_birth": "1955-04-03",
        "sex": "female",
        "primary_site": "colorectal",
        "metastasis_timing": "not_known",
        "node_positive_primary": "unknown",
        "extrahepatic_disease": "unknown",
        "prior_hepatectomy": "unknown",
        "prior_chemotherapy": "unknown",
        "alternatives_discussed": "unknown",
        "seen_version": patient.version if patient else "",
        "change_reason": "",
        "tumours-TOTAL_FORMS": "0",
        "tumours-INITIAL_FORMS": "0",
        "tumours-MIN_NUM_FORMS": "0",
        "tumours-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_registry_admin_browses_every_model(staff_client, everything, model):
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    assert staff_client.get(admin_url(model, "changelist"), {"q": "x"}).status_code == 200
    assert staff_client.get(admin_url(model, "add")).status_code == 200
    record = model.objects.first()
    assert staff_client.get(admin_url(model, "change", record.pk)).status_code == 200
    if hasattr(model, "history"):
        assert staff_client.get(admin_url(model, "history", record.pk)).status_code == 200


def test_clinicians_and_reviewers_cannot_use_the_admin(client, clinician_a, reviewer):
    for user in (clinician_a, reviewer):
        client.force_login(user)
        response = client.get(admin_url(Patient, "changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_admin_create_leaves_history_with_author_and_reason(staff_client, registry_admin, site_a):
    data = patient_form(
        site=site_a.pk,
        hospital_number="ADM-1",
        nhs_number="943 476 5919",
        change_reason="Back-entry from paper form",
    )
    data.update(
        {
            "tumours-TOTAL_FORMS": "1",
            "tumours-0-label": "T1",
            "tumours-0-segment": "6",
            "tumours-0-max_diameter_mm": "25",
        }
    )

    response = staff_client.post(admin_url(Patient, "add"), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    patient = Patient.objects.get(hospital_number="ADM-1")
    row = patient.history.get()
    assert (row.history_user, row.history_change_reason) == (
        registry_admin,
        "Back-entry from paper form",
    )
    tumour_row = patient.tumours.get().history.get()
    assert tumour_row.history_change_reason == "Back-entry from paper form"
    assert tumour_row.history_user == registry_admin


def test_admin_update_records_old_new_author_and_reason(staff_client, registry_admin, patient_a):
    data = patient_form(patient_a, hospital_number="CHANGED-9", change_reason="MRN merged")

    response = staff_client.post(admin_url(Patient, "change", patient_a.pk), data)

    assert response.status_code == 302
    latest = revisions(patient_a)[-1]
    assert latest.author == str(registry_admin)
    assert latest.reason == "MRN merged"
    changes = {c.field: (c.old, c.new) for c in latest.changes}
    assert changes["hospital_number"][1] == "CHANGED-9"


def test_admin_update_needs_a_reason(staff_client, patient_a):
    response = staff_client.post(
        admin_url(Patient, "change", patient_a.pk), patient_form(patient_a, hospital_number="X")
    )
    assert response.status_code == 200
    assert "change_reason" in response.context["adminform"].form.errors


def test_admin_shows_model_validation_errors_on_the_field(staff_client, patient_a):
    response = staff_client.post(
        admin_url(Patient, "change", patient_a.pk),
        patient_form(patient_a, nhs_number="1234567890", change_reason="fix"),
    )
    assert response.status_code == 200
    assert "nhs_number" in response.context["adminform"].form.errors


def test_admin_refuses_a_stale_save(staff_client, patient_a, lead_a):
    services.record_update(
        by=lead_a,
        record=patient_a,
        expected_version=1,
        reason="Checked",
        data={"hospital_number": "LEAD-EDIT"},
    )

    response = staff_client.post(
        admin_url(Patient, "change", patient_a.pk),
        patient_form(patient_a, hospital_number="ADMIN-EDIT", seen_version=1, change_reason="mine"),
    )

    assert response.status_code == 200
    assert "changed this record after you opened it" in str(response.context["errors"])
    patient_a.refresh_from_db()
    assert patient_a.hospital_number == "LEAD-EDIT"


def test_admin_withdraw_action_needs_a_reason_and_is_traced(
    staff_client, registry_admin, patient_a
):
    url = admin_url(Patient, "changelist")
    action = {"action": "withdraw_selected", "_selected_action": [patient_a.pk]}

    staff_client.post(url, {**action, "reason": ""})
    patient_a.refresh_from_db()
    assert not patient_a.is_withdrawn

    staff_client.post(url, {**action, "reason": "Test patient entered in live system"})
    patient_a.refresh_from_db()
    assert patient_a.is_withdrawn
    latest = revisions(patient_a)[-1]
    assert latest.author == str(registry_admin)
    assert "Test patient entered in live system" in latest.reason


def test_nothing_can_be_deleted_from_the_admin(staff_client, patient_a):
    response = staff_client.post(admin_url(Patient, "delete", patient_a.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Patient.objects.filter(pk=patient_a.pk).exists()


def test_locked_record_is_read_only_in_the_admin(staff_client, treated_patient_a, lead_a):
    services.patient_lock(by=lead_a, patient=treated_patient_a, reason="Reviewed")
    tumour = treated_patient_a.tumours.get()

    page = staff_client.get(admin_url(Tumour, "change", tumour.pk))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content

    response = staff_client.post(
        admin_url(Tumour, "change", tumour.pk),
        {
            "patient": treated_patient_a.pk,
            "label": "T1",
            "segment": "6",
            "max_diameter_mm": "99",
            "change_reason": "try",
            "seen_version": tumour.version,
        },
    )
    assert response.status_code == 403
    tumour.refresh_from_db()
    assert tumour.max_diameter_mm != 99


def test_site_changes_are_traced_with_a_reason(staff_client, registry_admin, site_a):
    response = staff_client.post(
        admin_url(Site, "change", site_a.pk),
        {
            "code": site_a.code,
            "name": site_a.name,
            "organisation": site_a.organisation,
            "governance_lead_name": "Dr New Lead",
            "governance_lead_email": "new.lead@example.nhs.uk",
            "governance_lead_informed_on": datetime.date(2025, 2, 1).isoformat(),
            "change_reason": "Governance lead changed",
        },
    )
    assert response.status_code == 302
    row = site_a.history.first()
    assert (row.history_user, row.history_change_reason) == (
        registry_admin,
        "Governance lead changed",
    )


def test_every_history_table_has_its_own_change_reason_field():
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    fields = [
        model._meta.get_field("history_change_reason")
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges)
    ]
    assert len(fields) >= 10
    assert len({id(field) for field in fields}) == len(fields)
    assert all(field.model._meta.get_field("history_change_reason") is field for field in fields)
