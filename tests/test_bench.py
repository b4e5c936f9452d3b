"""`make bench` runs end to end: a tiny cohort through every measurement."""

import pytest

from bench import databases, report, run, settings

SIZES = (40, 80)


@pytest.fixture
def tiny_prefix(monkeypatch):
    # Its own databases, so a real benchmark cohort is never touched or dropped.
    monkeypatch.setattr(settings, "DATABASE_PREFIX", "cryoaudit_benchtest_")
    yield
    for size in SIZES:
        databases.drop(settings.database_name(size))
    databases.drop(settings.database_name(0).removesuffix("0") + "load")


def test_bench_measures_every_target_and_prints_one_table(tiny_prefix, capsys):
    result = run.main(
        [
            "--sizes",
            ",".join(map(str, SIZES)),
            "--runs",
            "1",
            "--export-runs",
            "1",
            "--load-runs",
            "1",
            "--rate",
            "5",
            "--seconds",
            "2",
            "--no-save",
        ]
    )

    assert set(result["dashboard"]) == {"40", "80"}
    assert result["export"]["80"]["app"]["rows"] > 0
    assert set(result["export"]["80"]) == {"table", "app", "copy", "drf"}
    assert result["forms"]["sent"] == 10
    assert result["forms"]["errors"] == 0, result["forms"]["error_kinds"]
    table = capsys.readouterr().out
    for measure in (
        "Dashboard cold",
        "Dashboard warm",
        "CSV export vs COPY",
        "CSV export vs DRF JSON",
        "CSV export memory",
        "Patient list",
        "Patient page",
        "New-patient form",
    ):
        assert measure in table
    assert len(report.rows(result)) == table.count("\n| ")  # one line per row
