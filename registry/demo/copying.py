"""Stream the cohort into PostgreSQL with COPY, history rows included.

bulk_create() builds a model instance and an INSERT parameter per value; for a
cohort of 100,000 patients (millions of rows and as many history rows) that
Python work, not the database, is most of the time. COPY takes plain tuples.
Primary keys are drawn up front from each table's sequence, so children can
name their parents before anything is written; columns the plans do not supply
get the values the models would give them (defaults, and `now` for timestamps).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model
from psycopg import sql

from registry.demo import CHANGE_REASON
from registry.demo.loader import LOADED_MODELS, Loader, column_names

# The columns simple-history adds to each history table, besides its own key.
HISTORY_COLUMNS = ("history_date", "history_user_id", "history_change_reason", "history_type")


@dataclass(frozen=True)
class Layout:
    """How one model's rows and history rows are written: statements and fixed values."""

    copy_rows: sql.Composed
    copy_history: sql.Composed
    sequence: str
    plan_values: Callable[[Any], tuple[Any, ...]]
    constants: tuple[Any, ...]


class CopyLoader(Loader):
    """Write with COPY ... FROM STDIN (PostgreSQL only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.layouts: dict[tuple[type[Model], tuple[str, ...], type], Layout] = {}
        self.history = (self.now, self.author.pk, CHANGE_REASON, "+")

    def _write(
        self, model: type[Model], keys: tuple[str, ...], values: list[tuple[Any, ...]], plans: list
    ) -> list[int]:
        layout = self._layout(model, keys, type(plans[0]))
        get, constants = layout.plan_values, layout.constants
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)", [layout.sequence, len(plans)]
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            rows = [
                (pk, *row, *get(plan), *constants)
                for pk, row, plan in zip(ids, values, plans, strict=True)
            ]
            with cursor.copy(layout.copy_rows) as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.copy(layout.copy_history) as copy:
                for row in rows:
                    copy.write_row(row + self.history)
        return ids

    def _layout(self, model: type[Model], keys: tuple[str, ...], plan_type: type) -> Layout:
        cached = self.layouts.get((model, keys, plan_type))
        if cached is None:
            cached = layout(model, keys, column_names(plan_type), self.now)
            self.layouts[(model, keys, plan_type)] = cached
        return cached


def layout(
    model: type[Model], keys: tuple[str, ...], names: tuple[str, ...], now: datetime.datetime
) -> Layout:
    """Lay out a model's rows: primary key, `keys`, plan fields `names`, then constants."""
    meta = model._meta
    by_name = {field.attname: field for field in meta.concrete_fields}
    given = [meta.pk.attname, *keys, *names]
    missing = sorted(set(given) - set(by_name))
    if missing:
        raise ValueError(f"{meta.label} has no columns {missing}.")
    rest = [field for field in meta.concrete_fields if field.attname not in given]
    columns = _columns([*(by_name[name] for name in given), *rest])
    history = model.history.model  # type: ignore[attr-defined]
    expected = set(_columns(history._meta.concrete_fields)) - {"history_id"}
    if expected != {*columns, *HISTORY_COLUMNS}:
        raise ValueError(f"{history._meta.label} has columns the loader does not know.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        (sequence,) = cursor.fetchone()
    return Layout(
        copy_rows=_copy(meta.db_table, columns),
        copy_history=_copy(history._meta.db_table, [*columns, *HISTORY_COLUMNS]),
        sequence=sequence,
        plan_values=_getter(names),
        constants=tuple(_constant(field, now) for field in rest),
    )


def analyze() -> None:
    """Refresh the planner's statistics for the loaded tables and their history."""
    models = [*LOADED_MODELS, *(model.history.model for model in LOADED_MODELS)]  # type: ignore[attr-defined]
    tables = sql.SQL(", ").join(sql.Identifier(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("ANALYZE {}").format(tables))


def _copy(table: str, columns: list[str]) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


def _columns(fields: Iterable[Field[Any, Any]]) -> list[str]:
    # Concrete fields always have a column; the stubs allow None for the others.
    return [cast(str, field.column) for field in fields]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:
        name = names[0]
        return lambda plan: (getattr(plan, name),)
    return attrgetter(*names)


def _constant(field: Field[Any, Any], now: datetime.datetime) -> Any:
    """Return the value a new row gets for a column the plans leave out."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default() and callable(field.default):
        # One value would be shared by every row: the plans must supply the column.
        raise ValueError(f"{field} has a generated default: add it to the plans.")
    return field.get_default()
