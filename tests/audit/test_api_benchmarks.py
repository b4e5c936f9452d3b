"""/api/v1/benchmarks/: every published figure and publication, as the database holds them."""

import csv
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.http import StreamingHttpResponse

from audit.api.serializers import BenchmarkExportSerializer, PublicationExportSerializer
from audit.models import BenchmarkFigure, Publication
from registry.models import ExportLog
from tests.audit.test_benchmark_data import REFERENCE

BENCHMARKS = "/api/v1/benchmarks/"
PUBLICATIONS = "/api/v1/benchmarks/publications/"
URLS = [BENCHMARKS, PUBLICATIONS]
SEED = Path(settings.BASE_DIR) / "audit" / "data" / "published_series.json"
DECIMALS = {"horizon_months", "value", "range_low", "range_high", "ci_low", "ci_high"}


def every_row(api, url, page_size=10):
    """Walk the cursor pages of a list and return every row."""
    rows, next_url, params = [], url, {"page_size": page_size}
    while next_url:
        response = api.get(next_url, params)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        next_url, params = response.json()["next"], {}
    return rows


def csv_rows(response):
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def number(value):
    return None if value is None else Decimal(str(value))


# --- Who may see them ----------------------------------------------------------------


@pytest.mark.parametrize("url", [*URLS, f"{BENCHMARKS}1/", f"{PUBLICATIONS}1/"])
def test_anonymous_requests_are_refused_with_401(api, db, url):
    assert api.get(url).status_code == 401


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("url", URLS)
def test_clinicians_get_403(api, clinician_a, url, fmt):
    api.force_authenticate(clinician_a)
    response = api.get(url, {"format": fmt})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    figure = BenchmarkFigure.objects.first()
    assert api.get(f"{BENCHMARKS}{figure.pk}/").status_code == 403


@pytest.mark.parametrize("persona", ["lead_a", "reviewer", "reviewer_b", "registry_admin"])
def test_every_exporter_gets_every_figure(api, request, persona):
    api.force_authenticate(request.getfixturevalue(persona))
    assert len(every_row(api, BENCHMARKS, page_size=1000)) == BenchmarkFigure.objects.count()
    assert len(every_row(api, PUBLICATIONS)) == Publication.objects.count()


# --- The figures ---------------------------------------------------------------------


def test_every_figure_equals_the_database(api, reviewer):
    api.force_authenticate(reviewer)
    rows = every_row(api, BENCHMARKS)
    figures = BenchmarkFigure.objects.select_related("publication").order_by("id")
    assert [row["id"] for row in rows] == [figure.pk for figure in figures]
    for row, figure in zip(rows, figures, strict=True):
        assert row["publication"] == figure.publication.short_name
        assert row["text"] == figure.display
        for name in ("measure", "unit", "subgroup", "arm", "cohort", "time_point", "note"):
            assert row[name] == getattr(figure, name), name
        for name in ("numerator", "denominator", "value_unit", "value_decimals"):
            assert row[name] == getattr(figure, name), name
        for name in DECIMALS:
            assert number(row[name]) == getattr(figure, name), name


def test_figures_are_the_reference_documents(api, reviewer):
    """The export holds exactly the figures transcribed from the reference document."""
    api.force_authenticate(reviewer)
    rows = every_row(api, BENCHMARKS, page_size=1000)
    exported = Counter(
        (r["publication"], r["measure"], r["subgroup"], r["arm"], r["text"]) for r in rows
    )
    assert exported == Counter(REFERENCE)


def test_figures_and_publications_equal_the_seed_file(api, reviewer):
    api.force_authenticate(reviewer)
    seed = json.loads(SEED.read_text())["publications"]
    rows = every_row(api, BENCHMARKS, page_size=1000)
    publications = {p["short_name"]: p for p in every_row(api, PUBLICATIONS)}
    for published in seed:
        exported = publications[published["short_name"]]
        for name, value in published.items():
            if name != "figures":
                assert exported[name] == value, (published["short_name"], name)
        mine = [r for r in rows if r["publication"] == published["short_name"]]
        assert len(mine) == len(published["figures"])
        for row, figure in zip(mine, published["figures"], strict=True):
            for name, value in figure.items():
                if name in DECIMALS:
                    assert number(row[name]) == Decimal(value), (published["short_name"], name)
                else:
                    assert row[name] == value, (published["short_name"], name)


def test_detail_equals_the_listed_row_and_unknown_ids_are_not_found(api, reviewer):
    api.force_authenticate(reviewer)
    listed = every_row(api, BENCHMARKS, page_size=1000)
    first = listed[0]
    assert api.get(f"{BENCHMARKS}{first['id']}/").json() == first
    publication = every_row(api, PUBLICATIONS)[0]
    assert api.get(f"{PUBLICATIONS}{publication['id']}/").json() == publication
    for bad in ("999999", "abc", "-1", "1.5", "²"):
        response = api.get(f"{BENCHMARKS}{bad}/")
        assert response.status_code == 404, bad
        assert response["Content-Type"].startswith("application/json")


# --- CSV, log, queries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "serializer"),
    [(BENCHMARKS, BenchmarkExportSerializer), (PUBLICATIONS, PublicationExportSerializer)],
)
def test_csv_streams_the_same_rows_as_json(api, reviewer, url, serializer):
    api.force_authenticate(reviewer)
    rows = csv_rows(api.get(url, {"format": "csv"}))
    listed = every_row(api, url, page_size=1000)
    assert list(rows[0]) == list(serializer().fields)
    assert [row["id"] for row in rows] == [str(row["id"]) for row in listed]
    for row, json_row in zip(rows, listed, strict=True):
        for name, value in json_row.items():
            shown = "" if value is None else str(value)
            if isinstance(value, float):
                assert Decimal(row[name]) == number(value), name
            else:
                assert row[name] == shown, name


def test_csv_of_one_figure(api, reviewer):
    api.force_authenticate(reviewer)
    figure = BenchmarkFigure.objects.get(
        publication__short_name="Glazer 2017", measure="technical_success"
    )
    (row,) = csv_rows(api.get(f"{BENCHMARKS}{figure.pk}/", {"format": "csv"}))
    assert (row["publication"], row["text"]) == ("Glazer 2017", "279/295 (94.6%)")
    assert api.get(f"{BENCHMARKS}999999/", {"format": "csv"}).status_code == 404


def test_exports_are_logged(api, reviewer):
    api.force_authenticate(reviewer)
    api.get(BENCHMARKS, {"page_size": 5})
    b"".join(api.get(PUBLICATIONS, {"format": "csv"}).streaming_content)
    page, download = ExportLog.objects.order_by("at")
    assert (page.endpoint, page.format, page.row_count) == (BENCHMARKS, "json", 5)
    assert (download.endpoint, download.format) == (PUBLICATIONS, "csv")
    assert download.row_count == Publication.objects.count()
    assert download.status == ExportLog.Status.COMPLETED


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_fixed_number_of_queries(api, reviewer, django_assert_num_queries, fmt):
    api.force_authenticate(reviewer)
    # Memberships (permission), the figures with their publications, the export log
    # (and, for a download, its closing update).
    with django_assert_num_queries(3 if fmt == "json" else 4):
        response = api.get(BENCHMARKS, {"format": fmt, "page_size": 1000})
        if fmt == "csv":
            b"".join(response.streaming_content)
