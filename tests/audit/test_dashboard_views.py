"""The dashboard: each role sees its own sites only, bad input never fails, every
number has its unit and definition, and the page costs a constant number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit import cache
from audit.dashboard import national_dashboard
from audit.definitions import MEASURES
from tests.audit.builders import DAY0, complication, days, follow_up, treated_patient
from tests.factories import UserFactory

PERSONAS = ["clinician_a", "clinician_b", "lead_a", "reviewer", "registry_admin"]
VISIBLE = {
    "clinician_a": {"SITE-A"},
    "clinician_b": {"SITE-B"},
    "lead_a": {"SITE-A"},
    "reviewer": {"SITE-A", "SITE-B"},
    "registry_admin": {"SITE-A", "SITE-B"},
}


def _cohort(site, count, *, first_day=DAY0, with_major=0):
    for index in range(count):
        patient, procedure, tumours = treated_patient(site, on=first_day + days(index))
        follow_up(
            patient,
            on=procedure.performed_on + days(90),
            results=[(t, "complete_ablation") for t in tumours],
        )
        if index < with_major:
            complication(procedure, grade=3)


@pytest.fixture
def two_sites(site_a, site_b):
    _cohort(site_a, 3, with_major=3)  # 3 of 3 procedures with a major complication
    _cohort(site_b, 4)  # none of 4


def _sites_shown(page):
    scope = page.split('class="row small audit-scope"', 1)[1].split("</dl>", 1)[0]
    return set(re.findall(r"SITE-[AB]", scope))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_sees_the_dashboard_of_its_own_sites(client, request, two_sites, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    assert _sites_shown(page) == VISIBLE[persona]
    assert '<h1 class="h3">Outcomes dashboard</h1>' in page


def test_clinician_b_never_sees_site_a_numbers(client, two_sites, clinician_b):
    client.force_login(clinician_b)
    page = client.get("/dashboard/").content.decode()
    assert "0 of 4 procedures" in page
    assert "3 of 3 procedures" not in page
    assert "SITE-A" not in page


def test_asking_for_another_sites_data_is_a_form_error_not_its_data(
    client, two_sites, site_a, clinician_b
):
    client.force_login(clinician_b)
    response = client.get(f"/dashboard/?site={site_a.pk}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "SITE-A" not in page
    assert "procedures" not in page.split("</form>", 1)[1]


def test_a_reviewer_can_narrow_to_one_site(client, two_sites, site_a, reviewer):
    client.force_login(reviewer)
    page = client.get(f"/dashboard/?site={site_a.pk}").content.decode()
    assert _sites_shown(page) == {"SITE-A"}
    assert "3 of 3 procedures" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=yesterday", "Enter a valid date."),
        ("start=2024-13-40", "Enter a valid date."),
        ("start=2025-02-01&end=2025-01-01", "The end of the period is before its start."),
        ("start=0001-01-01", "Enter a date between"),
        ("site=not-a-number", "is not a valid value"),
        ("site=999999", "Select a valid choice"),
    ],
)
def test_bad_filter_input_shows_form_errors_never_a_500(client, registry_admin, query, message):
    client.force_login(registry_admin)
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_period_filter_narrows_the_cohort(client, site_a, registry_admin):
    _cohort(site_a, 2, first_day=DAY0)
    _cohort(site_a, 3, first_day=DAY0 + days(400))
    client.force_login(registry_admin)
    start = (DAY0 + days(300)).isoformat()
    page = client.get(f"/dashboard/?start={start}").content.decode()
    assert "3 patients, 3 tumours and 3 procedures" in page
    assert f'value="{start}"' in page


def test_users_without_a_role_are_refused_and_visitors_sent_to_sign_in(client, db):
    assert client.get("/dashboard/").status_code == 302
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/dashboard/").status_code == 403


def test_every_tile_says_its_unit_and_links_to_its_definition(client, two_sites, registry_admin):
    client.force_login(registry_admin)
    page = client.get("/dashboard/").content.decode()
    definitions = client.get("/dashboard/definitions/").content.decode()
    tiles = page.split('<article class="card tile"')[1:]
    assert len(tiles) == sum(1 for m in MEASURES if m.kind in {"proportion", "median", "mean"})
    for tile in tiles:
        assert "Unit of analysis: " in tile
        anchor = re.search(r'href="/dashboard/definitions/#(measure-[a-z0-9-]+)"', tile).group(1)
        assert f'id="{anchor}"' in definitions
    assert "3 of 7 procedures" in page
    assert "95% CI" in page


def test_the_dashboard_embeds_charts_as_images_with_alt_text(client, two_sites, registry_admin):
    client.force_login(registry_admin)
    page = client.get("/dashboard/").content.decode()
    images = re.findall(r'<img src="(/dashboard/charts/[a-z-]+\.svg[^"]*)" alt="([^"]+)"', page)
    assert len(images) == 6
    assert all(len(alt) > 40 for _, alt in images)
    assert "<svg" not in page  # no inline SVG: its style attributes would break the CSP
    assert "style=" not in page
    assert "<script>" not in page
    assert re.search(r"\son[a-z]+=", page) is None


def test_navigation_offers_the_dashboard(client, clinician_a):
    client.force_login(clinician_a)
    assert 'href="/dashboard/"' in client.get("/", follow=True).content.decode()


def _cold_queries(client, url):
    cache.bump_data_version()  # a new data version: nothing cached
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["registry_admin", "clinician_a", "reviewer"])
def test_the_dashboard_costs_the_same_queries_for_a_small_and_a_larger_cohort(
    client, request, site_a, site_b, persona, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(persona))
    _cohort(site_a, 2, with_major=1)
    small = _cold_queries(client, "/dashboard/")
    assert small <= 20
    _cohort(site_a, 25, first_day=DAY0 + days(30), with_major=5)
    _cohort(site_b, 25, first_day=DAY0 + days(30), with_major=5)
    cache.bump_data_version()
    with django_assert_num_queries(small):
        client.get("/dashboard/")


def test_a_cached_dashboard_reads_no_registry_data(client, two_sites, registry_admin):
    client.force_login(registry_admin)
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/dashboard/")
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "registry_patient" not in tables
    assert "audit_benchmarkfigure" not in tables


def test_the_national_dashboard_is_what_a_registry_admins_page_computes(
    client, two_sites, registry_admin
):
    client.force_login(registry_admin)
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as queries:
        board = national_dashboard()  # served from the page's cache entry
    assert not [q for q in queries.captured_queries if "registry_" in q["sql"]]
    assert (board.n_patients, len(board.sites)) == (7, 2)
