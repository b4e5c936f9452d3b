"""Services keep Patient.next_follow_up_due current, in the transaction of each change."""

import datetime

import pytest

from registry import services
from registry.choices import FollowUpKind, VitalStatus
from registry.history import revisions
from registry.models import Patient
from registry.schedule import add_months
from tests.factories import FollowUpFactory, PatientFactory, ProcedureFactory

TODAY = datetime.date.today()
PROCEDURE = {
    "approach": "percutaneous",
    "image_guidance": "ct",
    "anaesthesia": "general",
    "cryogen": "argon",
    "intent": "primary",
    "consent_documented": True,
}


def _procedure(by, patient, day):
    return services.procedure_create(
        by=by, patient=patient, data={**PROCEDURE, "performed_on": day}
    )


def _follow_up(by, patient, day, **extra):
    data = {"seen_on": day, "kind": FollowUpKind.CLINIC, **extra}
    return services.follow_up_create(by=by, patient=patient, data=data)


def _due(patient):
    return Patient.objects.get(pk=patient.pk).next_follow_up_due


def test_a_procedure_sets_the_first_visit_due(patient_a, clinician_a):
    day = TODAY - datetime.timedelta(days=10)
    _procedure(clinician_a, patient_a, day)
    assert _due(patient_a) == add_months(day, 1)


def test_a_follow_up_moves_the_next_visit_and_writes_no_patient_history(patient_a, clinician_a):
    services.record_update(
        by=clinician_a, record=patient_a, expected_version=1, reason="r", data={}
    )
    day = TODAY - datetime.timedelta(days=100)
    _procedure(clinician_a, patient_a, day)
    history_rows = patient_a.history.count()

    _follow_up(clinician_a, patient_a, add_months(day, 1))

    assert _due(patient_a) == add_months(day, 3)
    assert patient_a.history.count() == history_rows
    assert Patient.objects.get(pk=patient_a.pk).version == 2  # open edits stay valid
    assert all(c.field != "next_follow_up_due" for r in revisions(patient_a) for c in r.changes)


def test_editing_and_withdrawing_a_follow_up_recomputes_the_due_date(patient_a, clinician_a):
    day = TODAY - datetime.timedelta(days=100)
    _procedure(clinician_a, patient_a, day)
    follow_up = _follow_up(clinician_a, patient_a, add_months(day, 1))

    services.record_update(
        by=clinician_a,
        record=follow_up,
        expected_version=1,
        reason="Wrong date",
        data={"seen_on": day + datetime.timedelta(days=3)},
    )
    assert _due(patient_a) == add_months(day, 1)

    services.record_update(
        by=clinician_a,
        record=follow_up,
        expected_version=2,
        reason="Right date",
        data={"seen_on": add_months(day, 1)},
    )
    services.record_withdraw(by=clinician_a, record=follow_up, reason="Entered in error")
    assert _due(patient_a) == add_months(day, 1)


def test_restoring_a_procedure_restores_its_schedule(patient_a, clinician_a, lead_a):
    day = TODAY - datetime.timedelta(days=20)
    procedure = _procedure(clinician_a, patient_a, day)
    services.record_withdraw(by=clinician_a, record=procedure, reason="Wrong patient")
    assert _due(patient_a) is None
    services.record_restore(by=lead_a, record=procedure, reason="Right patient after all")
    assert _due(patient_a) == add_months(day, 1)


def test_nothing_is_due_after_death(patient_a, clinician_a):
    day = TODAY - datetime.timedelta(days=200)
    _procedure(clinician_a, patient_a, day)
    death = TODAY - datetime.timedelta(days=10)
    _follow_up(
        clinician_a,
        patient_a,
        death,
        kind=FollowUpKind.DEATH_NOTIFICATION,
        vital_status=VitalStatus.DEAD,
        death_date=death,
        death_cause="cancer",
    )
    assert _due(patient_a) is None


def test_lost_to_follow_up_ends_the_schedule_until_the_patient_comes_back(patient_a, clinician_a):
    day = TODAY - datetime.timedelta(days=300)
    _procedure(clinician_a, patient_a, day)
    _follow_up(clinician_a, patient_a, add_months(day, 1), lost_to_follow_up=True)
    assert _due(patient_a) is None

    _procedure(clinician_a, patient_a, TODAY - datetime.timedelta(days=5))
    assert _due(patient_a) == add_months(TODAY - datetime.timedelta(days=5), 1)


def test_a_failed_write_leaves_the_due_date_alone(patient_a, clinician_a):
    with pytest.raises(services.ValidationError):
        _procedure(clinician_a, patient_a, TODAY + datetime.timedelta(days=1))
    assert _due(patient_a) is None


def test_bulk_refresh_computes_records_written_without_the_services(site_a, settings):
    settings.FOLLOW_UP_SCHEDULE_MONTHS = [1, 3]
    day = TODAY - datetime.timedelta(days=60)
    seen, unseen, untreated = PatientFactory.create_batch(3, site=site_a)
    for patient in (seen, unseen):
        ProcedureFactory(patient=patient, performed_on=day)
    FollowUpFactory(patient=seen, seen_on=add_months(day, 1))

    changed = services.refresh_next_follow_up_due(patients=Patient.objects.all())

    assert changed == 2
    assert (_due(seen), _due(unseen), _due(untreated)) == (
        add_months(day, 3),
        add_months(day, 1),
        None,
    )
    assert services.refresh_next_follow_up_due(patients=Patient.objects.all()) == 0
