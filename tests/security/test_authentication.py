"""Sign-in: lockout after repeated failures, Argon2 hashing, long passwords."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

import config.settings as production
from tests.security.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def fail_times(client, username, times, **extra):
    """Fail to sign in `times` times; return the status codes."""
    return [
        sign_in(client, username, "wrong-password-here", **extra).status_code for _ in range(times)
    ]


def test_five_failures_lock_the_username_and_address_pair(client, clinician_a):
    # Four failures show the form again; the fifth locks the pair out.
    assert fail_times(client, "alice", 5) == [200, 200, 200, 200, 429]
    response = sign_in(client, "alice")  # the right password, too late
    assert response.status_code == 429
    assert b"Sign-in locked" in response.content
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_and_success_resets_the_count(client, clinician_a):
    fail_times(client, "alice", 4)
    assert sign_in(client, "alice").status_code == 302
    client.logout()
    fail_times(client, "alice", 4)
    assert sign_in(client, "alice").status_code == 302


def test_lockout_is_per_username_and_address(client, clinician_a, clinician_b):
    fail_times(client, "alice", 5)
    # The same person from another address, and another person from this one, still sign in.
    assert sign_in(Client(REMOTE_ADDR="10.9.8.7"), "alice").status_code == 302
    assert sign_in(client, "bob").status_code == 302


def test_lockout_ends_after_fifteen_minutes(client, clinician_a):
    fail_times(client, "alice", 5)
    assert sign_in(client, "alice").status_code == 429
    sixteen_minutes_ago = datetime.timedelta(minutes=16)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= sixteen_minutes_ago
        attempt.save()
    assert sign_in(client, "alice").status_code == 302


def test_lockout_settings_are_five_failures_fifteen_minutes_username_and_address():
    assert production.AXES_FAILURE_LIMIT == 5
    assert production.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert production.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_client_address_behind_a_trusted_proxy(rf, settings):
    from registry.security.network import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"  # no proxy trusted: the peer's address
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what our proxy saw, not what the client wrote


def test_production_hashes_passwords_with_argon2id(settings):
    # The suite swaps in a fast hasher; the production setting is read from the module.
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    encoded = make_password(PASSWORD, hasher="argon2")
    assert encoded.startswith("argon2$argon2id$")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password(PASSWORD, encoded)


@pytest.mark.parametrize("password", ["short-pw-1!", "password1234", "123456789012345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("lobster-theory-umbrella-42")
