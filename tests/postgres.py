"""Pytest plugin: run the suite on PostgreSQL, or stop at once saying why.

Loaded with `-p tests.postgres` (see pyproject.toml) so that it runs before
pytest-django reads the settings.
"""

import os

import psycopg
import pytest

DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cryoaudit"

# Tests always use TEST_DATABASE_URL, whatever DATABASE_URL (or .env) says,
# so the demo's SQLite file is never touched; pytest-django creates and drops
# a "test_" database next to the one named here.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
# Keep test runs out of the cache namespace a development server uses.
os.environ.setdefault("CACHE_KEY_PREFIX", "cryoaudit-test")
os.environ.setdefault("EXPORT_PSEUDONYM_KEY", "test-only-pseudonym-key-not-for-production")
# The test client and the live server speak plain HTTP; production redirects to
# HTTPS (tests/security/test_deploy_settings.py checks the production values).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


def _server_reachable(url: str) -> str | None:
    """Return None if PostgreSQL answers, else the reason it does not."""
    if not url.startswith(("postgres://", "postgresql://")):
        return f"TEST_DATABASE_URL must point to PostgreSQL, not {url.split(':', 1)[0]}."
    try:
        # The maintenance database exists on every server; the test database may not yet.
        conninfo = psycopg.conninfo.make_conninfo(
            url.replace("postgres://", "postgresql://", 1), dbname="postgres", connect_timeout=3
        )
        with psycopg.connect(conninfo):
            return None
    except psycopg.Error as error:
        return str(error).strip()


def pytest_configure(config: pytest.Config) -> None:
    problem = _server_reachable(TEST_DATABASE_URL)
    if problem:
        pytest.exit(
            "The test suite runs on PostgreSQL and could not reach it.\n"
            f"  TEST_DATABASE_URL={TEST_DATABASE_URL}\n  {problem}\n"
            "Start PostgreSQL (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) "
            "main start) or set TEST_DATABASE_URL to a reachable server.",
            returncode=3,
        )
