"""The data dictionary: every exported column, described from its serializer field.

Labels come from the models' verbose names, definitions from their help texts,
allowed values from their choices and units from the names ("(mm)",
"(ng/mL)", "(days)"), so the dictionary cannot drift from the export. Other
apps add the columns of their bundle parts with `register_serializer()`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.text import capfirst
from rest_framework import serializers

from registry.api.tables import TABLES

UNITS = ("mm", "cm", "ng/mL", "days", "minutes", "hours", "months", "years", "%")
_UNIT_IN_LABEL = re.compile(r"\((" + "|".join(re.escape(u) for u in UNITS) + r")\)")
_UNIT_SUFFIXES = {
    "_mm": "mm",
    "_days": "days",
    "_minutes": "minutes",
    "_months": "months",
    "_years": "years",
}

# Checked in order: subclasses before their bases.
_TYPES: tuple[tuple[type[Any], str], ...] = (
    (serializers.BooleanField, "boolean"),
    (serializers.ChoiceField, "code"),
    (serializers.IntegerField, "integer"),
    (serializers.DecimalField, "decimal"),
    (serializers.FloatField, "decimal"),
    (serializers.DateTimeField, "datetime"),
    (serializers.DateField, "date"),
    (serializers.CharField, "string"),
)

_EXTRA: dict[str, type[serializers.Serializer]] = {}


@dataclass(frozen=True)
class Entry:
    table: str
    name: str
    type: str
    unit: str
    allowed_values: dict[str, str]
    nullable: bool
    definition: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def as_csv_row(self) -> list[str]:
        allowed = "; ".join(f"{code} = {label}" for code, label in self.allowed_values.items())
        nullable = "true" if self.nullable else "false"
        return [self.table, self.name, self.type, self.unit, allowed, nullable, self.definition]


CSV_HEADER = ["table", "name", "type", "unit", "allowed_values", "nullable", "definition"]


def register_serializer(table: str, serializer_class: type[serializers.Serializer]) -> None:
    """Describe another app's exported table (e.g. a bundle part) in the dictionary."""
    if table in {t.name for t in TABLES} or table in _EXTRA:
        raise ValueError(f"The data dictionary already describes a table named {table!r}.")
    _EXTRA[table] = serializer_class


def unregister_serializer(table: str) -> None:
    _EXTRA.pop(table, None)


def entries() -> Iterator[Entry]:
    """Yield the dictionary: the core tables in export order, then registered ones."""
    described = [(t.name, t.serializer_class) for t in TABLES] + list(_EXTRA.items())
    for table, serializer_class in described:
        for name, field in serializer_class().fields.items():
            yield describe(table, name, field)


def describe(table: str, name: str, field: serializers.Field) -> Entry:
    """Describe one serializer field."""
    label = str(field.label or capfirst(name.replace("_", " ")))
    help_text = str(field.help_text or "")
    definition = label if not help_text else f"{label}. {help_text}"
    return Entry(
        table=table,
        name=name,
        type=_type_of(field),
        unit=_unit_of(name, label),
        allowed_values=_allowed_values(field),
        nullable=bool(getattr(field, "allow_null", False) or getattr(field, "allow_blank", False)),
        definition=definition,
    )


def _type_of(field: serializers.Field) -> str:
    kind = getattr(field, "kind", None)
    if kind:
        return str(kind)
    for field_class, name in _TYPES:
        if isinstance(field, field_class):
            return name
    return "string"


def _unit_of(name: str, label: str) -> str:
    match = _UNIT_IN_LABEL.search(label)
    if match:
        return match.group(1)
    for suffix, unit in _UNIT_SUFFIXES.items():
        if name.endswith(suffix):
            return unit
    return ""


def _allowed_values(field: serializers.Field) -> dict[str, str]:
    if not isinstance(field, serializers.ChoiceField):
        return {}
    return {str(code): str(label) for code, label in field.choices.items()}
