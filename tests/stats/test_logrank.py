"""Tests for audit.stats.logrank (one-sample log-rank against a published curve).

Expected deaths are worked by hand from E = sum_i H0(t_i) with H0 = -log S0 linear
between the published points (the one-sample log-rank test as described by Finkelstein,
Muzikansky & Schoenfeld 2003, J Natl Cancer Inst 95:1434).
"""

import math

import pytest

from audit.stats.logrank import (
    OneSampleLogRank,
    one_sample_logrank,
    reference_cumulative_hazard,
)

TOL = 5e-4

# Xu et al. (2008) survival after cryoablation of colorectal liver metastases, by year.
XU_TIMES = (1, 2, 3, 4, 5)
XU_SURVIVAL = (0.78, 0.62, 0.41, 0.34, 0.23)

# A constant hazard of 0.5 per year: S0(t) = exp(-0.5 t), so H0(t) = 0.5 t exactly.
CONSTANT_TIMES = (1, 2)
CONSTANT_SURVIVAL = (math.exp(-0.5), math.exp(-1.0))


def test_reference_cumulative_hazard_interpolates_xu_curve_by_hand() -> None:
    # H0 at the knots: -log 0.78 = 0.248461, -log 0.62 = 0.478036, -log 0.41 = 0.891598,
    # -log 0.34 = 1.078810, -log 0.23 = 1.469676.
    # t = 0.5: half of H0(1) = 0.124231
    # t = 1.5: midway between H0(1) and H0(2) = (0.248461 + 0.478036) / 2 = 0.363249
    # t = 6: last interval's hazard 1.469676 - 1.078810 = 0.390866 per year carried on:
    #        1.469676 + 0.390866 = 1.860542
    result = reference_cumulative_hazard([0, 0.5, 1.5, 3, 6], XU_TIMES, XU_SURVIVAL)
    assert result == pytest.approx((0.0, 0.124231, 0.363249, 0.891598, 1.860542), abs=1e-6)


def test_one_sample_logrank_expected_deaths_against_xu_curve_by_hand() -> None:
    # Four patients followed 0.5, 1.5, 3 and 6 years (two died):
    # E = 0.124231 + 0.363249 + 0.891598 + 1.860542 = 3.239620, O = 2
    # chi2 = (2 - 3.239620)^2 / 3.239620 = 1.536658 / 3.239620 = 0.474333
    result = one_sample_logrank([0.5, 1.5, 3, 6], [1, 0, 1, 0], XU_TIMES, XU_SURVIVAL)
    assert result.observed == 2
    assert result.expected == pytest.approx(3.239620, abs=1e-6)
    assert result.smr == pytest.approx(2 / 3.239620, abs=1e-6)
    assert result.chi_square == pytest.approx(0.474333, abs=1e-6)


def test_one_sample_logrank_constant_hazard_cohort_by_hand() -> None:
    # H0(t) = 0.5 t. Follow-up 0.5, 1, 2, 3, 4 years (3 beyond the last knot uses the same
    # hazard): E = 0.25 + 0.5 + 1.0 + 1.5 + 2.0 = 5.25; O = 3.
    # SMR = 3 / 5.25 = 0.571429; chi2 = (3 - 5.25)^2 / 5.25 = 5.0625 / 5.25 = 0.964286;
    # p = P(chi2_1 > 0.964286) = 2 (1 - Phi(0.981981)) = 0.326109.
    # Exact (Garwood) Poisson limits for 3 events are chi2(0.025; 6 df) / 2 = 0.618672 and
    # chi2(0.975; 8 df) / 2 = 8.767273 (the familiar 0.619 / 8.767 table values), so
    # the SMR interval is (0.618672 / 5.25, 8.767273 / 5.25) = (0.117842, 1.669957).
    result = one_sample_logrank(
        [0.5, 1, 2, 3, 4], [1, 0, 1, 1, 0], CONSTANT_TIMES, CONSTANT_SURVIVAL
    )
    assert result.observed == 3
    assert result.expected == pytest.approx(5.25, abs=1e-9)
    assert result.smr == pytest.approx(0.571429, abs=1e-6)
    assert result.chi_square == pytest.approx(0.964286, abs=1e-6)
    assert result.p_value == pytest.approx(0.326109, abs=1e-5)
    assert result.smr_ci == pytest.approx((0.117842, 1.669957), abs=1e-5)


def test_one_sample_logrank_observed_equal_to_expected_gives_no_evidence() -> None:
    # Four patients each followed 1 year under H0(t) = 0.5 t: E = 4 * 0.5 = 2 = O.
    result = one_sample_logrank([1, 1, 1, 1], [1, 1, 0, 0], CONSTANT_TIMES, CONSTANT_SURVIVAL)
    assert result.expected == pytest.approx(2.0, abs=1e-12)
    assert result.smr == pytest.approx(1.0)
    assert result.chi_square == pytest.approx(0.0, abs=1e-12)
    assert result.p_value == pytest.approx(1.0)


def test_one_sample_logrank_without_deaths_has_zero_smr() -> None:
    # O = 0, E = 0.5 + 1.0 = 1.5: chi2 = 1.5; SMR upper limit = 3.688879 / 1.5 = 2.459253
    result = one_sample_logrank([1, 2], [0, 0], CONSTANT_TIMES, CONSTANT_SURVIVAL)
    assert result.smr == 0.0
    assert result.chi_square == pytest.approx(1.5)
    assert result.smr_ci == pytest.approx((0.0, 2.459253), abs=1e-6)


def test_one_sample_logrank_empty_cohort_returns_no_test() -> None:
    expected = OneSampleLogRank(0, 0.0, None, None, None, None)
    assert one_sample_logrank([], [], XU_TIMES, XU_SURVIVAL) == expected
    # Zero follow-up accrues no expected deaths either.
    assert one_sample_logrank([0, 0], [0, 0], XU_TIMES, XU_SURVIVAL).smr is None


def test_one_sample_logrank_single_knot_reference_extends_its_hazard() -> None:
    # One point S0(2) = 0.5: hazard log(2)/2 per unit; follow-up 4 gives H0 = 2 log 2.
    result = one_sample_logrank([4], [1], [2], [0.5])
    assert result.expected == pytest.approx(2 * math.log(2), abs=1e-12)


@pytest.mark.parametrize(
    ("ref_times", "ref_survival", "message"),
    [
        ((1, 2), (0.8,), "same length"),
        ((), (), "at least one"),
        ((0, 1), (1.0, 0.8), "positive and strictly increasing"),
        ((2, 1), (0.8, 0.7), "positive and strictly increasing"),
        ((1, 2), (0.8, 0.9), "non-increasing"),
        ((1, 2), (0.8, 0.0), r"\(0, 1\]"),
        ((1, 2), (1.2, 0.8), r"\(0, 1\]"),
    ],
)
def test_one_sample_logrank_rejects_malformed_reference_curve(
    ref_times: tuple[float, ...], ref_survival: tuple[float, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        one_sample_logrank([1], [1], ref_times, ref_survival)


def test_one_sample_logrank_rejects_bad_cohort() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        one_sample_logrank([-1], [1], XU_TIMES, XU_SURVIVAL)
    with pytest.raises(ValueError, match="same length"):
        one_sample_logrank([1, 2], [1], XU_TIMES, XU_SURVIVAL)
