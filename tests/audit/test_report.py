"""The printable audit report for the governance meeting (A4)."""

import re

from django.contrib.staticfiles import finders

from tests.audit.builders import DAY0, days, follow_up, treated_patient


def test_the_report_has_period_sites_criteria_outcomes_and_sign_off(client, site_a, lead_a):
    patient, procedure, (tumour,) = treated_patient(site_a)
    follow_up(
        patient, on=procedure.performed_on + days(90), results=[(tumour, "complete_ablation")]
    )
    client.force_login(lead_a)
    start, end = DAY0.isoformat(), (DAY0 + days(365)).isoformat()
    response = client.get(f"/dashboard/report/?start={start}&end={end}")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"from {DAY0:%d/%m/%Y}" in page and f"to {DAY0 + days(365):%d/%m/%Y}" in page
    assert "SITE-A (Alpha Hepatobiliary Unit)" in page
    for heading in (
        "1. NICE audit criteria",
        "2. Outcomes against published series",
        "3. Overall survival",
        "4. Data completeness",
        "5. Review and sign-off",
    ):
        assert heading in page
    assert "MDT selection (HTG241 1.3)" in page
    assert "Glazer 2017 279/295 (94.6%)" in page
    for role in ("Site audit lead", "Clinical governance lead"):
        assert f'<th scope="row">{role}</th>' in page


def test_the_report_prints_on_a4_without_inline_code(client, site_a, lead_a):
    client.force_login(lead_a)
    page = client.get("/dashboard/report/").content.decode()
    assert 'media="print"' in page and "css/print.css" in page and "css/audit.css" in page
    with open(finders.find("css/print.css")) as stylesheet:
        assert "size: A4" in stylesheet.read()
    with open(finders.find("css/audit.css")) as stylesheet:
        assert "@media print" in stylesheet.read()
    assert '<button type="button" class="btn btn-primary btn-sm" data-print>' in page
    assert "js/audit.js" in page
    assert "<script>" not in page and "style=" not in page
    assert re.search(r"\son[a-z]+=", page) is None


def test_the_report_is_scoped_and_validated_like_the_dashboard(client, site_a, clinician_b):
    client.force_login(clinician_b)
    assert "SITE-A" not in client.get("/dashboard/report/").content.decode()
    assert client.get(f"/dashboard/report/?site={site_a.pk}").status_code == 400
    assert client.get("/dashboard/report/?end=31/02/2024").status_code == 400
