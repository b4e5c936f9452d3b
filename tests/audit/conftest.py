"""Fixtures for the benchmarking tests: an isolated cache for every test.

The suite runs on PostgreSQL, so the configured cache is Redis, shared with other
test runs and servers on this machine: each test gets its own KEY_PREFIX, and its
keys are deleted afterwards (never FLUSHDB, which would empty everyone's cache).
"""

import copy
import datetime
import uuid

import pytest
import redis
from rest_framework.test import APIClient

from registry.choices import Role
from tests.audit.builders import DAY0, complication, days, death, retreat, treated_patient
from tests.audit.builders import withdraw as withdraw_record
from tests.factories import MembershipFactory, UserFactory


def _delete_prefixed(config: dict, prefix: str) -> None:
    if not config["BACKEND"].endswith("RedisCache"):
        return  # local memory: private to this process, and the prefix is unique
    client = redis.Redis.from_url(config["LOCATION"])
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    except redis.ConnectionError:
        pass  # Redis is down: nothing was stored (the tests that need it say so)
    finally:
        client.close()


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Give the test a cache namespace of its own and empty it afterwards."""
    prefix = f"test-audit-{uuid.uuid4().hex}"
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches  # Django resets its cache connections on this change.
    yield prefix
    _delete_prefixed(caches["default"], prefix)


@pytest.fixture
def api():
    """A DRF test client for the export endpoints (audit/api/)."""
    return APIClient()


@pytest.fixture
def reviewer_b(site_b):
    """A governance reviewer of site B only."""
    user = UserFactory(username="vera")
    MembershipFactory(user=user, site=site_b, role=Role.GOVERNANCE_REVIEWER)
    return user


@pytest.fixture
def two_site_cohort(site_a, site_b, registry_admin):
    """Three patients at site A and two at site B, counted by hand in tests/audit/test_api_*.

    A1: one 25 mm tumour, technical success, a grade 3 complication the day after.
    A2: one 45 mm tumour, technical success, a grade 1 complication two days after.
    A3: one 20 mm tumour, technical failure, died 16 days after the procedure.
    B1: two tumours (30 and 15 mm) treated with success.
    B2: one tumour treated in June 2024 and again in September 2024, with success.
    A withdrawn patient of site A counts nowhere.
    """
    _, a1, _ = treated_patient(site_a, on=DAY0, diameters=(25,))
    complication(a1, after_days=1, grade=3)
    _, a2, _ = treated_patient(site_a, on=DAY0 + days(10), diameters=(45,))
    complication(a2, after_days=2, grade=1)
    a3, _, _ = treated_patient(site_a, on=DAY0 + days(20), diameters=(20,), technical_success="no")
    death(a3, on=DAY0 + days(36))
    treated_patient(site_b, on=DAY0 + days(5), diameters=(30, 15))
    june = datetime.date(2024, 6, 3)
    b2, _, b2_tumours = treated_patient(site_b, on=june, diameters=(28,))
    retreat(b2, b2_tumours, on=datetime.date(2024, 9, 2))
    withdrawn, _, _ = treated_patient(site_a, on=DAY0, diameters=(50,), technical_success="no")
    withdraw_record(withdrawn, registry_admin)
