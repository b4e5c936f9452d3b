"""A 10,000-row CSV export streams with constant memory; queries do not grow with rows."""

import csv
import datetime
import hashlib
import io
import json
import tracemalloc
import zipfile

import pytest
from django.http import StreamingHttpResponse

from registry.api import copy_export, csv_export
from registry.api.csv_export import export_table_csv
from registry.api.tables import ExportFilters
from registry.models import Procedure
from tests.factories import PatientFactory

PROCEDURES = "/api/v1/procedures/"


def add_procedures(site, patients, per_patient):
    """Bulk-load procedures (test data only: application code never bulk-writes)."""
    start = datetime.date(2015, 1, 1)
    rows = [
        Procedure(
            patient=PatientFactory(site=site),
            performed_on=start + datetime.timedelta(days=n),
            approach="percutaneous",
            image_guidance="ct",
            anaesthesia="general",
            cryogen="argon",
            intent="primary",
            length_of_stay_days=n % 9,
        )
        for n in range(patients)
    ]
    procedures = []
    for template in rows:
        for k in range(per_patient):
            procedures.append(
                Procedure(
                    patient=template.patient,
                    performed_on=template.performed_on + datetime.timedelta(days=k),
                    approach=template.approach,
                    image_guidance=template.image_guidance,
                    anaesthesia=template.anaesthesia,
                    cryogen=template.cryogen,
                    intent=template.intent,
                    length_of_stay_days=k % 9,
                )
            )
    Procedure.objects.bulk_create(procedures, batch_size=2000)


@pytest.fixture
def ten_thousand_procedures(site_a, site_b):
    add_procedures(site_a, patients=10, per_patient=100)  # 1,000 at site A
    add_procedures(site_b, patients=90, per_patient=100)  # 9,000 more at site B


def peak_memory_of_download(api, params):
    """Stream a CSV download, keeping no chunk, and return (rows, peak bytes allocated)."""
    response = api.get(PROCEDURES, {"format": "csv", **params})
    assert isinstance(response, StreamingHttpResponse)
    lines = 0
    tracemalloc.start()
    try:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return lines - 1, peak


def test_ten_thousand_rows_stream_in_constant_memory(
    api, ten_thousand_procedures, reviewer, monkeypatch
):
    # Several chunks in both downloads, so both reach their steady state.
    monkeypatch.setattr(copy_export, "FLUSH_BYTES", 16 * 1024)
    api.force_authenticate(reviewer)
    rows_small, peak_small = peak_memory_of_download(api, {"site": "SITE-A"})
    rows_large, peak_large = peak_memory_of_download(api, {})
    assert (rows_small, rows_large) == (1_000, 10_000)
    # Ten times the rows, not materially more memory (a list of rows would need ~10x).
    assert peak_large < peak_small * 1.5 + 256 * 1024, (peak_small, peak_large)


def peak_memory_of_python_csv(user, filters):
    """Write a table's CSV with the Python writer (SQLite's), keeping no chunk."""
    table_csv = export_table_csv(
        user=user, table_name="procedures", filters=filters, use_copy=False
    )
    tracemalloc.start()
    try:
        for _ in table_csv:
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return table_csv.count, peak


def test_the_python_writer_streams_in_constant_memory_too(
    ten_thousand_procedures, reviewer, site_a, monkeypatch
):
    monkeypatch.setattr(csv_export, "CHUNK_ROWS", 250)
    rows_small, peak_small = peak_memory_of_python_csv(reviewer, ExportFilters((site_a.pk,)))
    rows_large, peak_large = peak_memory_of_python_csv(reviewer, ExportFilters())
    assert (rows_small, rows_large) == (1_000, 10_000)
    assert peak_large < peak_small * 1.5 + 256 * 1024, (peak_small, peak_large)


def test_ten_thousand_rows_in_a_bundle_with_matching_checksums(
    api, ten_thousand_procedures, reviewer
):
    api.force_authenticate(reviewer)
    response = api.get("/api/v1/bundle/")
    assert isinstance(response, StreamingHttpResponse)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        content = archive.read(entry["name"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert len(list(csv.reader(io.StringIO(content.decode())))) - 1 == entry["rows"]
    rows = {entry["name"]: entry["rows"] for entry in manifest["files"]}
    assert rows["procedures.csv"] == 10_000
    assert rows["patients.csv"] == 100


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_queries_do_not_grow_with_rows(
    api, ten_thousand_procedures, reviewer, django_assert_max_num_queries, fmt
):
    api.force_authenticate(reviewer)
    # Memberships (scope), site filter, the rows, the export log and its update.
    with django_assert_max_num_queries(8):
        response = api.get(PROCEDURES, {"format": fmt, "page_size": 1000})
        if fmt == "csv":
            b"".join(response.streaming_content)


def test_patient_list_costs_a_fixed_number_of_queries(
    api, ten_thousand_procedures, reviewer, django_assert_max_num_queries
):
    api.force_authenticate(reviewer)
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/patients/", {"page_size": 100}).json()["results"]) == 100


def test_a_blank_code_is_an_empty_cell_as_it_is_null_in_json(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    listed = api.get("/api/v1/follow-ups/", {"page_size": 1000}).json()["results"]
    response = api.get("/api/v1/follow-ups/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["recist"] for row in rows] == [
        "" if r["recist"] is None else r["recist"] for r in listed
    ]
    assert "" in {row["recist"] for row in rows}  # the cohort's follow-ups record no RECIST
    assert "None" not in {value for row in rows for value in row.values()}
