"""Writes to the registry.

Every change to a clinical record goes through here: the record is validated
with `full_clean()` (so forms, admin and API enforce the same rules), saved in
a transaction with its author and reason in the history, and refused when the
author may not write at the record's site, when the patient's record is locked
after sign-off, or when the edit was based on a stale copy.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ForeignKey
from django.utils import timezone

from registry import history, schedule, selectors
from registry.choices import VitalStatus
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

R = TypeVar("R", bound=ClinicalRecord)

CREATED = "Created"


class RecordLockedError(Exception):
    """The patient's record was signed off and is read-only until unlocked."""

    def __init__(self, patient: Patient) -> None:
        super().__init__(
            f"The record of {patient.registry_id} is locked after sign-off; "
            "a site lead must unlock it (with a reason) before it can change."
        )
        self.patient = patient


class StaleEditError(Exception):
    """The record changed after the editor loaded it; nothing was saved."""

    def __init__(self, record: ClinicalRecord, revisions: list[history.Revision]) -> None:
        super().__init__(
            f"This {record._meta.verbose_name} was changed by someone else after you opened "
            "it; your changes were not saved."
        )
        self.record = record
        self.revisions = revisions


class RowValidationError(ValidationError):
    """A child row of a multi-row write (e.g. a procedure's treatments) is invalid.

    `rows` names the rows ("tumours", "treatments", "assessments") and `index`
    is the row's position in the rows passed in, so that a form can show the
    errors next to that row.
    """

    def __init__(self, error: ValidationError, *, rows: str, index: int) -> None:
        super().__init__(error)
        self.rows = rows
        self.index = index


# --- Guards -----------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for this change."})
    return reason


def _patient_of(record: ClinicalRecord) -> Patient:
    if isinstance(record, Patient):
        return record
    return Patient.objects.get(pk=record.owning_patient_id())


def _ensure_can_edit(by: User, patient: Patient) -> None:
    if not selectors.can_edit_site(by, patient.site_id):
        raise PermissionDenied("You may not change records of this site.")
    if patient.is_locked:
        raise RecordLockedError(patient)


def _ensure_current(record: ClinicalRecord) -> None:
    if record.is_withdrawn:
        raise ValidationError(
            f"This {record._meta.verbose_name} was withdrawn; restore it before changing it."
        )


def _save(record: R, *, by: User, reason: str) -> R:
    # Fields and cross-field rules (Model.clean) are checked here, in Python. The
    # table's unique and check constraints are enforced by the database itself;
    # checking them first would cost a query each on every save, so they are
    # checked only when the database refuses the row, to turn the refusal into
    # the same field errors. A parent already loaded (the patient, the site)
    # exists, so its foreign key is not read again either.
    loaded = [
        f.name
        for f in record._meta.concrete_fields
        if isinstance(f, ForeignKey) and f.is_cached(record)
    ]
    record.full_clean(exclude=loaded, validate_unique=False, validate_constraints=False)
    # django-simple-history reads these two attributes when it writes the history row.
    record._history_user = by  # type: ignore[attr-defined]
    record._change_reason = reason  # type: ignore[attr-defined]
    try:
        with transaction.atomic():  # a savepoint, so the transaction survives a refusal
            record.save()
    except IntegrityError:
        record.validate_unique()
        record.validate_constraints()
        record.validate_check_constraints()
        raise
    return record


@contextmanager
def _row(rows: str, index: int) -> Iterator[None]:
    """Tell which child row of a multi-row write a validation error comes from."""
    try:
        yield
    except RowValidationError:
        raise
    except ValidationError as error:
        raise RowValidationError(error, rows=rows, index=index) from error


def _assign(record: ClinicalRecord, data: Mapping[str, Any]) -> None:
    editable = {
        field.name
        for field in record._meta.concrete_fields
        if field.editable and not field.primary_key
    }
    unknown = set(data) - editable
    if unknown:
        raise ValueError(f"Not editable fields of {type(record).__name__}: {sorted(unknown)}")
    for name, value in data.items():
        setattr(record, name, value)


# --- Generic create / update / withdraw / restore -----------------------------


@transaction.atomic
def record_create(*, by: User, record: R, reason: str = CREATED) -> R:
    """Validate and save a new record (not yet saved) in one transaction."""
    if record.pk is not None:
        raise ValueError("record_create() takes an unsaved record.")
    if isinstance(record, Patient):
        if not selectors.can_edit_site(by, record.site_id):
            raise PermissionDenied("You may not add patients at this site.")
    else:
        _ensure_can_edit(by, _patient_of(record))
    _save(record, by=by, reason=_require_reason(reason))
    if not isinstance(record, Patient):  # a new patient has no procedures or contacts yet
        _after_change(record)
    return record


def _check_version(current: ClinicalRecord, expected_version: int | None) -> None:
    if expected_version is not None and current.version != expected_version:
        raise StaleEditError(current, history.revisions(current, after_version=expected_version))


@transaction.atomic
def record_update(
    *,
    by: User,
    record: R,
    expected_version: int,
    reason: str,
    data: Mapping[str, Any],
    skip_unchanged: bool = False,
) -> R:
    """Change fields of a record, refusing an edit based on a stale version.

    With `skip_unchanged`, a submission that changes nothing writes nothing (no
    new version, no history row); multi-row edits use it for untouched rows.
    """
    reason = _require_reason(reason)
    current = type(record).objects.select_for_update().get(pk=record.pk)
    _ensure_can_edit(by, _patient_of(current))
    _ensure_current(current)
    _check_version(current, expected_version)
    if skip_unchanged and not _differs(current, data):
        return current
    _assign(current, data)
    current.version += 1
    _save(current, by=by, reason=reason)
    _after_change(current)
    return current


def _differs(record: ClinicalRecord, data: Mapping[str, Any]) -> bool:
    return any(getattr(record, name) != value for name, value in data.items())


@transaction.atomic
def record_withdraw(*, by: User, record: R, reason: str, expected_version: int | None = None) -> R:
    """Withdraw a record entered in error: it leaves lists and analyses, not history."""
    reason = _require_reason(reason)
    current = type(record).objects.select_for_update().get(pk=record.pk)
    _ensure_can_edit(by, _patient_of(current))
    _ensure_current(current)
    _check_version(current, expected_version)
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = by
    current.withdrawal_reason = reason
    current.version += 1
    current._history_user = by  # type: ignore[attr-defined]
    current._change_reason = f"Withdrawn (entered in error): {reason}"  # type: ignore[attr-defined]
    # No full_clean(): withdrawing must work even for a record that today's
    # rules would reject; that is often why it is being withdrawn.
    current.save()
    _after_change(current)
    return current


@transaction.atomic
def record_restore(*, by: User, record: R, reason: str) -> R:
    """Restore a withdrawn record (site leads and registry admins only)."""
    reason = _require_reason(reason)
    current = type(record).objects.select_for_update().get(pk=record.pk)
    patient = _patient_of(current)
    if not selectors.can_lead_site(by, patient.site_id):
        raise PermissionDenied("Only a site lead can restore a withdrawn record.")
    if patient.is_locked:
        raise RecordLockedError(patient)
    if not current.is_withdrawn:
        raise ValidationError(f"This {current._meta.verbose_name} is not withdrawn.")
    current.withdrawn_at = None
    current.withdrawn_by = None
    current.withdrawal_reason = ""
    current.version += 1
    _save(current, by=by, reason=f"Restored: {reason}")
    _after_change(current)
    return current


# --- Sign-off -------------------------------------------------------------------


@transaction.atomic
def patient_lock(*, by: User, patient: Patient, reason: str) -> Patient:
    """Lock a patient's record after review; it stays read-only until unlocked."""
    reason = _require_reason(reason)
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    if not selectors.can_lead_site(by, current.site_id):
        raise PermissionDenied("Only a site lead can sign off a record.")
    _ensure_current(current)
    if current.is_locked:
        raise ValidationError("This record is already locked.")
    current.locked_at = timezone.now()
    current.locked_by = by
    current.version += 1
    return _save(current, by=by, reason=f"Signed off and locked: {reason}")


@transaction.atomic
def patient_unlock(*, by: User, patient: Patient, reason: str) -> Patient:
    """Unlock a signed-off record so that it can be corrected."""
    reason = _require_reason(reason)
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    if not selectors.can_lead_site(by, current.site_id):
        raise PermissionDenied("Only a site lead can unlock a record.")
    if not current.is_locked:
        raise ValidationError("This record is not locked.")
    current.locked_at = None
    current.locked_by = None
    current.version += 1
    return _save(current, by=by, reason=f"Unlocked: {reason}")


# --- Typed entry points ---------------------------------------------------------


def patient_create(
    *, by: User, site: Site, data: Mapping[str, Any], reason: str = CREATED
) -> Patient:
    """Register a patient at a site."""
    patient = Patient(site=site)
    _assign(patient, data)
    return record_create(by=by, record=patient, reason=reason)


@transaction.atomic
def patient_create_with_tumours(
    *,
    by: User,
    site: Site,
    data: Mapping[str, Any],
    tumours: Iterable[Mapping[str, Any]],
    reason: str = CREATED,
) -> Patient:
    """Register a patient and their tumours in one transaction."""
    patient = patient_create(by=by, site=site, data=data, reason=reason)
    for index, tumour_data in enumerate(tumours):
        with _row("tumours", index):
            tumour_create(by=by, patient=patient, data=tumour_data, reason=reason)
    return patient


def tumour_create(
    *, by: User, patient: Patient, data: Mapping[str, Any], reason: str = CREATED
) -> Tumour:
    """Add a tumour to a patient."""
    tumour = Tumour(patient=patient)
    _assign(tumour, data)
    return record_create(by=by, record=tumour, reason=reason)


@transaction.atomic
def procedure_create(
    *,
    by: User,
    patient: Patient,
    data: Mapping[str, Any],
    treatments: Iterable[Mapping[str, Any]] = (),
    reason: str = CREATED,
) -> Procedure:
    """Record a procedure and the tumours it treated, all or nothing."""
    procedure = Procedure(patient=patient)
    _assign(procedure, data)
    record_create(by=by, record=procedure, reason=reason)
    for index, treatment_data in enumerate(treatments):
        with _row("treatments", index):
            treatment = TumourTreatment(procedure=procedure)
            _assign(treatment, treatment_data)
            record_create(by=by, record=treatment, reason=reason)
    return procedure


@transaction.atomic
def follow_up_create(
    *,
    by: User,
    patient: Patient,
    data: Mapping[str, Any],
    assessments: Iterable[Mapping[str, Any]] = (),
    reason: str = CREATED,
) -> FollowUp:
    """Record a follow-up and its per-tumour assessments, all or nothing."""
    follow_up = FollowUp(patient=patient)
    _assign(follow_up, data)
    record_create(by=by, record=follow_up, reason=reason)
    for index, assessment_data in enumerate(assessments):
        with _row("assessments", index):
            assessment = TumourAssessment(follow_up=follow_up)
            _assign(assessment, assessment_data)
            record_create(by=by, record=assessment, reason=reason)
    return follow_up


def complication_create(
    *, by: User, procedure: Procedure, data: Mapping[str, Any], reason: str = CREATED
) -> Complication:
    """Record an adverse event after a procedure."""
    complication = Complication(procedure=procedure)
    _assign(complication, data)
    return record_create(by=by, record=complication, reason=reason)


# --- Multi-row edits ---------------------------------------------------------------


@dataclass(frozen=True)
class RowChange:
    """One child row of a multi-row edit, as the form submitted it.

    `record` is the existing row (None to create one from `data`);
    `expected_version` is the version the editor saw; `remove` withdraws the
    existing row as entered in error.
    """

    record: ClinicalRecord | None
    data: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int | None = None
    remove: bool = False


def _apply_rows(
    *,
    by: User,
    rows: Iterable[RowChange],
    rows_name: str,
    new_row: Any,
    reason: str,
) -> None:
    """Create, change or withdraw child rows, each with the reason in its history."""
    for index, row in enumerate(rows):
        with _row(rows_name, index):
            if row.record is None:
                if not row.remove and row.data:
                    child = new_row()
                    _assign(child, row.data)
                    record_create(by=by, record=child, reason=reason)
            elif row.remove:
                record_withdraw(
                    by=by, record=row.record, reason=reason, expected_version=_version(row)
                )
            else:
                record_update(
                    by=by,
                    record=row.record,
                    expected_version=_version(row),
                    reason=reason,
                    data=row.data,
                    skip_unchanged=True,
                )


def _version(row: RowChange) -> int:
    if row.expected_version is None:
        raise ValidationError("The form did not say which version of this row you edited.")
    return row.expected_version


@transaction.atomic
def patient_update_with_tumours(
    *,
    by: User,
    patient: Patient,
    expected_version: int,
    reason: str,
    data: Mapping[str, Any],
    tumours: Iterable[RowChange],
) -> Patient:
    """Change a patient and their tumours (add, change, withdraw) in one transaction."""
    patient = record_update(
        by=by,
        record=patient,
        expected_version=expected_version,
        reason=reason,
        data=data,
        skip_unchanged=True,
    )
    _apply_rows(
        by=by,
        rows=tumours,
        rows_name="tumours",
        new_row=lambda: Tumour(patient=patient),
        reason=reason,
    )
    return patient


@transaction.atomic
def procedure_update(
    *,
    by: User,
    procedure: Procedure,
    expected_version: int,
    reason: str,
    data: Mapping[str, Any],
    treatments: Iterable[RowChange] = (),
) -> Procedure:
    """Change a procedure and its treated tumours in one transaction."""
    procedure = record_update(
        by=by,
        record=procedure,
        expected_version=expected_version,
        reason=reason,
        data=data,
        skip_unchanged=True,
    )
    _apply_rows(
        by=by,
        rows=treatments,
        rows_name="treatments",
        new_row=lambda: TumourTreatment(procedure=procedure),
        reason=reason,
    )
    return procedure


@transaction.atomic
def follow_up_update(
    *,
    by: User,
    follow_up: FollowUp,
    expected_version: int,
    reason: str,
    data: Mapping[str, Any],
    assessments: Iterable[RowChange] = (),
) -> FollowUp:
    """Change a follow-up and its per-tumour assessments in one transaction."""
    follow_up = record_update(
        by=by,
        record=follow_up,
        expected_version=expected_version,
        reason=reason,
        data=data,
        skip_unchanged=True,
    )
    _apply_rows(
        by=by,
        rows=assessments,
        rows_name="assessments",
        new_row=lambda: TumourAssessment(follow_up=follow_up),
        reason=reason,
    )
    return follow_up


# --- Follow-up schedule ------------------------------------------------------------


def _after_change(record: ClinicalRecord) -> None:
    """Keep derived patient data current in the transaction of the change."""
    if isinstance(record, Patient | Procedure | FollowUp):
        _refresh_next_follow_up_due(record.owning_patient_id())


def _refresh_next_follow_up_due(patient_id: int) -> None:
    # Locking the patient first serialises concurrent contacts of one patient:
    # each computes after the other's rows are committed, so none is missed.
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    _store_next_follow_up_due(patient, next_follow_up_due_of([patient_id])[patient_id])


def _store_next_follow_up_due(patient: Patient, due: datetime.date | None) -> bool:
    if patient.next_follow_up_due == due:
        return False
    patient.next_follow_up_due = due
    # A derived value, recomputable at any time: no new version (which would
    # make someone's open edit of the patient stale) and no history row.
    patient.save_without_historical_record(update_fields=["next_follow_up_due"])  # type: ignore[attr-defined]
    return True


def next_follow_up_due_of(patient_ids: Iterable[int]) -> dict[int, datetime.date | None]:
    """Compute the next follow-up due for patients, in two queries (registry/schedule.py)."""
    ids = list(patient_ids)
    procedures: dict[int, list[datetime.date]] = {pk: [] for pk in ids}
    contacts: dict[int, list[tuple[datetime.date, bool, bool]]] = {pk: [] for pk in ids}
    for patient_id, performed_on in (
        Procedure.objects.current()
        .filter(patient_id__in=ids)
        .values_list("patient_id", "performed_on")
    ):
        procedures[patient_id].append(performed_on)
    for patient_id, seen_on, vital_status, lost in (
        FollowUp.objects.current()
        .filter(patient_id__in=ids)
        .values_list("patient_id", "seen_on", "vital_status", "lost_to_follow_up")
    ):
        contacts[patient_id].append((seen_on, vital_status == VitalStatus.DEAD, lost))
    return {
        pk: schedule.next_due(
            procedures[pk],
            [seen_on for seen_on, _, _ in contacts[pk]],
            ended=bool(schedule.follow_up_ended(procedures[pk], contacts[pk])),
            months=settings.FOLLOW_UP_SCHEDULE_MONTHS,
            window_days=settings.FOLLOW_UP_WINDOW_DAYS,
        )
        for pk in ids
    }


@transaction.atomic
def refresh_next_follow_up_due(*, patients: Iterable[Patient]) -> int:
    """Recompute `Patient.next_follow_up_due` for many patients; return how many changed.

    For loaders (seed_demo, imports) that write records without the services,
    and for a change of the schedule settings.
    """
    rows = list(patients)
    due = next_follow_up_due_of(patient.pk for patient in rows)
    return sum(_store_next_follow_up_due(patient, due[patient.pk]) for patient in rows)
