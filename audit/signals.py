"""Invalidate cached benchmarking results whenever registry data or benchmarks change.

Connected in AuditConfig.ready(): post_save and post_delete of every registry
model and of the published figures, and registry.signals.records_bulk_loaded.
The data version is bumped once the transaction commits, so a rolled-back write
invalidates nothing and a reader never caches data older than the new version.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from simple_history.models import HistoricalChanges

from audit import cache

# Signing in saves the user's last_login; that changes no result.
_IRRELEVANT_UPDATES = {("registry", "user"): frozenset({"last_login"})}


def _schedule_bump(using: str | None) -> None:
    transaction.on_commit(cache.bump_data_version, using=using, robust=True)


def record_changed(sender: type[Model], **kwargs: Any) -> None:
    """Bump the data version after the write that sent this signal commits."""
    ignored = _IRRELEVANT_UPDATES.get((sender._meta.app_label, sender._meta.model_name or ""))
    update_fields = kwargs.get("update_fields")
    if ignored and update_fields and frozenset(update_fields) <= ignored:
        return
    _schedule_bump(kwargs.get("using"))


def records_bulk_loaded(sender: Any, **kwargs: Any) -> None:
    """Bump the data version after a bulk load commits."""
    _schedule_bump(kwargs.get("using"))


def tracked_models() -> list[type[Model]]:
    """Return the models whose changes can alter a benchmarking result."""
    models = [
        *apps.get_app_config("registry").get_models(),
        *apps.get_app_config("audit").get_models(),
    ]
    # History rows are written alongside the record that already sent a signal.
    return [model for model in models if not issubclass(model, HistoricalChanges)]


def connect() -> None:
    from registry.signals import records_bulk_loaded as bulk_signal

    for model in tracked_models():
        uid = f"audit-invalidate-{model._meta.label_lower}"
        post_save.connect(record_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"{uid}-delete")
    bulk_signal.connect(records_bulk_loaded, dispatch_uid="audit-invalidate-bulk")
