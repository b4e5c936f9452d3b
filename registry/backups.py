"""Backups of the registry database: dump, restore, and a restore drill.

pg_dump's custom format keeps everything the registry needs back: tables,
sequences, constraints and the append-only triggers of the history tables. The
drill proves a dump restores: it restores into a scratch database, compares
every table's row count and checksum with the source, and drops the scratch
database again.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

# Per table: the rows' md5s concatenated in primary-key order, hashed again.
TABLES = """
SELECT c.relname,
       ARRAY(SELECT a.attname FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY a.attnum)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
ORDER BY c.relname
"""
TRIGGERS = """
SELECT c.relname || ':' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal ORDER BY 1
"""


class BackupError(Exception):
    """A backup, restore or drill could not be done; the message says why."""


def _require_postgresql(database: Mapping[str, Any]) -> None:
    if "postgresql" not in database["ENGINE"]:
        raise BackupError(
            "Backups work on PostgreSQL only (DATABASE_URL=postgres://...). The SQLite "
            "demo database is a single file: copy db.sqlite3 instead."
        )


def _libpq_env(database: Mapping[str, Any]) -> dict[str, str]:
    """Connection settings for pg_dump/pg_restore, passed in the environment (not argv)."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def conninfo(database: Mapping[str, Any], name: str | None = None) -> str:
    return psycopg.conninfo.make_conninfo(
        dbname=name or database["NAME"],
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
    )


def _run(command: list[str], database: Mapping[str, Any]) -> None:
    result = subprocess.run(
        command, env=_libpq_env(database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def dump(database: Mapping[str, Any], path: Path, *, snapshot: str | None = None) -> Path:
    """Write a custom-format dump of the database to `path` (of an exported snapshot)."""
    _require_postgresql(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={path}",
            *([f"--snapshot={snapshot}"] if snapshot else []),
            f"--dbname={database['NAME']}",
        ],
        database,
    )
    return path


def restore(database: Mapping[str, Any], path: Path, *, name: str | None = None) -> None:
    """Restore a dump into the database (replacing what is there), in one transaction."""
    _require_postgresql(database)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={name or database['NAME']}",
            str(path),
        ],
        database,
    )


def fingerprints(connection: psycopg.Connection[Any]) -> dict[str, tuple[int, str]]:
    """Return each table's row count and checksum (md5 of its rows in key order)."""
    result: dict[str, tuple[int, str]] = {}
    # Row text must not depend on the session (timestamps print in its time zone).
    connection.execute("SET TIME ZONE 'UTC'")
    connection.execute("SET DateStyle = 'ISO, YMD'")
    for table, keys in connection.execute(TABLES).fetchall():
        order = (
            sql.SQL(", ").join(sql.Identifier("t", key) for key in keys)
            if keys
            else sql.SQL("t::text")
        )
        query = sql.SQL(
            "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY {})), '') "
            "FROM {} AS t"
        ).format(order, sql.Identifier(table))
        row = connection.execute(query).fetchone()
        assert row is not None
        result[table] = (row[0], row[1])
    return result


def triggers(connection: psycopg.Connection[Any]) -> set[str]:
    return {row[0] for row in connection.execute(TRIGGERS).fetchall()}


@dataclass
class DrillReport:
    source: str
    scratch: str
    tables: int = 0
    rows: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def drill(
    database: Mapping[str, Any],
    workdir: Path,
    *,
    before_compare: Callable[[str], None] | None = None,
) -> DrillReport:
    """Dump the database, restore it into a scratch database, compare, drop the scratch.

    `before_compare` receives the scratch database's conninfo (tests use it to
    show that a difference is caught).
    """
    _require_postgresql(database)
    source = database["NAME"]
    scratch = f"{source[:40]}_drill_{secrets.token_hex(4)}"
    report = DrillReport(source=source, scratch=scratch)
    maintenance = conninfo(database, "postgres")
    # The dump and the source's fingerprints read one snapshot, so writes made
    # meanwhile by the running application cannot show up as differences.
    with psycopg.connect(conninfo(database)) as original:
        original.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot_row = original.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot_row is not None
        path = dump(database, workdir / f"{source}-drill.dump", snapshot=snapshot_row[0])
        expected = fingerprints(original)
        expected_triggers = triggers(original)
        original.rollback()
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        restore(database, path, name=scratch)
        if before_compare is not None:
            before_compare(conninfo(database, scratch))
        with psycopg.connect(conninfo(database, scratch), autocommit=True) as copy_connection:
            copy = fingerprints(copy_connection)
            copy_triggers = triggers(copy_connection)
        report.tables = len(expected)
        report.rows = sum(count for count, _ in expected.values())
        for table in sorted(set(expected) | set(copy)):
            if expected.get(table) != copy.get(table):
                report.mismatches.append(
                    f"{table}: source {expected.get(table)} != restored {copy.get(table)}"
                )
        report.mismatches.extend(
            f"trigger missing after restore: {name}"
            for name in sorted(expected_triggers - copy_triggers)
        )
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
        path.unlink(missing_ok=True)
    return report
