"""NICE HTG241 audit criteria and data completeness of a cohort (no database).

The criteria follow the shape of NICE's interventional-procedure audit tools: each
is a percentage with a numerator, a denominator and a standard, either taken from
the guidance (100%) or set locally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audit.columns import Counts, Tally
from audit.definitions import AuditSettings
from audit.metrics import MetricResult
from audit.rows import SiteRow


@dataclass(frozen=True)
class CriterionRow:
    key: str
    criterion: str
    source: str
    numerator: str
    denominator: str
    k: int
    n: int
    standard: str
    standard_percent: float | None
    note: str = ""

    @property
    def percent(self) -> float | None:
        return 100.0 * self.k / self.n if self.n else None

    @property
    def met(self) -> bool | None:
        """Tell whether the standard is met (None: no numeric standard or no cases)."""
        if self.standard_percent is None or self.percent is None:
            return None
        return self.percent >= self.standard_percent


def _outcomes_row(metrics: Sequence[MetricResult]) -> CriterionRow:
    tested = [
        m
        for m in metrics
        if m.subgroup == "all"
        and m.verdict in {"consistent", "better", "worse"}
        and (m.time_point_months in (None, 12))
    ]
    good = [m for m in tested if m.verdict in {"consistent", "better"}]
    worse = [m.label for m in tested if m.verdict == "worse"]
    return CriterionRow(
        key="outcomes",
        criterion="Efficacy and safety",
        source="HTG241 1.2, 2.3.4, 2.4",
        numerator="Outcome measures consistent with or better than the published series",
        denominator="Outcome measures with a verdict (see the tiles)",
        k=len(good),
        n=len(tested),
        standard="published series",
        standard_percent=100.0,
        note=f"Worse: {'; '.join(worse)}." if worse else "",
    )


_FIRST_TREATED = "Patients whose first cryotherapy was in the period"


def _mdt_row(counts: Counts) -> CriterionRow:
    return CriterionRow(
        "mdt",
        "MDT selection",
        "HTG241 1.3",
        "Patients discussed by a hepatobiliary MDT on or before their first cryotherapy",
        _FIRST_TREATED,
        counts.mdt_before,
        counts.patients,
        "100%",
        100.0,
    )


def _information_row(counts: Counts) -> CriterionRow:
    return CriterionRow(
        "information",
        "Written information naming the alternatives",
        "HTG241 1.2",
        "Patients given written information on or before their first cryotherapy, "
        "with the alternative ablative treatments discussed",
        _FIRST_TREATED,
        counts.informed,
        counts.patients,
        "100%",
        100.0,
    )


def _consent_row(counts: Counts) -> CriterionRow:
    return CriterionRow(
        "consent",
        "Consent recorded",
        "HTG241 1.1",
        "Procedures with documented consent",
        "Procedures performed in the period",
        counts.consented,
        counts.procedures,
        "100%",
        100.0,
    )


def _governance_row(sites: Sequence[SiteRow]) -> CriterionRow:
    return CriterionRow(
        "governance",
        "Governance lead informed",
        "HTG241 1.2",
        "Sites with the date their clinical governance lead was informed recorded",
        "Sites selected",
        sum(s.governance_lead_informed_on is not None for s in sites),
        len(sites),
        "100%",
        100.0,
    )


def _size_row(counts: Counts) -> CriterionRow:
    return CriterionRow(
        "size",
        "Tumours over 4 cm",
        "HTG241 2.2.3",
        "Tumours over 4 cm (40 mm) at their first cryotherapy",
        "Tumours first treated in the period",
        counts.large,
        counts.tumours,
        "local (an exception, with a reason)",
        None,
        note=f"{counts.large_with_reason} of {counts.large} with a reason recorded.",
    )


def _follow_up_row(counts: Counts, config: AuditSettings) -> CriterionRow:
    days = config.follow_up_days
    return CriterionRow(
        "follow_up",
        "Outcome follow-up",
        "HTG241 1.2",
        f"Patients with a follow-up at least {days} days after their first cryotherapy, "
        "or who died before then",
        f"Patients first treated in the period at least {days} days before the data date",
        counts.followed_up,
        counts.follow_up_eligible,
        f"{config.follow_up_standard_percent:g}% (local)",
        config.follow_up_standard_percent,
    )


def nice_criteria(
    tally: Tally, metrics: Sequence[MetricResult], config: AuditSettings
) -> tuple[CriterionRow, ...]:
    """Return the NICE HTG241 audit criteria for the cohort (reference section 1)."""
    return (
        _mdt_row(tally.counts),
        _information_row(tally.counts),
        _consent_row(tally.counts),
        _governance_row(tally.sites),
        _size_row(tally.counts),
        _follow_up_row(tally.counts, config),
        _outcomes_row(metrics),
    )


@dataclass(frozen=True)
class CompletenessRow:
    item: str
    unit: str
    missing: int
    n: int

    @property
    def percent_missing(self) -> float | None:
        return 100.0 * self.missing / self.n if self.n else None


def completeness(tally: Tally) -> tuple[CompletenessRow, ...]:
    """Count required items left empty in the cohort's records."""
    c = tally.counts
    return (
        CompletenessRow("MDT date", "patient", c.mdt_missing, c.patients),
        CompletenessRow("Written information date", "patient", c.information_missing, c.patients),
        CompletenessRow(
            "Alternatives discussed (yes/no)", "patient", c.alternatives_missing, c.patients
        ),
        CompletenessRow("Baseline CEA", "patient", c.baseline_cea_missing, c.patients),
        CompletenessRow(
            "Consent documented", "procedure", c.procedures - c.consented, c.procedures
        ),
        CompletenessRow("Operator", "procedure", c.operator_missing, c.procedures),
        CompletenessRow(
            "Technical success (yes/no)", "tumour treatment", c.technical_unknown, c.treatments
        ),
        CompletenessRow(
            "Reason for treating a tumour over 4 cm",
            "tumour over 4 cm",
            c.large - c.large_with_reason,
            c.large,
        ),
        CompletenessRow(
            "Imaging assessment by the end of the efficacy window",
            "tumour",
            c.imaging_missing,
            c.imaging_due,
        ),
    )


@dataclass(frozen=True)
class OverdueRow:
    site: str
    overdue: int
    scheduled: int
    patients: int


def overdue_follow_ups(tally: Tally) -> tuple[OverdueRow, ...]:
    """Count, per site, patients whose next follow-up window has closed without a contact.

    The next due date is Patient.next_follow_up_due, derived by the registry's
    follow-up schedule (empty for the dead, the lost to follow-up and completed schedules);
    "overdue" is the schedule's own definition, as on the clinicians' worklist.
    """
    return tuple(
        OverdueRow(site.code, overdue, scheduled, patients)
        for site, (overdue, scheduled, patients) in zip(
            tally.sites, tally.counts.overdue, strict=True
        )
    )
