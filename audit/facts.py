"""The cohort's facts in one SQL statement, and the `Tally` unpacked from them.

audit.cohort and audit.measures spell every rule out unit by unit in Python; at
a national scale (100,000 patients, a million follow-up and assessment rows)
reading every row into Python and walking it costs seconds. Here PostgreSQL
applies the same rules where the rows are: it summarises each tumour's
assessments, each patient's follow-ups and each procedure's complications, and
returns one packed record per patient, tumour and procedure of the period (a
few integers: subgroup mask, site, outcome codes, days), which numpy unpacks
without a Python object per value. The tests check that both derivations give
the same results on a varied cohort (tests/audit/test_facts.py).

Outcome codes: -1 when the unit is not in the measure's denominator, else 0 or 1.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from audit.cohort import FATAL_GRADE, group_codes
from audit.columns import (
    ALL,
    NO_OPERATOR,
    SUBGROUP_BITS,
    Counts,
    IntArray,
    Outcomes,
    Tally,
    Times,
    mask_of,
)
from audit.definitions import (
    DAYS_PER_MONTH,
    MAJOR_CTCAE_GRADE,
    PERIPROCEDURAL_DAYS,
    SIZE_NICE_MM,
    SIZE_SMALL_MM,
    AuditSettings,
)
from audit.measures import COMPLETE, EVALUABLE, PROGRESSION, RECIST_ORDER, RESIDUAL
from audit.rows import Period, SiteRow
from registry import schedule
from registry.choices import Approach, PrimarySite, lobe_of_segment

DAY_ZERO = datetime.date(1, 1, 1)  # day numbers are days since this date (toordinal() - 1)
SEGMENTS = range(1, 9)
WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())  # what str.strip() strips


def _mask_sql(size: str, segment: str, approach: str, primary: str) -> str:
    """Return SQL for the subgroup mask of audit.cohort.group_codes (bits as parameters)."""
    return f"""(%(bit_all)s::bigint
        | CASE WHEN {size} IS NULL THEN 0
               WHEN {size} < %(size_small_mm)s THEN %(bits_small)s::bigint
               WHEN {size} < %(size_nice_mm)s THEN %(bits_medium)s::bigint
               ELSE %(bits_large)s::bigint END
        | CASE WHEN {segment} IS NULL THEN 0
               ELSE COALESCE((%(lobe_bits)s::bigint[])[{segment}], %(lobe_other_bit)s::bigint)
          END
        | COALESCE((%(approach_bits)s::bigint[])
                   [array_position(%(approaches)s::text[], {approach}::text)], 0)
        | COALESCE((%(primary_bits)s::bigint[])
                   [array_position(%(primaries)s::text[], {primary}::text)], 0))"""


def _in_period(column: str) -> str:
    return (
        f"(%(start)s::date IS NULL OR {column} >= %(start)s::date) "
        f"AND (%(end)s::date IS NULL OR {column} <= %(end)s::date)"
    )


def _day(column: str) -> str:
    return f"({column} - DATE '0001-01-01')"


# Current records of the selected sites: a withdrawn record, or one under a withdrawn
# patient, procedure, tumour or follow-up, never counts (as ClinicalQuerySet.current()).
# Apart from the patients, each part reads the registry tables themselves, whose
# statistics give the planner the row counts it needs to choose hash joins.
_RECORDS = """
cur_patient AS MATERIALIZED (
    SELECT p.id, p.registry_id, p.site_id, p.primary_site, p.baseline_cea::float8 AS baseline_cea,
           p.mdt_date, p.written_information_date, p.alternatives_discussed,
           p.next_follow_up_due
    FROM registry_patient p
    WHERE p.withdrawn_at IS NULL
      AND (%(sites)s::bigint[] IS NULL OR p.site_id = ANY (%(sites)s::bigint[]))
),
cur_procedure AS MATERIALIZED (
    SELECT r.id, r.patient_id, r.performed_on, r.approach, r.operator_id, r.consent_documented
    FROM registry_procedure r JOIN cur_patient p ON p.id = r.patient_id
    WHERE r.withdrawn_at IS NULL
)"""

# Tumours: first cryotherapy, subgroups and a summary of the assessments. Assessment
# codes are day * 4 + the result's position in sorted(EVALUABLE), so min() finds
# the first evaluable assessment in (date, result) order, as audit.cohort sorts them.
_TUMOURS = f"""
tumour_first AS MATERIALIZED (
    SELECT o.tumour_id, min(o.first_on) AS first_on,
           min(o.approach) FILTER (WHERE o.position = 1) AS approach,
           -- The first re-treatment on a later day (for primary efficacy).
           min(o.performed_on) FILTER (WHERE o.performed_on > o.first_on) AS retreated_on
    FROM (
        -- A treatment's tumour and procedure belong to one patient (TumourTreatment.clean).
        SELECT x.tumour_id, r.performed_on, r.approach,
               row_number() OVER (PARTITION BY x.tumour_id ORDER BY r.performed_on, r.id)
                   AS position,
               min(r.performed_on) OVER (PARTITION BY x.tumour_id) AS first_on
        FROM registry_tumourtreatment x
        JOIN registry_procedure r ON r.id = x.procedure_id
        JOIN registry_tumour t ON t.id = x.tumour_id
        JOIN cur_patient p ON p.id = r.patient_id
        WHERE x.withdrawn_at IS NULL AND r.withdrawn_at IS NULL AND t.withdrawn_at IS NULL
    ) o
    GROUP BY o.tumour_id
),
treated AS MATERIALIZED (
    SELECT t.id, t.patient_id, p.site_id, f.first_on, f.retreated_on, t.max_diameter_mm,
           btrim(t.size_exception_reason, %(whitespace)s) <> '' AS has_reason,
           {_mask_sql("t.max_diameter_mm", "t.segment", "f.approach", "p.primary_site")} AS mask
    FROM tumour_first f
    JOIN registry_tumour t ON t.id = f.tumour_id
    JOIN cur_patient p ON p.id = t.patient_id
),
assessed AS MATERIALIZED (
    SELECT a.tumour_id,
           min({_day("f.seen_on")} * 4 + array_position(%(evaluable)s::text[], a.result::text))
               AS first_evaluable,
           min({_day("f.seen_on")} * 4 + array_position(%(evaluable)s::text[], a.result::text))
               FILTER (WHERE f.seen_on BETWEEN t.first_on + %(window_start)s
                                           AND t.first_on + %(window_end)s)
               AS first_in_window,
           min(f.seen_on) FILTER (WHERE a.result = %(complete)s) AS ablated_on,
           array_agg(f.seen_on) FILTER (WHERE a.result = %(progression)s) AS progressed_on,
           max(f.seen_on) AS last_evaluable_on,
           bool_or(f.seen_on <= t.first_on + %(window_end)s) AS assessed_by_window_end
    -- An assessment's follow-up and tumour belong to one patient (TumourAssessment.clean),
    -- so the tumour's patient being current and selected is the follow-up's too.
    FROM registry_tumourassessment a
    JOIN registry_followup f ON f.id = a.follow_up_id
    JOIN treated t ON t.id = a.tumour_id
    WHERE a.withdrawn_at IS NULL AND f.withdrawn_at IS NULL
      AND a.result = ANY (%(evaluable)s::text[])
    GROUP BY a.tumour_id
)"""

# Patients: procedures, follow-ups, death (a follow-up's date of death, else the
# first fatal complication), the largest tumour treated and any progression.
_PATIENTS = """
patient_first AS MATERIALIZED (
    SELECT o.patient_id, count(*) AS n_procedures, min(o.performed_on) AS first_on,
           max(o.performed_on) AS last_on,
           min(o.approach) FILTER (WHERE o.position = 1) AS approach
    FROM (
        SELECT r.patient_id, r.performed_on, r.approach,
               row_number() OVER (PARTITION BY r.patient_id ORDER BY r.performed_on, r.id)
                   AS position
        FROM registry_procedure r JOIN cur_patient p ON p.id = r.patient_id
        WHERE r.withdrawn_at IS NULL
    ) o
    GROUP BY o.patient_id
),
seen AS MATERIALIZED (
    SELECT f.patient_id, max(f.seen_on) AS last_seen,
           bool_or(COALESCE(f.new_intrahepatic_disease, false)
                   OR COALESCE(f.extrahepatic_disease, false)) AS new_disease,
           min(array_position(%(recist_order)s::text[], f.recist::text)) AS best_recist,
           -- At most one current follow-up records a death (one_current_death_per_patient).
           max(f.death_date) AS died_on,
           (array_agg(f.cea::float8 ORDER BY f.seen_on, f.id)
               FILTER (WHERE f.cea IS NOT NULL
                         AND f.seen_on BETWEEN pf.first_on + %(window_start)s
                                           AND pf.first_on + %(window_end)s))[1]
               AS window_cea,
           bool_or(f.seen_on >= pf.first_on + %(follow_up_days)s) AS seen_when_due
    FROM registry_followup f JOIN patient_first pf ON pf.patient_id = f.patient_id
    WHERE f.withdrawn_at IS NULL
    GROUP BY f.patient_id
),
fatal AS (
    SELECT r.patient_id, min(c.onset_on) AS died_on
    FROM registry_complication c JOIN cur_procedure r ON r.id = c.procedure_id
    WHERE c.withdrawn_at IS NULL AND c.ctcae_grade >= %(fatal_grade)s
    GROUP BY r.patient_id
),
death AS MATERIALIZED (
    SELECT pf.patient_id, COALESCE(s.died_on, d.died_on) AS died_on
    FROM patient_first pf
    LEFT JOIN seen s ON s.patient_id = pf.patient_id
    LEFT JOIN fatal d ON d.patient_id = pf.patient_id
),
patient_largest AS (
    SELECT DISTINCT ON (l.patient_id) l.patient_id, l.max_diameter_mm, l.segment
    FROM procedure_largest l
    ORDER BY l.patient_id, l.max_diameter_mm DESC, l.tumour_id
),
progressed AS (
    SELECT DISTINCT t.patient_id
    FROM treated t JOIN assessed a ON a.tumour_id = t.id
    WHERE a.progressed_on IS NOT NULL
)"""

# Procedures: complications in the 30 days after, and the largest tumour treated.
_PROCEDURES = """
procedure_complications AS (
    SELECT c.procedure_id,
           bool_or(c.category = %(complication)s) AS any_complication,
           bool_or(c.category = %(complication)s AND c.ctcae_grade >= %(major_grade)s)
               AS major_complication,
           bool_or(c.ctcae_grade >= %(fatal_grade)s) AS fatal_complication
    FROM registry_complication c JOIN cur_procedure r ON r.id = c.procedure_id
    WHERE c.withdrawn_at IS NULL
      AND c.onset_on - r.performed_on BETWEEN 0 AND %(periprocedural_days)s
    GROUP BY c.procedure_id
),
procedure_largest AS MATERIALIZED (
    SELECT DISTINCT ON (x.procedure_id) x.procedure_id, r.patient_id, x.tumour_id,
           t.max_diameter_mm, t.segment
    FROM registry_tumourtreatment x
    JOIN cur_procedure r ON r.id = x.procedure_id
    JOIN registry_tumour t ON t.id = x.tumour_id
    WHERE x.withdrawn_at IS NULL AND t.withdrawn_at IS NULL
    ORDER BY x.procedure_id, t.max_diameter_mm DESC, x.tumour_id
)"""


@dataclass(frozen=True)
class Column:
    name: str
    sql: str
    wide: bool = False  # 8 bytes (ids, masks) rather than 4


def _flags(*conditions: str) -> str:
    """Return SQL packing boolean conditions (NULL as false) into the bits of one integer."""
    return " | ".join(
        f"(COALESCE({condition}, false)::int << {bit})" for bit, condition in enumerate(conditions)
    )


def _tri(denominator: str, outcome: str) -> str:
    return f"CASE WHEN {denominator} THEN COALESCE({outcome}, false)::int ELSE -1 END"


_WINDOW_DAY = "(a.first_in_window / 4)"

TUMOUR_FLAGS = ("large", "has_reason", "imaging_due", "imaging_missing")
TUMOUR_COLUMNS = (
    Column("mask", "t.mask", wide=True),
    Column("site_id", "t.site_id", wide=True),
    Column(
        "primary_efficacy",
        _tri(
            "a.first_in_window IS NOT NULL",
            f"""a.first_in_window %% 4 = %(complete_position)s
                AND NOT COALESCE({_day("t.retreated_on")} < {_WINDOW_DAY}, false)""",
        ),
    ),
    Column(
        "assisted_efficacy",
        _tri("a.first_in_window IS NOT NULL", "a.first_in_window %% 4 = %(complete_position)s"),
    ),
    Column(
        "residual_tumour",
        _tri("a.first_evaluable IS NOT NULL", "a.first_evaluable %% 4 = %(residual_position)s"),
    ),
    Column(
        "local_progression",
        _tri("a.ablated_on IS NOT NULL", "tp.progression_on IS NOT NULL"),
    ),
    # Time to local progression (status 1), death first (2) or the last evaluable
    # assessment (0, censored), for tumours shown completely ablated (else -1).
    Column(
        "ltp_status",
        """CASE WHEN a.ablated_on IS NULL THEN -1 WHEN tp.progression_on IS NOT NULL THEN 1
                WHEN d.died_on IS NOT NULL THEN 2 ELSE 0 END""",
    ),
    Column(
        "ltp_days",
        "COALESCE(tp.progression_on, d.died_on, a.last_evaluable_on, t.first_on) - t.first_on",
    ),
    Column(
        "flags",
        _flags(
            "t.max_diameter_mm > %(size_nice_mm)s",
            "t.has_reason",
            "t.first_on + %(window_end)s <= %(as_of)s",
            "NOT COALESCE(a.assessed_by_window_end, false)",
        ),
    ),
)
_TUMOUR_ROWS = f"""
    FROM treated t
    LEFT JOIN assessed a ON a.tumour_id = t.id
    LEFT JOIN death d ON d.patient_id = t.patient_id
    LEFT JOIN LATERAL (
        SELECT min(x) AS progression_on FROM unnest(a.progressed_on) x WHERE x > a.ablated_on
    ) tp ON true
    WHERE {_in_period("t.first_on")}"""

PATIENT_FLAGS = (
    "dead",
    "mdt_before",
    "informed",
    "follow_up_eligible",
    "followed_up",
    "mdt_missing",
    "information_missing",
    "alternatives_missing",
    "baseline_cea_missing",
    "scheduled",
    "overdue",
)
PATIENT_COLUMNS = (
    Column(
        "mask", _mask_sql("l.max_diameter_mm", "l.segment", "pf.approach", "p.primary_site"), True
    ),
    Column("site_id", "p.site_id", wide=True),
    Column("n_procedures", "pf.n_procedures"),
    Column("survival_days", "COALESCE(d.died_on, GREATEST(pf.last_on, s.last_seen)) - pf.first_on"),
    Column(
        "any_recurrence",
        _tri("s.patient_id IS NOT NULL", "s.new_disease OR g.patient_id IS NOT NULL"),
    ),
    Column("best_recist", "COALESCE(s.best_recist, 0)"),
    Column(
        "cea_normalisation",
        _tri(
            "p.baseline_cea > %(cea_upper)s AND s.window_cea IS NOT NULL",
            "s.window_cea <= %(cea_upper)s",
        ),
    ),
    Column(
        "flags",
        _flags(
            "d.died_on IS NOT NULL",
            "p.mdt_date <= pf.first_on",
            "p.written_information_date <= pf.first_on AND p.alternatives_discussed",
            "pf.first_on <= %(follow_up_due_by)s",
            "s.seen_when_due OR d.died_on < pf.first_on + %(follow_up_days)s",
            "p.mdt_date IS NULL",
            "p.written_information_date IS NULL",
            "p.alternatives_discussed IS NULL",
            "p.baseline_cea IS NULL",
            "p.next_follow_up_due IS NOT NULL",
            "p.next_follow_up_due < %(overdue_before)s",
        ),
    ),
)
_PATIENT_ROWS = f"""
    FROM patient_first pf
    JOIN cur_patient p ON p.id = pf.patient_id
    JOIN death d ON d.patient_id = pf.patient_id
    LEFT JOIN seen s ON s.patient_id = pf.patient_id
    LEFT JOIN patient_largest l ON l.patient_id = pf.patient_id
    LEFT JOIN progressed g ON g.patient_id = pf.patient_id
    WHERE {_in_period("pf.first_on")}"""

PROCEDURE_FLAGS = (
    "window_over",
    "any_complication",
    "major_complication",
    "mortality_30d",
    "consented",
)
PROCEDURE_COLUMNS = (
    Column(
        "mask", _mask_sql("l.max_diameter_mm", "l.segment", "r.approach", "p.primary_site"), True
    ),
    Column("site_id", "p.site_id", wide=True),
    Column("day", _day("r.performed_on")),
    Column("id", "r.id", wide=True),
    Column("operator_id", "COALESCE(r.operator_id, -1)", wide=True),
    Column(
        "flags",
        _flags(
            "r.performed_on + %(periprocedural_days)s <= %(as_of)s",
            "c.any_complication",
            "c.major_complication",
            "c.fatal_complication OR d.died_on - r.performed_on "
            "BETWEEN 0 AND %(periprocedural_days)s",
            "r.consent_documented",
        ),
    ),
)
_PROCEDURE_ROWS = f"""
    FROM cur_procedure r
    JOIN cur_patient p ON p.id = r.patient_id
    JOIN death d ON d.patient_id = r.patient_id
    LEFT JOIN procedure_complications c ON c.procedure_id = r.id
    LEFT JOIN procedure_largest l ON l.procedure_id = r.id
    WHERE {_in_period("r.performed_on")}"""

# Tumour treatments of the period's procedures, counted by the tumour's subgroups,
# site and technical success (1 yes, 0 no, -1 not known).
TREATMENT_COLUMNS = (
    Column("mask", "t.mask", wide=True),
    Column("site_id", "t.site_id", wide=True),
    Column("success", "t.success"),
    Column("count", "t.n"),
)
_TREATMENT_ROWS = f"""
    FROM (
        SELECT t.mask, t.site_id,
               CASE WHEN x.technical_success = %(success)s THEN 1
                    WHEN x.technical_success = ANY (%(known)s::text[]) THEN 0
                    ELSE -1 END AS success,
               count(*) AS n
        FROM registry_tumourtreatment x
        JOIN cur_procedure r ON r.id = x.procedure_id
        JOIN treated t ON t.id = x.tumour_id
        WHERE x.withdrawn_at IS NULL AND {_in_period("r.performed_on")}
        GROUP BY 1, 2, 3
    ) t"""


def _packed(columns: Sequence[Column], rows: str, order: str = "") -> str:
    """Return SQL packing each row's columns into one big-endian bytea, and the row count.

    The count lets the reader check that no row went missing: a NULL column would
    make its whole record NULL, which string_agg skips.
    """
    record = " || ".join(
        f"int8send(({c.sql})::bigint)" if c.wide else f"int4send(({c.sql})::int)" for c in columns
    )
    ordered = f" ORDER BY {order}" if order else ""
    return f"(SELECT string_agg({record}, ''::bytea{ordered}) AS data, count(*) AS n {rows})"


def dtype_of(columns: Sequence[Column]) -> np.dtype[Any]:
    return np.dtype([(c.name, ">i8" if c.wide else ">i4") for c in columns])


FACTS_SQL = f"""
WITH {_RECORDS},
{_TUMOURS},
{_PROCEDURES},
{_PATIENTS}
SELECT tumours.data, tumours.n, patients.data, patients.n, procedures.data, procedures.n,
       treatments.data, treatments.n,
       (SELECT json_agg(json_build_array(u.id, u.first_name, u.last_name, u.username))
        FROM registry_user u
        WHERE u.id IN (SELECT r.operator_id FROM cur_procedure r)) AS operators
FROM {_packed(TUMOUR_COLUMNS, _TUMOUR_ROWS)} tumours,
     -- In the reference's order (Patient.Meta.ordering): the log-rank sum is order-exact.
     {_packed(PATIENT_COLUMNS, _PATIENT_ROWS, "p.registry_id")} patients,
     {_packed(PROCEDURE_COLUMNS, _PROCEDURE_ROWS)} procedures,
     {_packed(TREATMENT_COLUMNS, _TREATMENT_ROWS)} treatments
"""


def _bits(**groups: Any) -> int:
    """Return the subgroup bits group_codes gives for these values, "all" left out."""
    codes = group_codes(
        size_mm=groups.get("size_mm"),
        lobe=groups.get("lobe"),
        approach=groups.get("approach"),
        primary_site=groups.get("primary_site"),
    )
    return mask_of(codes) & ~SUBGROUP_BITS[ALL]


def _mask_parameters() -> dict[str, Any]:
    approaches = list(Approach.values)
    primaries = list(PrimarySite.values)
    return {
        "bit_all": SUBGROUP_BITS[ALL],
        "size_small_mm": SIZE_SMALL_MM,
        "size_nice_mm": SIZE_NICE_MM,
        "bits_small": _bits(size_mm=SIZE_SMALL_MM - 1),
        "bits_medium": _bits(size_mm=SIZE_SMALL_MM),
        "bits_large": _bits(size_mm=SIZE_NICE_MM),
        "lobe_bits": [_bits(lobe=lobe_of_segment(segment)) for segment in SEGMENTS],
        "lobe_other_bit": _bits(lobe=lobe_of_segment(max(SEGMENTS) + 1)),
        "approaches": approaches,
        "approach_bits": [_bits(approach=value) for value in approaches],
        "primaries": primaries,
        "primary_bits": [_bits(primary_site=value) for value in primaries],
    }


def facts_parameters(
    site_ids: Sequence[int] | None, period: Period, config: AuditSettings
) -> dict[str, Any]:
    """Return the parameters of FACTS_SQL: scope, period, settings and the measures' codes."""
    evaluable = sorted(EVALUABLE)
    return {
        **_mask_parameters(),
        "sites": None if site_ids is None else list(site_ids),
        "start": period.start,
        "end": period.end,
        "as_of": period.as_of,
        "window_start": config.efficacy_window_days[0],
        "window_end": config.efficacy_window_days[1],
        "cea_upper": config.cea_upper_limit,
        "follow_up_days": config.follow_up_days,
        "follow_up_due_by": period.as_of - datetime.timedelta(days=config.follow_up_days),
        "overdue_before": schedule.overdue_cutoff(
            period.as_of, window_days=config.overdue_grace_days
        ),
        "evaluable": evaluable,
        "complete": COMPLETE,
        "progression": PROGRESSION,
        "complete_position": evaluable.index(COMPLETE) + 1,
        "residual_position": evaluable.index(RESIDUAL) + 1,
        "recist_order": list(RECIST_ORDER),
        "fatal_grade": FATAL_GRADE,
        "major_grade": MAJOR_CTCAE_GRADE,
        "complication": "complication",
        "periprocedural_days": PERIPROCEDURAL_DAYS,
        "success": "yes",
        "known": ["yes", "no"],
        "whitespace": WHITESPACE,
    }


@dataclass(frozen=True)
class Packed:
    """One unit's records as FACTS_SQL packs them, and how many there are."""

    data: bytes
    n: int


@dataclass(frozen=True)
class RawFacts:
    """What FACTS_SQL returns, as plain values."""

    tumours: Packed
    patients: Packed
    procedures: Packed
    treatments: Packed
    operators: Mapping[int, str]  # operator id -> name ("" when none is recorded)


def _unpack(packed: Packed, columns: Sequence[Column]) -> dict[str, IntArray]:
    records = np.frombuffer(packed.data, dtype=dtype_of(columns))
    if records.size != packed.n:
        raise ValueError(f"expected {packed.n} packed records, got {records.size}")
    return {c.name: records[c.name].astype(np.int64) for c in columns}


def _flags_of(flags: IntArray, names: Sequence[str]) -> dict[str, NDArray[np.bool_]]:
    return {name: (flags >> bit) & 1 == 1 for bit, name in enumerate(names)}


def _months(days: IntArray) -> NDArray[np.float64]:
    months: NDArray[np.float64] = np.maximum(days, 0) / DAYS_PER_MONTH
    return months


def _outcomes(codes: IntArray, mask: IntArray, site_id: IntArray) -> Outcomes:
    """Return the units whose code is 0 or 1 (in the denominator), 1 being a success."""
    members = codes >= 0
    return Outcomes(codes[members] == 1, mask[members], site_id[members])


def _tumour_outcomes(tumours: dict[str, IntArray]) -> dict[str, Outcomes]:
    codes = ("primary_efficacy", "assisted_efficacy", "residual_tumour", "local_progression")
    return {code: _outcomes(tumours[code], tumours["mask"], tumours["site_id"]) for code in codes}


def _patient_outcomes(patients: dict[str, IntArray]) -> dict[str, Outcomes]:
    mask, site_id, best = patients["mask"], patients["site_id"], patients["best_recist"]
    recist = {
        f"recist_{code}": _outcomes(np.where(best > 0, best == position, -1), mask, site_id)
        for position, code in enumerate(RECIST_ORDER, start=1)
    }
    return {
        "any_recurrence": _outcomes(patients["any_recurrence"], mask, site_id),
        **recist,
        "cea_normalisation": _outcomes(patients["cea_normalisation"], mask, site_id),
        "repeat_procedure": Outcomes(patients["n_procedures"] > 1, mask, site_id),
    }


def _procedure_outcomes(
    procedures: dict[str, IntArray], operators: Mapping[int, str]
) -> dict[str, Outcomes]:
    flags = _flags_of(procedures["flags"], PROCEDURE_FLAGS)
    over = flags["window_over"]
    keys = procedures["operator_id"][over]
    labels = {int(key): operators.get(int(key), "") or NO_OPERATOR for key in np.unique(keys)}
    return {
        code: Outcomes(
            flags[code][over],
            procedures["mask"][over],
            procedures["site_id"][over],
            on=procedures["day"][over] + 1,  # date.toordinal(), as the reference
            order=procedures["id"][over],
            operator=keys,
            operator_labels=labels,
        )
        for code in ("any_complication", "major_complication", "mortality_30d")
    }


def _treatment_outcomes(treatments: dict[str, IntArray]) -> Outcomes:
    known = treatments["success"] >= 0
    count = treatments["count"][known]
    return Outcomes(
        np.repeat(treatments["success"][known] == 1, count),
        np.repeat(treatments["mask"][known], count),
        np.repeat(treatments["site_id"][known], count),
    )


def _counts(
    tumours: dict[str, IntArray],
    patients: dict[str, IntArray],
    procedures: dict[str, IntArray],
    treatments: dict[str, IntArray],
    sites: Sequence[SiteRow],
) -> Counts:
    t = _flags_of(tumours["flags"], TUMOUR_FLAGS)
    p = _flags_of(patients["flags"], PATIENT_FLAGS)
    r = _flags_of(procedures["flags"], PROCEDURE_FLAGS)

    def total(flags: NDArray[np.bool_]) -> int:
        return int(np.count_nonzero(flags))

    overdue = []
    for site in sites:
        here = patients["site_id"] == site.id
        overdue.append((total(p["overdue"] & here), total(p["scheduled"] & here), total(here)))
    return Counts(
        patients=patients["mask"].size,
        mdt_before=total(p["mdt_before"]),
        informed=total(p["informed"]),
        mdt_missing=total(p["mdt_missing"]),
        information_missing=total(p["information_missing"]),
        alternatives_missing=total(p["alternatives_missing"]),
        baseline_cea_missing=total(p["baseline_cea_missing"]),
        follow_up_eligible=total(p["follow_up_eligible"]),
        followed_up=total(p["follow_up_eligible"] & p["followed_up"]),
        procedures=procedures["mask"].size,
        consented=total(r["consented"]),
        operator_missing=total(procedures["operator_id"] < 0),
        treatments=int(treatments["count"].sum()),
        technical_unknown=int(treatments["count"][treatments["success"] < 0].sum()),
        tumours=tumours["mask"].size,
        large=total(t["large"]),
        large_with_reason=total(t["large"] & t["has_reason"]),
        imaging_due=total(t["imaging_due"]),
        imaging_missing=total(t["imaging_due"] & t["imaging_missing"]),
        overdue=tuple(overdue),
    )


def tally_of_facts(raw: RawFacts, sites: tuple[SiteRow, ...], period: Period) -> Tally:
    """Unpack FACTS_SQL's records into the cohort's tally."""
    tumours = _unpack(raw.tumours, TUMOUR_COLUMNS)
    patients = _unpack(raw.patients, PATIENT_COLUMNS)
    procedures = _unpack(raw.procedures, PROCEDURE_COLUMNS)
    treatments = _unpack(raw.treatments, TREATMENT_COLUMNS)
    ablated = tumours["ltp_status"] >= 0
    dead = _flags_of(patients["flags"], PATIENT_FLAGS)["dead"]
    return Tally(
        period=period,
        sites=sites,
        n_patients=patients["mask"].size,
        n_tumours=tumours["mask"].size,
        n_procedures=procedures["mask"].size,
        outcomes={
            "technical_success": _treatment_outcomes(treatments),
            **_tumour_outcomes(tumours),
            **_procedure_outcomes(procedures, raw.operators),
            **_patient_outcomes(patients),
        },
        survival=Times(_months(patients["survival_days"]), dead.astype(np.int64), patients["mask"]),
        ltp=Times(
            _months(tumours["ltp_days"][ablated]),
            tumours["ltp_status"][ablated],
            tumours["mask"][ablated],
        ),
        patient_mask=patients["mask"],
        patient_procedures=patients["n_procedures"],
        counts=_counts(tumours, patients, procedures, treatments, sites),
    )
