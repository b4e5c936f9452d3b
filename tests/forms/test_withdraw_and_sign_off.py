"""Withdraw (entered in error) and restore; sign-off locks a record read-only."""

import pytest

from registry import services
from registry.history import revisions
from tests.forms.helpers import submit


def test_withdrawn_procedure_leaves_the_page_and_stays_in_history(
    clinician_client, treated_patient_a
):
    procedure = treated_patient_a.procedures.get()
    url = f"/procedures/{procedure.pk}/withdraw/"

    assert "Reason: This field is required" in (
        clinician_client.post(url, {"reason": ""}).content.decode()
    )
    response = clinician_client.post(url, {"reason": "Wrong patient"})

    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.is_withdrawn
    page = clinician_client.get(f"/patients/{treated_patient_a.pk}/").content.decode()
    assert "Procedure: Percutaneous" not in page
    history = clinician_client.get(f"/patients/{treated_patient_a.pk}/history/").content.decode()
    assert "Withdrawn (entered in error): Wrong patient" in history


def test_site_lead_sees_withdrawn_records_and_restores_them(
    client, clinician_a, lead_a, treated_patient_a
):
    procedure = treated_patient_a.procedures.get()
    services.record_withdraw(by=clinician_a, record=procedure, reason="Oops")

    client.force_login(clinician_a)
    assert (
        "Withdrawn records" not in client.get(f"/patients/{treated_patient_a.pk}/").content.decode()
    )
    client.post(f"/procedures/{procedure.pk}/restore/", {"reason": "Was right"})
    procedure.refresh_from_db()
    assert procedure.is_withdrawn  # clinicians cannot restore

    client.force_login(lead_a)
    page = client.get(f"/patients/{treated_patient_a.pk}/").content.decode()
    assert "Withdrawn records" in page and f"/procedures/{procedure.pk}/restore/" in page
    client.post(f"/procedures/{procedure.pk}/restore/", {"reason": "It was this patient"})
    procedure.refresh_from_db()
    assert not procedure.is_withdrawn
    assert revisions(procedure)[-1].reason == "Restored: It was this patient"


def test_withdrawn_patient_leaves_the_list_and_a_lead_can_find_and_restore_it(
    client, clinician_a, lead_a, patient_a
):
    client.force_login(clinician_a)
    client.post(f"/patients/{patient_a.pk}/withdraw/", {"reason": "Duplicate"})
    assert patient_a.registry_id not in client.get("/patients/").content.decode()
    assert client.get(f"/patients/{patient_a.pk}/").status_code == 404

    client.force_login(lead_a)
    listed = client.get("/patients/?withdrawn=on").content.decode()
    assert patient_a.registry_id in listed
    assert client.get(f"/patients/{patient_a.pk}/").status_code == 200
    client.post(f"/patients/{patient_a.pk}/restore/", {"reason": "Not a duplicate"})
    patient_a.refresh_from_db()
    assert not patient_a.is_withdrawn


@pytest.fixture
def locked(lead_a, full_case):
    services.patient_lock(by=lead_a, patient=full_case, reason="Reviewed at audit meeting")
    full_case.refresh_from_db()
    return full_case


def test_a_locked_record_shows_no_edit_buttons(clinician_client, locked):
    page = clinician_client.get(f"/patients/{locked.pk}/").content.decode()
    assert "Signed off by" in page
    assert "/edit/" not in page and "/withdraw/" not in page and "/new/" not in page


def test_edit_pages_and_posts_of_a_locked_record_are_refused_with_a_message(
    clinician_client, locked
):
    procedure = locked.procedures.get()
    urls = [
        f"/patients/{locked.pk}/edit/",
        f"/patients/{locked.pk}/procedures/new/",
        f"/procedures/{procedure.pk}/edit/",
        f"/patients/{locked.pk}/follow-ups/new/",
        f"/follow-ups/{locked.follow_ups.first().pk}/edit/",
        f"/procedures/{procedure.pk}/complications/new/",
        f"/complications/{procedure.complications.get().pk}/edit/",
    ]
    for url in urls:
        for response in (clinician_client.get(url), clinician_client.post(url, {"reason": "x"})):
            assert response.status_code == 302, url
            assert response["Location"] == f"/patients/{locked.pk}/"
    response = clinician_client.post(
        f"/procedures/{procedure.pk}/withdraw/", {"reason": "x"}, follow=True
    )
    assert "is locked after sign-off" in response.content.decode()
    procedure.refresh_from_db()
    assert not procedure.is_withdrawn


def test_a_record_locked_while_a_form_is_open_is_refused_on_save(
    clinician_client, lead_a, full_case
):
    url = f"/patients/{full_case.pk}/edit/"
    clinician_client.get(url)
    services.patient_lock(by=lead_a, patient=full_case, reason="Reviewed")

    response = submit(clinician_client, url, {"reason": "late edit"}, follow=True)

    assert "signed off and locked" in response.content.decode()


def test_only_a_site_lead_signs_off_and_unlocks_with_a_reason(
    client, clinician_a, lead_a, patient_a
):
    client.force_login(clinician_a)
    assert client.post(f"/patients/{patient_a.pk}/lock/", {"reason": "x"}).status_code == 403

    client.force_login(lead_a)
    page = client.post(f"/patients/{patient_a.pk}/lock/", {"reason": ""}).content.decode()
    assert "Reason: This field is required" in page
    client.post(f"/patients/{patient_a.pk}/lock/", {"reason": "Audit reviewed"})
    patient_a.refresh_from_db()
    assert patient_a.is_locked
    client.post(f"/patients/{patient_a.pk}/unlock/", {"reason": "Correct the CEA"})
    patient_a.refresh_from_db()
    assert not patient_a.is_locked
    reasons = [r.reason for r in revisions(patient_a)]
    assert reasons[-2:] == ["Signed off and locked: Audit reviewed", "Unlocked: Correct the CEA"]
