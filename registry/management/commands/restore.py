"""Restore a pg_dump backup into DATABASE_URL, replacing its contents: `make restore FILE=...`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from registry import backups


class Command(BaseCommand):
    help = "Restore the registry database from a backup file (replaces the current data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--noinput", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, file: Path, noinput: bool = False, **options: Any) -> None:
        database = settings.DATABASES["default"]
        if not noinput:
            answer = input(
                f"This replaces everything in database {database['NAME']!r} with {file}.\n"
                "Type the database name to go on: "
            )
            if answer.strip() != database["NAME"]:
                raise CommandError("Restore cancelled.")
        try:
            backups.restore(database, file)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {database['NAME']} from {file}"))
