"""Reads, scoped by the user's site memberships.

Every view, form and API endpoint fetches registry data through these
functions, so nobody sees another site's patients. The rules:

* clinicians and site leads read and write the identifiable records of their
  sites;
* governance reviewers see their sites' aggregate and pseudonymised data only
  (dashboards and exports), never identifiable patient records;
* registry admins (staff) see every site.

A record outside the user's scope is "not found" (404), never "forbidden",
so IDs do not reveal which records exist elsewhere.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Replace
from django.http import Http404

from registry import schedule
from registry.checklist import ChecklistItem, nice_checklist
from registry.choices import Role, VitalStatus
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
from registry.status import TumourStatus, tumour_status

CLINICAL_ROLES = (Role.CLINICIAN, Role.SITE_LEAD)
LEAD_ROLES = (Role.SITE_LEAD,)
EXPORT_ROLES = (Role.SITE_LEAD, Role.GOVERNANCE_REVIEWER)
ALL_ROLES = tuple(Role)

M = TypeVar("M", bound=Model)


def is_registry_admin(user: User | Any) -> bool:
    """Tell whether the user administers the whole registry (active staff)."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


# Bumped whenever a membership is saved or deleted in this process (registry.apps).
_membership_generation = [0]


def memberships_changed(**kwargs: Any) -> None:
    """Forget every user's memberships read so far (a signal receiver)."""
    _membership_generation[0] += 1


def memberships_of(user: User | Any) -> tuple[tuple[int, str], ...]:
    """Return the user's (site ID, role) pairs, read once per user object.

    A page asks several times (navigation, scoping, every record a service
    writes); one query answers them all. Each request loads its user afresh, so
    nothing outlives the request, and a membership saved or deleted meanwhile
    in this process makes the next call read again.
    """
    cached = getattr(user, "_registry_memberships", None)
    if cached is not None and cached[0] == _membership_generation[0]:
        return cached[1]
    pairs = tuple(user.memberships.values_list("site_id", "role"))
    user._registry_memberships = (_membership_generation[0], pairs)  # type: ignore[union-attr]
    return pairs


def site_ids_for(user: User | Any, roles: Collection[str] = ALL_ROLES) -> set[int] | None:
    """Return the IDs of the sites where the user holds one of the roles.

    None means every site (a registry admin); an empty set means none.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if is_registry_admin(user):
        return None
    return {site_id for site_id, role in memberships_of(user) if role in roles}


def sites_for(user: User | Any, *, roles: Collection[str] = ALL_ROLES) -> QuerySet[Site]:
    """Return the sites where the user holds one of the roles."""
    site_ids = site_ids_for(user, roles)
    sites = Site.objects.all()
    return sites if site_ids is None else sites.filter(pk__in=site_ids)


def roles_at(user: User | Any, site: Site) -> set[str]:
    """Return the roles the user holds at a site (every role for a registry admin)."""
    if is_registry_admin(user):
        return set(ALL_ROLES)
    if not user.is_authenticated:
        return set()
    return {role for site_id, role in memberships_of(user) if site_id == site.pk}


def can_edit_site(user: User | Any, site: Site | int) -> bool:
    """Tell whether the user may enter and change identifiable records at a site."""
    site_ids = site_ids_for(user, CLINICAL_ROLES)
    site_id = site if isinstance(site, int) else site.pk
    return site_ids is None or site_id in site_ids


def can_lead_site(user: User | Any, site: Site | int) -> bool:
    """Tell whether the user may sign off, unlock and restore records at a site."""
    site_ids = site_ids_for(user, LEAD_ROLES)
    site_id = site if isinstance(site, int) else site.pk
    return site_ids is None or site_id in site_ids


def _scoped(queryset: QuerySet[M], user: User | Any, site_path: str) -> QuerySet[M]:
    site_ids = site_ids_for(user, CLINICAL_ROLES)
    if site_ids is None:
        return queryset
    return queryset.filter(**{f"{site_path}__in": site_ids})


def patients_for(user: User | Any, *, include_withdrawn: bool = False) -> QuerySet[Patient]:
    """Return the patients whose identifiable records the user may see."""
    patients = Patient.objects.all() if include_withdrawn else Patient.objects.current()
    return _scoped(patients.select_related("site"), user, "site_id")


def tumours_for(user: User | Any, *, include_withdrawn: bool = False) -> QuerySet[Tumour]:
    tumours = Tumour.objects.all() if include_withdrawn else Tumour.objects.current()
    return _scoped(tumours, user, "patient__site_id")


def procedures_for(user: User | Any, *, include_withdrawn: bool = False) -> QuerySet[Procedure]:
    procedures = Procedure.objects.all() if include_withdrawn else Procedure.objects.current()
    return _scoped(procedures, user, "patient__site_id")


def treatments_for(
    user: User | Any, *, include_withdrawn: bool = False
) -> QuerySet[TumourTreatment]:
    rows = TumourTreatment.objects.all() if include_withdrawn else TumourTreatment.objects.current()
    return _scoped(rows, user, "procedure__patient__site_id")


def follow_ups_for(user: User | Any, *, include_withdrawn: bool = False) -> QuerySet[FollowUp]:
    rows = FollowUp.objects.all() if include_withdrawn else FollowUp.objects.current()
    return _scoped(rows, user, "patient__site_id")


def assessments_for(
    user: User | Any, *, include_withdrawn: bool = False
) -> QuerySet[TumourAssessment]:
    rows = (
        TumourAssessment.objects.all() if include_withdrawn else TumourAssessment.objects.current()
    )
    return _scoped(rows, user, "follow_up__patient__site_id")


def complications_for(
    user: User | Any, *, include_withdrawn: bool = False
) -> QuerySet[Complication]:
    rows = Complication.objects.all() if include_withdrawn else Complication.objects.current()
    return _scoped(rows, user, "procedure__patient__site_id")


def _get(queryset: QuerySet[M], pk: Any) -> M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as missing:
        raise Http404("No such record.") from missing


def get_patient_for(user: User | Any, pk: Any, *, include_withdrawn: bool = False) -> Patient:
    """Return a patient the user may see, or raise Http404."""
    return _get(patients_for(user, include_withdrawn=include_withdrawn), pk)


def get_tumour_for(user: User | Any, pk: Any, *, include_withdrawn: bool = False) -> Tumour:
    """Return a tumour the user may see, or raise Http404."""
    rows = tumours_for(user, include_withdrawn=include_withdrawn).select_related("patient")
    return _get(rows, pk)


def get_procedure_for(user: User | Any, pk: Any, *, include_withdrawn: bool = False) -> Procedure:
    """Return a procedure the user may see, or raise Http404."""
    rows = procedures_for(user, include_withdrawn=include_withdrawn).select_related("patient")
    return _get(rows, pk)


def get_treatment_for(
    user: User | Any, pk: Any, *, include_withdrawn: bool = False
) -> TumourTreatment:
    """Return a tumour treatment the user may see, or raise Http404."""
    rows = treatments_for(user, include_withdrawn=include_withdrawn)
    return _get(rows.select_related("procedure__patient", "tumour"), pk)


def get_follow_up_for(user: User | Any, pk: Any, *, include_withdrawn: bool = False) -> FollowUp:
    """Return a follow-up the user may see, or raise Http404."""
    rows = follow_ups_for(user, include_withdrawn=include_withdrawn).select_related("patient")
    return _get(rows, pk)


def get_assessment_for(
    user: User | Any, pk: Any, *, include_withdrawn: bool = False
) -> TumourAssessment:
    """Return a tumour assessment the user may see, or raise Http404."""
    rows = assessments_for(user, include_withdrawn=include_withdrawn)
    return _get(rows.select_related("follow_up__patient", "tumour"), pk)


def get_complication_for(
    user: User | Any, pk: Any, *, include_withdrawn: bool = False
) -> Complication:
    """Return a complication the user may see, or raise Http404."""
    rows = complications_for(user, include_withdrawn=include_withdrawn)
    return _get(rows.select_related("procedure__patient"), pk)


# --- Clinician pages ---------------------------------------------------------------


def clinical_sites_for(user: User | Any) -> QuerySet[Site]:
    """Return the sites where the user enters records (every site for a registry admin)."""
    return sites_for(user, roles=CLINICAL_ROLES)


def _overdue_cutoff(today: datetime.date) -> datetime.date:
    return schedule.overdue_cutoff(today, window_days=settings.FOLLOW_UP_WINDOW_DAYS)


def _died() -> Exists:
    deaths = FollowUp.objects.current().filter(patient=OuterRef("pk"))
    return Exists(deaths.filter(vital_status=VitalStatus.DEAD))


def with_summaries(patients: Sequence[Patient]) -> list[Patient]:
    """Add the last procedure and contact dates and death to a page of patients.

    One query for the page's IDs only: computing the summaries inside the list's
    query made PostgreSQL evaluate them for every patient of the site before
    paging (170 ms at 26,000 patients instead of a few).
    """
    summaries = _with_summary(Patient.objects.filter(pk__in=[p.pk for p in patients]))
    found = {
        pk: rest
        for pk, *rest in summaries.values_list(  # type: ignore[misc]
            "pk", "last_procedure_on", "last_contact_on", "is_dead"
        )
    }
    for patient in patients:
        last_procedure, last_contact, dead = found.get(patient.pk, (None, None, False))
        patient.last_procedure_on = last_procedure  # type: ignore[attr-defined]
        patient.last_contact_on = last_contact  # type: ignore[attr-defined]
        patient.is_dead = dead  # type: ignore[attr-defined]
    return list(patients)


def _with_summary(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """Add the last procedure and contact dates and whether the patient died."""
    procedures = Procedure.objects.current().filter(patient=OuterRef("pk"))
    follow_ups = FollowUp.objects.current().filter(patient=OuterRef("pk"))
    return patients.annotate(
        last_procedure_on=Subquery(procedures.order_by("-performed_on").values("performed_on")[:1]),
        last_contact_on=Subquery(follow_ups.order_by("-seen_on").values("seen_on")[:1]),
        is_dead=_died(),
    )


def patient_list(
    user: User | Any,
    *,
    today: datetime.date,
    site_id: int | None = None,
    search: str = "",
    vital: str = "",
    overdue: bool = False,
    withdrawn: bool = False,
) -> QuerySet[Patient]:
    """Return the patients for the patient list, searched, filtered and ordered.

    Pass each page through `with_summaries()` for its dates and deaths. `search`
    matches the registry ID, hospital number or NHS number, ignoring spaces (and
    hyphens, which people type into registry IDs and NHS numbers).
    `withdrawn` lists withdrawn patients instead (for site leads, to restore).
    """
    if withdrawn:
        patients = patients_for(user, include_withdrawn=True).filter(
            withdrawn_at__isnull=False, site_id__in=_lead_site_ids(user)
        )
    else:
        patients = patients_for(user)
    if site_id is not None:
        patients = patients.filter(site_id=site_id)
    compact = "".join(search.split()).replace("-", "")
    if compact:
        patients = patients.annotate(
            compact_registry_id=Replace("registry_id", Value("-"), Value("")),
            compact_hospital_number=Replace(
                Replace("hospital_number", Value(" "), Value("")), Value("-"), Value("")
            ),
        ).filter(
            Q(compact_registry_id__icontains=compact)
            | Q(compact_hospital_number__icontains=compact)
            | Q(nhs_number__startswith=compact)
        )
    if vital == "alive":
        patients = patients.filter(~_died())
    elif vital == "dead":
        patients = patients.filter(_died())
    if overdue:
        patients = patients.filter(next_follow_up_due__lt=_overdue_cutoff(today))
    if site_id is not None:  # one site: the index on (site, registry ID) gives the order
        return patients.order_by("registry_id")
    return patients.order_by("site__code", "registry_id")


def _lead_site_ids(user: User | Any) -> Any:
    site_ids = site_ids_for(user, LEAD_ROLES)
    return Site.objects.values("pk") if site_ids is None else site_ids


def worklist(user: User | Any, *, today: datetime.date) -> QuerySet[Patient]:
    """Return the user's patients with an overdue follow-up, by site, most overdue first.

    Dead and lost patients have no next follow-up due (services keep it so),
    so the filter is a single indexed comparison.
    """
    overdue = patients_for(user).filter(next_follow_up_due__lt=_overdue_cutoff(today))
    return _with_summary(overdue).order_by("site__code", "next_follow_up_due", "registry_id")


@dataclass
class TumourRow:
    tumour: Tumour
    status: TumourStatus
    treatments: list[TumourTreatment] = field(default_factory=list)
    assessments: list[TumourAssessment] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEntry:
    day: datetime.date
    kind: str  # "procedure", "complication" or "follow_up"
    record: Any


@dataclass
class PatientPage:
    """Everything the patient page shows, loaded in a constant number of queries."""

    patient: Patient
    tumours: list[TumourRow]
    procedures: list[Procedure]
    follow_ups: list[FollowUp]
    complications: list[Complication]
    timeline: list[TimelineEntry]
    checklist: list[ChecklistItem]
    expected_follow_ups: list[schedule.ExpectedFollowUp]
    schedule_from: datetime.date | None  # the latest procedure, which the schedule follows
    follow_up_ended: str  # "died", "lost" or ""
    overdue: bool
    can_edit: bool
    can_lead: bool
    withdrawn: list[Any]


_TIMELINE_ORDER = {"procedure": 0, "complication": 1, "follow_up": 2}


def patient_page(user: User | Any, pk: Any, *, today: datetime.date) -> PatientPage:
    """Return a patient's page (Http404 outside the user's sites).

    Site leads also see a withdrawn patient and the withdrawn records in it,
    so that they can restore them.
    """
    can_lead_anywhere = site_ids_for(user, LEAD_ROLES) != set()
    patient = _get(
        patients_for(user, include_withdrawn=can_lead_anywhere).select_related("locked_by"), pk
    )
    can_lead = can_lead_site(user, patient.site_id)
    if patient.is_withdrawn and not can_lead:
        raise Http404("No such record.")
    tumours = list(Tumour.objects.current().filter(patient=patient))
    procedures = list(
        Procedure.objects.current().filter(patient=patient).select_related("operator")
    )
    treatments = list(
        TumourTreatment.objects.current().filter(procedure__patient=patient).order_by("pk")
    )
    complications = list(Complication.objects.current().filter(procedure__patient=patient))
    follow_ups = list(FollowUp.objects.current().filter(patient=patient))
    assessments = list(
        TumourAssessment.objects.current().filter(follow_up__patient=patient).order_by("pk")
    )
    rows = _tumour_rows(tumours, procedures, treatments, follow_ups, assessments, complications)
    months, window = settings.FOLLOW_UP_SCHEDULE_MONTHS, settings.FOLLOW_UP_WINDOW_DAYS
    expected = schedule.expected_follow_ups(
        [p.performed_on for p in procedures],
        [f.seen_on for f in follow_ups],
        months=months,
        window_days=window,
    )
    return PatientPage(
        patient=patient,
        tumours=rows,
        procedures=procedures,
        follow_ups=follow_ups,
        complications=complications,
        timeline=_timeline(procedures, complications, follow_ups),
        checklist=nice_checklist(patient, procedures, tumours),
        expected_follow_ups=expected,
        schedule_from=max((p.performed_on for p in procedures), default=None),
        follow_up_ended=schedule.follow_up_ended(
            [p.performed_on for p in procedures],
            [(f.seen_on, f.is_death, f.lost_to_follow_up) for f in follow_ups],
        ),
        overdue=schedule.is_overdue(patient.next_follow_up_due, today, window_days=window),
        can_edit=can_edit_site(user, patient.site_id) and not patient.is_locked,
        can_lead=can_lead,
        withdrawn=_withdrawn_records(patient) if can_lead else [],
    )


def _tumour_rows(
    tumours: list[Tumour],
    procedures: list[Procedure],
    treatments: list[TumourTreatment],
    follow_ups: list[FollowUp],
    assessments: list[TumourAssessment],
    complications: list[Complication],
) -> list[TumourRow]:
    """Attach the loaded child rows to their parents (no further queries)."""
    procedure_by_id = {p.pk: p for p in procedures}
    follow_up_by_id = {f.pk: f for f in follow_ups}
    tumour_by_id = {t.pk: t for t in tumours}
    for procedure in procedures:
        procedure.current_treatments = []  # type: ignore[attr-defined]
        procedure.current_complications = []  # type: ignore[attr-defined]
    for follow_up in follow_ups:
        follow_up.current_assessments = []  # type: ignore[attr-defined]
    rows = {t.pk: TumourRow(t, TumourStatus.UNTREATED) for t in tumours}
    for treatment in treatments:
        treatment.procedure = procedure_by_id[treatment.procedure_id]
        treatment.tumour = tumour_by_id[treatment.tumour_id]
        treatment.procedure.current_treatments.append(treatment)  # type: ignore[attr-defined]
        rows[treatment.tumour_id].treatments.append(treatment)
    for assessment in assessments:
        assessment.follow_up = follow_up_by_id[assessment.follow_up_id]
        assessment.tumour = tumour_by_id[assessment.tumour_id]
        assessment.follow_up.current_assessments.append(assessment)  # type: ignore[attr-defined]
        rows[assessment.tumour_id].assessments.append(assessment)
    for complication in complications:
        complication.procedure = procedure_by_id[complication.procedure_id]
        complication.procedure.current_complications.append(complication)  # type: ignore[attr-defined]
    for row in rows.values():
        row.status = tumour_status(
            [t.procedure.performed_on for t in row.treatments],
            [(a.follow_up.seen_on, a.result) for a in row.assessments],
        )
    return list(rows.values())


def _timeline(
    procedures: list[Procedure], complications: list[Complication], follow_ups: list[FollowUp]
) -> list[TimelineEntry]:
    entries = [TimelineEntry(p.performed_on, "procedure", p) for p in procedures]
    entries += [TimelineEntry(c.onset_on, "complication", c) for c in complications]
    entries += [TimelineEntry(f.seen_on, "follow_up", f) for f in follow_ups]
    return sorted(entries, key=lambda e: (e.day, _TIMELINE_ORDER[e.kind], e.record.pk))


def _withdrawn_records(patient: Patient) -> list[Any]:
    """Return the records of a patient withdrawn themselves, for a site lead to restore."""
    found: list[Any] = []
    found += Tumour.objects.withdrawn().filter(patient=patient)
    found += Procedure.objects.withdrawn().filter(patient=patient)
    found += FollowUp.objects.withdrawn().filter(patient=patient)
    found += (
        Complication.objects.withdrawn()
        .filter(procedure__patient=patient)
        .select_related("procedure")
    )
    found += (
        TumourTreatment.objects.withdrawn()
        .filter(procedure__patient=patient)
        .select_related("procedure", "tumour")
    )
    found += (
        TumourAssessment.objects.withdrawn()
        .filter(follow_up__patient=patient)
        .select_related("follow_up", "tumour")
    )
    return sorted(found, key=lambda record: record.withdrawn_at, reverse=True)


def tumours_of(patient: Patient) -> QuerySet[Tumour]:
    """Return a patient's current tumours (the patient was fetched through a selector)."""
    return Tumour.objects.current().filter(patient=patient)


def treated_tumours_of(patient: Patient) -> QuerySet[Tumour]:
    """Return a patient's current tumours with at least one current treatment."""
    treated = TumourTreatment.objects.current().filter(tumour=OuterRef("pk"))
    return tumours_of(patient).filter(Exists(treated))


# --- Governance export ------------------------------------------------------------
# Exports are pseudonymised (registry/api/), so their scope is the sites where the
# user holds an export role, not the clinical roles that open identifiable records.

# The path from each exported model to its site.
_EXPORT_SITE_PATHS: dict[type[Model], str] = {
    Site: "pk",
    Patient: "site_id",
    Tumour: "patient__site_id",
    Procedure: "patient__site_id",
    TumourTreatment: "procedure__patient__site_id",
    FollowUp: "patient__site_id",
    TumourAssessment: "follow_up__patient__site_id",
    Complication: "procedure__patient__site_id",
}


def export_site_ids_for(user: User | Any) -> set[int] | None:
    """Return the IDs of the sites the user may export; None means every site."""
    return site_ids_for(user, EXPORT_ROLES)


def can_export(user: User | Any) -> bool:
    """Tell whether the user may export at least one site (registry admins: all)."""
    site_ids = export_site_ids_for(user)
    return site_ids is None or bool(site_ids)


def export_sites_for(user: User | Any) -> QuerySet[Site]:
    """Return the sites the user may export."""
    return sites_for(user, roles=EXPORT_ROLES)


def export_records_for(
    user: User | Any, model: type[M], *, include_withdrawn: bool = False
) -> QuerySet[M]:
    """Return the rows of an exported model at the sites the user may export."""
    rows: QuerySet[M] = model._default_manager.all()
    if not include_withdrawn and hasattr(rows, "current"):
        rows = rows.current()
    site_ids = export_site_ids_for(user)
    if site_ids is None:
        return rows
    return rows.filter(**{f"{_EXPORT_SITE_PATHS[model]}__in": site_ids})
