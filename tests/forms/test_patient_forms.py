"""New and edit patient with tumours: one transaction, reasons, errors kept in place."""

import datetime

from registry.history import revisions
from registry.models import Patient, Tumour
from tests.factories import TumourFactory
from tests.forms.helpers import form_data, submit

NEW = {
    "hospital_number": "RX 100",
    "nhs_number": "943 476 5919",
    "date_of_birth": "1960-02-01",
    "sex": "male",
    "primary_site": "colorectal",
    "tumours-0-label": "T1",
    "tumours-0-segment": "6",
    "tumours-0-max_diameter_mm": "25",
    "tumours-1-label": "T2",
    "tumours-1-segment": "2",
    "tumours-1-max_diameter_mm": "45",
    "tumours-1-size_exception_reason": "MDT agreed: not fit for resection",
}


def test_clinician_registers_a_patient_with_two_tumours_at_the_current_site(
    clinician_client, site_a
):
    response = submit(clinician_client, "/patients/new/", NEW)

    patient = Patient.objects.get(hospital_number="RX 100")
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.pk}/"
    assert patient.site == site_a
    assert patient.nhs_number == "9434765919"
    assert sorted(t.label for t in patient.tumours.all()) == ["T1", "T2"]
    assert revisions(patient)[0].reason == "Created"


def test_a_failed_submit_keeps_everything_typed_and_saves_nothing(clinician_client):
    response = submit(
        clinician_client,
        "/patients/new/",
        {**NEW, "date_of_birth": "2999-01-01", "tumours-1-max_diameter_mm": "0"},
    )

    assert response.status_code == 200
    assert not Patient.objects.exists() and not Tumour.objects.exists()
    page = response.content.decode()
    assert "This date is in the future" in page
    assert "The maximum diameter must be at least 1 mm." in page
    kept = form_data(response)
    assert kept["hospital_number"] == "RX 100"
    assert kept["tumours-0-label"] == "T1"
    assert kept["tumours-1-size_exception_reason"] == "MDT agreed: not fit for resection"


def test_errors_are_tied_to_their_inputs_and_summarised_with_links(clinician_client):
    response = submit(clinician_client, "/patients/new/", {**NEW, "date_of_birth": "31/02/1960"})
    page = response.content.decode()

    assert 'id="error-summary"' in page
    assert 'href="#id_date_of_birth"' in page
    assert 'aria-describedby="id_date_of_birth_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'id="id_date_of_birth_error"' in page


def test_every_input_has_a_label_and_choice_groups_a_legend(clinician_client):
    page = clinician_client.get("/patients/new/").content.decode()
    assert '<input type="date" name="date_of_birth"' in page
    assert '<label class="form-label" for="id_hospital_number">' in page
    assert '<legend class="form-label fs-6 mb-1">Sex' in page
    assert '<label class="form-check-label" for="id_sex_0">Female</label>' in page
    assert "style=" not in page and "<script>" not in page and " onclick" not in page


def test_add_another_tumour_works_without_javascript(clinician_client):
    data = {**form_data(clinician_client.get("/patients/new/")), **NEW, "add_tumour": "1"}

    response = clinician_client.post("/patients/new/", data)

    assert response.status_code == 200
    assert not Patient.objects.exists()
    page = response.content.decode()
    assert 'name="tumours-2-label"' in page
    assert "error-summary" not in page  # adding a row judges nothing yet
    assert form_data(response)["tumours-0-label"] == "T1"


def test_new_patient_uses_the_current_site_of_a_multi_site_clinician(
    clinician_client, clinician_a, site_b
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=clinician_a, site=site_b)
    clinician_client.post("/site/", {"site": site_b.pk, "next": "/patients/new/"})

    submit(clinician_client, "/patients/new/", NEW)

    assert Patient.objects.get().site == site_b


def test_edit_asks_a_reason_and_stores_it_with_each_changed_row(clinician_client, patient_a):
    tumour = TumourFactory(patient=patient_a, label="T1")
    url = f"/patients/{patient_a.pk}/edit/"

    refused = submit(clinician_client, url, {"hospital_number": "H-NEW"})
    assert "Reason for change: This field is required." in refused.content.decode()

    response = submit(
        clinician_client,
        url,
        {
            "hospital_number": "H-NEW",
            "reason": "Wrong hospital number",
            "tumours-0-max_diameter_mm": "31",
            "tumours-1-label": "T2",
            "tumours-1-segment": "7",
            "tumours-1-max_diameter_mm": "12",
        },
    )

    assert response.status_code == 302
    patient_a.refresh_from_db()
    tumour.refresh_from_db()
    assert patient_a.hospital_number == "H-NEW"
    assert tumour.max_diameter_mm == 31
    assert revisions(patient_a)[-1].reason == "Wrong hospital number"
    assert revisions(tumour)[-1].reason == "Wrong hospital number"
    assert Tumour.objects.get(label="T2").patient == patient_a


def test_removing_a_tumour_withdraws_it_with_the_reason(clinician_client, patient_a):
    tumour = TumourFactory(patient=patient_a, label="T1")
    submit(
        clinician_client,
        f"/patients/{patient_a.pk}/edit/",
        {"tumours-0-DELETE": "on", "reason": "Not a metastasis (haemangioma)"},
    )
    tumour.refresh_from_db()
    assert tumour.is_withdrawn
    assert tumour.withdrawal_reason == "Not a metastasis (haemangioma)"


def test_edit_form_shows_dates_for_the_date_input(clinician_client, patient_a):
    data = form_data(clinician_client.get(f"/patients/{patient_a.pk}/edit/"))
    assert data["date_of_birth"] == "1958-03-14"
    assert data["version"] == "1"
    assert datetime.date.fromisoformat(data["mdt_date"])
