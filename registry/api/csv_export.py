"""CSV of an exported table, streamed with constant memory.

`TableCsv` is what the CSV endpoints and the bundle send. On PostgreSQL it is
a `COPY (SELECT ...) TO STDOUT` of the scoped, filtered queryset, formatted
and pseudonymised in SQL (registry/api/copy_export.py). Elsewhere (the SQLite
demo) `table_rows()` formats the values through the serializer fields, fed by
a server-side cursor one chunk at a time. Both give the same bytes, which
tests/api/test_api_copy_export.py checks table by table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from rest_framework import serializers

from registry import selectors
from registry.api.copy_export import FLUSH_BYTES, CopyRows, copy_statement
from registry.api.tables import TABLES_BY_NAME, ExportFilters, ExportTable
from registry.models import User

CHUNK_ROWS = 2000  # rows fetched per round trip of the server-side cursor


def cell(field: serializers.Field, value: Any) -> str:
    """Format one value as the JSON export would, as text (empty for null)."""
    if value is None:
        return ""
    shown = field.to_representation(value)
    if shown is None:  # e.g. a blank code ("not recorded"), null in JSON
        return ""
    if isinstance(shown, bool):
        return "true" if shown else "false"
    return str(shown)


def table_rows(
    table: ExportTable, queryset: QuerySet[Any]
) -> tuple[list[str], Iterator[list[str]]]:
    """Return the header and a lazy iterator of formatted rows of a filtered queryset."""
    columns = table.columns()
    sources = [column.source for column in columns]
    rows = (
        table.rows(queryset)
        .order_by(*table.csv_ordering)
        .values_list(*sources)
        .iterator(chunk_size=CHUNK_ROWS)
    )
    formatters: list[Callable[[Any], str]] = [_formatter(column.field) for column in columns]

    def formatted() -> Iterator[list[str]]:
        for row in rows:
            yield [fmt(value) for fmt, value in zip(formatters, row, strict=True)]

    return [column.name for column in columns], formatted()


def _formatter(field: serializers.Field) -> Callable[[Any], str]:
    return lambda value: cell(field, value)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Yield UTF-8 CSV in chunks of about FLUSH_BYTES."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


class CountingRows:
    """Wrap a row iterator and count what passed through (for the export log)."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self._rows = iter(rows)
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self._rows:
            self.count += 1
            yield row


class TableCsv:
    """A table's CSV, header first, as an iterator of UTF-8 chunks.

    `count` is the number of rows produced so far (for the export log), and
    `close()` stops the query early. On PostgreSQL the connection is busy
    until the iterator is exhausted or closed.
    """

    def __init__(
        self, table: ExportTable, queryset: QuerySet[Any], *, use_copy: bool | None = None
    ) -> None:
        if use_copy is None:
            use_copy = connections[queryset.db].vendor == "postgresql"
        self._counter: CopyRows | CountingRows
        if use_copy:
            statement, params = copy_statement(table, queryset)
            self._counter = CopyRows(statement, params, using=queryset.db)
            self._chunks = self._copied(table, self._counter)
        else:
            header, rows = table_rows(table, queryset)
            self._counter = CountingRows(rows)
            self._chunks = csv_chunks(header, self._counter)

    @staticmethod
    def _copied(table: ExportTable, rows: CopyRows) -> Iterator[bytes]:
        yield from csv_chunks(table.header(), ())
        yield from rows

    @property
    def count(self) -> int:
        return self._counter.count

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        """Stop early: end the query and release the connection."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def export_table_csv(
    *,
    user: User,
    table_name: str,
    filters: ExportFilters | None = None,
    use_copy: bool | None = None,
) -> TableCsv:
    """Return the CSV of one exported table as `user` may see it, narrowed by `filters`.

    The scope is the user's export sites (selectors.export_records_for) and the
    filters only narrow it, as in the CSV endpoint and the bundle. use_copy
    None picks COPY on PostgreSQL; False forces the Python writer.
    """
    table = TABLES_BY_NAME[table_name]
    rows = selectors.export_records_for(user, table.model, include_withdrawn=True)
    narrowed = table.apply_filters(rows, filters or ExportFilters())
    return TableCsv(table, narrowed, use_copy=use_copy)
