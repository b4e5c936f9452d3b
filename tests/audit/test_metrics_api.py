"""audit.metrics.compute_metrics: the public entry point the REST export uses."""

import dataclasses
import inspect
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.comparisons import BenchmarkComparison
from audit.definitions import MEASURES
from audit.metrics import MetricResult, compute_metrics
from tests.audit.builders import AS_OF, complication, treated_patient

RESULT_FIELDS = [
    "code",
    "label",
    "unit",
    "kind",
    "definition",
    "subgroup",
    "subgroup_label",
    "time_point_months",
    "k",
    "n",
    "value",
    "value_unit",
    "ci_low",
    "ci_high",
    "higher_is_better",
    "benchmarks",
    "verdict",
    "verdict_basis",
]


def test_the_api_is_keyword_only_and_returns_frozen_plain_results(site_a):
    parameters = inspect.signature(compute_metrics).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    assert list(parameters) == ["site_ids", "period_start", "period_end", "as_of", "subgroups"]
    assert [f.name for f in dataclasses.fields(MetricResult)] == RESULT_FIELDS
    assert dataclasses.is_dataclass(BenchmarkComparison)
    _, procedure, _ = treated_patient(site_a)
    complication(procedure, grade=3)
    results = compute_metrics(site_ids={site_a.pk}, period_start=None, period_end=None, as_of=AS_OF)
    assert all(isinstance(r, MetricResult) for r in results)
    json.dumps([dataclasses.asdict(r) for r in results])  # plain values only
    whole = {r.code for r in results if r.subgroup == "all"}
    assert whole == {m.code for m in MEASURES}


def test_results_cover_only_the_sites_asked_for(site_a, site_b):
    treated_patient(site_a)
    treated_patient(site_b)
    treated_patient(site_b)

    def patients(site_ids):
        results = compute_metrics(
            site_ids=site_ids, period_start=None, period_end=None, as_of=AS_OF
        )
        return next(r.n for r in results if r.code == "repeat_procedure" and r.subgroup == "all")

    assert patients([site_a.pk]) == 1
    assert patients([site_b.pk]) == 2
    assert patients(None) == 3  # every site: registry admins only


def test_subgroups_can_be_left_out(site_a):
    treated_patient(site_a)
    results = compute_metrics(
        site_ids=[site_a.pk], period_start=None, period_end=None, as_of=AS_OF, subgroups=False
    )
    assert {r.subgroup for r in results} == {"all"}


def test_a_second_call_is_served_from_the_cache(site_a):
    treated_patient(site_a)
    compute_metrics(site_ids=[site_a.pk], period_start=None, period_end=None, as_of=AS_OF)
    with CaptureQueriesContext(connection) as queries:
        compute_metrics(site_ids=[site_a.pk], period_start=None, period_end=None, as_of=AS_OF)
    assert len(queries) == 0
