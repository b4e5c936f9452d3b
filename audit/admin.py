"""Admin for the published series: registry admins correct and extend the benchmarks.

Every change asks a reason and lands in the history (django-simple-history) with
its author, like the registry's records.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from audit.models import BenchmarkFigure, Publication
from registry.admin import ReasonForm, StaffOnlyMixin

DEFAULT_REASON = "Entered in the admin site"


class PublicationForm(ReasonForm):
    class Meta:
        model = Publication
        fields = "__all__"


class BenchmarkFigureForm(ReasonForm):
    class Meta:
        model = BenchmarkFigure
        fields = "__all__"


class BenchmarkFigureInline(StaffOnlyMixin, admin.TabularInline):
    model = BenchmarkFigure
    extra = 0
    show_change_link = True
    fields = (
        "measure",
        "unit",
        "subgroup",
        "arm",
        "time_point",
        "numerator",
        "denominator",
        "value",
        "value_unit",
        "source_location",
    )


class AllowDeleteMixin:
    """A figure entered in error may be deleted; the deletion stays in the history."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


@admin.register(Publication)
class PublicationAdmin(AllowDeleteMixin, StaffOnlyMixin, SimpleHistoryAdmin):
    form = PublicationForm
    inlines = [BenchmarkFigureInline]
    list_display = (
        "short_name",
        "year",
        "n_patients",
        "n_tumours",
        "n_procedures",
        "approach",
        "provenance",
    )
    list_filter = ("provenance", "year")
    search_fields = ("short_name", "citation", "cohort", "approach")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj._change_reason = form.cleaned_data.get("change_reason") or DEFAULT_REASON
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        reason = form.cleaned_data.get("change_reason") or DEFAULT_REASON
        for inline_form in formset.forms:
            inline_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)


@admin.register(BenchmarkFigure)
class BenchmarkFigureAdmin(AllowDeleteMixin, StaffOnlyMixin, SimpleHistoryAdmin):
    form = BenchmarkFigureForm
    list_display = (
        "publication",
        "measure",
        "unit",
        "subgroup",
        "arm",
        "time_point",
        "published",
        "source_location",
    )
    list_filter = ("publication", "measure", "unit", "subgroup", "arm", "value_unit")
    search_fields = ("publication__short_name", "cohort", "time_point", "note", "source_location")
    list_select_related = ("publication",)
    autocomplete_fields = ("publication",)

    @admin.display(description="figure as published")
    def published(self, obj: BenchmarkFigure) -> str:
        return obj.display

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj._change_reason = form.cleaned_data.get("change_reason") or DEFAULT_REASON
        super().save_model(request, obj, form, change)
