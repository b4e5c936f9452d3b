"""Fixtures for the clinician pages: a complete case at site A."""

import datetime

import pytest

from registry import services
from registry.choices import AssessmentResult, FollowUpKind
from registry.models import Patient
from tests.factories import (
    ComplicationFactory,
    FollowUpFactory,
    TumourAssessmentFactory,
    TumourFactory,
)

TODAY = datetime.date.today()


@pytest.fixture
def full_case(treated_patient_a):
    """Site A's patient: two tumours (one treated), a complication and a follow-up."""
    patient = treated_patient_a
    procedure = patient.procedures.get()
    TumourFactory(patient=patient, label="T2", max_diameter_mm=45)
    ComplicationFactory(procedure=procedure)
    follow_up = FollowUpFactory(
        patient=patient, seen_on=procedure.performed_on + datetime.timedelta(30)
    )
    TumourAssessmentFactory(
        follow_up=follow_up,
        tumour=patient.tumours.get(label="T1"),
        result=AssessmentResult.COMPLETE_ABLATION,
    )
    FollowUpFactory(
        patient=patient,
        seen_on=procedure.performed_on + datetime.timedelta(90),
        kind=FollowUpKind.CLINIC,
        imaging_modality="",
    )
    services.refresh_next_follow_up_due(patients=Patient.objects.filter(pk=patient.pk))
    patient.refresh_from_db()
    return patient


@pytest.fixture
def clinician_client(client, clinician_a):
    client.force_login(clinician_a)
    return client


@pytest.fixture
def lead_client(client, lead_a):
    client.force_login(lead_a)
    return client
