"""Metrics and published benchmarks in the export bundle, its manifest and the data dictionary."""

import csv
import io

import pytest

from audit.api import exports
from registry.api import bundle
from tests.api.test_api_bundle import assert_manifest_matches, open_bundle, read_csv

BUNDLE = "/api/v1/bundle/"
PART_FILES = {
    "metrics.csv": "/api/v1/metrics/",
    "metric_benchmarks.csv": None,
    "benchmarks.csv": "/api/v1/benchmarks/",
    "benchmark_publications.csv": "/api/v1/benchmarks/publications/",
}


def body(response):
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def dict_rows(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_audit_registers_its_parts_once():
    assert [name for name, _, _ in exports.PARTS] == [
        "metrics",
        "metric_benchmarks",
        "benchmarks",
        "benchmark_publications",
    ]
    assert set(bundle.registered_parts()) >= {name for name, _, _ in exports.PARTS}
    exports.register_bundle_parts()  # AppConfig.ready() running again changes nothing


def test_bundle_holds_metrics_and_benchmarks_with_matching_manifest(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    archive = open_bundle(api.get(BUNDLE))
    manifest = assert_manifest_matches(archive)  # checksums, sizes and row counts
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(PART_FILES) <= set(listed)
    assert all(listed[name]["rows"] > 0 for name in PART_FILES)


def test_bundle_files_equal_the_endpoints(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    archive = open_bundle(api.get(BUNDLE))
    # The bundle's metrics are the pooled results followed by each site's.
    metrics = api.get(PART_FILES["metrics.csv"], {"format": "csv", "by_site": "true"})
    assert archive.read("metrics.csv") == body(metrics)
    for name in ("benchmarks.csv", "benchmark_publications.csv"):
        assert archive.read(name) == body(api.get(PART_FILES[name], {"format": "csv"})), name


def test_metric_benchmarks_list_the_figures_beside_each_metric(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    archive = open_bundle(api.get(BUNDLE))
    rows = dict_rows(archive, "metric_benchmarks.csv")
    metrics = api.get("/api/v1/metrics/", {"by_site": "true"}).json()["results"]
    expected = [
        (m["site"] or "", m["measure"], m["subgroup"], b["publication"], b["text"], b["verdict"])
        for m in metrics
        for b in m["benchmarks"]
    ]
    got = [
        (
            r["site"],
            r["metric_measure"],
            r["metric_subgroup"],
            r["publication"],
            r["text"],
            r["verdict"] or None,
        )
        for r in rows
    ]
    assert got == expected
    success = next(
        r
        for r in rows
        if (r["site"], r["metric_measure"], r["publication"])
        == ("", "technical_success", "Glazer 2017")
        and r["metric_subgroup"] == "all"
    )
    assert (success["k"], success["n"], success["comparable"]) == ("279", "295", "true")
    assert success["verdict"] == "too few cases"


def test_a_site_leads_bundle_has_their_sites_metrics_only(api, two_site_cohort, lead_a):
    api.force_authenticate(lead_a)
    archive = open_bundle(api.get(BUNDLE))
    assert {row["site"] for row in dict_rows(archive, "metrics.csv")} == {"", "SITE-A"}
    assert {row["site"] for row in dict_rows(archive, "metric_benchmarks.csv")} == {"", "SITE-A"}


def test_bundle_filters_apply_to_the_metrics(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    params = {"site": "SITE-B", "procedure_from": "2024-03-01"}
    archive = open_bundle(api.get(BUNDLE, params))
    rows = dict_rows(archive, "metrics.csv")
    assert {row["site"] for row in rows} == {"", "SITE-B"}
    assert {row["procedure_from"] for row in rows} == {"2024-03-01"}
    repeat = next(r for r in rows if r["measure"] == "repeat_procedure" and r["subgroup"] == "all")
    assert (repeat["k"], repeat["n"]) == ("1", "1")  # only B2 was first treated after March


def test_every_column_is_in_the_data_dictionary(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    archive = open_bundle(api.get(BUNDLE))
    described = {(e["table"], e["name"]): e for e in api.get("/api/v1/data-dictionary/").json()}
    in_file = {tuple(row[:2]) for row in read_csv(archive, "data_dictionary.csv")[1:]}
    for name in PART_FILES:
        table = name.removesuffix(".csv")
        header = read_csv(archive, name)[0]
        assert [(table, column) in described for column in header] == [True] * len(header)
        assert {(table, column) for column in header} <= in_file
        assert [name for (t, name) in described if t == table] == header


@pytest.mark.parametrize(
    ("table", "name", "type_", "unit"),
    [
        ("metrics", "site", "string", ""),
        ("metrics", "measure", "code", ""),
        ("metrics", "k", "integer", ""),
        ("metrics", "value", "decimal", ""),
        ("metrics", "time_point_months", "integer", "months"),
        ("metrics", "as_of", "date", ""),
        ("metrics", "higher_is_better", "boolean", ""),
        ("metric_benchmarks", "p_value", "decimal", ""),
        ("benchmarks", "horizon_months", "decimal", "months"),
        ("benchmarks", "measure", "code", ""),
        ("benchmark_publications", "provenance", "code", ""),
    ],
)
def test_dictionary_entries_of_the_new_columns(api, reviewer, table, name, type_, unit):
    api.force_authenticate(reviewer)
    entries = {(e["table"], e["name"]): e for e in api.get("/api/v1/data-dictionary/").json()}
    entry = entries[(table, name)]
    assert (entry["type"], entry["unit"]) == (type_, unit)
    assert entry["definition"]
    if type_ == "code":
        assert entry["allowed_values"]


def test_dictionary_lists_verdicts_and_says_where_pooled_rows_are(api, reviewer):
    api.force_authenticate(reviewer)
    entries = {(e["table"], e["name"]): e for e in api.get("/api/v1/data-dictionary/").json()}
    verdict = entries[("metrics", "verdict")]
    assert set(verdict["allowed_values"]) == {"consistent", "better", "worse", "too few cases"}
    assert verdict["nullable"] is True
    assert "pooled" in entries[("metrics", "site")]["definition"]
