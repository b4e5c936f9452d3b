"""The follow-up worklist: overdue patients per site, most overdue first, no dead or lost."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import services
from registry.choices import Role
from registry.models import Patient
from tests.factories import FollowUpFactory, MembershipFactory, PatientFactory, ProcedureFactory

TODAY = datetime.date.today()


def _treated(site, days_ago, **follow_up):
    patient = PatientFactory(site=site)
    ProcedureFactory(patient=patient, performed_on=TODAY - datetime.timedelta(days=days_ago))
    if follow_up:
        FollowUpFactory(patient=patient, **follow_up)
    return patient


def _refresh():
    services.refresh_next_follow_up_due(patients=Patient.objects.all())


def test_worklist_lists_overdue_patients_per_site_most_overdue_first(
    client, clinician_a, site_a, site_b
):
    MembershipFactory(user=clinician_a, site=site_b, role=Role.CLINICIAN)
    slightly = _treated(site_a, 50)  # one-month visit closed 6 days ago
    badly = _treated(site_a, 80)
    at_b = _treated(site_b, 60)
    not_yet = _treated(site_a, 20)
    seen = _treated(site_a, 50, seen_on=TODAY - datetime.timedelta(days=15))
    died = _treated(
        site_a,
        80,
        seen_on=TODAY - datetime.timedelta(days=70),
        kind="death_notification",
        vital_status="dead",
        death_date=TODAY - datetime.timedelta(days=70),
        death_cause="cancer",
    )
    lost = _treated(site_a, 80, seen_on=TODAY - datetime.timedelta(days=75), lost_to_follow_up=True)
    _refresh()
    client.force_login(clinician_a)

    page = client.get("/worklist/").content.decode()

    listed = re.findall(r"(CA-[0-9A-Z]{4}-[0-9A-Z]{4})</a></th>", page)
    assert listed == [badly.registry_id, slightly.registry_id, at_b.registry_id]
    assert page.index("SITE-A") < page.index("SITE-B")
    for absent in (not_yet, seen, died, lost):
        assert absent.registry_id not in page


def test_worklist_shows_only_the_users_sites(clinician_client, site_b):
    other = _treated(site_b, 90)
    _refresh()
    assert other.registry_id not in clinician_client.get("/worklist/").content.decode()


def test_worklist_query_count_does_not_grow(clinician_client, site_a):
    def count():
        with CaptureQueriesContext(connection) as queries:
            clinician_client.get("/worklist/")
        return len(queries)

    for _ in range(2):
        _treated(site_a, 90)
    _refresh()
    few = count()
    for _ in range(10):
        _treated(site_a, 90)
    _refresh()
    assert count() == few
