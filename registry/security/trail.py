"""Append-only audit trail: PostgreSQL refuses UPDATE and DELETE on history tables.

A trigger on every django-simple-history table (registry's, audit's and any
added later) raises on UPDATE or DELETE, so not even the application's own
database role can rewrite or erase history. It is (re)installed after every
`migrate` for each app's history models; tests/security/test_trail.py fails if a
history table lacks it. TRUNCATE stays possible: it needs table ownership,
fires no row triggers, and is how the test suite empties tables between tests.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.db import connections
from django.db.models import Model
from simple_history.models import HistoricalChanges

FUNCTION = "cryoaudit_history_append_only"
TRIGGER = "cryoaudit_history_append_only"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'history table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'History rows are never changed or deleted; record a new change instead.';
END
$$;
"""


class UserDeletionRefused(Exception):
    """People who used the registry are deactivated, never deleted.

    Deleting a user would blank `history_user` on every history row they wrote
    (an UPDATE the trigger refuses) and erase who did what.
    """


def history_models(app_config: AppConfig | None = None) -> list[type[Model]]:
    """Return the simple-history models of one app, or of every app."""
    models = app_config.get_models() if app_config else apps.get_models()
    return [model for model in models if issubclass(model, HistoricalChanges)]


def install(models: list[type[Model]], using: str = "default") -> None:
    """Create the trigger function and attach it to the models' tables (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not models:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(CREATE_FUNCTION)
        for model in models:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE "
                f"ON {quote(model._meta.db_table)} FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )


def install_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: protect the history tables of the app just migrated."""
    install(history_models(sender), using=using)


def protected_tables(using: str = "default") -> set[str]:
    """Return the tables that carry the append-only trigger."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
            [TRIGGER],
        )
        return {row[0] for row in cursor.fetchall()}
