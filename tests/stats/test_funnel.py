"""Tests for audit.stats.funnel.

Method: Spiegelhalter DJ (2005) "Funnel plots for comparing institutional performance",
Stat Med 24:1185-1202 - interpolated exact binomial limits (Appendix A.1.1) and the
Winsorised multiplicative overdispersion model (Section 5).
"""

import math

import pytest

from audit.stats.funnel import (
    ALARM_LEVELS,
    ALERT_LEVELS,
    Direction,
    FunnelLimits,
    FunnelZone,
    binomial_limit,
    classify_unit,
    funnel_curve,
    funnel_limits,
    inflated_limits,
    overdispersion,
)

TOL = 5e-4


def binomial_pmf(x: int, n: int, p: float) -> float:
    return math.comb(n, x) * p**x * (1 - p) ** (n - x)


def binomial_cdf(x: int, n: int, p: float) -> float:
    return sum(binomial_pmf(i, n, p) for i in range(x + 1))


def test_binomial_limit_upper_95_for_n20_p10_by_hand() -> None:
    # Binomial(20, 0.1): P(X=4) = 4845e-4 * 0.9^16 = 0.089779, P(X=5) = 15504e-5 * 0.9^15
    # = 0.031921; F(4) = 0.956826 < 0.975 <= F(5) = 0.988747, so r = 5.
    # a = (0.988747 - 0.975) / 0.031921 = 0.430648; limit = (5 - 0.430648) / 20 = 0.228468
    f4, f5 = binomial_cdf(4, 20, 0.1), binomial_cdf(5, 20, 0.1)
    assert (f4, f5) == pytest.approx((0.956826, 0.988747), abs=1e-6)
    a = (f5 - 0.975) / (f5 - f4)
    assert a == pytest.approx(0.430648, abs=1e-6)
    assert binomial_limit(0.1, 20, 0.975) == pytest.approx((5 - a) / 20, abs=1e-9)
    assert binomial_limit(0.1, 20, 0.975) == pytest.approx(0.228468, abs=1e-6)


def test_binomial_limit_upper_998_for_n20_p10_by_hand() -> None:
    # F(6) = 0.997614 < 0.999 <= F(7) = 0.999584 (P(X=7) = 77520e-7 * 0.9^13 = 0.001970):
    # a = (0.999584 - 0.999) / 0.001970 = 0.296564; limit = (7 - 0.296564) / 20 = 0.335172
    f6, f7 = binomial_cdf(6, 20, 0.1), binomial_cdf(7, 20, 0.1)
    a = (f7 - 0.999) / (f7 - f6)
    assert a == pytest.approx(0.296564, abs=1e-6)
    assert binomial_limit(0.1, 20, 0.999) == pytest.approx(0.335172, abs=1e-6)


def test_binomial_limit_lower_limit_is_clipped_at_zero() -> None:
    # F(0) = 0.9^20 = 0.121577 >= 0.025 so r = 0, a = (0.121577 - 0.025) / 0.121577
    # = 0.794367 and (0 - 0.794367) / 20 < 0 is clipped to 0.
    assert binomial_limit(0.1, 20, 0.025) == 0.0
    assert binomial_limit(0.1, 20, 0.001) == 0.0


def test_binomial_limit_lower_95_for_n100_p20_by_hand() -> None:
    # Binomial(100, 0.2): F(11) = 0.012575 < 0.025 <= F(12) = 0.025329, P(12) = 0.012754:
    # a = (0.025329 - 0.025) / 0.012754 = 0.025777; limit = (12 - 0.025777) / 100 = 0.119742
    f11, f12 = binomial_cdf(11, 100, 0.2), binomial_cdf(12, 100, 0.2)
    a = (f12 - 0.025) / (f12 - f11)
    assert binomial_limit(0.2, 100, 0.025) == pytest.approx((12 - a) / 100, abs=1e-9)
    assert binomial_limit(0.2, 100, 0.025) == pytest.approx(0.119742, abs=1e-6)


def test_funnel_limits_approach_normal_approximation_for_large_n() -> None:
    # n = 10000, p0 = 0.1: SE = sqrt(0.09 / 10000) = 0.003
    (limits,) = funnel_limits(0.1, [10000])
    se = math.sqrt(0.1 * 0.9 / 10000)
    assert limits.lower_95 == pytest.approx(0.1 - 1.959964 * se, abs=1e-3)
    assert limits.upper_95 == pytest.approx(0.1 + 1.959964 * se, abs=1e-3)
    assert limits.lower_998 == pytest.approx(0.1 - 3.090232 * se, abs=1e-3)
    assert limits.upper_998 == pytest.approx(0.1 + 3.090232 * se, abs=1e-3)


def test_funnel_limits_bundle_all_four_levels() -> None:
    assert ALERT_LEVELS == (0.025, 0.975)
    assert ALARM_LEVELS == (0.001, 0.999)
    (limits,) = funnel_limits(0.1, [20])
    assert limits == FunnelLimits(
        n=20,
        lower_95=0.0,
        upper_95=pytest.approx(0.228468, abs=1e-6),
        lower_998=0.0,
        upper_998=pytest.approx(0.335172, abs=1e-6),
    )
    assert funnel_limits(0.1, []) == ()


def test_funnel_limits_are_exactly_the_interpolated_limit_at_each_level() -> None:
    levels = (ALERT_LEVELS[0], ALERT_LEVELS[1], ALARM_LEVELS[0], ALARM_LEVELS[1])
    for p0 in (0.01, 0.2, 0.5, 0.93):
        for limits in funnel_limits(p0, [1, 2, 7, 50, 333, 10_000]):
            shown = (limits.lower_95, limits.upper_95, limits.lower_998, limits.upper_998)
            assert shown == tuple(binomial_limit(p0, limits.n, level) for level in levels)


def test_funnel_curve_spreads_integer_sizes_over_the_range() -> None:
    curve = funnel_curve(0.1, 20, 100, points=5)
    assert [row.n for row in curve] == [20, 40, 60, 80, 100]
    assert curve[0].upper_95 == pytest.approx(0.228468, abs=1e-6)
    # The funnel narrows as n grows.
    widths = [row.upper_95 - row.lower_95 for row in curve]
    assert widths == sorted(widths, reverse=True)
    # A narrow range yields fewer rows rather than duplicated sizes.
    assert [row.n for row in funnel_curve(0.1, 1, 3, points=10)] == [1, 2, 3]


def test_funnel_curve_rejects_inverted_range() -> None:
    with pytest.raises(ValueError, match="n_max"):
        funnel_curve(0.1, 50, 10)


@pytest.mark.parametrize(
    ("p0", "n", "level", "message"),
    [(0.0, 10, 0.975, "p0"), (0.1, 0, 0.975, "n"), (0.1, 10, 1.0, "level")],
)
def test_binomial_limit_rejects_bad_arguments(
    p0: float, n: int, level: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        binomial_limit(p0, n, level)


# --- overdispersion -------------------------------------------------------------------

# Five units of 100 cases, target 0.2, SE = sqrt(0.2 * 0.8 / 100) = 0.04:
# y = 0.12, 0.18, 0.20, 0.26, 0.34 -> z = -2, -0.5, 0, 1.5, 3.5
# 10th percentile (numpy linear): position 0.4 -> -2 + 0.4 * 1.5 = -1.4
# 90th percentile: position 3.6 -> 1.5 + 0.6 * 2.0 = 2.7
# Winsorised z = -1.4, -0.5, 0, 1.5, 2.7; sum z^2 = 1.96 + 0.25 + 0 + 2.25 + 7.29 = 11.75
# phi = 11.75 / 5 = 2.35; chi2(0.95; 4 df) = 9.487729 < 11.75 -> overdispersed.
KS = [12, 18, 20, 26, 34]
NS = [100] * 5


def test_overdispersion_winsorised_phi_by_hand() -> None:
    result = overdispersion(KS, NS, 0.2)
    assert result.n_units == 5
    assert result.phi == pytest.approx(2.35, abs=1e-9)
    assert result.statistic == pytest.approx(11.75, abs=1e-9)
    assert result.df == 4
    assert result.critical_value == pytest.approx(9.487729, abs=1e-6)
    # P(chi2_4 > 11.75) = exp(-5.875) (1 + 5.875) = 0.019310 (closed form for 4 df)
    assert result.p_value == pytest.approx(math.exp(-5.875) * (1 + 5.875), abs=1e-9)
    assert result.overdispersed is True


def test_overdispersion_not_flagged_for_binomial_scatter() -> None:
    # z = -1, 0, 0, 1 (SE 0.04): winsorised at -0.7 and 0.7 -> sum z^2 = 0.98, phi = 0.245
    result = overdispersion([16, 20, 20, 24], [100] * 4, 0.2)
    assert result.phi == pytest.approx(0.245, abs=1e-9)
    assert result.overdispersed is False


def test_inflated_limits_scale_the_normal_limits_by_root_phi() -> None:
    # 0.2 +/- z * sqrt(2.35 * 0.16 / 100) = 0.2 +/- z * 0.061319
    spread = math.sqrt(2.35 * 0.2 * 0.8 / 100)
    limits = inflated_limits(0.2, 100, 2.35)
    assert limits.lower_95 == pytest.approx(0.2 - 1.959964 * spread, abs=1e-6)
    assert limits.upper_95 == pytest.approx(0.2 + 1.959964 * spread, abs=1e-6)
    assert limits.upper_95 == pytest.approx(0.320183, abs=1e-6)
    assert limits.lower_998 == pytest.approx(0.2 - 3.090232 * spread, abs=1e-6)
    # Clipped at zero when the spread exceeds the target.
    assert inflated_limits(0.02, 5, 4.0).lower_95 == 0.0


def test_overdispersion_limits_switch_to_inflated_only_when_overdispersed() -> None:
    spread_out = overdispersion(KS, NS, 0.2)
    assert spread_out.limits(100) == inflated_limits(0.2, 100, spread_out.phi)
    calm = overdispersion([16, 20, 20, 24], [100] * 4, 0.2)
    assert calm.limits(100) == funnel_limits(0.2, [100])[0]


def test_overdispersion_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least two"):
        overdispersion([1], [10], 0.2)
    with pytest.raises(ValueError, match="same length"):
        overdispersion([1, 2], [10], 0.2)
    with pytest.raises(ValueError, match="n >= 1"):
        overdispersion([0, 2], [0, 10], 0.2)
    with pytest.raises(ValueError, match="phi"):
        inflated_limits(0.2, 10, 0.0)


# --- classification -------------------------------------------------------------------

# Exact limits at n = 100, p0 = 0.2: 95% (0.119742, 0.276476), 99.8% (0.080978, 0.326766).


@pytest.mark.parametrize(
    ("k", "zone", "direction"),
    [
        (6, FunnelZone.ALARM, Direction.BELOW),
        (11, FunnelZone.ALERT, Direction.BELOW),
        (12, FunnelZone.WITHIN_95, None),
        (20, FunnelZone.WITHIN_95, None),
        (29, FunnelZone.ALERT, Direction.ABOVE),
        (34, FunnelZone.ALARM, Direction.ABOVE),
    ],
)
def test_classify_unit_places_units_in_funnel_zones(
    k: int, zone: FunnelZone, direction: Direction | None
) -> None:
    result = classify_unit(k, 100, 0.2)
    assert result.zone is zone
    assert result.direction is direction
    assert result.proportion == k / 100


def test_classify_unit_zone_labels_read_as_specified() -> None:
    assert [z.value for z in FunnelZone] == [
        "within 95%",
        "between 95% and 99.8% (alert)",
        "beyond 99.8% (alarm)",
    ]


def test_classify_unit_against_inflated_limits_is_less_alarmed() -> None:
    # 34/100 is beyond the exact 99.8% limit (0.326766), but with phi = 2.35 the inflated
    # 95% upper limit is 0.320183 < 0.34 < the inflated 99.8% upper limit 0.389489: alert.
    limits = overdispersion(KS, NS, 0.2).limits(100)
    assert classify_unit(34, 100, 0.2, limits=limits).zone is FunnelZone.ALERT


def test_classify_unit_rejects_mismatched_limits_and_empty_unit() -> None:
    with pytest.raises(ValueError, match="limits are for n=50"):
        classify_unit(5, 100, 0.2, limits=funnel_limits(0.2, [50])[0])
    with pytest.raises(ValueError, match="n == 0"):
        classify_unit(0, 0, 0.2)
