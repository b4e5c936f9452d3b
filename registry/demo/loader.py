"""Insert the cohort's plans in bulk, with a history row for every record.

Rows go in per model in dependency order (patients, tumours, procedures,
treatments, complications, follow-ups, assessments), a chunk of patients at a
time so memory stays flat however large the cohort. bulk_create() sets primary
keys on PostgreSQL and SQLite alike, which is how children find their parents.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone

from registry import schedule
from registry.choices import VitalStatus
from registry.demo import CHANGE_REASON
from registry.demo.plans import PatientPlan
from registry.models import (
    ClinicalRecord,
    Complication,
    FollowUp,
    Patient,
    Procedure,
    Tumour,
    TumourAssessment,
    TumourTreatment,
    User,
)

R = TypeVar("R", bound=ClinicalRecord)

CHUNK_PATIENTS = 1000
BATCH_SIZE = 2000
# Plan fields that refer to other plans or positions, not model columns.
_NOT_COLUMNS = {
    "site",
    "operator",
    "tumour",
    "tumours",
    "procedures",
    "follow_ups",
    "treatments",
    "complications",
    "assessments",
}
_COLUMNS: dict[type, tuple[str, ...]] = {}


def columns(plan: Any) -> dict[str, Any]:
    """Return a plan's column values as keyword arguments for its model."""
    names = _COLUMNS.get(type(plan))
    if names is None:
        names = tuple(f.name for f in fields(plan) if f.name not in _NOT_COLUMNS)
        _COLUMNS[type(plan)] = names
    return {name: getattr(plan, name) for name in names}


class Loader:
    """Write plans to the database: each site and operator is known by primary key."""

    def __init__(
        self,
        site_ids: tuple[int, ...],
        operator_ids: tuple[tuple[int, ...], ...],
        author: User,
    ) -> None:
        self.site_ids = site_ids
        self.operator_ids = operator_ids
        self.author = author
        self.now = timezone.now()
        self.counts: Counter[str] = Counter()

    def load(self, plans: Iterable[PatientPlan]) -> Counter[str]:
        """Insert every patient's records; return the number of rows per model."""
        for chunk in _chunks(iter(plans), CHUNK_PATIENTS):
            self._load_chunk(chunk)
        return self.counts

    def _load_chunk(self, plans: list[PatientPlan]) -> None:
        patients = self._insert(
            Patient,
            [
                Patient(
                    site_id=self.site_ids[p.site],
                    next_follow_up_due=next_follow_up_due(p),
                    **columns(p),
                )
                for p in plans
            ],
        )
        tumours = [
            [Tumour(patient_id=patient.pk, **columns(t)) for t in plan.tumours]
            for plan, patient in zip(plans, patients, strict=True)
        ]
        self._insert(Tumour, _flat(tumours))
        self._load_procedures(plans, patients, tumours)
        self._load_follow_ups(plans, patients, tumours)

    def _load_procedures(
        self, plans: list[PatientPlan], patients: list[Patient], tumours: list[list[Tumour]]
    ) -> None:
        procedures = [
            [
                Procedure(
                    patient_id=patient.pk,
                    operator_id=self.operator_ids[plan.site][p.operator],
                    **columns(p),
                )
                for p in plan.procedures
            ]
            for plan, patient in zip(plans, patients, strict=True)
        ]
        self._insert(Procedure, _flat(procedures))
        treatments, complications = [], []
        for plan, rows, own_tumours in zip(plans, procedures, tumours, strict=True):
            for p, row in zip(plan.procedures, rows, strict=True):
                treatments += [
                    TumourTreatment(
                        procedure_id=row.pk, tumour_id=own_tumours[t.tumour].pk, **columns(t)
                    )
                    for t in p.treatments
                ]
                complications += [
                    Complication(procedure_id=row.pk, **columns(c)) for c in p.complications
                ]
        self._insert(TumourTreatment, treatments)
        self._insert(Complication, complications)

    def _load_follow_ups(
        self, plans: list[PatientPlan], patients: list[Patient], tumours: list[list[Tumour]]
    ) -> None:
        follow_ups = [
            [FollowUp(patient_id=patient.pk, **columns(f)) for f in plan.follow_ups]
            for plan, patient in zip(plans, patients, strict=True)
        ]
        self._insert(FollowUp, _flat(follow_ups))
        assessments = [
            TumourAssessment(follow_up_id=row.pk, tumour_id=own_tumours[a.tumour].pk, **columns(a))
            for plan, rows, own_tumours in zip(plans, follow_ups, tumours, strict=True)
            for f, row in zip(plan.follow_ups, rows, strict=True)
            for a in f.assessments
        ]
        self._insert(TumourAssessment, assessments)

    def _insert(self, model: type[R], rows: list[R]) -> list[R]:
        """Insert rows and their history: every registry record needs a history row."""
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        model.history.bulk_history_create(
            rows,
            batch_size=BATCH_SIZE,
            default_user=self.author,
            default_change_reason=CHANGE_REASON,
            default_date=self.now,
        )
        self.counts[str(model._meta.verbose_name_plural)] += len(rows)
        return rows


def next_follow_up_due(plan: PatientPlan) -> datetime.date | None:
    """Return the patient's next follow-up due, as the services would store it."""
    procedures = [p.performed_on for p in plan.procedures]
    contacts = [
        (f.seen_on, f.vital_status == VitalStatus.DEAD, f.lost_to_follow_up)
        for f in plan.follow_ups
    ]
    return schedule.next_due(
        procedures,
        [seen_on for seen_on, _, _ in contacts],
        ended=bool(schedule.follow_up_ended(procedures, contacts)),
        months=settings.FOLLOW_UP_SCHEDULE_MONTHS,
        window_days=settings.FOLLOW_UP_WINDOW_DAYS,
    )


def _chunks(items: Iterator[PatientPlan], size: int) -> Iterator[list[PatientPlan]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _flat(groups: list[list[R]]) -> list[R]:
    return [row for group in groups for row in group]
