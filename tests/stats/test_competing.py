"""Tests for audit.stats.competing (Aalen-Johansen cumulative incidence).

The estimator and its delta-method variance follow Marubini & Valsecchi (1995),
"Analysing Survival Data from Clinical Trials and Observational Studies", and
Pintilie (2006), "Competing Risks: A Practical Perspective", ch. 4.
"""

import math

import pytest

from audit.stats.competing import CumulativeIncidence, cumulative_incidence
from audit.stats.survival import kaplan_meier

Z95 = 1.959964

# Ten ablated patients: 1 = local progression, 2 = death without progression, 0 = censored.
TIMES = [1, 2, 2, 3, 4, 5, 6, 7, 8, 9]
CAUSES = [1, 2, 0, 1, 0, 2, 1, 0, 1, 0]

# Worked by hand with S = all-cause Kaplan-Meier, S(t-) the value just before t:
#  t  n  d1 d2  S(t-)     CIF1 increment           CIF2 increment          S(t)
#  1 10  1  0   1         1/10        = 0.1                                  0.9
#  2  9  0  1   0.9                                0.9/9 = 0.1               0.8
#  3  7  1  0   0.8       0.8/7       = 0.114286                             0.685714
#  4  6  0  0   (one censored)                                               0.685714
#  5  5  0  1   0.685714                           0.685714/5 = 0.137143     0.548571
#  6  4  1  0   0.548571  0.548571/4  = 0.137143                             0.411429
#  7  3  0  0   (one censored)                                               0.411429
#  8  2  1  0   0.411429  0.411429/2  = 0.205714                             0.205714
#  9  1  0  0   (one censored)                                               0.205714
CIF1 = (0.1, 0.1, 0.214286, 0.214286, 0.214286, 0.351429, 0.351429, 0.557143, 0.557143)
CIF2 = (0.0, 0.1, 0.1, 0.1, 0.237143, 0.237143, 0.237143, 0.237143, 0.237143)


@pytest.fixture
def progression() -> CumulativeIncidence:
    return cumulative_incidence(TIMES, CAUSES, cause=1)


def test_cumulative_incidence_matches_hand_worked_table(progression: CumulativeIncidence) -> None:
    assert progression.times == (1, 2, 3, 4, 5, 6, 7, 8, 9)
    assert progression.n_at_risk == (10, 9, 7, 6, 5, 4, 3, 2, 1)
    assert progression.n_events == (1, 0, 1, 0, 0, 1, 0, 1, 0)
    assert progression.n_competing == (0, 1, 0, 0, 1, 0, 0, 0, 0)
    assert progression.incidence == pytest.approx(CIF1, abs=1e-6)
    death = cumulative_incidence(TIMES, CAUSES, cause=2)
    assert death.incidence == pytest.approx(CIF2, abs=1e-6)


def test_cumulative_incidences_and_survival_sum_to_one(progression: CumulativeIncidence) -> None:
    death = cumulative_incidence(TIMES, CAUSES, cause=2)
    for f1, f2, s in zip(
        progression.incidence, death.incidence, progression.event_free_survival, strict=True
    ):
        assert f1 + f2 + s == pytest.approx(1.0, abs=1e-12)


def test_event_free_survival_is_the_all_cause_kaplan_meier(
    progression: CumulativeIncidence,
) -> None:
    any_event = [1 if c else 0 for c in CAUSES]
    assert progression.event_free_survival == pytest.approx(
        kaplan_meier(TIMES, any_event).survival, abs=1e-12
    )


def test_cumulative_incidence_delta_method_variance_by_hand(
    progression: CumulativeIncidence,
) -> None:
    # At t = 3, with F(1) = F(2) = 0.1, F(3) = 0.214286, gap = F(3) - 0.1 = 0.114286:
    #  term 1 = gap^2 [1/(10*9) + 1/(9*8)] = 0.0130612 * 0.025            = 0.00032653
    #  term 2 = 1^2 * 1 * 9 / 10^3 + 0.8^2 * 1 * 6 / 7^3 = 0.009 + 0.0111953 = 0.0201953
    #  term 3 = -2 * gap * 1 * 1 / 10^2                                    = -0.0022857
    #  Var = 0.0182361, SE = 0.135041
    gap = 0.8 / 7
    variance = gap**2 * (1 / 90 + 1 / 72) + (9 / 1000 + 0.8**2 * 6 / 343) - 2 * gap * 1 / 100
    assert variance == pytest.approx(0.0182361, abs=1e-7)
    assert progression.std_err[2] == pytest.approx(math.sqrt(variance), abs=1e-9)
    assert progression.std_err[2] == pytest.approx(0.135041, abs=1e-6)
    # At t = 1 only term 2 exists: Var = 1 * 9 / 1000, SE = 0.094868.
    assert progression.std_err[0] == pytest.approx(math.sqrt(0.009), abs=1e-12)


def test_cumulative_incidence_interval_is_wald_clipped_to_unit_range(
    progression: CumulativeIncidence,
) -> None:
    # t = 1: 0.1 -/+ 1.959964 * 0.094868 = (-0.0859, 0.2859) -> (0, 0.285938)
    point = progression.at(1)
    assert point == pytest.approx((0.1, 0.0, 0.1 + Z95 * math.sqrt(0.009)), abs=1e-6)
    # t = 3: 0.214286 -/+ 1.959964 * 0.135041 = (-0.0504, 0.4790) -> (0, 0.478962)
    point = progression.at(3)
    assert point == pytest.approx((0.214286, 0.0, 0.214286 + Z95 * 0.135041), abs=1e-5)


def test_cumulative_incidence_reduces_to_greenwood_without_competing_events() -> None:
    # With a single cause, F = 1 - S and the delta-method variance equals Greenwood's.
    times = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    events = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    cif = cumulative_incidence(times, events)
    km = kaplan_meier(times, events)
    assert cif.incidence == pytest.approx([1 - s for s in km.survival], abs=1e-12)
    assert cif.std_err == pytest.approx(km.std_err, abs=1e-12)
    # Greenwood SE at t = 6 for this (Freireich 6-MP) arm is 0.0764 (see test_survival).
    assert cif.std_err[0] == pytest.approx(0.0764, abs=5e-4)


def test_cumulative_incidence_at_is_a_right_continuous_step_function(
    progression: CumulativeIncidence,
) -> None:
    assert progression.at(0) == (0.0, 0.0, 0.0)
    assert progression.at(0.5) == (0.0, 0.0, 0.0)
    assert progression.at(2.5) == progression.at(2)
    at8 = progression.at(8)
    assert at8 is not None
    assert at8[0] == pytest.approx(0.557143, abs=1e-6)
    assert progression.at(9) == progression.at(8)
    assert progression.at(9.5) is None


def test_cumulative_incidence_handles_ties_between_causes() -> None:
    # Both causes at t = 1 among n = 4: each gets 1 * 1/4; S(1) = 2/4.
    # t = 2 (n = 2, one progression): CIF1 += 0.5 * 1/2 = 0.25 -> 0.5.
    result = cumulative_incidence([1, 1, 2, 3], [1, 2, 1, 0])
    assert result.incidence == pytest.approx((0.25, 0.5, 0.5))
    assert result.n_competing == (1, 0, 0)


def test_cumulative_incidence_all_censored_is_zero_everywhere() -> None:
    result = cumulative_incidence([1, 2, 3], [0, 0, 0])
    assert result.incidence == (0.0, 0.0, 0.0)
    assert result.std_err == (0.0, 0.0, 0.0)
    assert result.lower == (0.0, 0.0, 0.0)
    assert result.upper == (0.0, 0.0, 0.0)


def test_cumulative_incidence_no_events_of_interest_is_zero() -> None:
    result = cumulative_incidence([1, 2, 3], [2, 2, 0], cause=1)
    assert result.incidence == (0.0, 0.0, 0.0)
    assert result.event_free_survival == pytest.approx((2 / 3, 1 / 3, 1 / 3))


def test_cumulative_incidence_everyone_failing_gives_finite_results() -> None:
    # n = d at the last time: CIF1 = 1/2 + (1/2)(1/1) = 1, so its variance must be 0.
    # t = 1: Var = 1^2 * 1 * (2 - 1) / 2^3 = 1/8.
    # t = 2: gap^2 d/(n(n-d)) = 0.25 * 1/2 = 0.125, binomial terms 1/8 + 0.25 * 1 * 0 / 1,
    #        cross term -2 * 0.5 * 1 * 1/4 = -0.25 -> 0.125 + 0.125 - 0.25 = 0.
    result = cumulative_incidence([1, 2], [1, 1])
    assert result.incidence == (0.5, 1.0)
    assert result.std_err == pytest.approx((math.sqrt(1 / 8), 0.0), abs=1e-12)
    assert all(math.isfinite(x) for x in result.lower + result.upper)


def test_cumulative_incidence_with_no_subjects_is_empty() -> None:
    result = cumulative_incidence([], [])
    assert result.times == ()
    assert result.at(1) is None


@pytest.mark.parametrize(
    ("times", "causes", "kwargs", "message"),
    [
        ([1, 2], [1], {}, "same length"),
        ([1, -2], [1, 0], {}, "non-negative"),
        ([1, 2], [1, -1], {}, "non-negative integers"),
        ([1, 2], [1, 0], {"cause": 0}, "cause"),
        ([1, 2], [1, 0], {"confidence": 1.0}, "confidence"),
    ],
)
def test_cumulative_incidence_rejects_bad_input(
    times: list[float], causes: list[int], kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cumulative_incidence(times, causes, **kwargs)


def _cif_from_hazards(h1: list[float], h2: list[float], upto: int) -> float:
    """F1 at index ``upto`` from discrete cause-specific hazards (the Aalen-Johansen map)."""
    total, survival = 0.0, 1.0
    for j in range(upto + 1):
        total += survival * h1[j]
        survival *= 1.0 - h1[j] - h2[j]
    return total


def test_cumulative_incidence_variance_equals_numerical_delta_method() -> None:
    # Independent derivation: treat (d1_j, d2_j) at each time as multinomial in n_j trials
    # with Var(h1) = h1 (1 - h1) / n, Var(h2) = h2 (1 - h2) / n, Cov = -h1 h2 / n,
    # independent across times, and push this through F1 by finite-difference gradients.
    # Event times of the hand-worked data: n = (10, 9, 7, 5, 4, 2).
    n = [10, 9, 7, 5, 4, 2]
    h1 = [1 / 10, 0, 1 / 7, 0, 1 / 4, 1 / 2]
    h2 = [0, 1 / 9, 0, 1 / 5, 0, 0]
    result = cumulative_incidence(TIMES, CAUSES)
    event_rows = [0, 1, 2, 4, 5, 7]  # rows of the distinct-time table that hold events
    eps = 1e-7
    for k, row in enumerate(event_rows):
        variance = 0.0
        base = _cif_from_hazards(h1, h2, k)
        for j in range(len(n)):
            g1 = (_cif_from_hazards(_bump(h1, j, eps), h2, k) - base) / eps
            g2 = (_cif_from_hazards(h1, _bump(h2, j, eps), k) - base) / eps
            v11 = h1[j] * (1 - h1[j]) / n[j]
            v22 = h2[j] * (1 - h2[j]) / n[j]
            v12 = -h1[j] * h2[j] / n[j]
            variance += g1 * g1 * v11 + g2 * g2 * v22 + 2 * g1 * g2 * v12
        assert result.std_err[row] == pytest.approx(math.sqrt(variance), abs=1e-5)


def _bump(values: list[float], index: int, eps: float) -> list[float]:
    bumped = list(values)
    bumped[index] += eps
    return bumped
