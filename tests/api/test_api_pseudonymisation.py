"""No direct identifier leaves through the export; pseudonyms are keyed and stable."""

import datetime
import hashlib
import hmac
import io
import json
import re
import zipfile

import pytest
from django.db import connection

from registry import services
from registry.api.pseudonyms import PSEUDONYM_SQL, pseudonym
from registry.api.tables import TABLES
from registry.validators import nhs_check_digit
from tests.api.conftest import CANARY
from tests.api.test_api_permissions import TABLE_URLS, detail_url, records_of
from tests.factories import PatientFactory, ProcedureFactory

# Ten digits standing alone (not inside a hex pseudonym or a longer number).
STANDALONE_TEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])(\d{10}|\d{3} \d{3} \d{4})(?![0-9A-Za-z])")


def everything_exported(api, cohort, site):
    """Return every body the export gives: lists (all pages), details, CSV, dictionary, bundle."""
    bodies = []
    for table, url in TABLE_URLS.items():
        for params in ({}, {"include_withdrawn": "true"}):
            next_url = url
            query = {**params, "page_size": 2}
            while next_url:
                response = api.get(next_url, query)
                assert response.status_code == 200
                bodies.append(response.content.decode())
                next_url, query = response.json()["next"], {}
            csv_response = api.get(url, {**params, "format": "csv"})
            bodies.append(b"".join(csv_response.streaming_content).decode())
        for record in records_of(cohort, site, table):
            bodies.append(api.get(detail_url(table, record)).content.decode())
    bodies.append(api.get("/api/v1/data-dictionary/").content.decode())
    dictionary_csv = api.get("/api/v1/data-dictionary/", {"format": "csv"})
    bodies.append(b"".join(dictionary_csv.streaming_content).decode())
    for params in ({}, {"include_withdrawn": "true"}):
        archive = b"".join(api.get("/api/v1/bundle/", params).streaming_content)
        with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
            bodies.extend(bundle.read(name).decode() for name in bundle.namelist())
    return "\n".join(bodies)


def valid_nhs_numbers_in(text):
    found = []
    for match in STANDALONE_TEN_DIGITS.finditer(text):
        digits = match.group(1).replace(" ", "")
        if nhs_check_digit(digits[:9]) == int(digits[9]):
            found.append(digits)
    return found


def test_export_scan_finds_no_identifier_of_any_seeded_patient(api, cohort, registry_admin, site_a):
    # A withdrawn record brings its free-text reason into play too.
    withdrawn = cohort.records["SITE-A"]["complications"][0]
    services.record_withdraw(
        by=registry_admin, record=withdrawn, reason=f"{CANARY} withdrawal reason"
    )
    api.force_authenticate(registry_admin)
    exported = everything_exported(api, cohort, site_a)

    leaked = sorted(secret for secret in cohort.secrets if secret in exported)
    assert leaked == []
    assert CANARY not in exported
    assert valid_nhs_numbers_in(exported) == []
    # The scan saw real data: every patient's pseudonym is there.
    for patients in cohort.patients.values():
        for patient in patients:
            assert pseudonym(patient.registry_id) in exported


def test_scan_would_catch_an_nhs_number():
    assert valid_nhs_numbers_in("x,4000001620,y") == ["4000001620"]
    assert valid_nhs_numbers_in("400 000 1620") == ["4000001620"]
    assert valid_nhs_numbers_in("ab4000001620cd") == []  # inside a hex pseudonym


def test_pseudonym_is_hmac_sha256_of_the_registry_id_under_the_export_key(settings):
    settings.EXPORT_PSEUDONYM_KEY = "k" * 40
    expected = hmac.new(b"k" * 40, b"CA-7K3M-9QXD", hashlib.sha256).hexdigest()
    assert pseudonym("CA-7K3M-9QXD") == expected


def test_pseudonyms_are_stable_across_exports_and_change_with_the_key(
    api, cohort, reviewer, settings
):
    api.force_authenticate(reviewer)

    def pseudonyms():
        rows = api.get(TABLE_URLS["patients"]).json()["results"]
        return sorted(row["pseudonym"] for row in rows)

    first, second = pseudonyms(), pseudonyms()
    settings.EXPORT_PSEUDONYM_KEY = "another-export-key-of-at-least-32-characters"
    assert first == second
    assert set(pseudonyms()).isdisjoint(first)


def test_child_tables_reference_the_patient_pseudonym(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    patients = {row["pseudonym"] for row in api.get(TABLE_URLS["patients"]).json()["results"]}
    for table in TABLES:
        if table.name in ("sites", "patients"):
            continue
        rows = api.get(TABLE_URLS[table.name]).json()["results"]
        assert rows and {row["patient_pseudonym"] for row in rows} <= patients


def test_sql_pseudonyms_from_pgcrypto_equal_the_python_ones(db, settings):
    """The COPY export pseudonymises in SQL (pgcrypto, from the migrations) and stays linkable."""
    settings.EXPORT_PSEUDONYM_KEY = "sql-and-python-must-agree-on-this-key"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + PSEUDONYM_SQL.format(column="%s"),
            ["CA-7K3M-9QXD", settings.EXPORT_PSEUDONYM_KEY],
        )
        (from_sql,) = cursor.fetchone()
    assert from_sql == pseudonym("CA-7K3M-9QXD")


@pytest.mark.parametrize(
    ("born", "first_procedure", "age"),
    [
        (datetime.date(1960, 6, 15), datetime.date(2024, 6, 14), 63),
        (datetime.date(1960, 6, 15), datetime.date(2024, 6, 15), 64),
        (datetime.date(1960, 2, 29), datetime.date(2023, 2, 28), 62),
        (datetime.date(1960, 2, 29), datetime.date(2023, 3, 1), 63),
    ],
)
def test_age_at_first_procedure_replaces_the_date_of_birth(
    api, reviewer, site_a, born, first_procedure, age
):
    patient = PatientFactory(
        site=site_a,
        date_of_birth=born,
        primary_diagnosis_date=None,
        mdt_date=None,
        written_information_date=None,
    )
    ProcedureFactory(patient=patient, performed_on=first_procedure + datetime.timedelta(days=40))
    ProcedureFactory(patient=patient, performed_on=first_procedure)
    api.force_authenticate(reviewer)
    row = api.get(TABLE_URLS["patients"]).json()["results"][0]
    assert row["age_at_first_procedure"] == age == patient.age_on(first_procedure)
    assert born.isoformat() not in json.dumps(row)


def test_patient_without_a_procedure_has_no_age(api, reviewer, patient_a):
    api.force_authenticate(reviewer)
    row = api.get(TABLE_URLS["patients"]).json()["results"][0]
    assert row["age_at_first_procedure"] is None


def test_sites_export_no_governance_lead_contact(api, cohort, reviewer, site_a):
    api.force_authenticate(reviewer)
    row = api.get(f"{TABLE_URLS['sites']}{site_a.code}/").json()
    assert row == {
        "code": "SITE-A",
        "name": "Alpha Hepatobiliary Unit",
        "organisation": site_a.organisation,
        "governance_lead_informed_on": "2024-01-15",
    }
