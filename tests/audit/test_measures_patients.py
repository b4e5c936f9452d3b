"""Patient measures: survival with censoring, recurrence, response, CEA, procedures."""

import pytest

from audit import selectors
from audit.cohort import build_cohort
from audit.measures import survival_times
from audit.metrics import make_period
from tests.audit.builders import (
    AS_OF,
    DAY0,
    days,
    death,
    follow_up,
    k_n,
    metrics_of,
    retreat,
    treated_patient,
    withdraw,
)

DAYS_PER_MONTH = 365.25 / 12


def _times(site):
    data = selectors.registry_data(site_ids=[site.pk])
    cohort = build_cohort(data, make_period(None, None, AS_OF))
    return sorted(
        (round(row.months * DAYS_PER_MONTH), row.status) for row in survival_times(cohort)
    )


def test_patients_are_censored_at_their_last_contact_alive(site_a, registry_admin):
    died, _, _ = treated_patient(site_a)
    follow_up(died, on=DAY0 + days(90))
    death(died, on=DAY0 + days(100))
    followed, _, _ = treated_patient(site_a)
    follow_up(followed, on=DAY0 + days(90))
    follow_up(followed, on=DAY0 + days(200))  # last contact: censored here, not at AS_OF
    retreated, _, _ = treated_patient(site_a)
    retreat(retreated, [], on=DAY0 + days(250))  # a later procedure is a contact too
    treated_patient(site_a)  # no contact since the procedure: censored at 0
    corrected, _, _ = treated_patient(site_a)
    follow_up(corrected, on=DAY0 + days(50))
    withdraw(death(corrected, on=DAY0 + days(60)), registry_admin)  # death withdrawn

    assert _times(site_a) == [(0, 0), (50, 0), (100, 1), (200, 0), (250, 0)]


def test_kaplan_meier_survival_matches_the_hand_calculation(site_a):
    # Deaths at 100 and 300 days, censored at 200 and 400 days:
    # S = 3/4 after day 100; 2 at risk at day 300, so S = 3/4 * 1/2 = 0.375 at 12 months.
    for day, dies in ((100, True), (200, False), (300, True), (400, False)):
        patient, _, _ = treated_patient(site_a)
        if dies:
            death(patient, on=DAY0 + days(day))
        else:
            follow_up(patient, on=DAY0 + days(day))
    result = metrics_of(site_a)[("overall_survival", "all", 12)]
    assert (result.k, result.n) == (2, 4)
    assert result.value == pytest.approx(37.5)
    assert result.verdict == "too few cases"
    median = metrics_of(site_a)[("median_survival", "all", None)]
    assert median.value == pytest.approx(300 / DAYS_PER_MONTH)


def test_withdrawn_patients_and_their_records_never_count(site_a, registry_admin):
    kept, _, _ = treated_patient(site_a)
    follow_up(kept, on=DAY0 + days(90), recist="pr")
    gone, _, _ = treated_patient(site_a)
    follow_up(gone, on=DAY0 + days(90), recist="cr", new_intrahepatic_disease=True)
    withdraw(gone, registry_admin)
    results = metrics_of(site_a)
    assert k_n(results, "recist_pr") == (1, 1)
    assert k_n(results, "any_recurrence") == (0, 1)
    assert results[("overall_survival", "all", 12)].n == 1


def test_any_recurrence_counts_new_disease_or_local_progression(site_a):
    liver, _, _ = treated_patient(site_a)
    follow_up(liver, on=DAY0 + days(120), new_intrahepatic_disease=True)
    elsewhere, _, _ = treated_patient(site_a)
    follow_up(elsewhere, on=DAY0 + days(120), extrahepatic_disease=True)
    local, _, (tumour,) = treated_patient(site_a)
    follow_up(local, on=DAY0 + days(90), results=[(tumour, "complete_ablation")])
    follow_up(local, on=DAY0 + days(300), results=[(tumour, "local_progression")])
    clear, _, _ = treated_patient(site_a)
    follow_up(clear, on=DAY0 + days(120), new_intrahepatic_disease=False)
    treated_patient(site_a)  # no follow-up yet: excluded
    assert k_n(metrics_of(site_a), "any_recurrence") == (3, 4)


def test_recist_takes_each_patients_best_evaluable_response(site_a):
    for responses in (("pd", "pr"), ("sd", "cr"), ("sd",), ("pd", "ne"), ("ne",)):
        patient, _, _ = treated_patient(site_a)
        for offset, response in enumerate(responses, start=1):
            follow_up(patient, on=DAY0 + days(60 * offset), recist=response)
    results = metrics_of(site_a)
    assert k_n(results, "recist_cr") == (1, 4)
    assert k_n(results, "recist_pr") == (1, 4)
    assert k_n(results, "recist_sd") == (1, 4)
    assert k_n(results, "recist_pd") == (1, 4)
    assert results[("recist_sd", "all", None)].verdict == "too few cases"


def test_cea_normalisation_among_patients_raised_at_baseline(site_a):
    normalised, _, _ = treated_patient(site_a, baseline_cea=40)
    follow_up(normalised, on=DAY0 + days(50), cea=30)  # before the window
    follow_up(normalised, on=DAY0 + days(90), cea=5)  # at the upper limit: normal
    raised, _, _ = treated_patient(site_a, baseline_cea=12)
    follow_up(raised, on=DAY0 + days(100), cea=6)
    follow_up(raised, on=DAY0 + days(150), cea=2)  # only the first in the window counts
    normal_at_start, _, _ = treated_patient(site_a, baseline_cea=4)
    follow_up(normal_at_start, on=DAY0 + days(90), cea=3)  # excluded
    unmeasured, _, _ = treated_patient(site_a, baseline_cea=None)
    follow_up(unmeasured, on=DAY0 + days(90), cea=3)  # excluded
    assert k_n(metrics_of(site_a), "cea_normalisation") == (1, 2)


def test_procedures_per_patient_and_repeat_cryotherapy(site_a):
    treated_patient(site_a)  # once
    twice, _, (tumour,) = treated_patient(site_a)
    retreat(twice, [tumour], on=DAY0 + days(200))
    thrice, _, (tumour,) = treated_patient(site_a)
    retreat(thrice, [tumour], on=DAY0 + days(200))
    retreat(thrice, [tumour], on=DAY0 + days(400))
    results = metrics_of(site_a)
    assert k_n(results, "repeat_procedure") == (2, 3)
    mean = results[("procedures_per_patient", "all", None)]
    assert (mean.k, mean.n, mean.value) == (6, 3, 2.0)
    assert mean.verdict is None


def test_the_period_selects_patients_by_their_first_cryotherapy(site_a):
    early, _, (tumour,) = treated_patient(site_a, on=DAY0)
    retreat(early, [tumour], on=DAY0 + days(200))
    treated_patient(site_a, on=DAY0 + days(150))
    results = metrics_of(site_a, start=DAY0 + days(100))
    assert k_n(results, "repeat_procedure") == (0, 1)


def test_patients_are_grouped_by_their_largest_tumour_and_primary(site_a):
    treated_patient(site_a, diameters=(20, 25), primary_site="breast")
    treated_patient(site_a, diameters=(20, 45))
    results = metrics_of(site_a)
    assert k_n(results, "repeat_procedure", "size_lt30") == (0, 1)
    assert k_n(results, "repeat_procedure", "size_ge40") == (0, 1)
    assert k_n(results, "repeat_procedure", "primary_breast") == (0, 1)
