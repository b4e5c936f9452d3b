"""The benchmark table: targets, verdicts, and the same figures as JSON."""

from __future__ import annotations

import datetime
import json
import platform
from pathlib import Path
from typing import Any

from bench import settings

# Targets from the scale issue; each check returns True (met), False or None (not measured).
TARGETS = {
    "seed": "< 600 s at 100k",
    "dashboard_cold": "≤ 300 ms at 100k",
    "dashboard_warm": "≤ 30 ms at 100k",
    "export_vs_copy": "≥ 70% of COPY",
    "export_vs_drf": "≥ 5 times DRF",
    "export_memory": "≤ 50 MB, flat",
    "pages": "≤ 100 ms at 100k",
    "forms": "p95 ≤ 100 ms, 0 errors",
}
FLAT_MB = 10.0  # "flat": growth at the largest export within this of the smallest


def _n(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _ok(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "—"}[met]


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """Return the table's rows: measure, scale, figure, target, verdict."""
    table: list[tuple[str, str, str, str, str]] = []
    largest = max(result["cohorts"], key=int)
    for size, cohort in sorted(result["cohorts"].items(), key=lambda kv: int(kv[0])):
        if cohort.get("seed_seconds") is not None:
            met = cohort["seed_seconds"] < 600 if size == largest else None
            table.append(
                (
                    "Seed cohort",
                    f"{int(size):,} patients",
                    f"{_n(cohort['seed_seconds'])} s",
                    TARGETS["seed"],
                    _ok(met),
                )
            )
    for size, board in sorted(result.get("dashboard", {}).items(), key=lambda kv: int(kv[0])):
        is_largest = size == largest
        for state, limit_ms, digits in (("cold", 300, 0), ("warm", 30, 1)):
            ms = board[f"{state}_ms"]
            table.append(
                (
                    f"Dashboard {state}",
                    f"{int(size):,} patients",
                    f"{_n(ms, digits)} ms, {board[f'{state}_queries']} queries",
                    TARGETS[f"dashboard_{state}"] if is_largest else "",
                    _ok(ms <= limit_ms) if is_largest else "—",
                )
            )
    table += _export_rows(result.get("export", {}))
    for name, label in (
        ("patient_list", "Patient list (first page)"),
        ("patient_search", "Patient list (search)"),
        ("patient_page", "Patient page (busiest)"),
    ):
        page = result.get("pages", {}).get(name)
        if page:
            table.append(
                (
                    label,
                    f"{int(largest):,} patients",
                    f"{_n(page['ms'], 1)} ms, {page['queries']} queries",
                    TARGETS["pages"],
                    _ok(page["ms"] <= 100),
                )
            )
    load = result.get("forms")
    if load:
        figure = (
            f"p50 {_n(load['p50_ms'])} / p95 {_n(load['p95_ms'])} / "
            f"p99 {_n(load['p99_ms'])} ms, {load['errors']} errors of {load['sent']}"
        )
        met = load["p95_ms"] is not None and load["p95_ms"] <= 100 and load["errors"] == 0
        table.append(
            (
                f"New-patient form at {load['rate']:g}/s for {load['seconds']:g} s",
                f"{int(largest):,} patients",
                figure,
                TARGETS["forms"],
                _ok(met),
            )
        )
    return table


def _export_rows(export: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    table = []
    growths = []
    for _, modes in sorted(export.items(), key=lambda kv: int(kv[0])):
        app, copy, drf = modes["app"], modes["copy"], modes["drf"]
        scale = f"{app['rows']:,} {modes['table']}"
        vs_copy, vs_drf = (
            app["rows_per_s"] / copy["rows_per_s"],
            app["rows_per_s"] / drf["rows_per_s"],
        )
        table.append(
            (
                "CSV export vs COPY",
                scale,
                f"{_n(app['rows_per_s'])} vs {_n(copy['rows_per_s'])} rows/s = {vs_copy:.0%}",
                TARGETS["export_vs_copy"],
                _ok(vs_copy >= 0.7),
            )
        )
        table.append(
            (
                "CSV export vs DRF JSON",
                scale,
                f"{_n(app['rows_per_s'])} vs {_n(drf['rows_per_s'])} rows/s = {vs_drf:.1f} times",
                TARGETS["export_vs_drf"],
                _ok(vs_drf >= 5),
            )
        )
        growths.append(app["rss_growth_mb"])
        table.append(
            (
                "CSV export memory (RSS growth)",
                scale,
                f"{_n(app['rss_growth_mb'], 1)} MB (COPY {_n(copy['rss_growth_mb'], 1)}, "
                f"DRF {_n(drf['rss_growth_mb'])} MB)",
                TARGETS["export_memory"],
                _ok(app["rss_growth_mb"] <= 50 and max(growths) - min(growths) <= FLAT_MB),
            )
        )
    return table


def markdown(result: dict[str, Any]) -> str:
    head = ("Measure", "Scale", "Median result", "Target", "Verdict")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows(result)]
    machine = result["machine"]
    lines.append("")
    lines.append(
        f"{result['finished_at']} on {machine['cpus']} CPUs, Python {machine['python']}, "
        f"PostgreSQL {machine['postgres']}; medians of {result['runs']} runs "
        f"({result['export_runs']} for exports, {result['load_runs']} for the form load)."
    )
    return "\n".join(lines)


def machine(postgres_version: str) -> dict[str, Any]:
    import os

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": postgres_version,
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
    }


def write(result: dict[str, Any]) -> Path:
    settings.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = settings.RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return path
