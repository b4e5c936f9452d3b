"""Tests for audit.stats.cusum.

Method: Steiner SH, Cook RJ, Farewell VT, Treasure T (2000) "Monitoring surgical
performance using risk-adjusted cumulative sum charts", Biostatistics 1:441-452, used
here without risk adjustment (constant p0).
"""

import math
import time

import pytest

from audit.stats.cusum import (
    ControlLimit,
    CusumWeights,
    bernoulli_cusum,
    control_limit,
    cusum_weights,
    simulate_arl0,
)

# p0 = 0.1, R_A = 2: 1 - p0 + R_A p0 = 1.1
FAILURE = math.log(2 / 1.1)  # 0.597837
SUCCESS = math.log(1 / 1.1)  # -0.095310


def test_cusum_weights_for_p10_odds_ratio_2_by_hand() -> None:
    weights = cusum_weights(0.1, 2.0)
    assert weights.failure == pytest.approx(0.5978, abs=5e-5)
    assert weights.success == pytest.approx(-0.0953, abs=5e-5)
    assert weights == CusumWeights(success=pytest.approx(SUCCESS), failure=pytest.approx(FAILURE))


def test_cusum_weights_are_log_likelihood_ratios() -> None:
    # p1 = R_A p0 / (1 - p0 + R_A p0) = 0.2 / 1.1 = 0.181818; log(p1/p0) and
    # log((1 - p1)/(1 - p0)) must equal the two scores.
    p1 = 0.2 / 1.1
    weights = cusum_weights(0.1, 2.0)
    assert weights.failure == pytest.approx(math.log(p1 / 0.1), abs=1e-12)
    assert weights.success == pytest.approx(math.log((1 - p1) / 0.9), abs=1e-12)


def test_cusum_weights_for_improvement_chart() -> None:
    # R_A = 0.5: 1 - 0.1 + 0.05 = 0.95 -> success -log 0.95 = 0.051293,
    # failure log 0.5 - log 0.95 = -0.641854.
    weights = cusum_weights(0.1, 0.5)
    assert weights.success == pytest.approx(0.051293, abs=1e-6)
    assert weights.failure == pytest.approx(-0.641854, abs=1e-6)


def test_bernoulli_cusum_path_signals_and_resets_by_hand() -> None:
    # h = 1.0, outcomes 1, 1, 0, 1, 0, 0:
    # S1 = 0.597837; S2 = 1.195674 >= 1 -> signal at index 1, restart from 0;
    # S3 = max(0, 0 - 0.095310) = 0; S4 = 0.597837; S5 = 0.502527; S6 = 0.407217
    result = bernoulli_cusum([1, 1, 0, 1, 0, 0], 0.1, h=1.0)
    expected = (0.597837, 1.195674, 0.0, 0.597837, 0.502527, 0.407217)
    assert result.path == pytest.approx(expected, abs=1e-6)
    assert result.signals == (1,)
    assert result.h == 1.0
    assert all(type(x) is float for x in result.path)


def test_bernoulli_cusum_is_floored_at_zero_without_complications() -> None:
    result = bernoulli_cusum([0] * 5, 0.1, h=2.0)
    assert result.path == (0.0,) * 5
    assert result.signals == ()


def test_bernoulli_cusum_signals_repeatedly() -> None:
    # h = 0.5: every complication scores 0.597837 >= 0.5 from a reset chart.
    result = bernoulli_cusum([1, 0, 1, 1], 0.1, h=0.5)
    assert result.signals == (0, 2, 3)


def test_bernoulli_cusum_empty_sequence() -> None:
    result = bernoulli_cusum([], 0.1, h=1.0)
    assert result.path == ()
    assert result.signals == ()


@pytest.mark.parametrize(
    ("outcomes", "p0", "kwargs", "message"),
    [
        ([0, 2], 0.1, {"h": 1.0}, "may only contain"),
        ([0, 1], 1.0, {"h": 1.0}, "p0"),
        ([0, 1], 0.1, {"h": 0.0}, "h must be positive"),
        ([0, 1], 0.1, {"h": 1.0, "odds_ratio": 1.0}, "odds_ratio"),
        ([0, 1], 0.1, {"h": 1.0, "odds_ratio": -2.0}, "odds_ratio"),
    ],
)
def test_bernoulli_cusum_rejects_bad_input(
    outcomes: list[int], p0: float, kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        bernoulli_cusum(outcomes, p0, **kwargs)


def test_simulate_arl0_with_tiny_h_is_geometric_mean_one_over_p0() -> None:
    # Any h <= 0.597837 signals at the first complication: run length ~ Geometric(0.1),
    # mean 1 / 0.1 = 10; simulation SE = sqrt(0.9) / 0.1 / sqrt(20000) = 0.067.
    assert simulate_arl0(0.1, 0.5, n_sim=20_000, max_run=300) == pytest.approx(10, abs=0.3)


def test_simulate_arl0_increases_with_h() -> None:
    arls = [simulate_arl0(0.1, h, n_sim=1000, max_run=3000) for h in (1.0, 1.5, 2.0, 2.5)]
    assert arls == sorted(arls)
    assert arls[0] < arls[-1]


def test_simulate_arl0_is_deterministic_for_a_seed() -> None:
    first = simulate_arl0(0.1, 2.0, n_sim=500, seed=11, max_run=2000)
    assert simulate_arl0(0.1, 2.0, n_sim=500, seed=11, max_run=2000) == first


@pytest.mark.parametrize("target", [200.0, 1000.0])
def test_control_limit_reaches_target_arl0_within_ten_percent(target: float) -> None:
    chosen = control_limit(0.1, target_arl0=target)
    assert chosen.arl0 >= target
    assert chosen.arl0 == pytest.approx(target, rel=0.05)
    # Independent check with fresh random numbers and longer runs.
    check = simulate_arl0(0.1, chosen.h, n_sim=4000, seed=7, max_run=int(10 * target))
    assert check == pytest.approx(target, rel=0.10)


def test_control_limit_is_the_smallest_grid_h_reaching_target() -> None:
    chosen = control_limit(0.1, target_arl0=300.0, n_sim=1000)
    same = {"n_sim": 1000, "seed": chosen.seed, "max_run": chosen.max_run}
    assert simulate_arl0(0.1, chosen.h, **same) == pytest.approx(chosen.arl0, abs=1e-9)
    assert simulate_arl0(0.1, chosen.h - 2.0**-9, **same) < 300.0


def test_control_limit_is_deterministic_and_records_its_settings() -> None:
    first = control_limit(0.05, odds_ratio=2.0, target_arl0=500.0, n_sim=800, seed=3)
    assert control_limit(0.05, target_arl0=500.0, n_sim=800, seed=3) == first
    assert isinstance(first, ControlLimit)
    assert (first.n_sim, first.seed, first.max_run, first.target_arl0) == (800, 3, 2500, 500.0)
    assert type(first.h) is float
    assert type(first.arl0) is float


def test_control_limit_is_fast_enough_for_interactive_use() -> None:
    start = time.perf_counter()
    control_limit(0.1, target_arl0=1000.0, n_sim=2000)
    # Typically ~0.3 s; the generous bound only guards against an accidental slow path.
    assert time.perf_counter() - start < 3.0


def test_control_limit_rejects_unreachable_or_bad_targets() -> None:
    # ARL0 can never be below ~1/p0 = 10 for a deterioration chart.
    with pytest.raises(ValueError, match="smallest achievable"):
        control_limit(0.1, target_arl0=5.0, n_sim=500)
    with pytest.raises(ValueError, match="exceed 1"):
        control_limit(0.1, target_arl0=1.0)
    with pytest.raises(ValueError, match="n_sim"):
        control_limit(0.1, target_arl0=100.0, n_sim=0)
    with pytest.raises(ValueError, match="max_run"):
        control_limit(0.1, target_arl0=100.0, max_run=1)
