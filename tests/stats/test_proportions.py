"""Tests for audit.stats.proportions.

Published reference values: Newcombe RG (1998) "Two-sided confidence intervals for the
single proportion: comparison of seven methods", Stat Med 17:857-872, Table II (methods
3 = Wilson score without continuity correction, 5 = Clopper-Pearson "exact").
"""

import math

import pytest
from scipy import stats

from audit.stats.proportions import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    Proportion,
    Verdict,
    binomial_test,
    clopper_pearson_interval,
    fisher_test,
    proportion,
    verdict,
    wilson_interval,
)

TOL = 5e-4
Z95 = 1.959964


def approx_pair(pair: tuple[float, float], abs_tol: float = TOL) -> object:
    return pytest.approx(pair, abs=abs_tol)


# --- Wilson ---------------------------------------------------------------------------


def test_wilson_interval_matches_score_formula_by_hand() -> None:
    # 8 of 20: centre = (k + z^2/2) / (n + z^2), half = z / (n + z^2) * sqrt(k(n-k)/n + z^2/4)
    k, n, z2 = 8, 20, Z95**2
    centre = (8 + z2 / 2) / (20 + z2)  # 9.920729 / 23.841459 = 0.416113
    half = Z95 / (20 + z2) * math.sqrt(8 * 12 / 20 + z2 / 4)  # 0.082208 * 2.400076 = 0.197306
    assert centre == pytest.approx(0.416113, abs=1e-6)
    assert half == pytest.approx(0.197306, abs=1e-6)
    assert wilson_interval(k, n) == approx_pair((centre - half, centre + half), 1e-6)
    assert wilson_interval(k, n) == approx_pair((0.2188, 0.6134))


def test_wilson_interval_is_exactly_scipys() -> None:
    for n in (1, 2, 7, 30, 101, 2000, 123_457):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            ci = stats.binomtest(k, n).proportion_ci(method="wilson")
            assert wilson_interval(k, n) == (float(ci.low), float(ci.high))


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
        (29, 29, (0.8830, 1.0)),
    ],
)
def test_wilson_interval_matches_newcombe_1998_table(
    k: int, n: int, expected: tuple[float, float]
) -> None:
    assert wilson_interval(k, n) == approx_pair(expected)


# --- Clopper-Pearson ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (81, 263, (0.2527, 0.3676)),
        (15, 148, (0.0578, 0.1617)),
        (0, 20, (0.0, 0.1684)),
        (1, 29, (0.0009, 0.1776)),
        (29, 29, (0.8806, 1.0)),
    ],
)
def test_clopper_pearson_interval_matches_newcombe_1998_table(
    k: int, n: int, expected: tuple[float, float]
) -> None:
    assert clopper_pearson_interval(k, n) == approx_pair(expected)


def test_clopper_pearson_interval_has_closed_form_at_zero_and_n() -> None:
    # k = 0: upper = 1 - (alpha/2)^(1/n); k = n: lower = (alpha/2)^(1/n)  (exact result)
    upper_at_zero = 1 - 0.025 ** (1 / 10)  # 1 - 0.691503 = 0.308497
    assert upper_at_zero == pytest.approx(0.3085, abs=TOL)
    assert clopper_pearson_interval(0, 10) == approx_pair((0.0, upper_at_zero), 1e-9)
    assert clopper_pearson_interval(10, 10) == approx_pair((0.025 ** (1 / 10), 1.0), 1e-9)


# --- proportion -----------------------------------------------------------------------


def test_proportion_bundles_value_and_both_intervals() -> None:
    result = proportion(15, 148)
    assert result.k == 15
    assert result.n == 148
    assert result.value == pytest.approx(15 / 148)
    assert result.wilson == approx_pair((0.0624, 0.1605))
    assert result.exact == approx_pair((0.0578, 0.1617))
    assert result.confidence == 0.95
    assert result.wilson is not None
    assert result.exact is not None
    assert all(type(x) is float for x in (*result.wilson, *result.exact))


def test_proportion_with_no_cases_has_no_value_or_interval() -> None:
    assert proportion(0, 0) == Proportion(k=0, n=0, value=None, wilson=None, exact=None)
    assert wilson_interval(0, 0) is None
    assert clopper_pearson_interval(0, 0) is None


def test_proportion_at_the_extremes_is_zero_or_one() -> None:
    assert proportion(0, 20).value == 0.0
    assert proportion(20, 20).value == 1.0


def test_proportion_respects_confidence_level() -> None:
    # Wider at 99%: Newcombe-style Wilson for 15/148 with z = 2.575829
    z = 2.575829
    centre = (15 + z**2 / 2) / (148 + z**2)
    half = z / (148 + z**2) * math.sqrt(15 * 133 / 148 + z**2 / 4)
    assert proportion(15, 148, 0.99).wilson == approx_pair((centre - half, centre + half), 1e-6)


@pytest.mark.parametrize(("k", "n"), [(3, 2), (-1, 5), (1, -1), (1.5, 3), (True, 3), ("1", 3)])
def test_proportion_rejects_impossible_counts(k: object, n: object) -> None:
    with pytest.raises(ValueError, match=r"k|n"):
        proportion(k, n)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.1, float("nan")])
def test_proportion_rejects_confidence_outside_unit_interval(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        proportion(1, 10, confidence)


# --- exact binomial test --------------------------------------------------------------


def test_binomial_test_symmetric_case_by_hand() -> None:
    # 9/10 vs 0.5: P(X>=9) + P(X<=1) = 2 * (10 + 1) / 2^10 = 22 / 1024
    assert binomial_test(9, 10, 0.5) == pytest.approx(22 / 1024, abs=1e-9)


def test_binomial_test_asymmetric_case_sums_outcomes_no_more_likely() -> None:
    # 0/10 vs 0.2. pmf: P0 = .8^10 = .107374, P1 = 10(.2)(.8^9) = .268435,
    # P2 = 45(.04)(.8^8) = .301990, P3 = 120(.008)(.8^7) = .201327; P4 = .088080 < P0.
    # Outcomes no more likely than X = 0 are {0} and {4..10}:
    # p = P0 + (1 - (P0 + P1 + P2 + P3)) = .107374 + .120874 = .228248
    p0_pmf = 0.8**10
    below4 = sum(math.comb(10, x) * 0.2**x * 0.8 ** (10 - x) for x in range(4))
    assert binomial_test(0, 10, 0.2) == pytest.approx(p0_pmf + 1 - below4, abs=1e-9)
    assert binomial_test(0, 10, 0.2) == pytest.approx(0.228248, abs=1e-6)


def test_binomial_test_observed_equal_to_target_gives_p_of_one() -> None:
    assert binomial_test(5, 10, 0.5) == pytest.approx(1.0)


def test_binomial_test_without_cases_returns_none() -> None:
    assert binomial_test(0, 0, 0.3) is None


@pytest.mark.parametrize("p0", [0.0, 1.0, -0.2, 1.2])
def test_binomial_test_rejects_p0_outside_open_unit_interval(p0: float) -> None:
    with pytest.raises(ValueError, match="p0"):
        binomial_test(1, 10, p0)


# --- Fisher's exact test --------------------------------------------------------------


def test_fisher_test_matches_lady_tasting_tea_by_hand() -> None:
    # Fisher (1935): table [[3, 1], [1, 3]]. Hypergeometric probabilities of the top-left
    # cell 0..4 are (1, 16, 36, 16, 1) / 70; observed 16/70, so the two-sided p-value is
    # (1 + 16 + 16 + 1) / 70 = 34/70. Sample odds ratio = (3 * 3) / (1 * 1) = 9.
    result = fisher_test(3, 4, 1, 4)
    assert result.p_value == pytest.approx(34 / 70, abs=1e-9)
    assert result.odds_ratio == pytest.approx(9.0)
    assert result.odds_ratio_infinite is False


def test_fisher_test_zero_cell_gives_infinite_odds_ratio_safely() -> None:
    # [[3, 0], [0, 4]]: only 1 of C(7,3) = 35 tables is this extreme in either tail
    # (the other tail is impossible here), so p = 1/35.
    result = fisher_test(3, 3, 0, 4)
    assert result.odds_ratio is None
    assert result.odds_ratio_infinite is True
    assert result.p_value == pytest.approx(1 / 35, abs=1e-9)


def test_fisher_test_zero_odds_ratio_is_kept_as_zero() -> None:
    # [[0, 3], [2, 2]], margins rows (3, 4), columns (2, 5), N = 7. Top-left cell a:
    # P(a=0) = C(2,0)C(5,3)/C(7,3) = 10/35, P(1) = C(2,1)C(5,2)/35 = 20/35,
    # P(2) = C(2,2)C(5,1)/35 = 5/35. Two-sided p = (10 + 5)/35. OR = (0*2)/(3*2) = 0.
    result = fisher_test(0, 3, 2, 4)
    assert result.odds_ratio == 0.0
    assert result.odds_ratio_infinite is False
    assert result.p_value == pytest.approx(15 / 35, abs=1e-9)


def test_fisher_test_undefined_odds_ratio_when_no_events_anywhere() -> None:
    result = fisher_test(0, 5, 0, 5)
    assert result.odds_ratio is None
    assert result.odds_ratio_infinite is False
    assert result.p_value == pytest.approx(1.0)


def test_fisher_test_with_empty_group_does_not_crash() -> None:
    result = fisher_test(0, 0, 2, 5)
    assert result.p_value == pytest.approx(1.0)
    assert result.odds_ratio is None


def test_fisher_test_rejects_k_above_n() -> None:
    with pytest.raises(ValueError, match="k must not exceed n"):
        fisher_test(5, 4, 1, 4)


# --- verdict --------------------------------------------------------------------------


def test_verdict_defaults_are_exposed() -> None:
    assert DEFAULT_ALPHA == 0.05
    assert DEFAULT_MIN_N == 10
    assert {v.value for v in Verdict} == {"consistent", "better", "worse", "too few cases"}


def test_verdict_high_rate_is_better_when_higher_is_better() -> None:
    # 9/10 vs 0.5: p = 22/1024 = 0.0215 < 0.05 and 0.9 > 0.5.
    assert verdict(9, 10, 0.5, higher_is_better=True) == Verdict.BETTER
    assert verdict(9, 10, 0.5, higher_is_better=True) == "better"


def test_verdict_high_rate_is_worse_for_complications() -> None:
    assert verdict(9, 10, 0.5, higher_is_better=False) == Verdict.WORSE


def test_verdict_low_rate_direction_flips() -> None:
    # 1/10 vs 0.5 has the same p = 22/1024 by symmetry.
    assert verdict(1, 10, 0.5, higher_is_better=True) == Verdict.WORSE
    assert verdict(1, 10, 0.5, higher_is_better=False) == Verdict.BETTER


def test_verdict_is_consistent_when_test_does_not_reject() -> None:
    # 0/10 vs 0.2: p = 0.228 (worked above) >= 0.05.
    assert verdict(0, 10, 0.2, higher_is_better=False) == Verdict.CONSISTENT


def test_verdict_respects_alpha() -> None:
    # p = 0.0215: significant at 0.05, not at 0.01.
    assert verdict(9, 10, 0.5, higher_is_better=True, alpha=0.01) == Verdict.CONSISTENT


def test_verdict_with_a_known_p_value_agrees_with_computing_it() -> None:
    for k, n, p0 in [(9, 10, 0.5), (1, 10, 0.5), (0, 10, 0.2), (480, 2000, 0.2)]:
        p_value = binomial_test(k, n, p0)
        for better in (True, False):
            computed = verdict(k, n, p0, higher_is_better=better)
            assert verdict(k, n, p0, higher_is_better=better, p_value=p_value) == computed


def test_verdict_flags_too_few_cases_below_min_n() -> None:
    assert verdict(9, 9, 0.1, higher_is_better=False) == Verdict.TOO_FEW_CASES
    assert verdict(0, 0, 0.1, higher_is_better=False) == Verdict.TOO_FEW_CASES
    assert verdict(3, 5, 0.1, higher_is_better=False, min_n=5) == Verdict.WORSE


def test_verdict_rejects_bad_alpha_and_min_n() -> None:
    with pytest.raises(ValueError, match="alpha"):
        verdict(1, 10, 0.5, higher_is_better=True, alpha=0.0)
    with pytest.raises(ValueError, match="min_n"):
        verdict(1, 10, 0.5, higher_is_better=True, min_n=0)
