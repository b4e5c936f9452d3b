"""One measurement in a fresh process: `python -m bench.worker TASK JSON-ARGS`.

The orchestrator sets DATABASE_URL and the rest (bench.settings.app_environment)
and reads the last line of standard output, one JSON object. A fresh process per
task keeps one measurement's imports, caches and memory out of the next.
"""

from __future__ import annotations

import functools
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import exports  # noqa: E402


def timed(call: Callable[[], Any]) -> tuple[float, int]:
    """Return the wall time of a call in milliseconds and the SQL queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(queries)


def dashboard(runs: int) -> dict[str, Any]:
    """Time the national dashboard (every site, whole period) cold and warm.

    Cold: a new data version, so no cached result can be read (the state after
    any write); warm: the same call again, served from the cache.
    """
    from audit import cache
    from audit.dashboard import national_dashboard

    def build() -> None:
        national_dashboard()

    build()  # imports, settings and connection, as a running server has them
    cold, warm, cold_queries, warm_queries = [], [], 0, 0
    for _ in range(runs):
        cache.bump_data_version()
        elapsed, cold_queries = timed(build)
        cold.append(elapsed)
        elapsed, warm_queries = timed(build)
        warm.append(elapsed)
    return {
        "cold_ms": statistics.median(cold),
        "warm_ms": statistics.median(warm),
        "cold_queries": cold_queries,
        "warm_queries": warm_queries,
        "cold_runs_ms": cold,
        "warm_runs_ms": warm,
    }


def _pages_client() -> tuple[Client, int, str]:
    """Sign in the demo clinician; return a busy patient of their site and a registry ID."""
    from django.db.models import Count

    from registry.models import Patient, User

    clinician = User.objects.get(username="clinician")
    client = Client(HTTP_HOST="127.0.0.1")  # an allowed host, as behind the proxy
    client.force_login(clinician)
    site_id = clinician.memberships.values_list("site_id", flat=True)[0]
    busiest = (
        Patient.objects.filter(site_id=site_id)
        .annotate(n=Count("follow_ups"))
        .order_by("-n", "pk")
        .values_list("pk", "registry_id")[0]
    )
    return client, busiest[0], busiest[1]


def pages(runs: int) -> dict[str, Any]:
    """Time the clinician's patient list (first page, a search) and a busy patient's page."""
    client, patient_pk, registry_id = _pages_client()
    urls = {
        "patient_list": "/patients/",
        "patient_search": f"/patients/?q={registry_id}",
        "patient_page": f"/patients/{patient_pk}/",
    }
    results: dict[str, Any] = {}
    for name, url in urls.items():
        for _ in range(2):  # warm-up: templates, connection
            _get_ok(client, url)
        times, queries = [], 0
        for _ in range(runs):
            elapsed, queries = timed(functools.partial(_get_ok, client, url))
            times.append(elapsed)
        results[name] = {"ms": statistics.median(times), "queries": queries, "url": url}
    return results


def _get_ok(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")


def export(mode: str, table: str) -> dict[str, Any]:
    """Export a whole table one way; return rows/s and the growth of peak memory (RSS)."""
    produce: Callable[[], Iterable[bytes]] = exports.MODES[mode](table)
    before = _peak_rss_mb()
    started = time.perf_counter()
    size = 0
    for chunk in produce():
        size += len(chunk)
    seconds = time.perf_counter() - started
    rows = exports.row_count(table)
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "bytes": size,
        "rss_growth_mb": _peak_rss_mb() - before,
    }


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "dashboard": dashboard,
    "pages": pages,
    "export": export,
}


if __name__ == "__main__":
    task, arguments = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(TASKS[task](**arguments)))
