"""Framework-free statistics for the CryoAudit outcomes registry.

Proportions and benchmark verdicts, Kaplan-Meier survival, the one-sample log-rank
test against a published curve, competing-risks cumulative incidence, funnel-plot
limits and the Bernoulli CUSUM. Inputs are plain numbers and sequences; results are
frozen dataclasses of Python floats, ints and tuples, so they serialise to JSON and
can be cached. This package must never import Django.
"""

from .competing import CumulativeIncidence, cumulative_incidence
from .cusum import (
    ControlLimit,
    CusumResult,
    CusumWeights,
    bernoulli_cusum,
    control_limit,
    cusum_weights,
    simulate_arl0,
)
from .funnel import (
    Direction,
    FunnelLimits,
    FunnelZone,
    Overdispersion,
    UnitClassification,
    binomial_limit,
    classify_unit,
    funnel_curve,
    funnel_limits,
    inflated_limits,
    overdispersion,
)
from .logrank import OneSampleLogRank, one_sample_logrank, reference_cumulative_hazard
from .proportions import (
    FisherResult,
    Proportion,
    Verdict,
    binomial_test,
    clopper_pearson_interval,
    fisher_test,
    proportion,
    verdict,
    wilson_interval,
)
from .survival import KaplanMeier, MedianSurvival, kaplan_meier

__all__ = [
    "ControlLimit",
    "CumulativeIncidence",
    "CusumResult",
    "CusumWeights",
    "Direction",
    "FisherResult",
    "FunnelLimits",
    "FunnelZone",
    "KaplanMeier",
    "MedianSurvival",
    "OneSampleLogRank",
    "Overdispersion",
    "Proportion",
    "UnitClassification",
    "Verdict",
    "bernoulli_cusum",
    "binomial_limit",
    "binomial_test",
    "classify_unit",
    "clopper_pearson_interval",
    "control_limit",
    "cumulative_incidence",
    "cusum_weights",
    "fisher_test",
    "funnel_curve",
    "funnel_limits",
    "inflated_limits",
    "kaplan_meier",
    "one_sample_logrank",
    "overdispersion",
    "proportion",
    "reference_cumulative_hazard",
    "simulate_arl0",
    "verdict",
    "wilson_interval",
]
