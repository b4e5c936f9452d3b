"""Shared fixtures: two sites and the people who use the registry.

Personas: a clinician of site A, a clinician of site B, the site lead of A,
a governance reviewer of both sites, and a registry admin (staff).
"""

import uuid

import pytest

from registry.choices import Role
from tests.factories import (
    MembershipFactory,
    PatientFactory,
    ProcedureFactory,
    SiteFactory,
    TumourFactory,
    TumourTreatmentFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply; production hashing is tested on its own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def own_cache_namespace(settings):
    """Give each test an empty cache of its own without flushing the shared Redis.

    (cache.clear() would FLUSHDB: every other run's keys, and a developer's, too.)
    """
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": uuid.uuid4().hex}}


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Serve static files without the production manifest (no collectstatic in tests)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def site_a(db):
    return SiteFactory(code="SITE-A", name="Alpha Hepatobiliary Unit")


@pytest.fixture
def site_b(db):
    return SiteFactory(code="SITE-B", name="Beta Hepatobiliary Unit")


def _member(username, site, role):
    user = UserFactory(username=username)
    MembershipFactory(user=user, site=site, role=role)
    return user


@pytest.fixture
def clinician_a(site_a):
    return _member("alice", site_a, Role.CLINICIAN)


@pytest.fixture
def clinician_b(site_b):
    return _member("bob", site_b, Role.CLINICIAN)


@pytest.fixture
def lead_a(site_a):
    return _member("lena", site_a, Role.SITE_LEAD)


@pytest.fixture
def reviewer(site_a, site_b):
    user = _member("greta", site_a, Role.GOVERNANCE_REVIEWER)
    MembershipFactory(user=user, site=site_b, role=Role.GOVERNANCE_REVIEWER)
    return user


@pytest.fixture
def registry_admin(db):
    return UserFactory(username="rita", is_staff=True, is_superuser=True)


@pytest.fixture
def patient_a(site_a):
    return PatientFactory(site=site_a)


@pytest.fixture
def treated_patient_a(patient_a):
    """A patient of site A with one tumour treated in one procedure."""
    procedure = ProcedureFactory(patient=patient_a)
    tumour = TumourFactory(patient=patient_a, label="T1")
    TumourTreatmentFactory(procedure=procedure, tumour=tumour)
    return patient_a


@pytest.fixture(autouse=True)
def mfa_enforcement(request, settings):
    """Enforce two-factor only in tests marked `mfa` (the security suite).

    Other tests exercise roles and pages after a plain force_login; the
    security tests sign in with a verified second factor (`verified_login`).
    """
    settings.MFA_ENFORCED = request.node.get_closest_marker("mfa") is not None


def verified_login(client, user):
    """Sign the user in on the test client with a confirmed, verified TOTP device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
