"""Backups restore: the drill compares a restored copy with the source, table by table."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from registry import backups
from registry.models import Patient
from tests.factories import (
    ComplicationFactory,
    FollowUpFactory,
    ProcedureFactory,
    TumourFactory,
    TumourTreatmentFactory,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_registry(transactional_db, treated_patient_a, clinician_a):
    """A few committed records of every kind (pg_dump sees committed data only)."""
    procedure = ProcedureFactory(patient=treated_patient_a)
    tumour = TumourFactory(patient=treated_patient_a, label="T9")
    TumourTreatmentFactory(procedure=procedure, tumour=tumour)
    ComplicationFactory(procedure=procedure)
    FollowUpFactory(patient=treated_patient_a)
    return treated_patient_a


def scratch_databases() -> set[str]:
    """Return the drill's scratch databases of this test database that exist now."""
    database = settings.DATABASES["default"]
    info = backups.conninfo(database, "postgres")
    with psycopg.connect(info, autocommit=True) as connection:
        names = {row[0] for row in connection.execute("SELECT datname FROM pg_database")}
    return {name for name in names if name.startswith(f"{database['NAME'][:40]}_drill_")}


def test_the_drill_restores_and_matches_every_table(small_registry):
    out = io.StringIO()
    call_command("backup_drill", stdout=out)
    assert "Backup drill passed" in out.getvalue()
    assert "scratch database dropped" in out.getvalue()
    assert scratch_databases() == set()  # the scratch database is gone


def test_the_drill_reports_row_counts_and_checksums(small_registry, tmp_path):
    report = backups.drill(settings.DATABASES["default"], tmp_path)
    assert report.ok, report.mismatches
    assert report.tables >= 20
    assert report.rows >= 10


def test_the_drill_catches_a_restored_copy_that_differs(small_registry, tmp_path):
    def tamper(info: str) -> None:
        with psycopg.connect(info, autocommit=True) as copy:
            copy.execute("ALTER TABLE registry_patient DISABLE TRIGGER ALL")
            copy.execute("UPDATE registry_patient SET hospital_number = 'CHANGED'")

    report = backups.drill(settings.DATABASES["default"], tmp_path, before_compare=tamper)
    assert not report.ok
    assert any(m.startswith("registry_patient:") for m in report.mismatches)


def test_backup_and_restore_round_trip(small_registry, tmp_path):
    path = tmp_path / "registry.dump"
    call_command("backup", output=path, stdout=io.StringIO())
    assert path.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    patient_count = Patient.objects.count()
    Patient.objects.filter(pk=small_registry.pk).update(hospital_number="AFTER-BACKUP")
    call_command("restore", path, noinput=True, stdout=io.StringIO())
    assert Patient.objects.count() == patient_count
    assert not Patient.objects.filter(hospital_number="AFTER-BACKUP").exists()


def test_sqlite_is_refused_with_advice():
    with pytest.raises(backups.BackupError, match=r"copy db\.sqlite3"):
        backups.dump({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}, Path("x.dump"))


def test_make_backup_refuses_the_sqlite_demo(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "backup", "--output", str(tmp_path / "x.dump")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


def test_restore_of_a_missing_file_is_refused():
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", "/nonexistent.dump", noinput=True)
