"""The export key: read from the environment; the development key refused in production."""

from tests.test_settings import run_python

PRINT_KEY = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.EXPORT_PSEUDONYM_KEY)"
)
PRODUCTION = {"SECRET_KEY": "x" * 50}


def without_key(**env):
    return run_python(PRINT_KEY, EXPORT_PSEUDONYM_KEY="", **env)


def test_production_refuses_to_start_without_an_export_key():
    result = without_key(**PRODUCTION)
    assert result.returncode != 0
    assert "EXPORT_PSEUDONYM_KEY must be set" in result.stderr


def test_production_refuses_the_development_key():
    dev_key = "insecure-development-pseudonym-key-only-used-with-DEBUG-on"
    result = run_python(PRINT_KEY, EXPORT_PSEUDONYM_KEY=dev_key, **PRODUCTION)
    assert result.returncode != 0
    assert "EXPORT_PSEUDONYM_KEY must be set" in result.stderr


def test_production_refuses_a_short_key():
    result = run_python(PRINT_KEY, EXPORT_PSEUDONYM_KEY="short", **PRODUCTION)
    assert "at least 32 characters" in result.stderr


def test_production_reads_the_key_from_the_environment():
    key = "k" * 40
    result = run_python(PRINT_KEY, EXPORT_PSEUDONYM_KEY=key, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == key


def test_the_demo_falls_back_to_the_development_key():
    result = without_key(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("insecure-development")
