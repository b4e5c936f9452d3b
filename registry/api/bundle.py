"""The export bundle: one zip with every table, the data dictionary, parts other
apps register, and a manifest (filters, row counts, SHA-256 of each file,
export time in UTC, software version).

Other apps add files without registry importing them: from their
`AppConfig.ready()` they call `register_part(name, producer, serializer=...)`.
The producer receives the `ExportScope` (user, sites, filters) and yields CSV
rows, header first; the serializer describes those columns in the data
dictionary.

The zip is written to a SpooledTemporaryFile (memory up to SPOOL_BYTES, then
disk) and sent from there in blocks. Building it before sending means the
database work is over before the transfer starts, an error answers with a
proper status instead of a truncated zip, and the manifest can hold the row
counts and checksums; memory stays bounded either way.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from rest_framework import serializers

from registry import selectors
from registry.api import dictionary
from registry.api.csv_export import CountingRows, csv_chunks, export_table_csv
from registry.api.pseudonyms import key_fingerprint
from registry.api.tables import TABLES, ExportFilters
from registry.models import Site, User

SPOOL_BYTES = 32 * 1024 * 1024
MANIFEST_NAME = "manifest.json"
DICTIONARY_NAME = "data_dictionary.csv"
_PART_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_RESERVED = {t.name for t in TABLES} | {"data_dictionary", "manifest"}


@dataclass(frozen=True)
class ExportScope:
    """What a bundle covers: handed to every registered part's producer."""

    user: User
    site_ids: tuple[int, ...]  # The sites exported, after the site filter (never "all").
    filters: ExportFilters


Producer = Callable[[ExportScope], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class Part:
    name: str
    producer: Producer
    serializer: type[serializers.Serializer] | None


_PARTS: dict[str, Part] = {}


def register_part(
    name: str,
    producer: Producer,
    *,
    serializer: type[serializers.Serializer] | None = None,
) -> None:
    """Add `<name>.csv` to every bundle; describe its columns with `serializer`."""
    if not _PART_NAME.match(name) or name in _RESERVED:
        raise ValueError(f"{name!r} cannot name a bundle part (lowercase, not a core table).")
    if name in _PARTS:
        raise ValueError(f"A bundle part named {name!r} is already registered.")
    if serializer is not None:
        dictionary.register_serializer(name, serializer)
    _PARTS[name] = Part(name, producer, serializer)


def unregister_part(name: str) -> None:
    """Remove a registered part (tests, or an app switched off)."""
    part = _PARTS.pop(name, None)
    if part is not None and part.serializer is not None:
        dictionary.unregister_serializer(name)


def registered_parts() -> list[str]:
    return list(_PARTS)


@functools.cache
def software_version() -> str:
    """Return the CryoAudit version from pyproject.toml."""
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def export_scope(user: User, filters: ExportFilters) -> ExportScope:
    sites = selectors.export_sites_for(user)
    if filters.site_ids:
        sites = sites.filter(pk__in=filters.site_ids)
    return ExportScope(
        user=user, site_ids=tuple(sites.values_list("pk", flat=True)), filters=filters
    )


def build_bundle(*, user: User, filters: ExportFilters) -> tuple[IO[bytes], dict[str, Any]]:
    """Write the bundle to a spooled temporary file; return it (rewound) and its manifest."""
    scope = export_scope(user, filters)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned open
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            table_csv = export_table_csv(user=user, table_name=table.name, filters=filters)
            files.append(_write_chunks(archive, f"{table.name}.csv", table_csv, table_csv))
        entries = (entry.as_csv_row() for entry in dictionary.entries())
        files.append(_write_csv(archive, DICTIONARY_NAME, dictionary.CSV_HEADER, entries))
        for part in list(_PARTS.values()):
            produced = iter(part.producer(scope))
            header = [str(name) for name in next(produced, [])]
            files.append(_write_csv(archive, f"{part.name}.csv", header, produced))
        manifest = _manifest(user, scope, files)
        archive.writestr(MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True))
    out.seek(0)
    return out, manifest


def _write_csv(
    archive: zipfile.ZipFile, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> dict[str, Any]:
    counted = CountingRows(rows)
    return _write_chunks(archive, name, csv_chunks(header, counted), counted)


def _write_chunks(
    archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes], counter: Any
) -> dict[str, Any]:
    """Write one CSV file; return its manifest entry (`counter.count` rows)."""
    digest = hashlib.sha256()
    size = 0
    with archive.open(name, "w", force_zip64=True) as entry:
        for chunk in chunks:
            entry.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return {"name": name, "rows": counter.count, "bytes": size, "sha256": digest.hexdigest()}


def _manifest(user: User, scope: ExportScope, files: list[dict[str, Any]]) -> dict[str, Any]:
    codes = list(Site.objects.filter(pk__in=scope.site_ids).values_list("code", flat=True))
    return {
        "format": "cryoaudit-export-bundle",
        "format_version": 1,
        "software_version": software_version(),
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "exported_by": user.get_username(),
        "pseudonym_key_fingerprint": key_fingerprint(),
        "sites": sorted(codes),
        "filters": scope.filters.as_log(),
        "files": files,
    }


def iter_file(file: IO[bytes], block: int = 64 * 1024) -> Iterator[bytes]:
    """Yield a file's content in blocks, then close it."""
    try:
        while chunk := file.read(block):
            yield chunk
    finally:
        file.close()
