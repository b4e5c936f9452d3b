"""Readable change history of clinical records (django-simple-history rows)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from registry.models import (
    ClinicalRecord,
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

# Bookkeeping that changes on every save and tells a reader nothing, and the
# derived next follow-up date (recomputed from the follow-ups, not edited).
_NOT_SHOWN = {"id", "version", "created_at", "updated_at", "next_follow_up_due"}

EMPTY = "(empty)"


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any
    # The model field, to show values as people read them (see display_value).
    model_field: Any = dataclass_field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Revision:
    """One saved version of a record and what it changed."""

    version: int
    author: str
    at: dt.datetime
    kind: str  # "created", "changed" or "deleted"
    reason: str
    changes: tuple[FieldChange, ...]


_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def field_changes(newer: Any, older: Any) -> tuple[FieldChange, ...]:
    """List the fields that differ between two history rows of one record.

    Compares stored values directly (simple-history's diff_against() skips the
    non-editable fields, and withdrawal and sign-off live in those).
    """
    changes = []
    for model_field in older.tracked_fields:
        if model_field.name in _NOT_SHOWN:
            continue
        old, new = getattr(older, model_field.attname), getattr(newer, model_field.attname)
        if old != new:
            label = str(model_field.verbose_name)
            changes.append(FieldChange(model_field.name, label, old, new, model_field))
    return tuple(changes)


def _revision(newer: Any, older: Any | None) -> Revision:
    return Revision(
        version=newer.version,
        author=str(newer.history_user) if newer.history_user else "system",
        at=newer.history_date,
        kind=_KINDS.get(newer.history_type, newer.history_type),
        reason=newer.history_change_reason or "",
        changes=field_changes(newer, older) if older is not None else (),
    )


def revisions(record: ClinicalRecord, *, after_version: int = 0) -> list[Revision]:
    """Return the record's saved versions after a version, oldest first."""
    rows = list(
        record.history.filter(version__gte=max(after_version, 1))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    result = []
    for index, row in enumerate(rows):
        older = rows[index - 1] if index else None
        if row.version > after_version:
            result.append(_revision(row, older))
    return result


# --- Values as people read them ------------------------------------------------

# How a related record is named in the history: short, and without further queries.
_NAMERS: dict[type[models.Model], Any] = {
    User: str,
    Site: lambda site: site.code,
    Patient: lambda patient: patient.registry_id,
    Tumour: lambda tumour: f"tumour {tumour.label}",
    Procedure: lambda procedure: f"procedure on {procedure.performed_on:%d/%m/%Y}",
    FollowUp: lambda follow_up: f"follow-up on {follow_up.seen_on:%d/%m/%Y}",
}

Names = Mapping[tuple[type[models.Model], Any], str]


def related_names(changes: Iterable[FieldChange]) -> dict[tuple[type[models.Model], Any], str]:
    """Name the records that changes point to, one query per related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for change in changes:
        model_field = change.model_field
        if model_field is not None and model_field.is_relation:
            for value in (change.old, change.new):
                if value is not None:
                    wanted[model_field.related_model].add(value)
    return _names_of(wanted)


def _names_of(wanted: Mapping[type[models.Model], set[Any]]) -> dict[Any, str]:
    names: dict[Any, str] = {}
    for model, pks in wanted.items():
        namer = _NAMERS.get(model, str)
        for obj in model._default_manager.filter(pk__in=pks):
            names[(model, obj.pk)] = namer(obj)
    return names


def display_value(model_field: Any, value: Any, names: Names | None = None) -> str:
    """Show a stored value as people read it.

    Choice labels instead of codes, dates as dd/mm/yyyy, related records by
    name, and Yes / No / Unknown for yes-no questions.
    """
    if isinstance(model_field, models.BooleanField):
        return {True: "Yes", False: "No"}.get(value, "Unknown")
    if value is None or value == "":
        return EMPTY
    if model_field is not None and model_field.is_relation:
        return (names or {}).get((model_field.related_model, value), f"record #{value}")
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


@dataclass(frozen=True)
class ReadableChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ReadableRevision:
    """A revision with its values shown as people read them."""

    record: str  # what changed, e.g. "Procedure on 02/03/2025"
    version: int
    author: str
    at: dt.datetime
    kind: str
    reason: str
    changes: tuple[ReadableChange, ...]


def readable(
    revisions_: Iterable[Revision], *, record: str = "", names: Names | None = None
) -> list[ReadableRevision]:
    """Show revisions as people read them (related names looked up in bulk if not given)."""
    revisions_ = list(revisions_)
    if names is None:
        names = related_names(change for revision in revisions_ for change in revision.changes)
    return [
        ReadableRevision(
            record=record,
            version=revision.version,
            author=revision.author,
            at=revision.at,
            kind=revision.kind,
            reason=revision.reason,
            changes=tuple(
                ReadableChange(
                    change.label[:1].upper() + change.label[1:],
                    display_value(change.model_field, change.old, names),
                    display_value(change.model_field, change.new, names),
                )
                for change in revision.changes
            ),
        )
        for revision in revisions_
    ]


# --- A patient's whole history -----------------------------------------------------

# Each tracked model of a patient's record, and how to find its history rows.
_PATIENT_PARTS: tuple[tuple[type[ClinicalRecord], str], ...] = (
    (Patient, "id"),
    (Tumour, "patient_id"),
    (Procedure, "patient_id"),
    (TumourTreatment, "procedure__patient_id"),
    (FollowUp, "patient_id"),
    (TumourAssessment, "follow_up__patient_id"),
    (Complication, "procedure__patient_id"),
)


def patient_history(patient: Patient) -> list[ReadableRevision]:
    """Return every revision of a patient's record and of everything in it, newest first.

    A constant number of queries: one per record type, then one per kind of
    related record named in the changes.
    """
    entries: list[tuple[Any, Revision]] = []
    for part, path in _PATIENT_PARTS:
        rows = (
            part.history.filter(**{path: patient.pk})
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        previous: Any = None
        for row in rows:
            older = previous if previous is not None and previous.id == row.id else None
            # A save that kept the version is bookkeeping, not an edit.
            if older is None or row.version != older.version:
                entries.append((row, _revision(row, older)))
            previous = row
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for row, revision in entries:
        for model, pk in _describing(row):
            wanted[model].add(pk)
        for change in revision.changes:
            if change.model_field is not None and change.model_field.is_relation:
                for value in (change.old, change.new):
                    if value is not None:
                        wanted[change.model_field.related_model].add(value)
    names = _names_of(wanted)
    result = [
        readable([revision], record=_describe(row, names), names=names)[0]
        for row, revision in entries
    ]
    result.sort(key=lambda entry: entry.at, reverse=True)
    return result


def _describing(row: Any) -> list[tuple[type[models.Model], Any]]:
    """Return the related records that name a history row's record."""
    model = row.instance_type
    if model is TumourTreatment:
        return [(Tumour, row.tumour_id), (Procedure, row.procedure_id)]
    if model is TumourAssessment:
        return [(Tumour, row.tumour_id), (FollowUp, row.follow_up_id)]
    if model is Complication:
        return [(Procedure, row.procedure_id)]
    return []


def _describe(row: Any, names: Names) -> str:
    model = row.instance_type
    if model is Patient:
        return f"Patient {row.registry_id}"
    if model is Tumour:
        return f"Tumour {row.label}"
    if model is Procedure:
        return f"Procedure on {row.performed_on:%d/%m/%Y}"
    if model is FollowUp:
        return f"Follow-up on {row.seen_on:%d/%m/%Y}"
    if model is TumourTreatment:
        tumour = names.get((Tumour, row.tumour_id), "a tumour")
        procedure = names.get((Procedure, row.procedure_id), "a procedure")
        return f"Treatment of {tumour} in {procedure}"
    if model is TumourAssessment:
        tumour = names.get((Tumour, row.tumour_id), "a tumour")
        follow_up = names.get((FollowUp, row.follow_up_id), "a follow-up")
        return f"Assessment of {tumour} at {follow_up}"
    procedure = names.get((Procedure, row.procedure_id), "a procedure")
    return f"Complication after {procedure}"
