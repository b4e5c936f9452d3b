"""Bad input on every form: field errors or 404, never a 500, nothing half-written."""

import pytest

from registry.models import (
    Complication,
    FollowUp,
    Patient,
    Procedure,
    Tumour,
    TumourAssessment,
    TumourTreatment,
)
from tests.factories import PatientFactory, TumourFactory
from tests.forms.helpers import submit

MODELS = (Patient, Tumour, Procedure, TumourTreatment, FollowUp, TumourAssessment, Complication)


def _snapshot():
    return [sorted(model.objects.values_list("pk", "version", "withdrawn_at")) for model in MODELS]


@pytest.fixture
def case(full_case, site_b):
    other = PatientFactory(site=site_b)
    return {
        "patient": full_case,
        "procedure": full_case.procedures.get(),
        "follow_up": full_case.follow_ups.first(),
        "complication": Complication.objects.get(),
        "tumour": full_case.tumours.get(label="T1"),
        "other_tumour": TumourFactory(patient=other, label="X1"),
        "other_user": site_b.memberships.first().user if site_b.memberships.exists() else None,
    }


def _url(name, case):
    patient, procedure = case["patient"], case["procedure"]
    return {
        "new_patient": "/patients/new/",
        "edit_patient": f"/patients/{patient.pk}/edit/",
        "new_procedure": f"/patients/{patient.pk}/procedures/new/",
        "edit_procedure": f"/procedures/{procedure.pk}/edit/",
        "new_follow_up": f"/patients/{patient.pk}/follow-ups/new/",
        "edit_follow_up": f"/follow-ups/{case['follow_up'].pk}/edit/",
        "new_complication": f"/procedures/{procedure.pk}/complications/new/",
        "edit_complication": f"/complications/{case['complication'].pk}/edit/",
    }[name]


BAD = [
    ("new_patient", {"date_of_birth": "1960-13-45", "hospital_number": "Z"}),
    ("new_patient", {"baseline_cea": "lots", "hospital_number": "Z"}),
    ("new_patient", {"sex": "alien", "primary_site": "moon", "hospital_number": "Z"}),
    ("new_patient", {"node_positive_primary": "perhaps", "hospital_number": "Z", "sex": ""}),
    ("new_patient", {"tumours-TOTAL_FORMS": "many", "hospital_number": "Z"}),
    ("new_patient", {"tumours-0-label": "T", "tumours-0-segment": "9", "hospital_number": "Z"}),
    ("new_patient", {"tumours-0-label": "T", "tumours-0-max_diameter_mm": "2.5cm"}),
    ("edit_patient", {"version": "abc", "reason": "r"}),
    ("edit_patient", {"version": "", "reason": "r"}),
    ("edit_patient", {"tumours-0-version": "x", "reason": "r", "hospital_number": "Q"}),
    ("edit_patient", {"tumours-0-id": "OTHER_TUMOUR", "reason": "r", "hospital_number": "Q"}),
    ("edit_patient", {"tumours-0-id": "abc", "reason": "r", "hospital_number": "Q"}),
    ("edit_patient", {"reason": "", "hospital_number": "Q"}),
    ("new_procedure", {"performed_on": "yesterday", "approach": "percutaneous"}),
    ("new_procedure", {"performed_on": "2024-01-01", "approach": "teleport"}),
    ("new_procedure", {"performed_on": "2024-01-01", "operator": "OTHER_USER"}),
    ("new_procedure", {"performed_on": "2024-01-01", "operator": "abc"}),
    ("new_procedure", {"performed_on": "2024-01-01", "length_of_stay_days": "-3"}),
    (
        "new_procedure",
        {"performed_on": "2024-01-01", "TUMOUR-probes": "many", "TUMOUR-treated": "on"},
    ),
    ("new_procedure", {"performed_on": "2024-01-01", "TUMOUR-technical_success": "maybe"}),
    ("edit_procedure", {"version": "-1", "reason": "r"}),
    ("edit_procedure", {"TUMOUR-version": "abc", "reason": "r", "length_of_stay_days": "4"}),
    ("edit_procedure", {"performed_on": "2999-01-01", "reason": "r"}),
    ("new_follow_up", {"seen_on": "01/01/20xx", "kind": "clinic"}),
    ("new_follow_up", {"seen_on": "2024-01-01", "kind": "seance", "cea": "high"}),
    ("new_follow_up", {"seen_on": "2024-01-01", "TUMOUR-result": "cured"}),
    ("new_follow_up", {"vital_status": "dead", "death_date": "", "kind": "clinic"}),
    ("edit_follow_up", {"version": "999999999999999999999", "reason": "r"}),
    ("edit_follow_up", {"version": "7", "reason": "r", "cea": "5"}),
    ("edit_follow_up", {"TUMOUR-version": "0", "reason": "r", "cea": "5"}),
    ("new_complication", {"onset_on": "2024-02-30", "ctcae_grade": "9"}),
    ("new_complication", {"onset_on": "2024-02-01", "cirse_grade": "x", "event_type": "bite"}),
    ("edit_complication", {"version": "1.5", "reason": "r"}),
    ("edit_complication", {"resolved_on": "1900-01-01", "reason": "r"}),
]


def _resolve(changes, case):
    tumour = case["tumour"]
    resolved = {}
    for key, value in changes.items():
        key = key.replace("TUMOUR", f"tumour-{tumour.pk}")
        if value == "OTHER_TUMOUR":
            value = str(case["other_tumour"].pk)
        if value == "OTHER_USER":
            value = str(case["other_user"].pk)
        resolved[key] = value
    return resolved


@pytest.mark.parametrize(("form", "changes"), BAD)
def test_bad_input_gives_field_errors_and_writes_nothing(
    clinician_client, case, clinician_b, form, changes
):
    case["other_user"] = clinician_b
    before = _snapshot()

    response = submit(clinician_client, _url(form, case), _resolve(changes, case))

    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing was saved" in page or "Not saved: someone else changed" in page
    assert _snapshot() == before


@pytest.mark.parametrize(
    "form",
    [
        "edit_patient",
        "new_procedure",
        "edit_procedure",
        "new_follow_up",
        "edit_follow_up",
        "new_complication",
        "edit_complication",
    ],
)
def test_another_sites_record_is_not_found(client, clinician_b, case, form):
    client.force_login(clinician_b)
    url = _url(form, case)
    before = _snapshot()
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "version": "1"}).status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(
    "url",
    [
        "/patients/abc/",
        "/patients/99999999999999999999/",
        "/procedures/0/edit/",
        "/tumours/123456/withdraw/",
        "/follow-ups/1/explode/",
    ],
)
def test_odd_urls_are_not_found(clinician_client, url):
    assert clinician_client.get(url).status_code == 404


def test_a_governance_reviewer_may_not_open_identifiable_records(client, reviewer, case):
    client.force_login(reviewer)
    assert client.get("/patients/").status_code == 403
    assert client.get(f"/patients/{case['patient'].pk}/").status_code == 403


def test_duplicates_are_field_errors_not_database_errors(clinician_client, case):
    patient = case["patient"]
    before = _snapshot()
    response = submit(
        clinician_client,
        "/patients/new/",
        {
            "hospital_number": patient.hospital_number,
            "date_of_birth": "1950-01-01",
            "sex": "male",
            "primary_site": "colorectal",
        },
    )
    assert "This hospital number is already registered here." in response.content.decode()

    response = submit(
        clinician_client,
        "/patients/new/",
        {
            "hospital_number": "UNIQUE-1",
            "date_of_birth": "1950-01-01",
            "sex": "male",
            "primary_site": "colorectal",
            "tumours-0-label": "T1",
            "tumours-0-segment": "2",
            "tumours-0-max_diameter_mm": "10",
            "tumours-1-label": "T1",
            "tumours-1-segment": "3",
            "tumours-1-max_diameter_mm": "11",
        },
    )
    assert "This patient already has a tumour with this label." in response.content.decode()
    assert _snapshot() == before
