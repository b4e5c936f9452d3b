"""Who may export what: each persona against each endpoint, in JSON and CSV."""

import csv
import io

import pytest

from registry.api.pseudonyms import pseudonym
from registry.api.tables import TABLES
from tests.api.conftest import token_for

TABLE_URLS = {table.name: f"/api/v1/{table.url_name}/" for table in TABLES}
OTHER_URLS = ["/api/v1/data-dictionary/", "/api/v1/bundle/"]
ALL_URLS = [*TABLE_URLS.values(), *OTHER_URLS]


def detail_url(table, record):
    if table == "sites":
        return f"{TABLE_URLS[table]}{record.code}/"
    if table == "patients":
        return f"{TABLE_URLS[table]}{pseudonym(record.registry_id)}/"
    return f"{TABLE_URLS[table]}{record.pk}/"


def records_of(cohort, site, table):
    if table == "sites":
        return [site]
    if table == "patients":
        return cohort.patients[site.code]
    return cohort.records[site.code][table]


def csv_rows(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def listed_keys(api, table, fmt):
    """Return the key column of every row a list endpoint gives."""
    key = {"sites": "code", "patients": "pseudonym"}.get(table, "id")
    if fmt == "csv":
        response = api.get(TABLE_URLS[table], {"format": "csv"})
        assert response.status_code == 200
        return {row[key] for row in csv_rows(response)}
    response = api.get(TABLE_URLS[table])
    assert response.status_code == 200
    return {str(row[key]) for row in response.json()["results"]}


def expected_keys(cohort, sites, table):
    keys = set()
    for site in sites:
        for record in records_of(cohort, site, table):
            if table == "sites":
                keys.add(record.code)
            elif table == "patients":
                keys.add(pseudonym(record.registry_id))
            else:
                keys.add(str(record.pk))
    return keys


@pytest.mark.parametrize("url", ALL_URLS)
def test_anonymous_requests_are_refused_with_401(api, cohort, url):
    response = api.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("url", ALL_URLS)
def test_clinicians_get_403_on_every_export_endpoint(api, cohort, clinician_a, url, fmt):
    api.force_authenticate(clinician_a)
    csv_format = fmt == "csv" and "bundle" not in url  # the bundle is always a zip
    response = api.get(url, {"format": "csv"} if csv_format else {})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "clinicians" in response.json()["detail"]


@pytest.mark.parametrize("table", TABLE_URLS)
def test_clinicians_get_403_on_detail_urls_too(api, cohort, clinician_a, site_a, table):
    api.force_authenticate(clinician_a)
    record = records_of(cohort, site_a, table)[0]
    assert api.get(detail_url(table, record)).status_code == 403


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("table", TABLE_URLS)
def test_site_lead_exports_only_their_site(api, cohort, lead_a, site_a, table, fmt):
    api.force_authenticate(lead_a)
    assert listed_keys(api, table, fmt) == expected_keys(cohort, [site_a], table)


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("table", TABLE_URLS)
def test_reviewer_of_both_sites_exports_both(api, cohort, reviewer, site_a, site_b, table, fmt):
    api.force_authenticate(reviewer)
    assert listed_keys(api, table, fmt) == expected_keys(cohort, [site_a, site_b], table)


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("table", TABLE_URLS)
def test_registry_admin_exports_every_site(api, cohort, registry_admin, site_a, site_b, table, fmt):
    api.force_authenticate(registry_admin)
    assert listed_keys(api, table, fmt) == expected_keys(cohort, [site_a, site_b], table)


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("table", TABLE_URLS)
def test_another_sites_ids_are_not_found(api, cohort, reviewer_b, site_a, site_b, table, fmt):
    api.force_authenticate(reviewer_b)
    params = {"format": "csv"} if fmt == "csv" else {}
    for record in records_of(cohort, site_a, table):
        response = api.get(detail_url(table, record), params)
        assert response.status_code == 404, detail_url(table, record)
        assert response["Content-Type"].startswith("application/json")
    for record in records_of(cohort, site_b, table):
        assert api.get(detail_url(table, record), params).status_code == 200


@pytest.mark.parametrize("table", TABLE_URLS)
def test_detail_row_equals_the_listed_row(api, cohort, reviewer, site_a, table):
    api.force_authenticate(reviewer)
    record = records_of(cohort, site_a, table)[0]
    detail = api.get(detail_url(table, record)).json()
    listed = api.get(TABLE_URLS[table], {"page_size": 1000}).json()["results"]
    assert detail in listed


@pytest.mark.parametrize("url", ALL_URLS)
def test_token_holders_export_like_signed_in_users(api, cohort, lead_a, url):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(lead_a)}")
    assert api.get(url).status_code == 200


def test_clinician_with_a_token_still_gets_403(api, cohort, clinician_a):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(clinician_a)}")
    assert api.get(TABLE_URLS["patients"]).status_code == 403


def test_site_lead_cannot_widen_scope_with_the_site_filter(api, cohort, lead_a):
    api.force_authenticate(lead_a)
    message = {"site": ["'SITE-B' is not the code of a site you may export."]}
    for params in ({}, {"format": "csv"}):
        response = api.get(TABLE_URLS["patients"], {"site": "SITE-B", **params})
        assert response.status_code == 404
        assert response.json() == message
    bundle = api.get("/api/v1/bundle/", {"site": "SITE-B"})
    assert bundle.status_code == 404
    assert bundle.json() == message


def test_reviewer_narrows_to_one_site(api, cohort, reviewer, site_b):
    api.force_authenticate(reviewer)
    keys = {
        row["pseudonym"]
        for row in api.get(TABLE_URLS["patients"], {"site": "SITE-B"}).json()["results"]
    }
    assert keys == expected_keys(cohort, [site_b], "patients")
