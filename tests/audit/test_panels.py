"""Chart panels: numbers at risk, competing risks, funnel zones and CUSUM signals."""

import pytest

from audit import selectors, stats
from audit.cohort import build_cohort
from audit.dashboard import cusum_limit, get_dashboard
from audit.measures import ltp_times
from audit.metrics import make_period
from tests.audit.builders import (
    AS_OF,
    DAY0,
    complication,
    days,
    death,
    follow_up,
    treated_patient,
)


def _board(*sites):
    return get_dashboard(site_ids=[s.pk for s in sites], period=make_period(None, None, AS_OF))


def test_numbers_at_risk_count_patients_still_followed(site_a):
    for last_day in (100, 400, 800):  # about 3, 13 and 26 months
        patient, _, _ = treated_patient(site_a)
        follow_up(patient, on=DAY0 + days(last_day))
    panel = _board(site_a).survival
    assert dict(panel.at_risk) == {0: 3, 12: 2, 24: 1, 36: 0, 48: 0, 60: 0}
    assert [p.publication for p in panel.reference] == ["Xu 2008"] * 5


def test_death_without_progression_is_a_competing_event(site_a):
    progressed, _, (t1,) = treated_patient(site_a)
    follow_up(progressed, on=DAY0 + days(90), results=[(t1, "complete_ablation")])
    follow_up(progressed, on=DAY0 + days(200), results=[(t1, "local_progression")])
    died, _, (t2,) = treated_patient(site_a)
    follow_up(died, on=DAY0 + days(90), results=[(t2, "complete_ablation")])
    death(died, on=DAY0 + days(300))
    alive, _, (t3,) = treated_patient(site_a)
    follow_up(alive, on=DAY0 + days(90), results=[(t3, "complete_ablation")])
    cohort = build_cohort(
        selectors.registry_data(site_ids=[site_a.pk]), make_period(None, None, AS_OF)
    )
    statuses = sorted((round(r.months * 365.25 / 12), r.status) for r in ltp_times(cohort))
    assert statuses == [(90, 0), (200, 1), (300, 2)]


def test_funnel_places_each_site_against_glazer(site_a, site_b):
    for index in range(20):
        _, procedure, _ = treated_patient(site_a, on=DAY0 + days(index))
        if index < 12:
            complication(procedure, grade=3)
        treated_patient(site_b, on=DAY0 + days(index))
    funnel = _board(site_a, site_b).funnel("major_complication")
    assert funnel.target.text == "25/236 (10.6%)"
    zones = {unit.site: (unit.k, unit.n, unit.zone, unit.direction) for unit in funnel.units}
    assert zones["SITE-A"] == (12, 20, "beyond 99.8% (alarm)", "above")
    assert zones["SITE-B"] == (0, 20, "within 95%", None)
    assert funnel.overdispersion is not None and funnel.overdispersion.overdispersed


def test_cusum_signals_a_run_of_major_complications(site_a, clinician_a):
    for index in range(12):
        _, procedure, _ = treated_patient(site_a, on=DAY0 + days(index), operator=clinician_a)
        complication(procedure, grade=3)
    panel = _board(site_a).cusum("operator")
    (series,) = panel.series
    assert series.label == str(clinician_a)
    weights = stats.cusum_weights(25 / 236, 2.0)
    assert series.path[0] == pytest.approx(weights.failure)
    expected = stats.bernoulli_cusum([1] * 12, 25 / 236, h=panel.limit.h)
    assert series.signals == expected.signals and series.signals
    assert panel.limit.target_arl0 == 1000


def test_the_cusum_limit_is_simulated_once_and_cached(site_a, monkeypatch):
    calls = []
    real = stats.control_limit

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(stats, "control_limit", counting)
    cusum_limit.cache_clear()  # forget what earlier tests computed in this process
    treated_patient(site_a)
    _board(site_a)
    treated_patient(site_a, on=DAY0 + days(5))
    get_dashboard(site_ids=None, period=make_period(None, None, AS_OF))  # a new computation
    assert len(calls) == 1
    cusum_limit.cache_clear()  # another worker: memory empty, the shared cache has it
    get_dashboard(site_ids=None, period=make_period(DAY0, None, AS_OF))
    assert len(calls) == 1
