"""Standard outcome definitions: the one place that says what every measure counts.

Each measure states its unit of analysis, numerator, denominator, time point,
exclusions, which direction is better and which published figures it is compared
with. Terminology follows Ahmed et al., "Image-guided tumor ablation:
standardization of terminology and reporting criteria - a 10-year update"
(Radiology 2014;273:241-60, the ICIR report) and, for time-to-event end points,
Puijk et al. (SIO/DATECAN consensus, Radiology 2021).

The Definitions page renders this module, the dashboard links every number to
it, and `audit.measures` computes exactly what is written here (the pages compute
the same in SQL, audit.facts, checked against audit.measures by the tests). Settings that
change a definition (the efficacy window, the CEA upper limit) are filled in by
`measures_for_display()` so that the text always matches the computation.

Withdrawn records never count: the data are read with `.current()` querysets,
which also drop every record under a withdrawn patient, procedure, follow-up or
tumour.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from django.conf import settings
from django.db import models

from registry.choices import Approach, Lobe, PrimarySite

PERIPROCEDURAL_DAYS: Final = 30  # Ahmed 2014: periprocedural = within 30 days.
MAJOR_CTCAE_GRADE: Final = 3  # "Major" = CTCAE v5 grade 3-5 (Glazer 2017 grade 3-5).
SIZE_SMALL_MM: Final = 30  # Xu 2008: better survival for tumours < 3 cm.
SIZE_NICE_MM: Final = 40  # NICE HTG241 2.2.3 and Glazer 2017: 4 cm.
SURVIVAL_MONTHS: Final = (12, 24, 36, 48, 60)
LTP_MONTHS: Final = (12, 24)
DAYS_PER_MONTH: Final = 365.25 / 12


class Unit(models.TextChoices):
    """Unit of analysis (Ahmed 2014): results are only compared within one unit."""

    PATIENT = "patient", "patient"
    TUMOUR = "tumour", "tumour"
    PROCEDURE = "procedure", "procedure"
    NOT_STATED = "not_stated", "not stated"


class Arm(models.TextChoices):
    """Which treatment the published group received."""

    CRYOTHERAPY = "cryotherapy", "Cryotherapy"
    CRYOTHERAPY_CHEMOTHERAPY = "cryotherapy_chemotherapy", "Cryotherapy + chemotherapy"
    RESECTION_CRYOTHERAPY = "resection_cryotherapy", "Resection + cryotherapy"
    RESECTION = "resection", "Resection (comparator)"
    RESECTION_CHEMOTHERAPY = "resection_chemotherapy", "Resection + chemotherapy (comparator)"
    MIXED = "mixed", "Whole study (arm not stated)"


class ValueUnit(models.TextChoices):
    PERCENT = "percent", "%"
    MONTHS = "months", "months"
    RELATIVE_RISK = "relative_risk", "relative risk"


class Kind(StrEnum):
    """What sort of number a measure is."""

    PROPORTION = "proportion"  # k of N, Wilson 95% CI, exact binomial verdict
    SURVIVAL = "survival"  # Kaplan-Meier S(t) at a time point
    MEDIAN = "median"  # median survival in months
    CUMULATIVE_INCIDENCE = "cumulative_incidence"  # Aalen-Johansen F(t)
    MEAN = "mean"  # k events over N units


class PublishedMeasure(models.TextChoices):
    """What a published figure measures: the local measures and context-only ones."""

    TECHNICAL_SUCCESS = "technical_success", "Technical success"
    TECHNIQUE_EFFICACY = "technique_efficacy", "Technique efficacy"
    LOCAL_PROGRESSION = "local_progression", "Local tumour progression"
    ANY_COMPLICATION = "any_complication", "Any complication / adverse event"
    MAJOR_COMPLICATION = "major_complication", "Major complication (grade 3-5)"
    MORTALITY_30D = "mortality_30d", "30-day mortality"
    OVERALL_SURVIVAL = "overall_survival", "Overall survival"
    MEDIAN_SURVIVAL = "median_survival", "Median overall survival"
    ANY_RECURRENCE = "any_recurrence", "Any recurrence"
    RECIST_CR = "recist_cr", "RECIST complete response"
    RECIST_PR = "recist_pr", "RECIST partial response"
    RECIST_SD = "recist_sd", "RECIST stable disease"
    RECIST_PD = "recist_pd", "RECIST progressive disease"
    CEA_NORMALISATION = "cea_normalisation", "CEA normalisation"
    REPEAT_PROCEDURE = "repeat_procedure", "Repeat cryotherapy"
    # Context only: shown beside a local measure, never tested against it.
    PERIOPERATIVE_MORTALITY = "perioperative_mortality", "Perioperative / surgical mortality"
    INTRAPROCEDURAL_MORTALITY = "intraprocedural_mortality", "Intraprocedural mortality"
    MORTALITY_UNSPECIFIED = "mortality_unspecified", "Mortality (period not stated)"
    PERIOPERATIVE_MORBIDITY = "perioperative_morbidity", "Perioperative morbidity"
    HAEMORRHAGE = "haemorrhage", "Haemorrhage"
    INFECTION = "infection", "Infection"
    FEVER = "fever", "Fever > 38 °C"
    SPECIFIC_ADVERSE_EVENTS = "specific_adverse_events", "Each named adverse event"
    DISEASE_FREE_SURVIVAL = "disease_free_survival", "Disease-free survival"
    ALL_CAUSE_MORTALITY_RR = "all_cause_mortality_rr", "All-cause mortality (relative risk)"


def _subgroup_choices() -> list[tuple[str, str]]:
    sizes = [
        ("size_lt30", "tumour < 3 cm"),
        ("size_ge30", "tumour ≥ 3 cm"),
        ("size_lt40", "tumour < 4 cm"),
        ("size_ge40", "tumour ≥ 4 cm"),
    ]
    approaches = [(f"approach_{c}", f"{label} approach") for c, label in Approach.choices]
    lobes = [(f"lobe_{c}", f"{label} lobe") for c, label in Lobe.choices]
    primaries = [(f"primary_{c}", f"{label} primary") for c, label in PrimarySite.choices]
    return [("all", "all"), *sizes, *approaches, *lobes, *primaries]


SUBGROUP_CHOICES: Final = _subgroup_choices()
SUBGROUP_LABELS: Final = dict(SUBGROUP_CHOICES)
ALL: Final = "all"

SUBGROUP_NOTE: Final = (
    "Subgroups: a tumour by its own size, lobe (Couinaud segment I caudate, II-IV left, "
    "V-VIII right) and the approach of its first cryotherapy; a procedure or a patient by "
    "the largest tumour treated (size and lobe), the approach of the procedure (for a "
    "patient, of the first procedure); everyone by the primary tumour site."
)


@dataclass(frozen=True)
class Measure:
    """One outcome measure, as written on the Definitions page."""

    code: str
    name: str
    unit: Unit
    kind: Kind
    numerator: str
    denominator: str
    time_point: str
    exclusions: str
    higher_is_better: bool | None
    terminology: str
    # Published measures compared like-for-like (a verdict when unit, subgroup and
    # arm also match), and published measures shown beside the tile for context.
    benchmarks: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    # The publication whose figure anchors funnels, CUSUM and the headline verdict.
    reference: str = ""
    time_points_months: tuple[int, ...] = ()

    @property
    def anchor(self) -> str:
        return f"measure-{self.code.replace('_', '-')}"

    @property
    def direction(self) -> str:
        if self.higher_is_better is None:
            return "neither (no better or worse direction)"
        return "higher is better" if self.higher_is_better else "lower is better"


_WITHDRAWN = (
    "Withdrawn records and every record under a withdrawn patient, procedure, tumour or follow-up"
)
_TUMOUR_COHORT = "tumours whose first cryotherapy was in the period"
_PATIENT_COHORT = "patients whose first cryotherapy was in the period"
_PROCEDURE_COHORT = "procedures performed in the period and at least 30 days before the data date"
_COMPLICATION_EXCLUSIONS = (
    f"{_WITHDRAWN}; side effects (pain, post-ablation syndrome, asymptomatic effusion are "
    "recorded separately, Ahmed 2014); events starting more than 30 days after the "
    "procedure; procedures less than 30 days before the data date (their 30 days are "
    "not over)."
)


_EFFICACY_DENOMINATOR = (
    f"{_TUMOUR_COHORT.capitalize()} with an imaging assessment (complete ablation, "
    "residual unablated tumour or local tumour progression) {window_start}-{window_end} "
    "days after that first cryotherapy"
)
_EFFICACY_TIME = (
    "The first assessment {window_start}-{window_end} days after the tumour's first "
    "cryotherapy (3 months; AUDIT_EFFICACY_WINDOW_DAYS)"
)
_EFFICACY_EXCLUSIONS = (
    f"{_WITHDRAWN}; tumours without an evaluable assessment in the window "
    "('not assessed' does not count)."
)
_TUMOUR_MEASURES: Final[tuple[Measure, ...]] = (
    Measure(
        code="technical_success",
        name="Technical success",
        unit=Unit.TUMOUR,
        kind=Kind.PROPORTION,
        numerator=(
            "Tumour treatments in which the tumour was treated per protocol and fully "
            "covered by the ablation zone (ice ball) on intraprocedural or immediate imaging"
        ),
        denominator=(
            "Tumour treatments (each tumour treated in each procedure) in procedures "
            "performed in the period, with technical success recorded as yes or no"
        ),
        time_point="End of the procedure (intraprocedural or immediate imaging)",
        exclusions=f"{_WITHDRAWN}; treatments with technical success 'unknown'.",
        higher_is_better=True,
        terminology="Technical success (Ahmed et al. 2014)",
        benchmarks=("technical_success",),
        reference="Glazer 2017",
    ),
    Measure(
        code="primary_efficacy",
        name="Primary technique efficacy at 3 months",
        unit=Unit.TUMOUR,
        kind=Kind.PROPORTION,
        numerator=(
            "Tumours whose first assessment in the window shows complete ablation, with "
            "no further cryotherapy of the tumour before that assessment"
        ),
        denominator=_EFFICACY_DENOMINATOR,
        time_point=_EFFICACY_TIME,
        exclusions=_EFFICACY_EXCLUSIONS,
        higher_is_better=True,
        terminology="Primary technique efficacy (Ahmed et al. 2014)",
        benchmarks=("technique_efficacy",),
        reference="Glazer 2017",
    ),
    Measure(
        code="assisted_efficacy",
        name="Assisted technique efficacy at 3 months",
        unit=Unit.TUMOUR,
        kind=Kind.PROPORTION,
        numerator=(
            "Tumours whose first assessment in the window shows complete ablation, "
            "including tumours ablated again before that assessment"
        ),
        denominator=_EFFICACY_DENOMINATOR,
        time_point=_EFFICACY_TIME,
        exclusions=_EFFICACY_EXCLUSIONS,
        higher_is_better=True,
        terminology="Assisted (secondary) technique efficacy (Ahmed et al. 2014)",
        benchmarks=("technique_efficacy",),
        reference="Glazer 2017",
    ),
    Measure(
        code="residual_tumour",
        name="Residual unablated tumour",
        unit=Unit.TUMOUR,
        kind=Kind.PROPORTION,
        numerator=(
            "Tumours whose first follow-up imaging assessment shows residual unablated "
            "tumour (not 'recurrence')"
        ),
        denominator=(
            f"{_TUMOUR_COHORT.capitalize()} with at least one evaluable imaging assessment"
        ),
        time_point="First follow-up imaging after the tumour's first cryotherapy",
        exclusions=f"{_WITHDRAWN}; 'not assessed' results.",
        higher_is_better=False,
        terminology="Residual unablated tumour (Ahmed et al. 2014)",
    ),
    Measure(
        code="local_progression",
        name="Local tumour progression (crude)",
        unit=Unit.TUMOUR,
        kind=Kind.PROPORTION,
        numerator=(
            "Tumours with local tumour progression (tumour at the edge of the ablation "
            "zone) on an assessment after one that showed complete ablation"
        ),
        denominator=(
            f"{_TUMOUR_COHORT.capitalize()} with at least one assessment showing complete ablation"
        ),
        time_point="Any time during follow-up (crude: follow-up length differs by series)",
        exclusions=(
            f"{_WITHDRAWN}; tumours never shown completely ablated (residual tumour "
            "is not progression)."
        ),
        higher_is_better=False,
        terminology="Local tumour progression (Ahmed et al. 2014)",
        benchmarks=("local_progression",),
        reference="Glazer 2017",
    ),
    Measure(
        code="ltp_incidence",
        name="Cumulative incidence of local tumour progression",
        unit=Unit.TUMOUR,
        kind=Kind.CUMULATIVE_INCIDENCE,
        numerator=(
            "Aalen-Johansen cumulative incidence of local tumour progression, with "
            "death without progression as a competing risk"
        ),
        denominator=(
            f"{_TUMOUR_COHORT.capitalize()} with an assessment showing complete "
            "ablation; time from the tumour's first cryotherapy to the first assessment "
            "showing progression, censored at the last imaging assessment"
        ),
        time_point="12 and 24 months after the tumour's first cryotherapy",
        exclusions=f"{_WITHDRAWN}; tumours never shown completely ablated.",
        higher_is_better=False,
        terminology="Local tumour progression-free time per tumour (Puijk et al. 2021)",
        context=("local_progression",),
        reference="Glazer 2017",
        time_points_months=LTP_MONTHS,
    ),
)


_PROCEDURE_MEASURES: Final[tuple[Measure, ...]] = (
    Measure(
        code="any_complication",
        name="Any complication within 30 days",
        unit=Unit.PROCEDURE,
        kind=Kind.PROPORTION,
        numerator=(
            "Procedures followed within 30 days by at least one complication of any "
            "grade (side effects excluded)"
        ),
        denominator=_PROCEDURE_COHORT.capitalize(),
        time_point="Periprocedural: onset within 30 days of the procedure",
        exclusions=_COMPLICATION_EXCLUSIONS,
        higher_is_better=False,
        terminology="Complications, periprocedural (Ahmed et al. 2014)",
        benchmarks=("any_complication",),
        context=(
            "perioperative_morbidity",
            "haemorrhage",
            "infection",
            "fever",
            "specific_adverse_events",
        ),
        reference="Glazer 2017",
    ),
    Measure(
        code="major_complication",
        name="Major complication (CTCAE ≥ 3) within 30 days",
        unit=Unit.PROCEDURE,
        kind=Kind.PROPORTION,
        numerator=(
            "Procedures followed within 30 days by at least one complication of CTCAE "
            "v5 grade 3 or worse (severe, life-threatening or fatal)"
        ),
        denominator=_PROCEDURE_COHORT.capitalize(),
        time_point="Periprocedural: onset within 30 days of the procedure",
        exclusions=_COMPLICATION_EXCLUSIONS,
        higher_is_better=False,
        terminology="Major complication (Ahmed et al. 2014; CTCAE v5 grade 3-5)",
        benchmarks=("major_complication",),
        reference="Glazer 2017",
    ),
    Measure(
        code="mortality_30d",
        name="30-day mortality",
        unit=Unit.PROCEDURE,
        kind=Kind.PROPORTION,
        numerator=(
            "Procedures followed by the patient's death from any cause within 30 days "
            "(a death recorded at follow-up or a CTCAE grade 5 complication)"
        ),
        denominator=_PROCEDURE_COHORT.capitalize(),
        time_point="30 days after the procedure",
        exclusions=(
            f"{_WITHDRAWN}; procedures less than 30 days before the data date (their 30 "
            "days are not over)."
        ),
        higher_is_better=False,
        terminology="Procedure-related death within 30 days (Ahmed et al. 2014)",
        benchmarks=("mortality_30d",),
        context=(
            "perioperative_mortality",
            "intraprocedural_mortality",
            "mortality_unspecified",
        ),
    ),
)


def _recist_measures() -> tuple[Measure, ...]:
    categories = (
        ("cr", "complete response (CR)", True),
        ("pr", "partial response (PR)", True),
        ("sd", "stable disease (SD)", None),
        ("pd", "progressive disease (PD)", False),
    )
    return tuple(
        Measure(
            code=f"recist_{code}",
            name=f"RECIST best response: {label}",
            unit=Unit.PATIENT,
            kind=Kind.PROPORTION,
            numerator=f"Patients whose best RECIST 1.1 overall response is {label}",
            denominator=(
                f"{_PATIENT_COHORT.capitalize()} with at least one evaluable RECIST 1.1 "
                "response at follow-up (best of CR > PR > SD > PD)"
            ),
            time_point="Best response during follow-up",
            exclusions=f"{_WITHDRAWN}; responses recorded as not evaluable.",
            higher_is_better=better,
            terminology="RECIST 1.1 best overall response (as reported by Xu et al. 2008)",
            benchmarks=(f"recist_{code}",),
            reference="Xu 2008",
        )
        for code, label, better in categories
    )


_SURVIVAL_DENOMINATOR = (
    f"{_PATIENT_COHORT.capitalize()}; time from the first cryotherapy to death from any "
    "cause, censored at the last contact alive (latest follow-up or procedure)"
)
_PATIENT_MEASURES: Final[tuple[Measure, ...]] = (
    Measure(
        code="overall_survival",
        name="Overall survival",
        unit=Unit.PATIENT,
        kind=Kind.SURVIVAL,
        numerator="Kaplan-Meier probability of being alive (Greenwood log-log 95% CI)",
        denominator=_SURVIVAL_DENOMINATOR,
        time_point="1, 2, 3, 4 and 5 years after the first cryotherapy",
        exclusions=f"{_WITHDRAWN}.",
        higher_is_better=True,
        terminology="Overall survival (Puijk et al. 2021, DATECAN)",
        benchmarks=("overall_survival",),
        context=("disease_free_survival", "all_cause_mortality_rr"),
        reference="Xu 2008",
        time_points_months=SURVIVAL_MONTHS,
    ),
    Measure(
        code="median_survival",
        name="Median overall survival",
        unit=Unit.PATIENT,
        kind=Kind.MEDIAN,
        numerator="Kaplan-Meier median survival in months (95% CI)",
        denominator=_SURVIVAL_DENOMINATOR,
        time_point="Whole follow-up",
        exclusions=f"{_WITHDRAWN}.",
        higher_is_better=True,
        terminology="Overall survival (Puijk et al. 2021, DATECAN)",
        benchmarks=("median_survival",),
        reference="Xu 2008",
    ),
    Measure(
        code="any_recurrence",
        name="Any recurrence",
        unit=Unit.PATIENT,
        kind=Kind.PROPORTION,
        numerator=(
            "Patients with any recurrence after cryotherapy: new intrahepatic disease, "
            "extrahepatic disease or local tumour progression recorded at follow-up"
        ),
        denominator=(
            f"{_PATIENT_COHORT.capitalize()} with at least one follow-up after the "
            "first cryotherapy"
        ),
        time_point="Any time during follow-up (crude)",
        exclusions=f"{_WITHDRAWN}; patients with no follow-up yet.",
        higher_is_better=False,
        terminology="Recurrence (crude); see also local tumour progression",
        benchmarks=("any_recurrence",),
        reference="Xu 2008",
    ),
    *_recist_measures(),
    Measure(
        code="cea_normalisation",
        name="CEA normalisation at 3 months",
        unit=Unit.PATIENT,
        kind=Kind.PROPORTION,
        numerator=(
            "Patients whose first CEA measured {window_start}-{window_end} days after "
            "the first cryotherapy is at or below {cea_upper} ng/mL"
        ),
        denominator=(
            f"{_PATIENT_COHORT.capitalize()} with a baseline CEA above {{cea_upper}} "
            "ng/mL and a CEA measured in that window"
        ),
        time_point="3 months ({window_start}-{window_end} days) after the first cryotherapy",
        exclusions=(
            f"{_WITHDRAWN}; patients with a normal or missing baseline CEA or no CEA in "
            "the window (upper limit of normal: AUDIT_CEA_UPPER_LIMIT)."
        ),
        higher_is_better=True,
        terminology="Tumour marker response (Xu et al. 2008)",
        benchmarks=("cea_normalisation",),
        reference="Xu 2008",
    ),
    Measure(
        code="repeat_procedure",
        name="Repeat cryotherapy",
        unit=Unit.PATIENT,
        kind=Kind.PROPORTION,
        numerator="Patients with more than one cryotherapy procedure",
        denominator=_PATIENT_COHORT.capitalize(),
        time_point="Any time during follow-up",
        exclusions=f"{_WITHDRAWN}.",
        higher_is_better=None,
        terminology="Procedures per patient (Xu et al. 2008: repeat cryosurgery)",
        benchmarks=("repeat_procedure",),
        reference="Xu 2008",
    ),
    Measure(
        code="procedures_per_patient",
        name="Procedures per patient",
        unit=Unit.PATIENT,
        kind=Kind.MEAN,
        numerator="Cryotherapy procedures of these patients (any date)",
        denominator=_PATIENT_COHORT.capitalize(),
        time_point="Any time during follow-up",
        exclusions=f"{_WITHDRAWN}.",
        higher_is_better=None,
        terminology="Procedures (sessions) per patient (Ahmed et al. 2014)",
    ),
)


MEASURES: Final[tuple[Measure, ...]] = (
    *_TUMOUR_MEASURES,
    *_PROCEDURE_MEASURES,
    *_PATIENT_MEASURES,
)
MEASURES_BY_CODE: Final = {measure.code: measure for measure in MEASURES}


@dataclass(frozen=True)
class AuditSettings:
    """The settings that change what a measure counts, read once per computation."""

    efficacy_window_days: tuple[int, int] = (60, 180)
    cea_upper_limit: float = 5.0
    min_cases: int = 10
    overdue_grace_days: int = 14
    follow_up_days: int = 90
    follow_up_standard_percent: float = 95.0
    cusum_target_arl0: float = 1000.0
    cusum_odds_ratio: float = 2.0


def audit_settings() -> AuditSettings:
    """Return the audit settings from Django settings (defaults where unset)."""
    defaults = AuditSettings()
    window = getattr(settings, "AUDIT_EFFICACY_WINDOW_DAYS", defaults.efficacy_window_days)
    return AuditSettings(
        efficacy_window_days=(int(window[0]), int(window[1])),
        cea_upper_limit=float(getattr(settings, "AUDIT_CEA_UPPER_LIMIT", defaults.cea_upper_limit)),
        min_cases=int(getattr(settings, "AUDIT_MIN_CASES", defaults.min_cases)),
        # The follow-up window of the registry's schedule: one definition of "overdue".
        overdue_grace_days=int(settings.FOLLOW_UP_WINDOW_DAYS),
        follow_up_days=int(getattr(settings, "AUDIT_FOLLOW_UP_DAYS", defaults.follow_up_days)),
        follow_up_standard_percent=float(
            getattr(settings, "AUDIT_FOLLOW_UP_STANDARD", defaults.follow_up_standard_percent)
        ),
        cusum_target_arl0=float(
            getattr(settings, "AUDIT_CUSUM_TARGET_ARL0", defaults.cusum_target_arl0)
        ),
        cusum_odds_ratio=float(
            getattr(settings, "AUDIT_CUSUM_ODDS_RATIO", defaults.cusum_odds_ratio)
        ),
    )


def _fill(text: str, config: AuditSettings) -> str:
    start, end = config.efficacy_window_days
    return text.format(window_start=start, window_end=end, cea_upper=f"{config.cea_upper_limit:g}")


def filled(measure: Measure, config: AuditSettings) -> Measure:
    """Return the measure with the configured window and limits written into its text."""
    return replace(
        measure,
        numerator=_fill(measure.numerator, config),
        denominator=_fill(measure.denominator, config),
        time_point=_fill(measure.time_point, config),
        exclusions=_fill(measure.exclusions, config),
    )


def measures_for_display(config: AuditSettings | None = None) -> tuple[Measure, ...]:
    """Return every measure with its text filled in from the settings."""
    config = config or audit_settings()
    return tuple(filled(measure, config) for measure in MEASURES)


VERDICT_RULES: Final = (
    "A local proportion is tested against a published figure only when the figure is "
    "like-for-like: the same measure, unit of analysis and subgroup, from a cryotherapy "
    "series (not a resection comparator or a combined arm), with a published rate strictly "
    "between 0% and 100%. The benchmark rate is the published numerator over denominator "
    "where both are given, otherwise the published percentage. The verdict is 'too few "
    "cases' below the minimum number of cases (AUDIT_MIN_CASES); otherwise the two-sided "
    "exact binomial test at the 5% level decides: 'consistent' when p >= 0.05, else "
    "'better' or 'worse' by the direction of the difference. Measures with no better or "
    "worse direction show the p-value without a verdict. Overall survival is compared "
    "with the reference curve (Xu 2008, piecewise exponential between its yearly points) "
    "by the one-sample log-rank test: observed versus expected deaths. Each verdict is "
    "a separate test at 5%: across a dozen measures one 'better' or 'worse' can arise by "
    "chance alone, so read a verdict as a prompt for review, not a finding; the funnel "
    "plots and CUSUM charts are the tools for monitoring over time."
)
