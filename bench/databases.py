"""Create, migrate and seed the dedicated benchmark databases (never the demo's)."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
from psycopg import sql

from bench import settings

TABLES = {
    "patients": "registry_patient",
    "tumours": "registry_tumour",
    "procedures": "registry_procedure",
    "treatments": "registry_tumourtreatment",
    "complications": "registry_complication",
    "follow_ups": "registry_followup",
    "assessments": "registry_tumourassessment",
}


def _server() -> psycopg.Connection:
    url = settings.database_url("postgres").replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url, autocommit=True)


def exists(name: str) -> bool:
    with _server() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def create(name: str, *, template: str | None = None) -> None:
    """Create a database, replacing any earlier one of that name."""
    with _server() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(statement)


def drop(name: str) -> None:
    with _server() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def manage(database: str, *args: str) -> str:
    """Run a manage.py command against a benchmark database; return its output."""
    return settings.run_app(database, "manage.py", *args)


def prepare(patients: int, log: Callable[[str], None]) -> dict[str, object]:
    """Make sure the cohort of this size exists and is migrated; return what it holds.

    The seed is reproducible, so an existing database of the same size is reused;
    `seed_seconds` is reported only when the cohort was loaded in this run.
    """
    name = settings.database_name(patients)
    if not exists(name):
        create(name)
    manage(name, "migrate", "--noinput")
    started = time.perf_counter()
    output = manage(
        name,
        "seed_demo",
        f"--patients={patients}",
        f"--sites={settings.SITES}",
        f"--seed={settings.SEED}",
        f"--as-of={settings.AS_OF}",
    )
    seeded = "already seeded" not in output
    seconds = time.perf_counter() - started
    if seeded:
        log(f"  seeded {patients:,} patients in {seconds:.0f} s")
    else:
        log(f"  reusing {name}")
    return {
        "database": name,
        "seed_seconds": round(seconds, 1) if seeded else None,
        "rows": row_counts(name),
    }


def row_counts(name: str) -> dict[str, int]:
    url = settings.database_url(name).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as conn:
        counts = {}
        for label, table in TABLES.items():
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            (counts[label],) = conn.execute(query).fetchone() or (0,)
        return counts
