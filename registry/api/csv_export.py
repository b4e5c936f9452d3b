"""CSV of an exported table, streamed with constant memory.

`table_rows()` is the one place that turns a scoped, filtered queryset into
CSV cells: a server-side cursor (`values_list().iterator()`) feeds formatted
rows one chunk at a time. A faster implementation can replace it (for example
PostgreSQL `COPY (SELECT ...) TO STDOUT` with pgcrypto pseudonyms) if it emits
the same header and cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from registry.api.tables import ExportTable

CHUNK_ROWS = 2000  # rows fetched per round trip of the server-side cursor
FLUSH_BYTES = 64 * 1024  # bytes of CSV sent per chunk of the HTTP response


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
    rows = table.rows(queryset).values_list(*sources).iterator(chunk_size=CHUNK_ROWS)
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
