"""The patient list: the user's sites only, search, filters, pages, constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import services
from registry.choices import Role
from registry.models import Patient
from tests.factories import (
    FollowUpFactory,
    MembershipFactory,
    PatientFactory,
    ProcedureFactory,
)

TODAY = datetime.date.today()


def _listed(client, query=""):
    page = client.get(f"/patients/{query}").content.decode()
    return {p.registry_id for p in Patient.objects.all() if p.registry_id in page}


def test_only_the_users_sites_are_listed(clinician_client, patient_a, site_b):
    other = PatientFactory(site=site_b)
    assert _listed(clinician_client) == {patient_a.registry_id}
    assert other.registry_id not in clinician_client.get("/patients/").content.decode()


def test_search_ignores_spaces_in_nhs_and_hospital_numbers(clinician_client, site_a):
    wanted = PatientFactory(site=site_a, nhs_number="9434765919", hospital_number="RX 12 34")
    PatientFactory(site=site_a)
    assert _listed(clinician_client, "?q=943+476+5919") == {wanted.registry_id}
    assert _listed(clinician_client, "?q=rx1234") == {wanted.registry_id}
    compact = wanted.registry_id.replace("-", " ").lower()
    assert _listed(clinician_client, f"?q={compact}") == {wanted.registry_id}


def test_filters_by_vital_status_and_overdue_follow_up(clinician_client, clinician_a, site_a):
    dead, alive, overdue = PatientFactory.create_batch(3, site=site_a)
    for patient in (dead, alive):
        ProcedureFactory(patient=patient, performed_on=TODAY - datetime.timedelta(days=40))
    FollowUpFactory(
        patient=dead,
        seen_on=TODAY - datetime.timedelta(days=2),
        kind="death_notification",
        vital_status="dead",
        death_date=TODAY - datetime.timedelta(days=3),
        death_cause="cancer",
    )
    FollowUpFactory(patient=alive, seen_on=TODAY - datetime.timedelta(days=10))
    ProcedureFactory(patient=overdue, performed_on=TODAY - datetime.timedelta(days=60))
    services.refresh_next_follow_up_due(patients=Patient.objects.all())

    assert _listed(clinician_client, "?vital=dead") == {dead.registry_id}
    assert _listed(clinician_client, "?vital=alive") == {alive.registry_id, overdue.registry_id}
    assert _listed(clinician_client, "?overdue=on") == {overdue.registry_id}


def test_multi_site_user_sees_the_current_site_by_default(client, clinician_a, site_a, site_b):
    MembershipFactory(user=clinician_a, site=site_b, role=Role.CLINICIAN)
    at_a, at_b = PatientFactory(site=site_a), PatientFactory(site=site_b)
    client.force_login(clinician_a)

    page = client.get("/patients/").content.decode()
    assert 'id="site-switcher-select"' in page
    assert _listed(client) == {at_a.registry_id}
    client.post("/site/", {"site": site_b.pk, "next": "/patients/"})
    assert _listed(client) == {at_b.registry_id}
    assert _listed(client, "?site=all") == {at_a.registry_id, at_b.registry_id}


def test_switching_to_a_site_that_is_not_yours_is_ignored(client, clinician_a, site_a, site_b):
    client.force_login(clinician_a)
    client.post("/site/", {"site": site_b.pk})
    assert client.session.get("registry_current_site") is None
    assert client.get(f"/patients/?site={site_b.pk}").status_code == 200  # invalid filter


def test_list_is_paginated(clinician_client, site_a, settings):
    settings.PATIENTS_PER_PAGE = 2
    PatientFactory.create_batch(5, site=site_a)
    page = clinician_client.get("/patients/?page=2").content.decode()
    assert "page 2 of 3" in page
    assert clinician_client.get("/patients/?page=banana").status_code == 200


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "?q=CA&vital=alive&overdue=on"])
def test_query_count_does_not_grow_with_the_number_of_patients(clinician_client, site_a, query):
    def add(n):
        for patient in PatientFactory.create_batch(n, site=site_a):
            ProcedureFactory(patient=patient)
            FollowUpFactory(patient=patient)

    add(3)
    few = _count_queries(clinician_client, f"/patients/{query}")
    add(27)
    assert _count_queries(clinician_client, f"/patients/{query}") == few
