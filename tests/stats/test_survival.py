"""Tests for audit.stats.survival.

Reference data: the 6-mercaptopurine (6-MP) arm of Freireich et al. (1963, Blood
21:699) as tabulated by Gehan (1965, Biometrika 52:203); its Kaplan-Meier estimates
appear in most survival textbooks (e.g. Klein & Moeschberger 2003, Section 4.2).
"""

import math

import pytest

from audit.stats.survival import KaplanMeier, MedianSurvival, kaplan_meier

TOL = 5e-4
Z95 = 1.959964

# Remission times in weeks; "+" (censored) in the paper is events = 0 here.
SIX_MP_TIMES = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_EVENTS = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]

# Risk sets at the event times (n at risk, deaths):
# t=6 (21, 3), 7 (17, 1), 10 (15, 1), 13 (12, 1), 16 (11, 1), 22 (7, 1), 23 (6, 1).
S6 = 18 / 21  # 0.857143
S7 = S6 * 16 / 17  # 0.806723
S10 = S7 * 14 / 15  # 0.752941
S13 = S10 * 11 / 12  # 0.690196
S16 = S13 * 10 / 11  # 0.627451
S22 = S16 * 6 / 7  # 0.537815
S23 = S22 * 5 / 6  # 0.448179

# Greenwood increments d / (n (n - d)) at the same times.
GW6 = 3 / (21 * 18)  # 0.0079365
GW7 = 1 / (17 * 16)  # 0.0036765
GW10 = 1 / (15 * 14)  # 0.0047619
GW13 = 1 / (12 * 11)  # 0.0075758
GW16 = 1 / (11 * 10)  # 0.0090909
GW22 = 1 / (7 * 6)  # 0.0238095
GW23 = 1 / (6 * 5)  # 0.0333333


@pytest.fixture
def six_mp() -> KaplanMeier:
    return kaplan_meier(SIX_MP_TIMES, SIX_MP_EVENTS)


def loglog_interval(survival: float, greenwood_sum: float) -> tuple[float, float]:
    """Log-log interval written out: exp(-exp(log(-log S) +/- z se / (S |log S|)))."""
    se = survival * math.sqrt(greenwood_sum)
    spread = Z95 * se / (survival * abs(math.log(survival)))
    centre = math.log(-math.log(survival))
    return (math.exp(-math.exp(centre + spread)), math.exp(-math.exp(centre - spread)))


def test_kaplan_meier_matches_freireich_6mp_survival(six_mp: KaplanMeier) -> None:
    published = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}
    for t, value in published.items():
        point = six_mp.survival_at(t)
        assert point is not None
        assert point[0] == pytest.approx(value, abs=TOL)
    exact = {6: S6, 7: S7, 10: S10, 13: S13, 16: S16, 22: S22, 23: S23}
    for t, value in exact.items():
        point = six_mp.survival_at(t)
        assert point is not None
        assert point[0] == pytest.approx(value, abs=1e-12)


def test_kaplan_meier_tabulates_risk_sets_at_every_distinct_time(six_mp: KaplanMeier) -> None:
    assert six_mp.n == 21
    assert six_mp.times == (6, 7, 9, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 34, 35)
    assert six_mp.n_at_risk == (21, 17, 16, 15, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 2, 1)
    assert six_mp.n_events == (3, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0)
    assert six_mp.n_censored == (1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 2, 1, 1)
    assert all(type(x) is float for x in six_mp.survival + six_mp.lower + six_mp.upper)
    assert all(type(x) is int for x in six_mp.n_at_risk)


def test_kaplan_meier_greenwood_standard_error_matches_hand_sum(six_mp: KaplanMeier) -> None:
    # SE(6) = S6 * sqrt(3 / (21 * 18)) = 0.857143 * 0.089087 = 0.0764
    assert six_mp.std_err[0] == pytest.approx(S6 * math.sqrt(GW6), abs=1e-9)
    assert six_mp.std_err[0] == pytest.approx(0.0764, abs=TOL)
    # SE(23) = S23 * sqrt(sum of the seven increments = 0.0901844) = 0.448179 * 0.300307
    total = GW6 + GW7 + GW10 + GW13 + GW16 + GW22 + GW23
    assert total == pytest.approx(0.0901844, abs=1e-7)
    assert six_mp.std_err[11] == pytest.approx(S23 * math.sqrt(total), abs=1e-9)
    assert six_mp.std_err[11] == pytest.approx(0.1346, abs=TOL)


def test_kaplan_meier_loglog_interval_matches_hand_computation(six_mp: KaplanMeier) -> None:
    # t = 6: log(-log S) = log(0.154151) = -1.869825; z * 0.089087 / 0.154151 = 1.132706
    # -> (exp(-exp(-0.737118)), exp(-exp(-3.002531))) = (0.620, 0.952)
    at6 = six_mp.survival_at(6)
    assert at6 is not None
    assert at6[1:] == pytest.approx(loglog_interval(S6, GW6), abs=1e-6)
    assert at6[1:] == pytest.approx((0.620, 0.952), abs=TOL)
    # t = 13: log(-log S) = log(0.370780) = -0.992148; z * 0.154760 / 0.370780 = 0.818071
    # -> (exp(-exp(-0.174077)), exp(-exp(-1.810218))) = (0.432, 0.849)
    at13 = six_mp.survival_at(13)
    assert at13 is not None
    assert at13[1:] == pytest.approx(loglog_interval(S13, GW6 + GW7 + GW10 + GW13), abs=1e-6)
    assert at13[1:] == pytest.approx((0.432, 0.849), abs=TOL)


def test_kaplan_meier_median_and_brookmeyer_crowley_limits(six_mp: KaplanMeier) -> None:
    # Median: S(22) = 0.538 > 0.5 and S(23) = 0.448 <= 0.5, so the median is 23 weeks.
    # Lower limit: the lower log-log band is 0.503 at t = 10-11 (still > 0.5) and
    #   0.432 at t = 13 (worked above), so the first time it is <= 0.5 is 13.
    # Upper limit: the upper band only falls at events; its last value, at t = 23, is
    #   loglog_interval(S23, sum to 23)[1] = 0.680 > 0.5 and the curve is flat to 35, so
    #   it never reaches 0.5: not reached (None). R's survfit gives the same (13, NA).
    total = GW6 + GW7 + GW10 + GW13 + GW16 + GW22 + GW23
    assert loglog_interval(S23, total)[1] == pytest.approx(0.680, abs=TOL)
    assert loglog_interval(S10, GW6 + GW7 + GW10)[0] == pytest.approx(0.503, abs=TOL)
    assert six_mp.median() == MedianSurvival(estimate=23.0, lower=13.0, upper=None)


def test_kaplan_meier_is_right_continuous_step_function(six_mp: KaplanMeier) -> None:
    assert six_mp.survival_at(0) == (1.0, 1.0, 1.0)
    assert six_mp.survival_at(5.999) == (1.0, 1.0, 1.0)
    assert six_mp.survival_at(6) == six_mp.survival_at(6.999)
    point = six_mp.survival_at(8.5)
    assert point is not None
    assert point[0] == pytest.approx(S7)


def test_kaplan_meier_does_not_extrapolate_past_last_follow_up(six_mp: KaplanMeier) -> None:
    last = six_mp.survival_at(35)
    assert last is not None
    assert last[0] == pytest.approx(S23)
    assert six_mp.survival_at(35.01) is None


def test_kaplan_meier_counts_subjects_at_risk_at_requested_times(six_mp: KaplanMeier) -> None:
    # #{T >= t}: all 21 at 0 and 6; 15 at 10 (10,10,11,13,16,17,19,20,22,23,25,32,32,34,35);
    # 8 at 20 (20,22,23,25,32,32,34,35); 4 at 30; 0 after the last follow-up.
    assert six_mp.at_risk([0, 6, 10, 20, 30, 36]) == (21, 21, 15, 8, 4, 0)


def test_kaplan_meier_with_no_subjects_returns_empty_curve() -> None:
    empty = kaplan_meier([], [])
    assert empty.times == ()
    assert empty.survival_at(0) is None
    assert empty.median() == MedianSurvival(None, None, None)
    assert empty.at_risk([0, 1]) == (0, 0)


def test_kaplan_meier_all_censored_stays_at_one_with_degenerate_band() -> None:
    km = kaplan_meier([1, 2, 3], [0, 0, 0])
    assert km.survival == (1.0, 1.0, 1.0)
    assert km.lower == (1.0, 1.0, 1.0)
    assert km.upper == (1.0, 1.0, 1.0)
    assert km.std_err == (0.0, 0.0, 0.0)
    assert km.median() == MedianSurvival(None, None, None)


def test_kaplan_meier_all_events_drops_to_zero_without_nan() -> None:
    # S = 2/3, 1/3, 0. At S = 0 the log-log band is undefined and collapses onto 0.
    km = kaplan_meier([1, 2, 3], [1, 1, 1])
    assert km.survival == pytest.approx((2 / 3, 1 / 3, 0.0))
    assert km.lower[-1] == 0.0
    assert km.upper[-1] == 0.0
    assert km.std_err[-1] == 0.0
    # SE(1) = (2/3) sqrt(1 / (3 * 2)) = 0.272166; SE(2) = (1/3) sqrt(1/6 + 1/2) = 0.272166
    assert km.std_err[:2] == pytest.approx((0.272166, 0.272166), abs=1e-6)
    # Median 2 (S = 1/3 <= 0.5); upper band at 2 is 0.774 > 0.5, collapses to 0 at 3.
    assert km.median() == MedianSurvival(estimate=2.0, lower=1.0, upper=3.0)


def test_kaplan_meier_single_subject() -> None:
    km = kaplan_meier([4.5], [1])
    assert km.survival == (0.0,)
    assert km.survival_at(4.0) == (1.0, 1.0, 1.0)
    assert km.survival_at(4.5) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("times", "events", "message"),
    [
        ([1, -2], [1, 0], "non-negative"),
        ([1, 2], [1], "same length"),
        ([1, 2], [1, 2], "may only contain"),
        ([1, float("nan")], [1, 0], "finite"),
        ([1, 2], [0.5, 1], "integers"),
    ],
)
def test_kaplan_meier_rejects_bad_input(
    times: list[float], events: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        kaplan_meier(times, events)


def test_kaplan_meier_survival_at_rejects_negative_time(six_mp: KaplanMeier) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        six_mp.survival_at(-1)
