"""Filters narrow the export; a bad value answers 400 per parameter, never 500."""

import datetime

import pytest
from django.utils import timezone

from registry import services
from tests.api.conftest import TODAY

PATIENTS = "/api/v1/patients/"
BAD = {
    "procedure_from": "2024-13-01",
    "procedure_to": "tomorrow",
    "updated_since": "last week",
    "include_withdrawn": "maybe",
}


@pytest.mark.parametrize(
    ("url", "fmt"),
    [
        ("/api/v1/procedures/", None),
        ("/api/v1/procedures/", "csv"),
        ("/api/v1/follow-ups/", None),
        ("/api/v1/follow-ups/", "csv"),
        ("/api/v1/bundle/", None),  # always a zip: no format parameter
    ],
)
def test_every_invalid_parameter_gets_its_own_message(api, cohort, reviewer, url, fmt):
    api.force_authenticate(reviewer)
    response = api.get(url, {**BAD, **({"format": fmt} if fmt else {})})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == set(BAD)
    assert all(response.json()[name] for name in BAD)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("updated_since", "9999-12-31T23:59:59-23:59"),  # past the largest datetime in UTC
        ("updated_since", "0001-01-01T00:00:00+23:59"),  # before the smallest
        ("updated_since", "2024-02-30T10:00:00Z"),
        ("procedure_from", "0000-01-01"),
        ("site", "SITE-A\x00"),
        ("include_withdrawn", "TRUE "),
        ("page_size", "lots"),
    ],
)
def test_odd_values_never_crash(api, cohort, reviewer, name, value):
    api.force_authenticate(reviewer)
    response = api.get(PATIENTS, {name: value})
    assert response.status_code in (200, 400, 404)
    if response.status_code == 400:
        assert name in response.json()


def test_reversed_procedure_range_is_refused(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    response = api.get(PATIENTS, {"procedure_from": "2025-02-01", "procedure_to": "2025-01-01"})
    assert response.status_code == 400
    assert response.json() == {"procedure_to": ["procedure_to is before procedure_from."]}


def test_empty_parameters_mean_no_filter(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    params = {"site": "", "procedure_from": "", "updated_since": "", "include_withdrawn": ""}
    assert len(api.get(PATIENTS, params).json()["results"]) == 5


def test_procedure_range_selects_procedures_and_the_cohort(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    # Patient n had their procedure 300 + n days ago: take n = 1 and 2 of site A.
    params = {
        "procedure_from": (TODAY - datetime.timedelta(days=302)).isoformat(),
        "procedure_to": (TODAY - datetime.timedelta(days=301)).isoformat(),
    }
    chosen = cohort.patients["SITE-A"][1:3]
    procedures = api.get("/api/v1/procedures/", params).json()["results"]
    assert sorted(p["id"] for p in procedures) == sorted(p.procedures.get().pk for p in chosen)
    patients = api.get(PATIENTS, params).json()["results"]
    assert len(patients) == 2
    follow_ups = api.get("/api/v1/follow-ups/", params).json()["results"]
    assert len(follow_ups) == 3  # patient 1 also has a death notification


def test_updated_since_gives_an_incremental_export(api, cohort, reviewer, registry_admin):
    api.force_authenticate(reviewer)
    since = timezone.now()
    assert api.get(PATIENTS, {"updated_since": since.isoformat()}).json()["results"] == []
    patient = cohort.patients["SITE-B"][0]
    services.record_update(
        by=registry_admin,
        record=patient,
        expected_version=patient.version,
        reason="Correct the CEA",
        data={"baseline_cea": 15},
    )
    rows = api.get(PATIENTS, {"updated_since": since.isoformat()}).json()["results"]
    assert [row["baseline_cea"] for row in rows] == [15.0]


def test_withdrawn_records_are_left_out_unless_asked_for(api, cohort, reviewer, registry_admin):
    procedure = cohort.records["SITE-A"]["procedures"][0]
    services.record_withdraw(by=registry_admin, record=procedure, reason="Wrong patient")
    api.force_authenticate(reviewer)
    ids = {row["id"] for row in api.get("/api/v1/procedures/").json()["results"]}
    assert procedure.pk not in ids
    # Its treatment and complication leave with it.
    treatments = api.get("/api/v1/tumour-treatments/").json()["results"]
    assert procedure.pk not in {row["procedure_id"] for row in treatments}

    everything = api.get("/api/v1/procedures/", {"include_withdrawn": "true"}).json()["results"]
    flagged = {row["id"]: row["withdrawn"] for row in everything}
    assert flagged[procedure.pk] is True
    assert sum(flagged.values()) == 1
    treatments = api.get("/api/v1/tumour-treatments/", {"include_withdrawn": "true"}).json()
    under = [row for row in treatments["results"] if row["procedure_id"] == procedure.pk]
    assert [row["withdrawn"] for row in under] == [True]  # withdrawn with its parent


def test_withdrawn_record_detail_needs_include_withdrawn(api, cohort, reviewer, registry_admin):
    tumour = cohort.records["SITE-A"]["tumours"][0]
    services.record_withdraw(by=registry_admin, record=tumour, reason="Duplicate")
    api.force_authenticate(reviewer)
    assert api.get(f"/api/v1/tumours/{tumour.pk}/").status_code == 404
    response = api.get(f"/api/v1/tumours/{tumour.pk}/", {"include_withdrawn": "true"})
    assert response.json()["withdrawn"] is True


@pytest.mark.parametrize("value", ["²", "0.5", "-1", "99999999999999999999", "1e3", "%00"])
@pytest.mark.parametrize("table", ["tumours", "tumour-assessments", "sites", "patients"])
def test_odd_record_ids_are_not_found(api, cohort, reviewer, table, value):
    api.force_authenticate(reviewer)
    response = api.get(f"/api/v1/{table}/{value}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("position", ["not-a-date", "9" * 30, "\x00"])
@pytest.mark.parametrize("table", ["patients", "tumours"])
def test_hand_made_cursors_are_not_found(api, cohort, reviewer, table, position):
    from base64 import b64encode
    from urllib.parse import urlencode

    cursor = b64encode(urlencode({"p": position}).encode()).decode()
    api.force_authenticate(reviewer)
    response = api.get(f"/api/v1/{table}/", {"cursor": cursor})
    if response.status_code == 200:  # a number past the last row: an empty page
        assert response.json()["results"] == []
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid cursor"}
