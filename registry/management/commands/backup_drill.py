"""Prove that backups restore: dump, restore into a scratch database, compare, drop."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry import backups


class Command(BaseCommand):
    help = (
        "Dump the registry database, restore it into a fresh scratch database, compare "
        "every table's row count and checksum with the source, then drop the scratch copy."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with tempfile.TemporaryDirectory(prefix="cryoaudit-drill-") as workdir:
            try:
                report = backups.drill(settings.DATABASES["default"], Path(workdir))
            except backups.BackupError as error:
                raise CommandError(str(error)) from error
        for mismatch in report.mismatches:
            self.stderr.write(mismatch)
        if not report.ok:
            raise CommandError(
                f"Backup drill FAILED: {len(report.mismatches)} difference(s) between "
                f"{report.source} and its restored copy."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup drill passed: {report.tables} tables, {report.rows} rows restored "
                f"into {report.scratch} match {report.source} (row counts and checksums); "
                "scratch database dropped."
            )
        )
