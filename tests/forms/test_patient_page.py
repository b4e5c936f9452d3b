"""The patient page: timeline, tumour status, NICE checklist, next follow-up, constant queries."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import services
from registry.models import Patient
from tests.factories import (
    ComplicationFactory,
    FollowUpFactory,
    ProcedureFactory,
    TumourAssessmentFactory,
    TumourFactory,
    TumourTreatmentFactory,
)

TODAY = datetime.date.today()


def _page(client, patient):
    return client.get(f"/patients/{patient.pk}/").content.decode()


def test_timeline_is_in_date_order(clinician_client, full_case):
    page = _page(clinician_client, full_case)
    timeline = page[page.index('id="timeline-heading"') :]
    days = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', timeline)
    assert days == sorted(days) and len(days) == 4
    kinds = re.findall(r'class="timeline-entry timeline-(\w+)', timeline)
    assert kinds == ["procedure", "complication", "follow_up", "follow_up"]


def test_tumour_table_shows_derived_status_and_the_size_flag(clinician_client, full_case):
    page = _page(clinician_client, full_case)
    assert re.search(r"T1</th>.*?Complete ablation", page, re.S)
    assert re.search(r"T2</th>.*?Over 4 cm \(NICE 2.2.3\).*?Untreated", page, re.S)


def test_nice_checklist_flags_missing_items(clinician_client, site_a):
    patient = Patient.objects.create(
        site=site_a,
        hospital_number="N1",
        date_of_birth=datetime.date(1950, 1, 1),
        sex="male",
        primary_site="colorectal",
    )
    ProcedureFactory(patient=patient, consent_documented=False)
    page = _page(clinician_client, patient)
    assert page.count(">Missing</span>") == 3
    assert "No MDT date recorded." in page
    assert "No documented consent for the procedure on" in page


def test_next_follow_up_due_is_shown_and_flagged_when_overdue(clinician_client, patient_a):
    ProcedureFactory(patient=patient_a, performed_on=TODAY - datetime.timedelta(days=100))
    services.refresh_next_follow_up_due(patients=[patient_a])
    page = _page(clinician_client, patient_a)
    assert "Next follow-up due" in page and "Overdue by" in page


def test_another_sites_clinician_gets_not_found(client, clinician_b, patient_a):
    client.force_login(clinician_b)
    response = client.get(f"/patients/{patient_a.pk}/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def _add_rounds(patient, rounds, start):
    tumour = TumourFactory(patient=patient)
    for n in range(rounds):
        day = start + datetime.timedelta(days=40 * n)
        procedure = ProcedureFactory(patient=patient, performed_on=day)
        TumourTreatmentFactory(procedure=procedure, tumour=tumour)
        ComplicationFactory(procedure=procedure)
        follow_up = FollowUpFactory(patient=patient, seen_on=day + datetime.timedelta(days=20))
        TumourAssessmentFactory(follow_up=follow_up, tumour=tumour)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_is_constant_whatever_the_size_of_the_record(clinician_client, site_a):
    from tests.factories import PatientFactory

    small, large = PatientFactory.create_batch(2, site=site_a)
    start = TODAY - datetime.timedelta(days=400)
    _add_rounds(small, 1, start)
    _add_rounds(large, 6, start)
    for url in ("/patients/{}/", "/patients/{}/history/"):
        assert _count(clinician_client, url.format(small.pk)) == _count(
            clinician_client, url.format(large.pk)
        )


def test_site_lead_query_count_is_constant_too(lead_client, site_a):
    from tests.factories import PatientFactory

    small, large = PatientFactory.create_batch(2, site=site_a)
    start = TODAY - datetime.timedelta(days=400)
    _add_rounds(small, 1, start)
    _add_rounds(large, 5, start)
    assert _count(lead_client, f"/patients/{small.pk}/") == _count(
        lead_client, f"/patients/{large.pk}/"
    )
