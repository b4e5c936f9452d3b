"""Reads for benchmarking: plain values, a constant number of queries, scoped by site.

Every function here runs a fixed number of SQL queries whatever the cohort size
and returns plain values for the pure computations: `cohort_facts` the packed
per-unit summaries of audit.facts (what the pages use), `registry_data` every
current row as audit.rows (for the per-unit reference rules, audit.reference).
Withdrawn records never reach them: each queryset is `.current()`, which also
drops records under a withdrawn parent, and the facts query applies the same rule.

Which sites a user may see comes from `registry.selectors.site_ids_for`: clinicians
and site leads see their sites, governance reviewers the aggregates of theirs,
registry admins (staff) every site.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from audit import facts
from audit.benchmarks import FigureText, figure_text
from audit.definitions import AuditSettings
from audit.models import BenchmarkFigure
from audit.rows import (
    AssessmentRow,
    ComplicationRow,
    FigureRow,
    FollowUpRow,
    PatientRow,
    Period,
    ProcedureRow,
    PublicationRow,
    RegistryData,
    SiteRow,
    TreatmentRow,
    TumourRow,
)
from registry import selectors as registry_selectors
from registry.models import (
    Complication,
    FollowUp,
    Patient,
    Procedure,
    Site,
    Tumour,
    TumourAssessment,
    TumourTreatment,
    User,
)


def visible_site_ids(user: User | Any) -> set[int] | None:
    """Return the sites whose aggregates the user may see (None: every site)."""
    return registry_selectors.site_ids_for(user)


def visible_sites(user: User | Any) -> QuerySet[Site]:
    """Return the sites whose aggregates the user may see, in code order."""
    return registry_selectors.sites_for(user)


def _in_sites(queryset: QuerySet[Any], path: str, site_ids: Collection[int] | None) -> Any:
    return queryset if site_ids is None else queryset.filter(**{f"{path}__in": list(site_ids)})


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def sites(site_ids: Collection[int] | None) -> tuple[SiteRow, ...]:
    """Return the sites (None: every site) in code order."""
    rows = _in_sites(Site.objects.order_by("code"), "pk", site_ids)
    fields = ("pk", "code", "name", "governance_lead_informed_on")
    return tuple(SiteRow(*row) for row in rows.values_list(*fields))


def _patients(site_ids: Collection[int] | None) -> tuple[PatientRow, ...]:
    rows = _in_sites(Patient.objects.current(), "site_id", site_ids).values_list(
        "pk",
        "site_id",
        "primary_site",
        "baseline_cea",
        "mdt_date",
        "written_information_date",
        "alternatives_discussed",
        "next_follow_up_due",
    )
    return tuple(PatientRow(r[0], r[1], r[2], _float(r[3]), *r[4:]) for r in rows)


def _tumours(site_ids: Collection[int] | None) -> tuple[TumourRow, ...]:
    rows = _in_sites(Tumour.objects.current(), "patient__site_id", site_ids).values_list(
        "pk", "patient_id", "segment", "max_diameter_mm", "size_exception_reason"
    )
    return tuple(TumourRow(r[0], r[1], r[2], r[3], bool(r[4].strip())) for r in rows)


def _operator_name(first: str | None, last: str | None, username: str | None) -> str:
    full = f"{first or ''} {last or ''}".strip()
    return full or username or ""


def _procedures(site_ids: Collection[int] | None) -> tuple[ProcedureRow, ...]:
    rows = _in_sites(Procedure.objects.current(), "patient__site_id", site_ids).values_list(
        "pk",
        "patient_id",
        "performed_on",
        "approach",
        "operator_id",
        "operator__first_name",
        "operator__last_name",
        "operator__username",
        "consent_documented",
    )
    return tuple(
        ProcedureRow(r[0], r[1], r[2], r[3], r[4], _operator_name(r[5], r[6], r[7]), r[8])
        for r in rows.order_by("performed_on", "pk")
    )


def _treatments(site_ids: Collection[int] | None) -> tuple[TreatmentRow, ...]:
    rows = _in_sites(TumourTreatment.objects.current(), "procedure__patient__site_id", site_ids)
    fields = ("procedure_id", "tumour_id", "technical_success")
    return tuple(TreatmentRow(*row) for row in rows.values_list(*fields))


def _follow_ups(site_ids: Collection[int] | None) -> tuple[FollowUpRow, ...]:
    rows = _in_sites(FollowUp.objects.current(), "patient__site_id", site_ids).values_list(
        "patient_id",
        "seen_on",
        "cea",
        "recist",
        "new_intrahepatic_disease",
        "extrahepatic_disease",
        "death_date",
    )
    return tuple(FollowUpRow(r[0], r[1], _float(r[2]), *r[3:]) for r in rows)


def _assessments(site_ids: Collection[int] | None) -> tuple[AssessmentRow, ...]:
    rows = _in_sites(
        TumourAssessment.objects.current(), "follow_up__patient__site_id", site_ids
    ).values_list("tumour_id", "follow_up__seen_on", "result")
    return tuple(AssessmentRow(*row) for row in rows)


def _complications(site_ids: Collection[int] | None) -> tuple[ComplicationRow, ...]:
    rows = _in_sites(Complication.objects.current(), "procedure__patient__site_id", site_ids)
    fields = ("procedure_id", "onset_on", "ctcae_grade", "category")
    return tuple(ComplicationRow(*row) for row in rows.values_list(*fields))


def registry_data(*, site_ids: Collection[int] | None) -> RegistryData:
    """Read every current record of the sites (None: all sites) in eight queries."""
    return RegistryData(
        sites=sites(site_ids),
        patients=_patients(site_ids),
        tumours=_tumours(site_ids),
        procedures=_procedures(site_ids),
        treatments=_treatments(site_ids),
        follow_ups=_follow_ups(site_ids),
        assessments=_assessments(site_ids),
        complications=_complications(site_ids),
    )


def facts_supported() -> bool:
    """Tell whether the database runs the facts query (PostgreSQL; not the SQLite demo)."""
    return connection.vendor == "postgresql"


# For this query only (until its transaction ends): the JIT compiler spends seconds
# compiling the summary's many expressions, more than running them takes, and sorts
# and hashes of a national cohort fit in memory rather than spill to disk.
FACTS_SETTINGS = "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"


def cohort_facts(
    *, site_ids: Collection[int] | None, period: Period, config: AuditSettings
) -> facts.RawFacts:
    """Read the facts of every patient, tumour and procedure of the sites and period.

    One query (audit.facts.FACTS_SQL) summarises the registry in the database and
    returns packed records, whatever the cohort size.
    """
    scope = None if site_ids is None else sorted(site_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FACTS_SETTINGS)
        cursor.execute(facts.FACTS_SQL, facts.facts_parameters(scope, period, config))
        row = cursor.fetchone()
    pairs = zip(row[0:8:2], row[1:8:2], strict=True)
    packed = [facts.Packed(bytes(data or b""), int(n)) for data, n in pairs]
    operators = {
        pk: _operator_name(first, last, username) for pk, first, last, username in row[8] or []
    }
    tumours, patients, procedures, treatments = packed
    return facts.RawFacts(tumours, patients, procedures, treatments, operators)


_FIGURE_FIELDS = (
    "pk",
    "publication__short_name",
    "publication__citation",
    "publication__year",
    "publication__n_patients",
    "publication__n_procedures",
    "measure",
    "unit",
    "subgroup",
    "arm",
    "cohort",
    "time_point",
    "horizon_months",
    "numerator",
    "denominator",
    "value",
    "value_unit",
    "value_decimals",
    "range_low",
    "range_high",
    "ci_low",
    "ci_high",
    "source_location",
    "note",
)


def _figure_row(values: dict[str, Any]) -> FigureRow:
    text = figure_text(
        FigureText(
            numerator=values["numerator"],
            denominator=values["denominator"],
            value=values["value"],
            value_unit=values["value_unit"],
            decimals=values["value_decimals"],
            range_low=values["range_low"],
            range_high=values["range_high"],
            ci_low=values["ci_low"],
            ci_high=values["ci_high"],
        )
    )
    return FigureRow(
        id=values["pk"],
        publication=values["publication__short_name"],
        citation=values["publication__citation"],
        year=values["publication__year"],
        measure=values["measure"],
        unit=values["unit"],
        subgroup=values["subgroup"],
        arm=values["arm"],
        cohort=values["cohort"],
        time_point=values["time_point"],
        horizon_months=_float(values["horizon_months"]),
        numerator=values["numerator"],
        denominator=values["denominator"],
        value=_float(values["value"]),
        value_unit=values["value_unit"],
        text=text,
        source_location=values["source_location"],
        note=values["note"],
    )


def published_figures() -> tuple[tuple[FigureRow, ...], tuple[PublicationRow, ...]]:
    """Return every published figure and the publications that report them (one query)."""
    figures: list[FigureRow] = []
    publications: dict[str, PublicationRow] = {}
    for row in BenchmarkFigure.objects.values_list(*_FIGURE_FIELDS):
        values = dict(zip(_FIGURE_FIELDS, row, strict=True))
        figures.append(_figure_row(values))
        short_name = values["publication__short_name"]
        publications[short_name] = PublicationRow(
            short_name,
            values["publication__citation"],
            values["publication__n_patients"],
            values["publication__n_procedures"],
        )
    return tuple(figures), tuple(publications.values())
