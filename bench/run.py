"""Orchestrate `make bench`: prepare the cohorts, run each measurement, report."""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
import time
from typing import Any

import psycopg

from bench import databases, load, report, settings

EXPORT_MODES = ("app", "copy", "drf")
# Tables bench.exports can export (its TABLES); the largest of them is measured.
EXPORT_TABLES = ("assessments", "follow_ups", "treatments", "procedures", "tumours")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def worker(database: str, task: str, **arguments: Any) -> dict[str, Any]:
    """Run one measurement in a fresh process on a benchmark database."""
    output = settings.run_app(database, "-m", "bench.worker", task, json.dumps(arguments))
    return json.loads(output.strip().splitlines()[-1])


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each numeric figure over runs (other values from the first run)."""
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            merged[key] = statistics.median(run[key] for run in runs)
    return merged


def largest_table(rows: dict[str, int]) -> str:
    return max((label for label in EXPORT_TABLES), key=lambda label: rows[label])


def measure_exports(cohorts: dict[int, dict[str, Any]], runs: int) -> dict[str, Any]:
    table = largest_table(cohorts[max(cohorts)]["rows"])
    results: dict[str, Any] = {}
    for size, cohort in sorted(cohorts.items()):
        modes: dict[str, Any] = {"table": table.replace("_", "-")}
        for mode in EXPORT_MODES:
            log(f"  export {table} ({cohort['rows'][table]:,} rows) by {mode}")
            modes[mode] = median_of(
                [worker(cohort["database"], "export", mode=mode, table=table) for _ in range(runs)]
            )
        results[str(size)] = modes
    return results


def measure_forms(
    cohort: dict[str, Any], *, rate: float, seconds: float, runs: int
) -> dict[str, Any]:
    """Post the new-patient form under load on a throwaway copy of the largest cohort."""
    copy = settings.DATABASE_PREFIX + "load"
    databases.create(copy, template=cohort["database"])
    try:
        with load.gunicorn(copy) as port:
            outcomes = []
            for run in range(runs):
                log(f"  form load run {run + 1}/{runs}: {rate:g}/s for {seconds:g} s")
                outcomes.append(
                    load.run(
                        port, rate=rate, seconds=seconds, tag=f"{run}-{int(time.time()) % 100000}"
                    )
                )
    finally:
        databases.drop(copy)
    summary = median_of(outcomes)
    summary["errors"] = sum(o["errors"] for o in outcomes)
    summary["sent"] = sum(o["sent"] for o in outcomes)
    summary["runs"] = outcomes
    return summary | {"rate": rate, "seconds": seconds}


def postgres_version() -> str:
    with psycopg.connect(
        settings.database_url("postgres").replace("postgres://", "postgresql://")
    ) as conn:
        (version,) = conn.execute("SHOW server_version").fetchone() or ("unknown",)
        return str(version)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes", default="10000,100000", help="patients per cohort (comma-separated)"
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--export-runs", type=int, default=3, help="runs per export (median)")
    parser.add_argument("--load-runs", type=int, default=3, help="form load runs (median)")
    parser.add_argument("--rate", type=float, default=50, help="form posts per second")
    parser.add_argument("--seconds", type=float, default=30, help="length of a form load run")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = parse(argv)
    sizes = sorted({int(size) for size in options.sizes.split(",")})
    started = time.perf_counter()
    result: dict[str, Any] = {
        "runs": options.runs,
        "export_runs": options.export_runs,
        "load_runs": options.load_runs,
        "machine": report.machine(postgres_version()),
    }
    cohorts: dict[int, dict[str, Any]] = {}
    log("Preparing the benchmark cohorts")
    for size in sizes:
        cohorts[size] = databases.prepare(size, log)
        if size == sizes[0]:  # DEBUG is off, as in production: pages need the static manifest
            databases.manage(cohorts[size]["database"], "collectstatic", "--noinput")
    result["cohorts"] = {str(size): cohort for size, cohort in cohorts.items()}
    largest = cohorts[sizes[-1]]
    log("Dashboard")
    result["dashboard"] = {
        str(size): worker(cohort["database"], "dashboard", runs=options.runs)
        for size, cohort in cohorts.items()
    }
    log("CSV export")
    result["export"] = measure_exports(cohorts, options.export_runs)
    log("Patient list and page")
    result["pages"] = worker(largest["database"], "pages", runs=max(options.runs, 20))
    log("Form submissions under load")
    result["forms"] = measure_forms(
        largest, rate=options.rate, seconds=options.seconds, runs=options.load_runs
    )
    result["finished_at"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["seconds"] = round(time.perf_counter() - started)
    print(report.markdown(result))
    if not options.no_save:
        log(f"\nWrote {report.write(result).relative_to(settings.ROOT)}")
    return result


if __name__ == "__main__":
    main()
