"""Tumour measures: numerators and denominators equal the hand count.

Default efficacy window: 60-180 days after the tumour's first cryotherapy.
"""

import pytest

from tests.audit.builders import (
    DAY0,
    days,
    follow_up,
    k_n,
    metrics_of,
    retreat,
    treated_patient,
    withdraw,
)

CA, RUT, LTP, NA = "complete_ablation", "residual_unablated", "local_progression", "not_assessed"


def test_technical_success_counts_known_results_of_current_treatments(
    site_a, site_b, registry_admin
):
    treated_patient(site_a, diameters=(20, 30))  # 2 successes
    treated_patient(site_a, technical_success="no")  # 1 failure
    treated_patient(site_a, technical_success="unknown")  # excluded: unknown
    withdrawn_patient, _, _ = treated_patient(site_a)
    withdraw(withdrawn_patient, registry_admin)  # excluded with everything under it
    _, procedure, _ = treated_patient(site_a)
    withdraw(procedure.treatments.get(), registry_admin)  # excluded: treatment withdrawn
    treated_patient(site_b, technical_success="no")  # another site

    assert k_n(metrics_of(site_a), "technical_success") == (2, 3)
    assert k_n(metrics_of(site_a, site_b), "technical_success") == (2, 4)


def _efficacy_cohort(site):
    """Five tumours (hand count: primary 2 of 4, assisted 3 of 4)."""
    edge_in, _, (t_edge,) = treated_patient(site)
    follow_up(edge_in, on=DAY0 + days(59), results=[(t_edge, CA)])  # before the window
    follow_up(edge_in, on=DAY0 + days(60), results=[(t_edge, RUT)])  # first in window: failure
    late, _, (t_late,) = treated_patient(site)
    follow_up(late, on=DAY0 + days(180), results=[(t_late, CA)])  # last day: success
    outside, _, (t_outside,) = treated_patient(site)
    follow_up(outside, on=DAY0 + days(181), results=[(t_outside, CA)])  # excluded
    skipped, _, (t_skipped,) = treated_patient(site)
    follow_up(skipped, on=DAY0 + days(90), results=[(t_skipped, NA)])  # not evaluable
    follow_up(skipped, on=DAY0 + days(120), results=[(t_skipped, CA)])  # success
    redone, _, (t_redone,) = treated_patient(site)
    retreat(redone, [t_redone], on=DAY0 + days(30))  # re-ablated before the assessment
    follow_up(redone, on=DAY0 + days(100), results=[(t_redone, CA)])  # assisted only


def test_technique_efficacy_takes_the_first_assessment_in_the_window(site_a):
    _efficacy_cohort(site_a)
    results = metrics_of(site_a)
    assert k_n(results, "primary_efficacy") == (2, 4)
    assert k_n(results, "assisted_efficacy") == (3, 4)


def test_the_efficacy_window_comes_from_settings(site_a, settings):
    settings.AUDIT_EFFICACY_WINDOW_DAYS = (30, 59)
    _efficacy_cohort(site_a)
    # Only the day-59 complete ablation of the first tumour falls in 30-59 days.
    assert k_n(metrics_of(site_a), "primary_efficacy") == (1, 1)


def test_withdrawn_assessments_and_tumours_do_not_count(site_a, registry_admin):
    patient, _, (first, second) = treated_patient(site_a, diameters=(20, 50))
    visit = follow_up(patient, on=DAY0 + days(90), results=[(first, RUT), (second, CA)])
    withdraw(visit.assessments.get(tumour=first), registry_admin)
    follow_up(patient, on=DAY0 + days(100), results=[(first, CA)])
    withdraw(second, registry_admin)
    # Left: the first tumour, complete at day 100 (its residual result was withdrawn).
    assert k_n(metrics_of(site_a), "primary_efficacy") == (1, 1)


def test_residual_tumour_is_read_from_the_first_evaluable_imaging(site_a):
    p1, _, (residual,) = treated_patient(site_a)
    follow_up(p1, on=DAY0 + days(30), results=[(residual, NA)])
    follow_up(p1, on=DAY0 + days(40), results=[(residual, RUT)])
    follow_up(p1, on=DAY0 + days(200), results=[(residual, CA)])
    p2, _, (complete,) = treated_patient(site_a)
    follow_up(p2, on=DAY0 + days(30), results=[(complete, CA)])
    treated_patient(site_a)  # no imaging yet: excluded
    assert k_n(metrics_of(site_a), "residual_tumour") == (1, 2)


def test_local_progression_needs_a_complete_ablation_first(site_a):
    p1, _, (progressed,) = treated_patient(site_a)
    follow_up(p1, on=DAY0 + days(90), results=[(progressed, CA)])
    follow_up(p1, on=DAY0 + days(300), results=[(progressed, LTP)])
    p2, _, (stable,) = treated_patient(site_a)
    follow_up(p2, on=DAY0 + days(90), results=[(stable, CA)])
    p3, _, (never_ablated,) = treated_patient(site_a)
    follow_up(p3, on=DAY0 + days(90), results=[(never_ablated, RUT)])  # excluded
    p4, _, (early,) = treated_patient(site_a)
    follow_up(p4, on=DAY0 + days(40), results=[(early, LTP)])  # before any complete ablation
    follow_up(p4, on=DAY0 + days(90), results=[(early, CA)])  # so not progression
    assert k_n(metrics_of(site_a), "local_progression") == (1, 3)


def test_tumour_subgroups_split_by_size_lobe_and_approach(site_a):
    small, _, (t_small,) = treated_patient(site_a, diameters=(25,), segment=6)
    follow_up(small, on=DAY0 + days(90), results=[(t_small, CA)])
    edge, _, (t_edge,) = treated_patient(site_a, diameters=(40,), segment=3, approach="open")
    follow_up(edge, on=DAY0 + days(90), results=[(t_edge, RUT)])
    large, _, (t_large,) = treated_patient(site_a, diameters=(55,), segment=7)
    follow_up(large, on=DAY0 + days(90), results=[(t_large, CA)])
    results = metrics_of(site_a)
    assert k_n(results, "primary_efficacy", "size_lt30") == (1, 1)
    assert k_n(results, "primary_efficacy", "size_lt40") == (1, 1)
    assert k_n(results, "primary_efficacy", "size_ge40") == (1, 2)  # 40 mm is "≥ 4 cm"
    assert k_n(results, "primary_efficacy", "lobe_right") == (2, 2)
    assert k_n(results, "primary_efficacy", "lobe_left") == (0, 1)
    assert k_n(results, "primary_efficacy", "approach_open") == (0, 1)
    assert k_n(results, "primary_efficacy", "primary_colorectal") == (2, 3)


def test_the_period_selects_tumours_by_their_first_cryotherapy(site_a):
    early, _, (t_early,) = treated_patient(site_a, on=DAY0)
    follow_up(early, on=DAY0 + days(90), results=[(t_early, CA)])
    retreat(early, [t_early], on=DAY0 + days(200))  # in the period, but not its first
    later, _, (t_later,) = treated_patient(site_a, on=DAY0 + days(150))
    follow_up(later, on=DAY0 + days(240), results=[(t_later, RUT)])
    results = metrics_of(site_a, start=DAY0 + days(100), end=DAY0 + days(365))
    assert k_n(results, "primary_efficacy") == (0, 1)
    # Technical success counts every treatment in the period's procedures.
    assert k_n(results, "technical_success") == (2, 2)


@pytest.mark.parametrize("months, expected", [(12, (1, 3)), (24, (2, 3))])
def test_time_to_local_progression_counts_events_by_the_time_point(site_a, months, expected):
    for progression_day in (300, 600):
        patient, _, (tumour,) = treated_patient(site_a)
        follow_up(patient, on=DAY0 + days(90), results=[(tumour, CA)])
        follow_up(patient, on=DAY0 + days(progression_day), results=[(tumour, LTP)])
    censored, _, (tumour,) = treated_patient(site_a)
    follow_up(censored, on=DAY0 + days(90), results=[(tumour, CA)])
    follow_up(censored, on=DAY0 + days(700), results=[(tumour, CA)])
    result = metrics_of(site_a)[("ltp_incidence", "all", months)]
    assert (result.k, result.n) == expected
