"""On PostgreSQL the CSV export is a COPY formatted in SQL: byte for byte the Python CSV."""

import csv
import datetime
import decimal
import io

import psycopg.errors
import pytest
from django.db import connection, transaction
from django.utils import timezone

from registry import services
from registry.api import copy_export
from registry.api.csv_export import export_table_csv
from registry.api.tables import TABLES, ExportFilters
from registry.models import ExportLog, FollowUp, Patient, Procedure, Site, TumourTreatment
from tests.api.conftest import TODAY
from tests.api.test_api_streaming import add_procedures
from tests.factories import PatientFactory, SiteFactory

AWKWARD_NAME = 'Unité "Ålesund", Leeds\nSt. Jämes\'s\r\nWard ✓'
SINCE = timezone.now() - datetime.timedelta(days=1)
FILTERS = {
    "none": ExportFilters(),
    "site": "site",  # replaced by site A's pk in the test (pks differ run to run)
    "procedure_dates": ExportFilters(
        procedure_from=TODAY - datetime.timedelta(days=302),
        procedure_to=TODAY - datetime.timedelta(days=300),
    ),
    "updated_since": ExportFilters(updated_since=SINCE),
    "include_withdrawn": ExportFilters(include_withdrawn=True),
    "everything_at_once": "everything",
}


@pytest.fixture
def awkward_cohort(cohort, site_a, site_b, registry_admin):
    """The API cohort plus the values that trip CSV writers, and withdrawn rows."""
    Site.objects.filter(pk=site_a.pk).update(name=AWKWARD_NAME, organisation='a,b;"c"')
    Site.objects.filter(pk=site_b.pk).update(organisation="", governance_lead_informed_on=None)
    SiteFactory(code="SITE-C", name='"', organisation="\n")
    PatientFactory(site=site_a, baseline_cea=decimal.Decimal("12.5"), prior_hepatectomy=None)
    patients = cohort.patients["SITE-A"]
    services.record_withdraw(by=registry_admin, record=patients[1], reason="Duplicate")
    procedure = cohort.records["SITE-B"]["procedures"][0]
    services.record_withdraw(by=registry_admin, record=procedure, reason="Wrong patient")
    # Time stamps with and without microseconds; some rows too old for updated_since.
    on_the_second = datetime.datetime(2024, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)
    Patient.objects.filter(pk=patients[0].pk).update(updated_at=on_the_second)
    FollowUp.objects.filter(patient=patients[2]).update(
        updated_at=on_the_second.replace(microsecond=5), recist=""
    )
    Procedure.objects.filter(patient=patients[2]).update(updated_at=on_the_second)
    TumourTreatment.objects.update(total_freeze_minutes=decimal.Decimal("10.0"))
    return cohort


def filters_named(name, site_a):
    chosen = FILTERS[name]
    if chosen == "site":
        return ExportFilters(site_ids=(site_a.pk,))
    if chosen == "everything":
        return ExportFilters(
            site_ids=(site_a.pk,),
            procedure_from=TODAY - datetime.timedelta(days=400),
            updated_since=SINCE,
            include_withdrawn=True,
        )
    return chosen


def both_exports(user, table_name, filters):
    """Return (COPY bytes, rows counted) and (Python bytes, rows counted)."""
    results = []
    for use_copy in (True, False):
        table_csv = export_table_csv(
            user=user, table_name=table_name, filters=filters, use_copy=use_copy
        )
        results.append((b"".join(table_csv), table_csv.count))
    return results


@pytest.mark.parametrize("filter_name", FILTERS)
@pytest.mark.parametrize("persona", ["reviewer", "lead_a", "registry_admin"])
def test_copy_gives_the_python_bytes_for_every_table(
    request, awkward_cohort, site_a, persona, filter_name
):
    user = request.getfixturevalue(persona)
    filters = filters_named(filter_name, site_a)
    for table in TABLES:
        (copied, copied_rows), (written, written_rows) = both_exports(user, table.name, filters)
        assert copied == written, table.name
        assert copied_rows == written_rows == len(csv_rows(written)) - 1, table.name


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode(), newline="")))


def test_the_comparison_covers_the_awkward_values(awkward_cohort, reviewer, site_a):
    (sites, _), _ = both_exports(reviewer, "sites", ExportFilters())
    assert AWKWARD_NAME in [row[1] for row in csv_rows(sites)]
    assert b'"a,b;""c"""' in sites and b"\r\n" in sites
    with_withdrawn = ExportFilters(include_withdrawn=True)
    (patients, _), _ = both_exports(reviewer, "patients", with_withdrawn)
    cells = {cell for row in csv_rows(patients)[1:] for cell in row}
    assert {"true", "false", "", "12.5", "2024-03-01T12:00:00Z"} <= cells
    (follow_ups, _), _ = both_exports(reviewer, "follow_ups", with_withdrawn)
    assert b"2024-03-01T12:00:00.000005Z" in follow_ups


@pytest.fixture
def copies(monkeypatch):
    """Record the COPY statements run (to tell which CSV writer answered)."""
    statements = []
    real_copy_out = copy_export.copy_out

    def spy(cursor, statement, **options):
        statements.append(statement)
        return real_copy_out(cursor, statement, **options)

    monkeypatch.setattr(copy_export, "copy_out", spy)
    return statements


def test_the_csv_endpoint_copies_and_logs_the_rows(api, awkward_cohort, reviewer, copies):
    api.force_authenticate(reviewer)
    body = b"".join(api.get("/api/v1/sites/", {"format": "csv"}).streaming_content)
    assert len(copies) == 1
    (python, rows), _ = both_exports(reviewer, "sites", ExportFilters())
    assert body == python
    assert ExportLog.objects.get().row_count == rows == 2  # newlines inside names not counted


def test_the_bundle_copies_every_table(api, awkward_cohort, reviewer, copies):
    api.force_authenticate(reviewer)
    assert api.get("/api/v1/bundle/").status_code == 200
    assert len(copies) == len(TABLES)


def test_an_abandoned_copy_leaves_the_connection_usable(api, reviewer, site_a):
    add_procedures(site_a, patients=20, per_patient=100)  # several chunks of CSV
    api.force_authenticate(reviewer)
    response = api.get("/api/v1/procedures/", {"format": "csv"})
    chunks = iter(response.streaming_content)
    next(chunks), next(chunks)
    response._iterator.close()  # the client went away mid-COPY
    log = ExportLog.objects.get()
    assert log.status == ExportLog.Status.INTERRUPTED
    assert 0 < log.row_count < 2_000
    assert Procedure.objects.count() == 2_000


def test_bad_filters_answer_400_before_any_copy(api, awkward_cohort, reviewer, copies):
    api.force_authenticate(reviewer)
    for bad in ({"updated_since": "soon"}, {"procedure_from": "0000-01-01"}):
        response = api.get("/api/v1/follow-ups/", {"format": "csv", **bad})
        assert response.status_code == 400
    assert copies == []


@pytest.mark.parametrize(
    "odd",
    [
        {"updated_since": "0001-01-01T00:00:00Z"},
        {"updated_since": "9999-12-31T23:59:59.999999Z"},
        {"procedure_from": "0001-01-01", "procedure_to": "9999-12-31"},
        {"site": "SITE-A", "include_withdrawn": "true"},
    ],
)
def test_extreme_filters_copy_without_error(api, awkward_cohort, reviewer, odd):
    api.force_authenticate(reviewer)
    response = api.get("/api/v1/follow-ups/", {"format": "csv", **odd})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert ExportLog.objects.get().status == ExportLog.Status.COMPLETED


def test_the_key_is_not_written_into_the_copy_statement(awkward_cohort, site_a, settings):
    statement, params = copy_export.copy_statement(TABLES[1], Patient.objects.all())
    assert settings.EXPORT_PSEUDONYM_KEY not in statement
    assert settings.EXPORT_PSEUDONYM_KEY not in [str(param) for param in params]


@pytest.mark.parametrize(
    ("copied", "written"),
    [
        (b"a\nb\n", b"a\r\nb\r\n"),
        (b'1,"a\nb"\n2,x\n', b'1,"a\nb"\r\n2,x\r\n'),
        (b'"say ""hi""\n",z\n', b'"say ""hi""\n",z\r\n'),
        (b'"""",\n"\r\n"\n', b'"""",\r\n"\r\n"\r\n'),
        (b"", b""),
    ],
)
def test_rows_end_in_crlf_outside_quoted_values(copied, written):
    assert copy_export.crlf(copied) == written


def test_a_failing_copy_raises_without_sending_its_last_chunk(db):
    failing = "COPY (SELECT 1 / (5 - g) FROM generate_series(1, 10) AS g) TO STDOUT"
    chunks = []
    # The atomic block rolls the failed statement back, as CopyRows's does.
    with (
        pytest.raises(psycopg.errors.DivisionByZero),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        for chunk, _ in copy_export.copy_out(cursor.cursor, failing, chunk_bytes=1 << 20):
            chunks.append(chunk)
    assert chunks == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
