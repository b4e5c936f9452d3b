"""Multi-row writes are single transactions: one refused row leaves every row as it was."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.models import Patient, Procedure, TumourTreatment
from tests.factories import PatientFactory, TumourFactory

pytestmark = pytest.mark.django_db


def test_an_admin_bulk_withdrawal_is_all_or_nothing(client, registry_admin, lead_a, site_a):
    open_patient = PatientFactory(site=site_a)
    locked = PatientFactory(site=site_a)
    services.patient_lock(by=lead_a, patient=locked, reason="Audit complete")
    client.force_login(registry_admin)
    response = client.post(
        "/admin/registry/patient/",
        {
            "action": "withdraw_selected",
            "_selected_action": [open_patient.pk, locked.pk],
            "reason": "Entered twice",
        },
        follow=True,
    )
    assert "Nothing was changed" in response.content.decode()
    assert not Patient.objects.filter(withdrawn_at__isnull=False).exists()
    assert open_patient.history.count() == 1  # not even a rolled-back revision


def test_a_bad_treatment_row_leaves_no_procedure(clinician_a, patient_a):
    tumour = TumourFactory(patient=patient_a, label="T1")
    with pytest.raises(ValidationError):
        services.procedure_create(
            by=clinician_a,
            patient=patient_a,
            data={
                "performed_on": tumour.detected_on,
                "approach": "percutaneous",
                "image_guidance": "ct",
                "anaesthesia": "general",
                "cryogen": "argon",
                "intent": "primary",
                "consent_documented": True,
            },
            treatments=[
                {"tumour": tumour, "probes": 2, "technical_success": True},
                {"tumour": tumour, "probes": -5, "technical_success": True},
            ],
        )
    assert not Procedure.objects.exists()
    assert not TumourTreatment.objects.exists()
