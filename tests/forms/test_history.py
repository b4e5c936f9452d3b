"""History values as people read them: labels, dd/mm/yyyy, names, Yes/No/Unknown."""

import datetime
from decimal import Decimal

from registry import services
from registry.history import display_value, patient_history, readable, revisions
from registry.models import FollowUp, Patient, Procedure


def _field(model, name):
    return model._meta.get_field(name)


def test_values_are_shown_as_people_read_them(clinician_a):
    assert display_value(_field(Patient, "sex"), "female") == "Female"
    assert display_value(_field(Patient, "date_of_birth"), datetime.date(1958, 3, 4)) == (
        "04/03/1958"
    )
    assert display_value(_field(Patient, "prior_hepatectomy"), None) == "Unknown"
    assert display_value(_field(Patient, "prior_hepatectomy"), True) == "Yes"
    assert display_value(_field(Procedure, "consent_documented"), False) == "No"
    assert display_value(_field(FollowUp, "cea"), Decimal("12.50")) == "12.5"
    assert display_value(_field(Patient, "nhs_number"), None) == "(empty)"
    operator = _field(Procedure, "operator")
    assert display_value(
        operator, clinician_a.pk, {(type(clinician_a), clinician_a.pk): "Dr A"}
    ) == ("Dr A")


def test_readable_revisions_name_related_records(treated_patient_a, clinician_a, lead_a):
    procedure = treated_patient_a.procedures.get()
    services.record_update(
        by=lead_a,
        record=procedure,
        expected_version=1,
        reason="Operator was missing",
        data={"operator": clinician_a, "anaesthesia": "local_sedation"},
    )
    (revision,) = readable(revisions(procedure, after_version=1))
    changes = {(c.label, c.old, c.new) for c in revision.changes}
    assert ("Operator", "(empty)", str(clinician_a)) in changes
    assert ("Anaesthesia", "General anaesthesia", "Local anaesthesia / sedation") in changes


def test_patient_history_covers_every_record_newest_first(full_case, clinician_a):
    services.record_update(
        by=clinician_a,
        record=full_case,
        expected_version=1,
        reason="Typo",
        data={"hospital_number": "NEW"},
    )
    entries = patient_history(full_case)
    assert entries[0].reason == "Typo"
    assert entries[0].changes[0].old != "NEW" and entries[0].changes[0].new == "NEW"
    records = {entry.record.split(" ")[0] for entry in entries}
    assert records >= {"Patient", "Tumour", "Procedure", "Treatment", "Follow-up", "Assessment"}
    assert any(e.record.startswith("Complication after procedure on") for e in entries)
    assert all(c.label != "Next follow up due" for e in entries for c in e.changes)


def test_history_page_shows_who_when_field_old_new_and_reason(
    clinician_client, clinician_a, patient_a
):
    services.record_update(
        by=clinician_a,
        record=patient_a,
        expected_version=1,
        reason="Sex recorded wrongly",
        data={"sex": "male", "mdt_date": datetime.date(2024, 5, 6)},
    )
    page = clinician_client.get(f"/patients/{patient_a.pk}/history/").content.decode()
    assert str(clinician_a) in page
    assert "Sex: Female → Male" in page
    assert "→ 06/05/2024" in page
    assert "Sex recorded wrongly" in page
