"""Load every published figure of the reference document, each with a history row.

The input is audit/data/published_series.json, a transcription of section 3 of
the project's reference document (outcomes-and-benchmarks.md). That file is this
migration's frozen input: correct or add figures in the admin site (or with a new
migration), so that the history says who changed what and why.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parent.parent / "data" / "published_series.json"
REASON = "Loaded from the reference document (outcomes-and-benchmarks.md, section 3)"

PUBLICATION_FIELDS = (
    "short_name", "citation", "year", "cohort", "n_patients", "n_tumours", "n_procedures",
    "approach", "source_location", "provenance", "notes",
)
FIGURE_DEFAULTS = {
    "subgroup": "all", "arm": "cryotherapy", "cohort": "", "time_point": "",
    "horizon_months": None, "numerator": None, "denominator": None, "value": None,
    "value_unit": "percent", "value_decimals": 1, "range_low": None, "range_high": None,
    "ci_low": None, "ci_high": None, "note": "",
}
DECIMALS = ("horizon_months", "value", "range_low", "range_high", "ci_low", "ci_high")


def _history(model, record, fields, when):
    values = {name: getattr(record, name) for name in fields}
    model.objects.create(
        id=record.pk,
        history_date=when,
        history_type="+",
        history_change_reason=REASON,
        history_user=None,
        **values,
    )


def _figure_values(raw):
    values = {**FIGURE_DEFAULTS, **raw}
    for name in DECIMALS:
        if values[name] is not None:
            values[name] = Decimal(values[name])
    return values


def load(apps, schema_editor):
    Publication = apps.get_model("audit", "Publication")
    BenchmarkFigure = apps.get_model("audit", "BenchmarkFigure")
    HistoricalPublication = apps.get_model("audit", "HistoricalPublication")
    HistoricalBenchmarkFigure = apps.get_model("audit", "HistoricalBenchmarkFigure")
    when = timezone.now()
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for raw in data["publications"]:
        fields = {name: raw.get(name) for name in PUBLICATION_FIELDS}
        fields["notes"] = fields["notes"] or ""
        fields["approach"] = fields["approach"] or ""
        publication = Publication.objects.create(**fields)
        _history(HistoricalPublication, publication, PUBLICATION_FIELDS, when)
        for figure_raw in raw["figures"]:
            values = _figure_values(figure_raw)
            figure = BenchmarkFigure.objects.create(publication=publication, **values)
            _history(
                HistoricalBenchmarkFigure,
                figure,
                ("publication_id", "measure", "unit", "source_location", *FIGURE_DEFAULTS),
                when,
            )


def unload(apps, schema_editor):
    short_names = [raw["short_name"] for raw in json.loads(DATA.read_text())["publications"]]
    Publication = apps.get_model("audit", "Publication")
    BenchmarkFigure = apps.get_model("audit", "BenchmarkFigure")
    BenchmarkFigure.objects.filter(publication__short_name__in=short_names).delete()
    Publication.objects.filter(short_name__in=short_names).delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
