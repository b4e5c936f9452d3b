"""The CSV export on PostgreSQL: `COPY (SELECT ...) TO STDOUT WITH (FORMAT csv)`.

The SELECT is the scoped, filtered queryset the Python writer reads (see
registry/api/csv_export.py), so access control and filters stay in one place;
only the selected columns differ. Each is an SQL expression giving the text
`csv_export.cell()` gives for that serializer field, and pgcrypto's hmac()
computes the pseudonyms, so PostgreSQL writes the CSV itself and Python only
passes the bytes on.

Details that keep the bytes identical to the Python writer's:

- every empty cell is NULL: COPY quotes an empty string but not a NULL, where
  Python's csv module writes both bare;
- dates are written as they are, with DateStyle set to ISO for the export;
- COPY ends rows with "\\n", turned into "\\r\\n" outside quoted values.

And details that keep it fast: only text is compared with '' (NULLIF on every
cell costs about a tenth of the time), a child table's pseudonyms are computed
once per patient, in a LATERAL lookup of the patient that PostgreSQL memoizes,
instead of once per row, and the rows are taken from libpq directly.
"""

from __future__ import annotations

import selectors
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
import psycopg.errors
import psycopg.pq
import psycopg.pq.abc
from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, NullIf
from rest_framework import serializers

from registry.api.serializers import PseudonymField
from registry.api.tables import Column, ExportTable
from registry.models import Patient

# The key reaches SQL as a transaction-local setting, not as a literal in the
# COPY statement, which pg_stat_activity and slow-query logs would show.
KEY_SETTING = "cryoaudit.export_pseudonym_key"
PSEUDONYM_OF_REGISTRY_ID = (
    "encode(hmac({registry_id}, current_setting('" + KEY_SETTING + "'), 'sha256'), 'hex')"
)
FLUSH_BYTES = 64 * 1024  # bytes of CSV per chunk sent (by both CSV writers)
EXPORT_WORK_MEM = "64MB"  # per sort of an export's COPY, for this transaction only


class Pseudonym(Func):
    """The patient's pseudonym (registry.api.pseudonyms.pseudonym) computed by pgcrypto."""

    template = PSEUDONYM_OF_REGISTRY_ID.format(registry_id="%(expressions)s")
    output_field = TextField()


class UtcDateTime(Func):
    """A date-time as DRF writes it in UTC: microseconds only when not zero, then "Z"."""

    template = (
        "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')"
    )
    output_field = TextField()


def sql_cell(field: serializers.Field, source: Combinable) -> Combinable:
    """Return the SQL of one CSV cell: the text `cell()` gives, or NULL for an empty cell."""
    if isinstance(field, PseudonymField):
        return Pseudonym(source)
    if isinstance(field, serializers.DateTimeField):
        return UtcDateTime(source)
    if isinstance(field, serializers.BooleanField):
        return Cast(source, TextField())  # "true" or "false", where COPY writes t or f
    if isinstance(field, serializers.ChoiceField | serializers.CharField):
        # Text, and codes as stored; blank is empty (a blank code is null in JSON).
        return NullIf(Cast(source, TextField()), Value(""), output_field=TextField())
    # Integers as they are; numerics keep their column's scale, as the quantized
    # Decimal does; dates are ISO under the export's DateStyle.
    as_they_are = serializers.IntegerField | serializers.DecimalField | serializers.DateField
    if isinstance(field, as_they_are):
        return source
    raise TypeError(f"No SQL format for {type(field).__name__}: add one to sql_cell().")


def _patient_key(table: ExportTable, column: Column) -> str | None:
    """Return the path to the patient's key if the column is the pseudonym of the row's patient.

    None for other columns, and for the patients table, which pseudonymises in place.
    """
    path = table.patient_path
    if not isinstance(column.field, PseudonymField) or path is None or path == "pk":
        return None
    return path if column.source == path.removesuffix("_id") + "__registry_id" else None


def _pseudonym_lookup(patient_key: str, quote: Callable[[str], str]) -> str:
    """Return a LATERAL join giving csv_patient.pseudonym for the patient with that key.

    OFFSET 0 keeps the subquery whole, so that the hmac runs in it and the
    planner's Memoize node caches it per patient.
    """
    registry_id = quote(str(Patient._meta.get_field("registry_id").column))
    pk = quote(str(Patient._meta.pk.column))
    pseudonym = PSEUDONYM_OF_REGISTRY_ID.format(registry_id=f"patient.{registry_id}")
    return (
        f" CROSS JOIN LATERAL (SELECT {pseudonym} AS pseudonym "
        f"FROM {quote(Patient._meta.db_table)} AS patient "
        f"WHERE patient.{pk} = {patient_key} OFFSET 0) AS csv_patient"
    )


def copy_statement(table: ExportTable, queryset: QuerySet[Any]) -> tuple[str, Sequence[Any]]:
    """Return the COPY of a table's filtered queryset, with its parameters."""
    quote = connections[queryset.db].ops.quote_name
    cells: dict[str, Any] = {}
    selected, lateral = [], ""
    for i, column in enumerate(table.columns()):
        alias = f"csv_cell_{i}"
        if (patient_key := _patient_key(table, column)) is not None:
            cells[alias] = F(patient_key)
            lateral = _pseudonym_lookup(f"csv_rows.{alias}", quote)
            selected.append("csv_patient.pseudonym")
        else:
            cells[alias] = sql_cell(column.field, F(column.source))
            selected.append(f"csv_rows.{alias}")
    order = {f"csv_order_{k}": F(name) for k, name in enumerate(table.csv_ordering)}
    rows = table.annotated(queryset).values(**cells, **order).order_by(*table.csv_ordering)
    sql, params = rows.query.sql_with_params()
    ordering = ", ".join(f"csv_rows.{alias}" for alias in order)
    select = f"SELECT {', '.join(selected)} FROM ({sql}) AS csv_rows{lateral} ORDER BY {ordering}"
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params


def copy_out(
    cursor: psycopg.Cursor[Any], statement: str, *, chunk_bytes: int
) -> Iterator[tuple[bytes, int]]:
    """Yield the output of a `COPY ... TO STDOUT` in whole rows, about chunk_bytes at a time.

    Each chunk comes with its number of rows (COPY sends one message per row).
    Reading each row through psycopg's Copy.read() costs the client about as
    much time as the server takes to write it, so this takes the rows libpq
    has already received directly (one C call each) and only waits on the
    socket, GIL released, when none is left. psycopg's Copy still starts the
    COPY and, if the caller stops early, cancels it and drains the connection.
    """
    pgconn = cursor.connection.pgconn
    buffer, rows = bytearray(), 0
    with cursor.copy(statement), selectors.DefaultSelector() as selector:
        selector.register(pgconn.socket, selectors.EVENT_READ)
        while (received := pgconn.get_copy_data(1))[0] != -1:  # -1: the COPY is over
            if received[0] == 0:  # no whole row received yet
                selector.select()
                pgconn.consume_input()
                continue
            buffer += received[1]
            rows += 1
            if len(buffer) >= chunk_bytes:
                yield bytes(buffer), rows
                buffer, rows = bytearray(), 0
        _finish(pgconn, selector, encoding=cursor.connection.info.encoding)
    yield bytes(buffer), rows


def _finish(pgconn: psycopg.pq.abc.PGconn, selector: selectors.BaseSelector, encoding: str) -> None:
    """Read the results that end a COPY, without blocking; raise if it failed."""
    failed = None
    while True:
        while pgconn.is_busy():
            selector.select()
            pgconn.consume_input()
        if (result := pgconn.get_result()) is None:
            break
        if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
            failed = failed or psycopg.errors.error_from_result(result, encoding=encoding)
    if failed is not None:
        raise failed


class CopyRows:
    """Stream the CSV rows of a COPY in chunks of about FLUSH_BYTES; count them.

    The database connection is busy until the stream ends or is closed.
    """

    def __init__(self, statement: str, params: Sequence[Any], *, using: str) -> None:
        self._statement = statement
        self._params = params
        self._using = using
        self.count = 0

    def __iter__(self) -> Iterator[bytes]:
        connection = connections[self._using]
        with transaction.atomic(using=self._using), connection.cursor() as cursor:
            raw = cursor.cursor
            # Straight to psycopg: Django's debug log would show the key. The rows
            # are sorted by ID after the scoping joins: give the sort enough memory
            # to stay off disk (at a million rows the default spilled ~100 MB).
            raw.execute(
                "SELECT set_config(%s, %s, true), set_config('DateStyle', 'ISO', true),"
                " set_config('work_mem', %s, true)",
                [KEY_SETTING, str(settings.EXPORT_PSEUDONYM_KEY), EXPORT_WORK_MEM],
            )
            # Parameters merged as Django's cursor would (COPY takes no bound ones).
            with psycopg.ClientCursor(raw.connection) as merger:
                statement = merger.mogrify(self._statement, self._params)
            for chunk, rows in copy_out(raw, statement, chunk_bytes=FLUSH_BYTES):
                self.count += rows
                yield crlf(chunk)


def crlf(rows: bytes) -> bytes:
    """Return whole CSV rows from COPY with "\\r\\n", as Python's csv writes, ending each.

    Outside quoted values every "\\n" ends a row; a quoted value keeps its own
    line breaks. Splitting whole rows at quotes leaves the text outside quoted
    values at even positions (a doubled quote inside a value splits off an
    empty piece, which keeps the parity).
    """
    if b'"' not in rows:
        return rows.replace(b"\n", b"\r\n")
    pieces = rows.split(b'"')
    pieces[::2] = [piece.replace(b"\n", b"\r\n") for piece in pieces[::2]]
    return b'"'.join(pieces)
