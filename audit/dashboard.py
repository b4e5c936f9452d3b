"""Everything the dashboard, its charts and the printable report show, computed once.

`get_dashboard(site_ids=..., period=...)` summarises the registry in one SQL query
(audit.facts, via audit.selectors), computes every measure and panel from the
resulting columns (audit.columns) and caches the result by data version
(audit.cache): the page and each of its charts share one computation.
`national_dashboard()` is the registry admin's default page, which the benchmarks time.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass

from audit import cache, selectors, stats
from audit.columns import Tally
from audit.criteria import (
    CompletenessRow,
    CriterionRow,
    OverdueRow,
    completeness,
    nice_criteria,
    overdue_follow_ups,
)
from audit.definitions import (
    ALL,
    MEASURES_BY_CODE,
    AuditSettings,
    Kind,
    Measure,
    audit_settings,
)
from audit.metrics import MetricResult, make_period, metrics_for_tally, read_tally
from audit.panels import (
    CusumPanel,
    FunnelPanel,
    LtpPanel,
    SurvivalPanel,
    cusum_panel,
    funnel_panel,
    ltp_panel,
    survival_panel,
)
from audit.rows import FigureRow, Period, PublicationRow, SiteRow

FUNNEL_MEASURES = ("major_complication", "primary_efficacy")
CUSUM_MEASURE = "major_complication"
TILE_KINDS = frozenset({Kind.PROPORTION, Kind.MEDIAN, Kind.MEAN})


@dataclass(frozen=True)
class SubgroupTable:
    code: str
    label: str
    unit: str
    rows: tuple[MetricResult, ...]
    size_test: stats.FisherResult | None


@dataclass(frozen=True)
class Dashboard:
    sites: tuple[SiteRow, ...]
    period: Period
    config: AuditSettings
    n_patients: int
    n_tumours: int
    n_procedures: int
    metrics: tuple[MetricResult, ...]
    figures: tuple[FigureRow, ...]
    survival: SurvivalPanel
    ltp: LtpPanel
    funnels: tuple[FunnelPanel, ...]
    cusums: tuple[CusumPanel, ...]
    criteria: tuple[CriterionRow, ...]
    completeness: tuple[CompletenessRow, ...]
    overdue: tuple[OverdueRow, ...]
    subgroup_tables: tuple[SubgroupTable, ...]

    @property
    def tiles(self) -> tuple[MetricResult, ...]:
        """Return the whole-cohort result of each measure shown as a tile."""
        return tuple(m for m in self.metrics if m.subgroup == ALL and Kind(m.kind) in TILE_KINDS)

    @property
    def survival_result(self) -> MetricResult | None:
        """Return overall survival at 1 year for everyone (it carries the log-rank verdict)."""
        return next(
            (m for m in self.metrics if m.code == "overall_survival" and m.subgroup == ALL), None
        )

    def metric(self, code: str, subgroup: str = ALL, months: int | None = None) -> MetricResult:
        return next(
            m
            for m in self.metrics
            if m.code == code and m.subgroup == subgroup and m.time_point_months == months
        )

    def funnel(self, code: str) -> FunnelPanel:
        return next(f for f in self.funnels if f.code == code)

    def cusum(self, by: str) -> CusumPanel:
        return next(c for c in self.cusums if c.by == by)


def _subgroup_tables(metrics: tuple[MetricResult, ...]) -> tuple[SubgroupTable, ...]:
    tables = []
    for code, measure in MEASURES_BY_CODE.items():
        if measure.kind is not Kind.PROPORTION:
            continue
        rows = tuple(m for m in metrics if m.code == code and m.subgroup != ALL)
        by_code = {m.subgroup: m for m in rows}
        small, large = by_code.get("size_lt40"), by_code.get("size_ge40")
        test = None
        if small and large and small.k is not None and large.k is not None:
            test = stats.fisher_test(small.k, small.n, large.k, large.n)
        tables.append(SubgroupTable(code, measure.name, str(measure.unit), rows, test))
    return tuple(tables)


@functools.lru_cache(maxsize=32)
def cusum_limit(rate: float, odds_ratio: float, target_arl0: float) -> stats.ControlLimit:
    """Return the simulated CUSUM control limit, computed once per process and shared.

    The limit depends only on the benchmark rate and the settings, never on registry
    data, so it is kept without a data version: in this worker's memory, and in the
    shared cache for the other workers.
    """
    parts = ("cusum-limit", rate, odds_ratio, target_arl0)
    return cache.cached_forever(
        parts,
        lambda: stats.control_limit(rate, odds_ratio=odds_ratio, target_arl0=target_arl0),
    )


def _control_limit(config: AuditSettings) -> Callable[[float], stats.ControlLimit]:
    def limit_for(rate: float) -> stats.ControlLimit:
        return cusum_limit(round(rate, 6), config.cusum_odds_ratio, config.cusum_target_arl0)

    return limit_for


@dataclass(frozen=True)
class _Panels:
    survival: SurvivalPanel
    ltp: LtpPanel
    funnels: tuple[FunnelPanel, ...]
    cusums: tuple[CusumPanel, ...]


def _cusums(
    tally: Tally, figures: tuple[FigureRow, ...], config: AuditSettings
) -> tuple[CusumPanel, ...]:
    measure: Measure = MEASURES_BY_CODE[CUSUM_MEASURE]
    complications = tally.outcomes[CUSUM_MEASURE]
    limit_for = _control_limit(config)
    site_codes = {site.id: site.code for site in tally.sites}
    site_labels = {pk: site_codes.get(pk, "?") for pk in set(complications.site_id.tolist())}
    operators = complications.operator
    assert operators is not None
    return (
        cusum_panel(
            "site",
            measure,
            complications,
            complications.site_id,
            site_labels,
            figures,
            config,
            limit_for,
        ),
        cusum_panel(
            "operator",
            measure,
            complications,
            operators,
            complications.operator_labels,
            figures,
            config,
            limit_for,
        ),
    )


def _panels(tally: Tally, figures: tuple[FigureRow, ...], config: AuditSettings) -> _Panels:
    funnels = tuple(
        funnel_panel(MEASURES_BY_CODE[code], tally.outcomes[code], tally.sites, figures)
        for code in FUNNEL_MEASURES
    )
    return _Panels(
        survival=survival_panel(MEASURES_BY_CODE["overall_survival"], tally.survival, figures),
        ltp=ltp_panel(tally.ltp, figures),
        funnels=funnels,
        cusums=_cusums(tally, figures, config),
    )


def build_dashboard(
    tally: Tally,
    figures: tuple[FigureRow, ...],
    publications: tuple[PublicationRow, ...],
    config: AuditSettings,
) -> Dashboard:
    """Compute the whole dashboard of a cohort's tally (pure: no database, no cache)."""
    metrics = metrics_for_tally(tally, figures, publications, config)
    panels = _panels(tally, figures, config)
    return Dashboard(
        sites=tally.sites,
        period=tally.period,
        config=config,
        n_patients=tally.n_patients,
        n_tumours=tally.n_tumours,
        n_procedures=tally.n_procedures,
        metrics=metrics,
        figures=figures,
        criteria=nice_criteria(tally, metrics, config),
        completeness=completeness(tally),
        overdue=overdue_follow_ups(tally),
        subgroup_tables=_subgroup_tables(metrics),
        survival=panels.survival,
        ltp=panels.ltp,
        funnels=panels.funnels,
        cusums=panels.cusums,
    )


def get_dashboard(*, site_ids: Collection[int] | None, period: Period) -> Dashboard:
    """Return the dashboard of the sites (None: every site) and period, cached by data version."""
    scope = None if site_ids is None else sorted(set(site_ids))
    config = audit_settings()

    def compute() -> Dashboard:
        tally = read_tally(site_ids=scope, period=period, config=config)
        figures, publications = selectors.published_figures()
        return build_dashboard(tally, figures, publications, config)

    return cache.cached(("dashboard", scope, period, config), compute)


def national_dashboard(*, as_of: datetime.date | None = None) -> Dashboard:
    """Return the national dashboard: what the page computes for a registry admin by default.

    Every site, every procedure date, the data read on ``as_of`` (default today): the
    dashboard view computes exactly this for a registry admin who has not filtered,
    and then only renders it. Cached like any dashboard: call
    ``cache.bump_data_version()`` first to time it cold.
    """
    return get_dashboard(site_ids=None, period=make_period(None, None, as_of))
