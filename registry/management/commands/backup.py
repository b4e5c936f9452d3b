"""Write a pg_dump (custom format) of DATABASE_URL: `make backup`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from registry import backups


class Command(BaseCommand):
    help = "Back up the registry database (PostgreSQL) to a pg_dump custom-format file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="File to write (default: backups/cryoaudit-<UTC time>.dump).",
        )

    def handle(self, *args: Any, output: Path | None = None, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        path = output or settings.BASE_DIR / "backups" / f"cryoaudit-{stamp}.dump"
        try:
            backups.dump(settings.DATABASES["default"], path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
