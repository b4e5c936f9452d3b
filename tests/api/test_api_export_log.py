"""Every export is logged: who, when, endpoint, filters, format, rows."""

import io
import json
import zipfile

import pytest

from registry.api.bundle import registered_parts
from registry.api.tables import TABLES
from registry.models import ExportLog
from tests.api.conftest import token_for


def test_json_page_is_logged_with_user_filters_and_rows(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    api.get("/api/v1/patients/", {"site": "SITE-A", "page_size": 2})
    log = ExportLog.objects.get()
    assert (log.user, log.username, log.endpoint, log.format) == (
        reviewer,
        "greta",
        "/api/v1/patients/",
        "json",
    )
    assert log.filters == {"site": "SITE-A", "page_size": "2"}
    assert log.row_count == 2
    assert log.status == ExportLog.Status.COMPLETED
    assert log.token is None


def test_streamed_csv_is_logged_with_its_row_count_when_done(api, cohort, reviewer):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(reviewer)}")
    response = api.get("/api/v1/follow-ups/", {"format": "csv", "site": ["SITE-A", "SITE-B"]})
    log = ExportLog.objects.get()
    assert log.status == ExportLog.Status.STARTED  # nothing sent yet
    b"".join(response.streaming_content)
    log.refresh_from_db()
    assert (log.format, log.row_count, log.status) == ("csv", 7, ExportLog.Status.COMPLETED)
    assert log.filters == {"format": "csv", "site": ["SITE-A", "SITE-B"]}
    assert log.token is not None


def test_abandoned_csv_download_is_logged_as_interrupted(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    response = api.get("/api/v1/patients/", {"format": "csv"})
    next(iter(response.streaming_content))
    # The client goes away: the server closes the body (the test client's wrapper
    # does so like a WSGI server, keeping the test's database connection open).
    response._iterator.close()
    log = ExportLog.objects.get()
    assert log.status == ExportLog.Status.INTERRUPTED


def test_bundle_and_dictionary_are_logged(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(api.get("/api/v1/bundle/").streaming_content)))
    api.get("/api/v1/data-dictionary/")
    bundle, dictionary = ExportLog.objects.order_by("at")
    assert (bundle.format, bundle.endpoint) == ("zip", "/api/v1/bundle/")
    rows = {f["name"]: f["rows"] for f in json.loads(archive.read("manifest.json"))["files"]}
    tables = sum(rows[f"{table.name}.csv"] for table in TABLES)
    assert tables == 2 + 5 * 7 + 2  # sites, 5 patients x 7 records, 2 deaths
    # Files other apps registered (audit's metrics and benchmarks) count too.
    parts = sum(rows[f"{name}.csv"] for name in registered_parts())
    assert bundle.row_count == tables + parts
    assert dictionary.endpoint == "/api/v1/data-dictionary/"


def test_refused_requests_export_nothing_and_log_nothing(api, cohort, clinician_a):
    api.force_authenticate(clinician_a)
    api.get("/api/v1/patients/")
    assert not ExportLog.objects.exists()


def test_registry_admins_read_the_log_in_the_admin(client, api, cohort, reviewer, registry_admin):
    api.force_authenticate(reviewer)
    api.get("/api/v1/patients/")
    client.force_login(registry_admin)
    page = client.get("/admin/registry/exportlog/")
    assert page.status_code == 200
    assert "/api/v1/patients/" in page.content.decode()
    log = ExportLog.objects.get()
    detail = client.get(f"/admin/registry/exportlog/{log.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()  # read-only
    assert client.get("/admin/registry/exportlog/add/").status_code == 403


@pytest.mark.parametrize("persona", ["reviewer", "lead_a", "clinician_a"])
def test_only_registry_admins_see_the_log(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/admin/registry/exportlog/").status_code == 302


def test_odd_parameters_are_logged_safely(api, cohort, reviewer):
    api.force_authenticate(reviewer)
    response = api.get("/api/v1/bundle/", {"x\x00y": "a\x00b", "note": "n" * 500})
    assert response.status_code == 200
    log = ExportLog.objects.get()
    assert log.filters == {"xy": "ab", "note": "n" * 200}
