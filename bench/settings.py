"""Where the benchmark databases live and how the measured app is configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable

# The server holding the benchmark databases; never the demo's or the suite's.
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE_PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "cryoaudit_bench_")
# A fixed seed and data date make every benchmark cohort the same on every machine.
SEED = 20081430
AS_OF = "2026-06-30"
SITES = 10


def database_name(patients: int) -> str:
    return f"{DATABASE_PREFIX}{patients}"


def database_url(name: str) -> str:
    return f"{SERVER_URL}/{name}"


def run_app(database: str, *args: str) -> str:
    """Run a Python command of the project against a benchmark database; return its output."""
    done = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=app_environment(database), capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    return done.stdout


def app_environment(database: str) -> dict[str, str]:
    """Return the environment of a worker or server measuring the app on a database.

    Production-like: DEBUG off (no query log, no debug pages), Redis cache,
    two-factor enforced. Plain HTTP on loopback, so HTTPS redirects and secure
    cookies are off, and the export throttle is lifted so repeated runs are not
    refused.
    """
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(database),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production",
            "EXPORT_PSEUDONYM_KEY": "bench-only-pseudonym-key-not-for-production",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "EXPORT_THROTTLE_RATE": "100000/hour",
            "CACHE_KEY_PREFIX": f"cryoaudit-bench-{os.getpid()}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env
