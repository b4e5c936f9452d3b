"""The audit trail is append-only at the database, and people are never deleted."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.admin.sites import site as admin_site
from django.db import DatabaseError, connection, transaction

from registry import services
from registry.models import User
from registry.security import trail

pytestmark = pytest.mark.django_db


def test_every_history_table_carries_the_append_only_trigger():
    models = trail.history_models()
    # registry's tracked models at least; audit's and any future ones are found the same way.
    assert {m._meta.model_name for m in models} >= {
        "historicalpatient",
        "historicalprocedure",
        "historicaltumourtreatment",
        "historicalmembership",
    }
    unprotected = {m._meta.db_table for m in models} - trail.protected_tables()
    assert not unprotected, f"history tables without the append-only trigger: {unprotected}"


def test_history_models_of_every_app_are_found():
    apps_with_history = {m._meta.app_label for m in trail.history_models()}
    tracked = {
        model._meta.app_label
        for model in apps.get_models()
        if hasattr(model, "history") and not model.__name__.startswith("Historical")
    }
    assert tracked <= apps_with_history


def history_row(patient):
    return patient.history.order_by("history_id").first()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET history_change_reason = 'rewritten' WHERE history_id = %s",
        "DELETE FROM {table} WHERE history_id = %s",
    ],
)
def test_raw_sql_cannot_rewrite_or_erase_history(patient_a, statement):
    row = history_row(patient_a)
    table = row._meta.db_table
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table), [row.history_id])
    assert history_row(patient_a).history_change_reason == row.history_change_reason


def test_the_orm_cannot_rewrite_or_erase_history(patient_a):
    row = history_row(patient_a)
    row.history_change_reason = "rewritten"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        row.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        patient_a.history.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(history_type="~")
    assert patient_a.history.count() == 1


APP_ROLE = "cryoaudit_app_trail_test"


def test_an_application_role_with_full_table_rights_is_refused(patient_a):
    """Run as a non-owner role granted UPDATE and DELETE: the trigger still refuses."""
    row = history_row(patient_a)
    table = row._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
    for statement in (
        f"UPDATE {table} SET history_change_reason = 'rewritten'",
        f"DELETE FROM {table}",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
            cursor.execute(statement)
    assert patient_a.history.count() == 1


def test_new_history_rows_are_still_written(lead_a, patient_a):
    services.patient_lock(by=lead_a, patient=patient_a, reason="Audit complete")
    assert patient_a.history.count() == 2


def test_users_are_deactivated_never_deleted(clinician_a, patient_a):
    with pytest.raises(trail.UserDeletionRefused, match="set them inactive"), transaction.atomic():
        clinician_a.delete()
    with pytest.raises(trail.UserDeletionRefused), transaction.atomic():
        User.objects.filter(pk=clinician_a.pk).delete()
    assert User.objects.filter(pk=clinician_a.pk).exists()


def test_the_admin_offers_no_user_deletion(rf, registry_admin):
    request = rf.get("/admin/registry/user/")
    request.user = registry_admin
    user_admin = admin_site._registry[User]
    assert not user_admin.has_delete_permission(request)
    assert not user_admin.has_delete_permission(request, registry_admin)
    assert "delete_selected" not in user_admin.get_actions(request)
