"""Verdicts: like-for-like published figures only, exact binomial test, too few cases."""

import pytest

from audit.comparisons import benchmark_rate, figures_for, headline, is_comparable
from audit.definitions import MEASURES_BY_CODE, AuditSettings
from audit.rows import FigureRow
from tests.audit.builders import (
    DAY0,
    complication,
    days,
    death,
    follow_up,
    metrics_of,
    treated_patient,
)

MAJOR = MEASURES_BY_CODE["major_complication"]


def _figure(**changes):
    values = dict(
        id=1,
        publication="Glazer 2017",
        citation="Glazer DI et al.",
        year=2017,
        measure="major_complication",
        unit="procedure",
        subgroup="all",
        arm="cryotherapy",
        cohort="all procedures",
        time_point="",
        horizon_months=None,
        numerator=25,
        denominator=236,
        value=10.6,
        value_unit="percent",
        text="25/236 (10.6%)",
        source_location="Abstract",
        note="",
    )
    values.update(changes)
    return FigureRow(**values)


def test_the_benchmark_rate_is_k_over_n_when_published():
    assert benchmark_rate(_figure()) == pytest.approx(25 / 236)
    assert benchmark_rate(_figure(numerator=None, denominator=None)) == pytest.approx(0.106)
    assert benchmark_rate(_figure(value_unit="months", value=29.0)) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"arm": "resection"},
        {"arm": "mixed"},
        {"unit": "patient"},
        {"subgroup": "size_ge40"},
        {"measure": "perioperative_morbidity"},
        {"numerator": 0, "denominator": 526, "value": 0.0},
    ],
)
def test_only_like_for_like_cryotherapy_figures_are_tested(changes):
    assert is_comparable(MAJOR, "all", _figure())
    assert not is_comparable(MAJOR, "all", _figure(**changes))


def test_subgroup_results_are_shown_beside_their_own_subgroup_figures():
    figures = [_figure(id=1), _figure(id=2, subgroup="size_ge40", text="8/41 (19.5%)")]
    assert [f.id for f in figures_for(MAJOR, "all", figures)] == [1]
    assert [f.id for f in figures_for(MAJOR, "size_ge40", figures)] == [2]


def test_no_comparable_figure_means_no_verdict():
    verdict, basis = headline(MAJOR, 50, [], AuditSettings())
    assert verdict is None
    assert "No like-for-like" in basis


def _procedures(site, count, with_major):
    for index in range(count):
        _, procedure, _ = treated_patient(site, on=DAY0 + days(index))
        if index < with_major:
            complication(procedure, grade=3)


def test_many_major_complications_are_worse_than_glazer(site_a):
    _procedures(site_a, 20, 10)  # 50% against 10.6%
    result = metrics_of(site_a)[("major_complication", "all", None)]
    assert result.verdict == "worse"
    assert "Glazer 2017 25/236 (10.6%)" in result.verdict_basis
    glazer = next(b for b in result.benchmarks if b.publication == "Glazer 2017")
    assert glazer.p_value < 0.001


def test_no_major_complication_in_40_procedures_is_better_than_glazer(site_a):
    _procedures(site_a, 40, 0)  # 0.894^40 = 0.011: two-sided p < 0.05
    assert metrics_of(site_a)[("major_complication", "all", None)].verdict == "better"


def test_a_rate_like_the_published_one_is_consistent(site_a):
    _procedures(site_a, 20, 2)
    assert metrics_of(site_a)[("major_complication", "all", None)].verdict == "consistent"


def test_under_the_minimum_number_of_cases_the_verdict_is_too_few_cases(site_a, settings):
    _procedures(site_a, 9, 9)
    assert metrics_of(site_a)[("major_complication", "all", None)].verdict == "too few cases"
    settings.AUDIT_MIN_CASES = 5
    assert metrics_of(site_a)[("major_complication", "all", None)].verdict == "worse"


def test_survival_far_below_xu_2008_is_worse_by_the_log_rank_test(site_a):
    for index in range(12):
        patient, _, _ = treated_patient(site_a, on=DAY0 + days(index))
        follow_up(patient, on=DAY0 + days(index + 20))
        death(patient, on=DAY0 + days(index + 60))
    result = metrics_of(site_a)[("overall_survival", "all", 12)]
    assert result.verdict == "worse"
    assert "log-rank" in result.verdict_basis
    assert result.benchmarks[0].text == "78%"


def test_a_broken_published_curve_costs_the_verdict_not_the_page(client, site_a, registry_admin):
    from audit.models import BenchmarkFigure

    for index in range(12):
        patient, _, _ = treated_patient(site_a, on=DAY0 + days(index))
        death(patient, on=DAY0 + days(index + 60))
    later = BenchmarkFigure.objects.get(
        publication__short_name="Xu 2008", measure="overall_survival", horizon_months=24
    )
    later.value = 95  # higher than the 1-year figure: not a survival curve
    later.save()
    result = metrics_of(site_a)[("overall_survival", "all", 12)]
    assert result.verdict is None
    assert "no usable Xu 2008 survival curve" in result.verdict_basis
    client.force_login(registry_admin)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/charts/survival.svg").status_code == 200
