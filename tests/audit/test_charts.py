"""Charts: SVG from their own URLs, titled and labelled, scoped like the dashboard."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import cache
from audit.charts import CHARTS
from tests.audit.builders import DAY0, complication, days, death, follow_up, treated_patient

TITLES = {
    "survival": ("Overall survival from first cryotherapy", "Months since first cryotherapy"),
    "ltp": ("Local tumour progression by tumour size", "Months since the tumour"),
    "funnel-major-complication": ("sites against Glazer 2017", "Number of procedures"),
    "funnel-technique-efficacy": ("sites against Glazer 2017", "Number of tumours"),
    "cusum-site": ("CUSUM of major complications per site", "Procedures of the site"),
    "cusum-operator": ("CUSUM of major complications per operator", "Procedures of the operator"),
}


@pytest.fixture
def cohort(site_a, site_b, clinician_a):
    for site in (site_a, site_b):
        for index in range(6):
            operator = clinician_a if site == site_a else None
            patient, procedure, tumours = treated_patient(
                site, on=DAY0 + days(index), diameters=(25, 45), operator=operator
            )
            follow_up(
                patient,
                on=procedure.performed_on + days(90),
                results=[(t, "complete_ablation") for t in tumours],
            )
            if index % 2:
                complication(procedure, grade=3)
            if index == 0:
                death(patient, on=procedure.performed_on + days(400))


@pytest.mark.parametrize("slug", sorted(CHARTS))
def test_each_chart_is_an_svg_with_title_and_axis_labels(client, cohort, registry_admin, slug):
    client.force_login(registry_admin)
    response = client.get(f"/dashboard/charts/{slug}.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    title, axis = TITLES[slug]
    assert title in svg
    assert axis in svg


@pytest.mark.parametrize("slug", sorted(CHARTS))
def test_each_chart_draws_even_with_no_data(client, registry_admin, slug):
    client.force_login(registry_admin)
    response = client.get(f"/dashboard/charts/{slug}.svg")
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_charts_are_scoped_like_the_dashboard(client, cohort, site_a, clinician_b):
    client.force_login(clinician_b)
    own = client.get("/dashboard/charts/cusum-site.svg").content.decode()
    assert "SITE-B" in own and "SITE-A" not in own
    refused = client.get(f"/dashboard/charts/cusum-site.svg?site={site_a.pk}")
    assert refused.status_code == 400
    assert b"SITE-A" not in refused.content


def test_operator_cusum_names_the_operators(client, cohort, registry_admin, clinician_a):
    client.force_login(registry_admin)
    svg = client.get("/dashboard/charts/cusum-operator.svg").content.decode()
    assert str(clinician_a) in svg
    assert "Operator not recorded" in svg


def test_an_unknown_chart_is_not_found(client, registry_admin):
    client.force_login(registry_admin)
    assert client.get("/dashboard/charts/pie.svg").status_code == 404


def test_a_chart_needs_a_signed_in_user(client, db):
    assert client.get("/dashboard/charts/survival.svg").status_code == 302


def test_alt_text_repeats_the_numbers_of_the_chart(client, cohort, registry_admin):
    client.force_login(registry_admin)
    page = client.get("/dashboard/").content.decode()
    assert "Kaplan-Meier curve of overall survival for 12 patients (2 deaths)" in page
    assert "SITE-A 3/6 (50.0%" in page  # funnel of major complications


@pytest.mark.parametrize("slug", ["survival", "cusum-operator"])
def test_a_chart_costs_the_same_queries_for_a_small_and_a_larger_cohort(
    client, site_a, registry_admin, slug, django_assert_num_queries
):
    client.force_login(registry_admin)
    url = f"/dashboard/charts/{slug}.svg"
    treated_patient(site_a)
    cache.bump_data_version()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for index in range(30):
        _, procedure, _ = treated_patient(site_a, on=DAY0 + days(index))
        complication(procedure, grade=3)
    cache.bump_data_version()
    with django_assert_num_queries(len(queries)):
        client.get(url)


def test_a_cached_chart_is_served_without_the_dashboard(
    client, cohort, registry_admin, monkeypatch
):
    client.force_login(registry_admin)
    drawn = client.get("/dashboard/charts/survival.svg").content

    def no_dashboard(**kwargs):
        raise AssertionError("the cached chart should not need the dashboard")

    monkeypatch.setattr("audit.views.get_dashboard", no_dashboard)
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/dashboard/charts/survival.svg")
    assert again.status_code == 200
    assert again.content == drawn
    assert "registry_patient" not in " ".join(q["sql"] for q in queries.captured_queries)
