"""What every clinical record shares: history, versioning and withdrawal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q
from django.db.models.constraints import BaseConstraint
from simple_history.models import HistoricalRecords

NO_NUL = ProhibitNullCharactersValidator()


class ClinicalQuerySet(models.QuerySet[Any]):
    """Query a clinical model, knowing which parents can withdraw its rows."""

    def current(self) -> Self:
        """Return the rows neither withdrawn themselves nor under a withdrawn parent."""
        condition = Q(withdrawn_at__isnull=True)
        for path in self.model.withdrawal_parents:
            condition &= Q(**{f"{path}__withdrawn_at__isnull": True})
        return self.filter(condition)

    def withdrawn(self) -> Self:
        """Return the rows withdrawn themselves (not merely under a withdrawn parent)."""
        return self.filter(withdrawn_at__isnull=False)


class ClinicalRecord(models.Model):
    """Abstract base of every record clinicians enter.

    Records are never deleted: a record entered in error is *withdrawn* with a
    reason, drops out of lists and analyses, and stays in its history. Every
    save writes a history row (django-simple-history) carrying the author and
    the reason for change. `version` counts saves so that an edit based on a
    stale copy can be refused instead of silently overwriting someone's work.
    """

    # Relation paths (from this model) to parents whose withdrawal hides this row.
    withdrawal_parents: ClassVar[tuple[str, ...]] = ()

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True, editable=False)

    # Reasons are free text (settings.SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD);
    # that setting gives every history table a field of its own, where one field
    # object passed here would be shared by all the inheriting models.
    history = HistoricalRecords(inherit=True)

    objects = ClinicalQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean_fields(self, exclude: Any = None) -> None:
        """Validate the fields, and refuse NUL characters that PostgreSQL cannot store.

        Forms and serializers refuse them already; this keeps callers of the
        services (admin, importers) from a database error instead of a field message.
        """
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if (exclude and field.name in exclude) or not isinstance(value, str):
                continue
            try:
                NO_NUL(value)
            except ValidationError as error:
                errors.setdefault(field.name, []).extend(error.error_list)
                # The record is refused either way; clean() may still query with
                # this value (e.g. duplicate checks), which PostgreSQL would reject.
                setattr(self, field.attname, value.replace("\x00", ""))
        if errors:
            raise ValidationError(errors)

    def get_constraints(self) -> list[tuple[type[models.Model], Sequence[BaseConstraint]]]:
        """Return the constraints full_clean() checks: all but the check constraints.

        Each check constraint repeats a field's validators or a rule of clean(),
        which full_clean() runs in Python anyway, and Django would spend a
        database query on each before every save. The database enforces them;
        when it refuses a row, the services run validate_check_constraints() to
        say why, field by field.
        """
        return [
            (model, [c for c in constraints if not isinstance(c, models.CheckConstraint)])
            for model, constraints in super().get_constraints()
        ]

    def validate_check_constraints(self) -> None:
        """Check this record against its check constraints, in the database."""
        errors: dict[str, Any] = {}
        for constraint in self._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                try:
                    constraint.validate(type(self), self)
                except ValidationError as error:
                    errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def owning_patient_id(self) -> int:
        """Return the id of the patient this record belongs to."""
        raise NotImplementedError
