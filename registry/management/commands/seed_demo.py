"""manage.py seed_demo: load the synthetic demo cohort and print the demo logins."""

from __future__ import annotations

import datetime
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.demo import DEMO_PASSWORD, people
from registry.demo.seeding import DemoConflictError, SeedOptions, already_seeded, seed

DEMO_URL = "http://127.0.0.1:8000/"


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


def _date(value: str | datetime.date) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError("use the form YYYY-MM-DD") from error


class Command(BaseCommand):
    help = (
        f"Create demo sites, one login per role (password {DEMO_PASSWORD!r}) and a synthetic "
        "cohort of cryotherapy patients. Does nothing if the demo sites already exist."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--patients", type=_positive, default=300, help="default 300")
        parser.add_argument("--sites", type=_positive, default=3, help="default 3")
        parser.add_argument("--seed", type=int, default=None, help="default settings.DEMO_SEED")
        parser.add_argument(
            "--as-of", type=_date, default=None, help="YYYY-MM-DD, default today; no later"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        as_of = _date(options["as_of"]) if options["as_of"] else today
        if as_of > today:
            raise CommandError(
                "--as-of cannot be in the future: the registry refuses future dates."
            )
        if already_seeded(options["sites"]):
            self.stdout.write("The demo is already seeded; nothing was added.")
            self._print_logins()
            return
        seed_options = SeedOptions(
            patients=options["patients"],
            sites=options["sites"],
            seed=settings.DEMO_SEED if options["seed"] is None else options["seed"],
            as_of=as_of,
        )
        started = time.perf_counter()
        try:
            counts = seed(seed_options)
        except DemoConflictError as error:
            raise CommandError(f"{error} seed_demo needs a database without them.") from error
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{count} {model}" for model, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded the demo in {seconds:.1f} s: {summary}."))
        self._print_logins()

    def _print_logins(self) -> None:
        rows = [("Username", "Password", "Role", "Sites")]
        rows += [
            (username, DEMO_PASSWORD, role, sites) for username, role, sites in people.login_rows()
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        self.stdout.write("\nDemo logins:")
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
        self.stdout.write(f"\nOpen {DEMO_URL} and sign in.")
