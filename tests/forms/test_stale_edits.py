"""No lost updates: a save based on an older version is refused, saying what changed."""

import datetime

from registry import services
from tests.forms.helpers import form_data

TODAY = datetime.date.today()


def _open(client, url):
    """Open an edit form as a person would, keeping what it would submit."""
    return form_data(client.get(url))


def test_second_save_of_a_patient_is_refused_with_what_changed_meanwhile(
    clinician_client, lead_a, patient_a
):
    url = f"/patients/{patient_a.pk}/edit/"
    mine = _open(clinician_client, url)
    services.record_update(
        by=lead_a,
        record=patient_a,
        expected_version=1,
        reason="Checked the notes",
        data={"sex": "female", "alternatives_discussed": False, "mdt_date": TODAY},
    )

    mine |= {"hospital_number": "MINE-1", "reason": "My correction"}
    response = clinician_client.post(url, mine)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: someone else changed this record" in page
    assert str(lead_a) in page
    assert "Checked the notes" in page
    assert "Alternatives (other ablative treatments) discussed: Yes → No" in page
    assert f"{TODAY:%d/%m/%Y}" in page  # dates as people read them
    patient_a.refresh_from_db()
    assert patient_a.hospital_number != "MINE-1"
    kept = form_data(response)
    assert kept["hospital_number"] == "MINE-1"
    assert kept["reason"] == "My correction"

    # Having seen the changes, the user may save deliberately.
    assert kept["version"] == "2"
    assert clinician_client.post(url, kept).status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.hospital_number == "MINE-1"


def test_stale_treatment_row_refuses_the_procedure_edit(
    clinician_client, lead_a, treated_patient_a
):
    procedure = treated_patient_a.procedures.get()
    (treatment,) = procedure.treatments.all()
    url = f"/procedures/{procedure.pk}/edit/"
    mine = _open(clinician_client, url)
    services.record_update(
        by=lead_a,
        record=treatment,
        expected_version=1,
        reason="Probe count from the log",
        data={"probes": 5},
    )

    mine |= {f"tumour-{treatment.tumour_id}-probes": "3", "reason": "Mine"}
    response = clinician_client.post(url, mine)

    page = response.content.decode()
    assert "Not saved" in page and "Number of probes: 2 → 5" in page
    treatment.refresh_from_db()
    assert treatment.probes == 5


def test_stale_follow_up_and_complication_edits_are_refused(clinician_client, lead_a, full_case):
    follow_up = full_case.follow_ups.first()
    complication = full_case.procedures.get().complications.get()
    for url, record, data in [
        (f"/follow-ups/{follow_up.pk}/edit/", follow_up, {"recist": "pd"}),
        (f"/complications/{complication.pk}/edit/", complication, {"ctcae_grade": 4}),
    ]:
        mine = _open(clinician_client, url) | {"reason": "Mine"}
        services.record_update(
            by=lead_a, record=record, expected_version=1, reason="Theirs", data=data
        )
        page = clinician_client.post(url, mine).content.decode()
        assert "Not saved" in page and "Theirs" in page
    assert "Progressive disease (PD)" in page or "4 - Life-threatening" in page
