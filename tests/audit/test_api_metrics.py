"""/api/v1/metrics/: the dashboard's measures for the caller's export scope and a period."""

import csv
import dataclasses
import io

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from audit.api.serializers import MetricRowSerializer
from audit.metrics import compute_metrics
from registry.choices import Role
from registry.models import ExportLog
from tests.audit.builders import treated_patient
from tests.factories import MembershipFactory, UserFactory

METRICS = "/api/v1/metrics/"
RENAMED = {"code": "measure", "label": "measure_name", "subgroup_label": "subgroup_name"}


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def keyed(rows, site=None):
    """Return the rows of one site (None: pooled) keyed (measure, subgroup, months)."""
    return {
        (r["measure"], r["subgroup"], r["time_point_months"]): r for r in rows if r["site"] == site
    }


def k_n(rows, measure, subgroup="all", site=None):
    row = keyed(rows, site)[(measure, subgroup, None)]
    return row["k"], row["n"]


def csv_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- Who may see what ------------------------------------------------------------------


def test_anonymous_requests_are_refused_with_401(api, two_site_cohort):
    response = api.get(METRICS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_clinicians_get_403(api, two_site_cohort, clinician_a, fmt):
    api.force_authenticate(clinician_a)
    response = api.get(METRICS, {"format": fmt})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "clinicians" in response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "sites"),
    [
        ("lead_a", ["SITE-A"]),
        ("reviewer", ["SITE-A", "SITE-B"]),
        ("reviewer_b", ["SITE-B"]),
        ("registry_admin", ["SITE-A", "SITE-B"]),
    ],
)
def test_exporters_get_the_metrics_of_their_sites(api, two_site_cohort, request, persona, sites):
    api.force_authenticate(request.getfixturevalue(persona))
    response = api.get(METRICS, {"by_site": "true"})
    body = response.json()
    assert body["sites"] == sites
    assert {row["site"] for row in results(response)} == {None, *sites}
    patients = {"SITE-A": 3, "SITE-B": 2}
    assert k_n(body["results"], "repeat_procedure")[1] == sum(patients[s] for s in sites)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_another_sites_code_is_not_found(api, two_site_cohort, lead_a, fmt):
    api.force_authenticate(lead_a)
    response = api.get(METRICS, {"site": "SITE-B", "format": fmt})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"site": ["'SITE-B' is not the code of a site you may export."]}
    # Asking for their own site and another one is refused too, not silently narrowed.
    assert api.get(METRICS, {"site": ["SITE-A", "SITE-B"]}).status_code == 404


def test_a_clinicians_site_is_outside_their_export_scope(api, two_site_cohort, site_a, site_b):
    # Clinician at A, reviewer at B: the dashboard shows both, the export only B.
    user = UserFactory(username="mixed")
    MembershipFactory(user=user, site=site_a, role=Role.CLINICIAN)
    MembershipFactory(user=user, site=site_b, role=Role.GOVERNANCE_REVIEWER)
    api.force_authenticate(user)
    assert api.get(METRICS).json()["sites"] == ["SITE-B"]
    assert api.get(METRICS, {"site": "SITE-A"}).status_code == 404


def test_reviewer_narrows_to_one_site(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    response = api.get(METRICS, {"site": "SITE-B"})
    assert response.json()["sites"] == ["SITE-B"]
    assert k_n(results(response), "repeat_procedure") == (1, 2)


# --- The numbers -------------------------------------------------------------------


def test_hand_counted_cohort_pooled_and_per_site(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    rows = results(api.get(METRICS, {"by_site": "true"}))
    # Technical success per tumour treatment: A 2 of 3, B 4 of 4 (B2's tumour twice).
    assert k_n(rows, "technical_success", site="SITE-A") == (2, 3)
    assert k_n(rows, "technical_success", site="SITE-B") == (4, 4)
    assert k_n(rows, "technical_success") == (6, 7)
    assert k_n(rows, "technical_success", "size_ge40", site="SITE-A") == (1, 1)
    # Per procedure: A1's grade 3 is major, A2's grade 1 is not; A3 died on day 16.
    assert k_n(rows, "major_complication", site="SITE-A") == (1, 3)
    assert k_n(rows, "any_complication", site="SITE-A") == (2, 3)
    assert k_n(rows, "mortality_30d") == (1, 6)
    assert k_n(rows, "major_complication", site="SITE-B") == (0, 3)
    # Per patient: B2 was treated twice; the withdrawn patient counts nowhere.
    assert k_n(rows, "repeat_procedure") == (1, 5)
    assert k_n(rows, "procedures_per_patient", site="SITE-B") == (3, 2)

    success = keyed(rows)[("technical_success", "all", None)]
    assert success["value"] == pytest.approx(100 * 6 / 7)
    assert success["ci_low"] < success["value"] < success["ci_high"]
    assert (success["unit"], success["kind"], success["value_unit"]) == (
        "tumour",
        "proportion",
        "%",
    )
    assert success["verdict"] == "too few cases"  # 7 < AUDIT_MIN_CASES
    assert "Glazer 2017: 279/295 (94.6%)" in success["benchmark_figures"]
    glazer = next(b for b in success["benchmarks"] if b["publication"] == "Glazer 2017")
    assert (glazer["k"], glazer["n"], glazer["comparable"]) == (279, 295, True)


def test_values_equal_compute_metrics_for_the_same_scope_and_period(
    api, two_site_cohort, reviewer, site_a, site_b
):
    api.force_authenticate(reviewer)
    period = {"procedure_from": "2024-01-01", "procedure_to": "2024-12-31"}
    rows = results(api.get(METRICS, {"by_site": "true", **period}))
    scopes = {None: [site_a.pk, site_b.pk], "SITE-A": [site_a.pk], "SITE-B": [site_b.pk]}
    for site, site_ids in scopes.items():
        expected = compute_metrics(
            site_ids=site_ids,
            period_start=timezone.datetime(2024, 1, 1).date(),
            period_end=timezone.datetime(2024, 12, 31).date(),
            as_of=timezone.localdate(),
        )
        got = [r for r in rows if r["site"] == site]
        assert len(got) == len(expected)
        for row, result in zip(got, expected, strict=True):
            assert row["procedure_from"] == "2024-01-01"
            for field in dataclasses.fields(result):
                value = getattr(result, field.name)
                if field.name == "benchmarks":
                    assert row["benchmarks"] == [dataclasses.asdict(c) for c in value]
                else:
                    assert row[RENAMED.get(field.name, field.name)] == value, field.name


def test_the_period_selects_the_cohort_by_procedure_date(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    response = api.get(METRICS, {"procedure_from": "2024-03-01", "by_site": "true"})
    rows = results(response)
    # Only B2 (first treated in June 2024) falls in the period, with both procedures.
    assert k_n(rows, "repeat_procedure") == (1, 1)
    assert k_n(rows, "technical_success", site="SITE-B") == (2, 2)
    assert k_n(rows, "technical_success", site="SITE-A") == (0, 0)
    assert keyed(rows, "SITE-A")[("technical_success", "all", None)]["value"] is None
    assert response.json()["procedure_from"] == "2024-03-01"


def test_pooled_only_by_default_and_subgroups_can_be_left_out(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    pooled = api.get(METRICS).json()
    assert pooled["by_site"] is False and pooled["subgroups"] is True
    assert {row["site"] for row in pooled["results"]} == {None}
    assert len({row["subgroup"] for row in pooled["results"]}) > 1
    whole = results(api.get(METRICS, {"subgroups": "false"}))
    assert {row["subgroup"] for row in whole} == {"all"}


def test_small_cells_are_shown_but_no_patient_level_column(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    rows = results(api.get(METRICS, {"by_site": "true"}))
    assert k_n(rows, "technical_success", "size_ge40", site="SITE-A") == (1, 1)
    columns = set(rows[0]) - {"benchmarks"}
    assert columns == set(MetricRowSerializer().fields)
    assert not columns & {"pseudonym", "patient", "registry_id", "nhs_number", "date_of_birth"}


# --- CSV, export log, queries --------------------------------------------------------


def test_csv_streams_the_same_rows_as_json(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    params = {"by_site": "true", "procedure_to": "2024-12-31"}
    json_rows = results(api.get(METRICS, params))
    rows = csv_rows(api.get(METRICS, {**params, "format": "csv"}))
    assert list(rows[0]) == list(MetricRowSerializer().fields)
    assert len(rows) == len(json_rows)
    for row, json_row in zip(rows, json_rows, strict=True):
        assert row["site"] == (json_row["site"] or "")
        assert (row["measure"], row["subgroup"]) == (json_row["measure"], json_row["subgroup"])
        assert row["k"] == ("" if json_row["k"] is None else str(json_row["k"]))
        assert row["n"] == str(json_row["n"])
        assert row["value"] == ("" if json_row["value"] is None else str(json_row["value"]))
        assert row["procedure_to"] == "2024-12-31"
        assert row["procedure_from"] == ""


def test_exports_are_logged_with_filters_and_rows(api, two_site_cohort, reviewer):
    api.force_authenticate(reviewer)
    rows = results(api.get(METRICS, {"site": "SITE-A", "subgroups": "false"}))
    response = api.get(METRICS, {"format": "csv"})
    csv_count = len(csv_rows(response))
    json_log, csv_log = ExportLog.objects.order_by("at")
    assert (json_log.endpoint, json_log.format, json_log.row_count) == (METRICS, "json", len(rows))
    assert json_log.filters == {"site": "SITE-A", "subgroups": "false"}
    assert (csv_log.format, csv_log.row_count, csv_log.status) == (
        "csv",
        csv_count,
        ExportLog.Status.COMPLETED,
    )


def _cohort_of(site, size):
    for n in range(size):
        treated_patient(site, diameters=(20 + n, 30), technical_success="yes" if n % 3 else "no")


# The user's memberships (read once for permission, site filter and scope), the sites of
# the site filter, the scope's site IDs and codes; per computation (pooled, A, B) the
# sites, the cohort's facts (one query and its settings, in a savepoint: four statements)
# and the published figures; the export log.
METRICS_QUERIES = 1 + 3 + 3 * (1 + 4 + 1) + 1


@pytest.mark.parametrize("size", [1, 15])
def test_queries_do_not_grow_with_the_cohort(
    api, site_a, site_b, reviewer, django_assert_num_queries, size
):
    _cohort_of(site_a, size)
    _cohort_of(site_b, size)
    api.force_authenticate(reviewer)
    with django_assert_num_queries(METRICS_QUERIES):
        response = api.get(METRICS, {"by_site": "true", "site": ["SITE-A", "SITE-B"]})
    assert k_n(results(response), "technical_success")[1] == 2 * 2 * size
