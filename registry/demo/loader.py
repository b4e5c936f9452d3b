"""Insert the cohort's plans in bulk, with a history row for every record.

Rows go in per model in dependency order (patients, tumours, procedures,
treatments, complications, follow-ups, assessments), a chunk of patients at a
time so memory stays flat however large the cohort. `Loader` walks the plans
and hands each model's rows to `_write()`, which returns their primary keys:
that is how children find their parents. `BulkLoader` writes with
bulk_create() (any database); `registry.demo.copying.CopyLoader` streams rows
with PostgreSQL's COPY. Both write the same rows from the same plans.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.utils import timezone

from registry import schedule
from registry.choices import VitalStatus
from registry.demo import CHANGE_REASON
from registry.demo.plans import PatientPlan
from registry.models import (
    Complication,
    FollowUp,
    Patient,
    Procedure,
    Tumour,
    TumourAssessment,
    TumourTreatment,
    User,
)

CHUNK_PATIENTS = 1000
BATCH_SIZE = 2000
# Every model the loader writes, parents first.
LOADED_MODELS: tuple[type[Model], ...] = (
    Patient,
    Tumour,
    Procedure,
    TumourTreatment,
    Complication,
    FollowUp,
    TumourAssessment,
)
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


def column_names(plan_type: type) -> tuple[str, ...]:
    """Return the names of a plan type's fields that are model columns."""
    names = _COLUMNS.get(plan_type)
    if names is None:
        names = tuple(f.name for f in fields(plan_type) if f.name not in _NOT_COLUMNS)
        _COLUMNS[plan_type] = names
    return names


def columns(plan: Any) -> dict[str, Any]:
    """Return a plan's column values as keyword arguments for its model."""
    return {name: getattr(plan, name) for name in column_names(type(plan))}


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

    def _write(
        self, model: type[Model], keys: tuple[str, ...], values: list[tuple[Any, ...]], plans: list
    ) -> list[int]:
        """Insert one row per plan, with its history row; return the primary keys.

        `keys` names the columns (parents and derived values) that `values` holds
        for each plan, in the same order; the plan's own fields supply the rest.
        """
        raise NotImplementedError

    def _insert(
        self, model: type[Model], keys: tuple[str, ...], values: list[tuple[Any, ...]], plans: list
    ) -> list[int]:
        ids = self._write(model, keys, values, plans) if plans else []
        self.counts[str(model._meta.verbose_name_plural)] += len(plans)
        return ids

    def _load_chunk(self, plans: list[PatientPlan]) -> None:
        patient_ids = self._insert(
            Patient,
            ("site_id", "next_follow_up_due"),
            [(self.site_ids[p.site], next_follow_up_due(p)) for p in plans],
            plans,
        )
        tumour_ids = _regroup(
            self._insert(
                Tumour,
                ("patient_id",),
                [(pk,) for p, pk in zip(plans, patient_ids, strict=True) for _ in p.tumours],
                [t for p in plans for t in p.tumours],
            ),
            [len(p.tumours) for p in plans],
        )
        self._load_procedures(plans, patient_ids, tumour_ids)
        self._load_follow_ups(plans, patient_ids, tumour_ids)

    def _load_procedures(
        self, plans: list[PatientPlan], patient_ids: list[int], tumour_ids: list[list[int]]
    ) -> None:
        owners = [
            (plan, pk, tumours)
            for plan, pk, tumours in zip(plans, patient_ids, tumour_ids, strict=True)
            for _ in plan.procedures
        ]
        procedures = [p for plan in plans for p in plan.procedures]
        ids = self._insert(
            Procedure,
            ("patient_id", "operator_id"),
            [
                (pk, self.operator_ids[plan.site][p.operator])
                for (plan, pk, _), p in zip(owners, procedures, strict=True)
            ],
            procedures,
        )
        rows = list(zip(ids, procedures, (tumours for _, _, tumours in owners), strict=True))
        self._insert(
            TumourTreatment,
            ("procedure_id", "tumour_id"),
            [(pk, tumours[t.tumour]) for pk, p, tumours in rows for t in p.treatments],
            [t for p in procedures for t in p.treatments],
        )
        self._insert(
            Complication,
            ("procedure_id",),
            [(pk,) for pk, p, _ in rows for _ in p.complications],
            [c for p in procedures for c in p.complications],
        )

    def _load_follow_ups(
        self, plans: list[PatientPlan], patient_ids: list[int], tumour_ids: list[list[int]]
    ) -> None:
        owners = [
            (pk, tumours)
            for plan, pk, tumours in zip(plans, patient_ids, tumour_ids, strict=True)
            for _ in plan.follow_ups
        ]
        follow_ups = [f for plan in plans for f in plan.follow_ups]
        ids = self._insert(FollowUp, ("patient_id",), [(pk,) for pk, _ in owners], follow_ups)
        rows = zip(ids, follow_ups, (tumours for _, tumours in owners), strict=True)
        self._insert(
            TumourAssessment,
            ("follow_up_id", "tumour_id"),
            [(pk, tumours[a.tumour]) for pk, f, tumours in rows for a in f.assessments],
            [a for f in follow_ups for a in f.assessments],
        )


class BulkLoader(Loader):
    """Write with bulk_create() and simple-history's bulk_history_create()."""

    def _write(
        self, model: type[Model], keys: tuple[str, ...], values: list[tuple[Any, ...]], plans: list
    ) -> list[int]:
        rows = [
            model(**dict(zip(keys, row, strict=True)), **columns(plan))
            for row, plan in zip(values, plans, strict=True)
        ]
        model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
        model.history.bulk_history_create(  # type: ignore[attr-defined]
            rows,
            batch_size=BATCH_SIZE,
            default_user=self.author,
            default_change_reason=CHANGE_REASON,
            default_date=self.now,
        )
        return [row.pk for row in rows]


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


def _regroup(ids: Sequence[int], sizes: list[int]) -> list[list[int]]:
    """Split a flat list of primary keys back into one list per parent."""
    starts = [0, *itertools.accumulate(sizes)]
    return [list(ids[start:end]) for start, end in itertools.pairwise(starts)]
