"""The bundle: every table, the dictionary, registered parts and a checked manifest."""

import csv
import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.http import StreamingHttpResponse
from rest_framework import serializers

from registry.api import bundle
from registry.api.tables import TABLES

BUNDLE = "/api/v1/bundle/"


def open_bundle(response):
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="cryoaudit-bundle-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def read_csv(archive, name):
    return list(csv.reader(io.StringIO(archive.read(name).decode())))


def assert_manifest_matches(archive):
    manifest = json.loads(archive.read("manifest.json"))
    listed = {entry["name"] for entry in manifest["files"]}
    assert listed | {"manifest.json"} == set(archive.namelist())
    for entry in manifest["files"]:
        content = archive.read(entry["name"])
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], entry["name"]
        assert len(content) == entry["bytes"]
        assert len(read_csv(archive, entry["name"])) - 1 == entry["rows"]
    return manifest


def test_bundle_holds_every_table_the_dictionary_and_a_manifest(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    archive = open_bundle(api.get(BUNDLE))
    names = set(archive.namelist())
    assert {f"{table.name}.csv" for table in TABLES} <= names
    assert {"data_dictionary.csv", "manifest.json"} <= names

    manifest = assert_manifest_matches(archive)
    rows = {entry["name"]: entry["rows"] for entry in manifest["files"]}
    assert rows["sites.csv"] == 2
    assert rows["patients.csv"] == 5
    assert rows["follow_ups.csv"] == 5 + 2  # two patients also have a death notification
    assert manifest["software_version"] == bundle.software_version() != "unknown"
    assert manifest["exported_by"] == reviewer.username
    assert manifest["sites"] == ["SITE-A", "SITE-B"]
    exported_at = datetime.datetime.fromisoformat(manifest["exported_at"])
    assert exported_at.utcoffset() == datetime.timedelta(0)
    assert manifest["exported_at"].endswith("Z")
    assert len(manifest["pseudonym_key_fingerprint"]) == 12


def test_bundle_csv_files_equal_the_csv_endpoints(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    archive = open_bundle(api.get(BUNDLE))
    for table in TABLES:
        response = api.get(f"/api/v1/{table.url_name}/", {"format": "csv"})
        assert archive.read(f"{table.name}.csv") == b"".join(response.streaming_content)


def test_bundle_applies_and_records_the_filters(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    archive = open_bundle(api.get(BUNDLE, {"site": "SITE-B", "include_withdrawn": "true"}))
    manifest = assert_manifest_matches(archive)
    assert manifest["sites"] == ["SITE-B"]
    assert manifest["filters"]["include_withdrawn"] is True
    patients = read_csv(archive, "patients.csv")
    assert {row[1] for row in patients[1:]} == {"SITE-B"}


def test_bundle_of_a_site_lead_covers_their_site_only(api, cohort, lead_a):
    api.force_authenticate(lead_a)
    manifest = assert_manifest_matches(open_bundle(api.get(BUNDLE)))
    assert manifest["sites"] == ["SITE-A"]
    assert {e["name"]: e["rows"] for e in manifest["files"]}["patients.csv"] == 3


# --- Extension point: parts registered by other apps -------------------------------


class DummyMetricSerializer(serializers.Serializer):
    site = serializers.CharField(help_text="Site code.")
    procedures = serializers.IntegerField(help_text="Procedures in the period.")
    stay_days = serializers.DecimalField(
        max_digits=5, decimal_places=1, label="Mean stay (days)", help_text="Mean stay."
    )


@pytest.fixture
def dummy_part():
    """A part as another app (e.g. audit's metrics) would register it in ready()."""
    seen = []

    def produce(scope):
        seen.append(scope)
        yield ["site", "procedures", "stay_days"]
        for site_id in sorted(scope.site_ids):
            yield [f"site-{site_id}", 1, "2.0"]

    bundle.register_part("dummy_metrics", produce, serializer=DummyMetricSerializer)
    yield seen
    bundle.unregister_part("dummy_metrics")


def test_registered_part_joins_the_bundle_manifest_and_dictionary(
    api, cohort, lead_a, site_a, dummy_part
):
    api.force_authenticate(lead_a)
    archive = open_bundle(api.get(BUNDLE, {"procedure_from": "2000-01-01"}))
    assert read_csv(archive, "dummy_metrics.csv") == [
        ["site", "procedures", "stay_days"],
        [f"site-{site_a.pk}", "1", "2.0"],
    ]
    manifest = assert_manifest_matches(archive)
    assert "dummy_metrics.csv" in {entry["name"] for entry in manifest["files"]}

    (scope,) = dummy_part
    assert scope.user == lead_a
    assert scope.site_ids == (site_a.pk,)
    assert scope.filters.procedure_from == datetime.date(2000, 1, 1)

    dictionary = {(e["table"], e["name"]): e for e in api.get("/api/v1/data-dictionary/").json()}
    assert dictionary[("dummy_metrics", "stay_days")]["unit"] == "days"
    assert dictionary[("dummy_metrics", "procedures")]["type"] == "integer"
    dictionary_csv = read_csv(archive, "data_dictionary.csv")
    assert ["dummy_metrics", "site"] in [row[:2] for row in dictionary_csv]


def test_unregistered_part_leaves_the_bundle(api, cohort, reviewer, dummy_part):
    bundle.unregister_part("dummy_metrics")
    api.force_authenticate(reviewer)
    assert "dummy_metrics.csv" not in open_bundle(api.get(BUNDLE)).namelist()
    tables = {e["table"] for e in api.get("/api/v1/data-dictionary/").json()}
    assert "dummy_metrics" not in tables


@pytest.mark.parametrize("name", ["patients", "manifest", "data_dictionary", "Bad Name", ""])
def test_parts_cannot_take_reserved_or_odd_names(name):
    with pytest.raises(ValueError):
        bundle.register_part(name, lambda scope: [])


def test_a_part_name_is_registered_once(dummy_part):
    with pytest.raises(ValueError, match="already registered"):
        bundle.register_part("dummy_metrics", lambda scope: [])
