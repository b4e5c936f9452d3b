"""The data dictionary describes every exported column, generated from the serializers."""

import csv
import io
import zipfile

import pytest

from registry.api import dictionary
from registry.api.tables import TABLES

DICTIONARY = "/api/v1/data-dictionary/"


def described(api):
    return {(entry["table"], entry["name"]): entry for entry in api.get(DICTIONARY).json()}


def test_every_exported_column_has_a_dictionary_entry(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    entries = described(api)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(api.get("/api/v1/bundle/").streaming_content)))
    for name in archive.namelist():
        if not name.endswith(".csv") or name == "data_dictionary.csv":
            continue
        table_name = name.removesuffix(".csv")
        header = next(csv.reader(io.StringIO(archive.read(name).decode())))
        missing = [column for column in header if (table_name, column) not in entries]
        assert missing == [], f"{table_name}: no dictionary entry for {missing}"
    for table in TABLES:
        response = api.get(f"/api/v1/{table.url_name}/", {"format": "csv"})
        header = b"".join(response.streaming_content).decode().splitlines()[0].split(",")
        assert [(table.name, column) in entries for column in header] == [True] * len(header)
        json_row = api.get(f"/api/v1/{table.url_name}/").json()["results"][0]
        assert list(json_row) == header  # JSON and CSV carry the same columns


def test_entries_are_complete(api, reviewer):
    api.force_authenticate(reviewer)
    for entry in described(api).values():
        assert entry["type"] in {
            "string",
            "integer",
            "decimal",
            "boolean",
            "date",
            "datetime",
            "code",
            "pseudonym",
        }, entry
        assert entry["definition"], entry
        if entry["type"] == "code":
            assert entry["allowed_values"], entry


@pytest.mark.parametrize(
    ("table", "name", "unit"),
    [
        ("tumours", "max_diameter_mm", "mm"),
        ("patients", "baseline_cea", "ng/mL"),
        ("follow_ups", "cea", "ng/mL"),
        ("procedures", "length_of_stay_days", "days"),
        ("tumour_treatments", "total_freeze_minutes", "minutes"),
        ("tumour_treatments", "ice_ball_margin_mm", "mm"),
        ("patients", "age_at_first_procedure", "years"),
        ("tumours", "segment", ""),
    ],
)
def test_units_come_from_the_names(api, reviewer, table, name, unit):
    api.force_authenticate(reviewer)
    assert described(api)[(table, name)]["unit"] == unit


def test_allowed_values_and_definitions_come_from_the_models(api, reviewer):
    api.force_authenticate(reviewer)
    entries = described(api)
    assert entries[("complications", "ctcae_grade")]["allowed_values"]["5"] == "5 - Death"
    assert entries[("follow_ups", "recist")]["nullable"] is True
    assert "NICE HTG241 1.3" in entries[("patients", "mdt_date")]["definition"]


def test_csv_dictionary_matches_the_json_one(api, reviewer):
    api.force_authenticate(reviewer)
    response = api.get(DICTIONARY, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert list(rows[0]) == dictionary.CSV_HEADER
    assert [(row["table"], row["name"]) for row in rows] == list(described(api))


def test_no_identifying_column_is_ever_described():
    names = {entry.name for entry in dictionary.entries()}
    forbidden = {
        "nhs_number",
        "hospital_number",
        "date_of_birth",
        "registry_id",
        "label",
        "device",
        "event_other",
        "treatment",
        "size_exception_reason",
        "withdrawal_reason",
        "operator",
        "governance_lead_name",
        "governance_lead_email",
    }
    assert names & forbidden == set()
