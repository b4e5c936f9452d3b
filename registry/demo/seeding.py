"""Seed the demo: sites and logins, then the synthetic cohort, in one transaction."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction

from registry.demo import copying, people
from registry.demo.cohort import Cohort, CohortSpec
from registry.demo.draw import Draw
from registry.demo.loader import BulkLoader, Loader
from registry.models import Patient, Site, User
from registry.signals import records_bulk_loaded


class DemoConflictError(Exception):
    """A demo username is taken by someone else: refuse rather than reuse it."""


@dataclass(frozen=True)
class SeedOptions:
    patients: int
    sites: int
    seed: int
    as_of: datetime.date


def already_seeded(sites: int) -> bool:
    """Tell whether the demo sites exist (the demo was seeded before)."""
    codes = [spec.code for spec in people.site_specs(sites)]
    return Site.objects.filter(code__in=codes).exists()


@transaction.atomic
def seed(options: SeedOptions, *, copy: bool | None = None) -> Counter[str]:
    """Create the demo sites, logins and cohort; return the rows created per model.

    The cohort goes in with COPY on PostgreSQL and with bulk_create() elsewhere;
    `copy` forces one way (COPY needs PostgreSQL). Both give the same rows.
    """
    specs = people.site_specs(options.sites)
    _refuse_taken_usernames(people.demo_usernames(specs))
    draw = Draw(options.seed)
    cast = people.create_people(draw, specs, options.as_of)
    spec = CohortSpec(
        patients=options.patients,
        as_of=options.as_of,
        site_operators=tuple(len(ids) for ids in cast.operator_ids),
        site_prefixes=tuple(site.code[0] for site in specs),
    )
    cohort = Cohort(draw, spec, _test_nhs_numbers_in_use())
    postgres = connection.vendor == "postgresql"
    loader: type[Loader] = (
        copying.CopyLoader if (postgres if copy is None else copy) else BulkLoader
    )
    counts = loader(cast.site_ids, cast.operator_ids, cast.admin).load(cohort.patients())
    if postgres:
        copying.analyze()  # the planner would otherwise guess at millions of new rows
    # Bulk writes send no post_save: tell other apps (cached dashboards) the data changed.
    records_bulk_loaded.send(sender=loader, using=transaction.get_connection().alias)
    return counts


def _refuse_taken_usernames(usernames: list[str]) -> None:
    users = User.objects.filter(username__in=usernames)
    taken = sorted(users.values_list("username", flat=True))
    if taken:
        raise DemoConflictError(f"These usernames already exist: {', '.join(taken)}.")


def _test_nhs_numbers_in_use() -> set[str]:
    """Return the registered NHS numbers in the test range: the demo must not reuse one."""
    patients = Patient.objects.filter(nhs_number__startswith="999")
    return {number for number in patients.values_list("nhs_number", flat=True) if number}
