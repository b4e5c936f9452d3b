"""Procedure measures: complications and mortality within 30 days, by hand count."""

from tests.audit.builders import (
    AS_OF,
    DAY0,
    complication,
    days,
    death,
    k_n,
    metrics_of,
    retreat,
    treated_patient,
    withdraw,
)


def test_complications_count_onsets_within_30_days_and_skip_side_effects(site_a, registry_admin):
    _, major, _ = treated_patient(site_a)
    complication(major, after_days=1, grade=3)  # any and major
    _, edge, _ = treated_patient(site_a)
    complication(edge, after_days=30, grade=2)  # day 30 counts: any, not major
    _, late, _ = treated_patient(site_a)
    complication(late, after_days=31, grade=4)  # delayed: neither
    _, side, _ = treated_patient(site_a)
    complication(side, after_days=2, grade=3, category="side_effect")  # neither
    _, recent, _ = treated_patient(site_a, on=AS_OF - days(10))  # 30 days not over: excluded
    complication(recent, after_days=1, grade=3)
    _, corrected, _ = treated_patient(site_a)
    withdraw(complication(corrected, grade=3), registry_admin)  # counted, no event
    _, gone, _ = treated_patient(site_a)
    complication(gone, grade=3)
    withdraw(gone, registry_admin)  # excluded with its complication

    results = metrics_of(site_a)
    assert k_n(results, "any_complication") == (2, 5)
    assert k_n(results, "major_complication") == (1, 5)


def test_several_complications_make_one_procedure_with_a_complication(site_a):
    _, procedure, _ = treated_patient(site_a)
    complication(procedure, after_days=1, grade=3)
    complication(procedure, after_days=5, grade=4)
    assert k_n(metrics_of(site_a), "major_complication") == (1, 1)


def test_thirty_day_mortality_counts_any_death_within_30_days(site_a):
    on_day_30, _, _ = treated_patient(site_a)
    death(on_day_30, on=DAY0 + days(30))
    on_day_31, _, _ = treated_patient(site_a)
    death(on_day_31, on=DAY0 + days(31))
    _, fatal, _ = treated_patient(site_a)
    complication(fatal, after_days=10, grade=5)  # no death follow-up recorded
    treated_patient(site_a)
    assert k_n(metrics_of(site_a), "mortality_30d") == (2, 4)


def test_a_death_counts_only_against_the_procedure_it_follows(site_a):
    patient, _, _ = treated_patient(site_a, on=DAY0)
    retreat(patient, [], on=DAY0 + days(100))
    death(patient, on=DAY0 + days(110))
    assert k_n(metrics_of(site_a), "mortality_30d") == (1, 2)


def test_procedures_are_grouped_by_their_largest_tumour(site_a):
    _, small, _ = treated_patient(site_a, diameters=(20, 35))
    complication(small, grade=3)
    _, mixed, _ = treated_patient(site_a, diameters=(20, 45))
    complication(mixed, grade=3)
    treated_patient(site_a, diameters=(50,))
    results = metrics_of(site_a)
    assert k_n(results, "major_complication", "size_lt40") == (1, 1)
    assert k_n(results, "major_complication", "size_ge40") == (1, 2)
    assert k_n(results, "major_complication", "approach_percutaneous") == (2, 3)


def test_the_period_selects_procedures_by_their_date(site_a):
    _, before, _ = treated_patient(site_a, on=DAY0)
    complication(before, grade=3)
    treated_patient(site_a, on=DAY0 + days(200))
    results = metrics_of(site_a, start=DAY0 + days(1))
    assert k_n(results, "major_complication") == (0, 1)
