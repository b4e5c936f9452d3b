"""Procedures with one treatment row per tumour, and adverse events with grading help."""

import datetime

from registry import services
from registry.history import revisions
from registry.models import Complication, Procedure, TumourTreatment
from tests.factories import TumourFactory
from tests.forms.helpers import form_data, submit

TODAY = datetime.date.today()
DAY = (TODAY - datetime.timedelta(days=3)).isoformat()
PROCEDURE = {
    "performed_on": DAY,
    "approach": "percutaneous",
    "image_guidance": "ct",
    "anaesthesia": "general",
    "cryogen": "argon",
    "intent": "primary",
    "consent_documented": "on",
}


def _tumours(patient):
    return TumourFactory(patient=patient, label="T1"), TumourFactory(patient=patient, label="T2")


def test_procedure_treating_both_tumours_is_saved_with_its_rows(
    clinician_client, clinician_a, patient_a
):
    t1, t2 = _tumours(patient_a)
    rows: dict[str, str] = {}
    for tumour in (t1, t2):
        p = f"tumour-{tumour.pk}-"
        rows |= {p + "treated": "on", p + "probes": "3", p + "technical_success": "yes"}

    response = submit(
        clinician_client, f"/patients/{patient_a.pk}/procedures/new/", PROCEDURE | rows
    )

    assert response.status_code == 302
    procedure = Procedure.objects.get()
    assert procedure.operator == clinician_a  # the signed-in clinician by default
    assert {t.tumour for t in procedure.treatments.all()} == {t1, t2}
    patient_a.refresh_from_db()
    assert patient_a.next_follow_up_due is not None


def test_values_in_an_unticked_row_are_not_silently_dropped(clinician_client, patient_a):
    t1, _ = _tumours(patient_a)
    response = submit(
        clinician_client,
        f"/patients/{patient_a.pk}/procedures/new/",
        PROCEDURE | {f"tumour-{t1.pk}-probes": "2"},
    )
    assert response.status_code == 200
    assert "Tick “Treated in this procedure”" in response.content.decode()
    assert not Procedure.objects.exists()


def test_a_treated_row_needs_probes_and_a_result(clinician_client, patient_a):
    t1, _ = _tumours(patient_a)
    response = submit(
        clinician_client,
        f"/patients/{patient_a.pk}/procedures/new/",
        PROCEDURE | {f"tumour-{t1.pk}-treated": "on", f"tumour-{t1.pk}-technical_success": ""},
    )
    page = response.content.decode()
    assert "Tumour T1: Number of probes: Enter the number of probes" in page
    assert "Tumour T1: Technical success: Choose whether the ablation succeeded." in page
    assert not Procedure.objects.exists()


def test_a_row_rule_checked_by_the_service_shows_at_that_row(clinician_client, patient_a):
    t1, t2 = _tumours(patient_a)
    t2.detected_on = TODAY - datetime.timedelta(days=1)
    t2.save()
    rows: dict[str, str] = {}
    for tumour in (t1, t2):
        p = f"tumour-{tumour.pk}-"
        rows |= {p + "treated": "on", p + "probes": "3", p + "technical_success": "yes"}

    response = submit(
        clinician_client, f"/patients/{patient_a.pk}/procedures/new/", PROCEDURE | rows
    )

    assert "Tumour T2: This tumour was detected on" in response.content.decode()
    assert not Procedure.objects.exists() and not TumourTreatment.objects.exists()


def test_editing_a_procedure_unticks_a_tumour_and_changes_another(
    clinician_client, treated_patient_a
):
    procedure = treated_patient_a.procedures.get()
    (treatment,) = procedure.treatments.all()
    t2 = TumourFactory(patient=treated_patient_a, label="T2")
    p1, p2 = f"tumour-{treatment.tumour_id}-", f"tumour-{t2.pk}-"

    response = submit(
        clinician_client,
        f"/procedures/{procedure.pk}/edit/",
        {
            p1 + "treated": None,
            p2 + "treated": "on",
            p2 + "probes": "4",
            p2 + "technical_success": "no",
            "reason": "The other lesion was treated",
        },
    )

    assert response.status_code == 302
    treatment.refresh_from_db()
    assert treatment.is_withdrawn
    assert procedure.treatments.current().get().tumour == t2
    assert (
        revisions(treatment)[-1].reason
        == "Withdrawn (entered in error): The other lesion was treated"
    )


def test_operator_must_work_at_the_patients_site(clinician_client, patient_a, clinician_b):
    response = submit(
        clinician_client,
        f"/patients/{patient_a.pk}/procedures/new/",
        PROCEDURE | {"operator": str(clinician_b.pk)},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Procedure.objects.exists()


def test_complication_form_shows_grading_help_and_saves(clinician_client, treated_patient_a):
    procedure = treated_patient_a.procedures.get()
    url = f"/procedures/{procedure.pk}/complications/new/"
    page = clinician_client.get(url).content.decode()
    assert "3 - Severe; admission or longer stay" in page
    assert "Severe or medically significant but not immediately life-threatening" in page
    assert "3 - Additional therapy or stay &gt; 48 h" in page
    assert "Further therapy after the procedure, or a stay longer than 48 hours" in page

    response = submit(
        clinician_client,
        url,
        {
            "event_type": "haemorrhage",
            "onset_on": procedure.performed_on.isoformat(),
            "ctcae_grade": "3",
            "cirse_grade": "3",
        },
    )

    assert response.status_code == 302
    complication = Complication.objects.get()
    assert complication.is_major and complication.cirse_grade == 3


def test_complication_edit_keeps_grades_consistent(clinician_client, treated_patient_a):
    procedure = treated_patient_a.procedures.get()
    complication = services.complication_create(
        by=procedure.patient.site.memberships.first().user,
        procedure=procedure,
        data={"event_type": "fever", "onset_on": procedure.performed_on, "ctcae_grade": 1},
    )
    response = submit(
        clinician_client,
        f"/complications/{complication.pk}/edit/",
        {"cirse_grade": "6", "reason": "Regraded"},
    )
    assert "CIRSE grade 6 (death) goes with CTCAE grade 5 only." in response.content.decode()
    complication.refresh_from_db()
    assert complication.cirse_grade is None
    assert form_data(response)["cirse_grade"] == "6"
