"""The admin site for registry staff.

Clinical records are written through `registry.services` here too, so the
admin enforces the same validation, sign-off locks and stale-edit checks as the
clinicians' forms, and every change carries its author and reason into the
history. Nothing is deleted: records are withdrawn (and restored) with a reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from registry import services
from registry.history import revisions
from registry.models import (
    ClinicalRecord,
    Complication,
    FollowUp,
    Membership,
    Patient,
    Procedure,
    Site,
    Tumour,
    TumourAssessment,
    TumourTreatment,
    User,
)

admin.site.site_header = "CryoAudit registry administration"
admin.site.site_title = "CryoAudit admin"
admin.site.index_title = "Registry data"

BOOKKEEPING = (
    "version",
    "created_at",
    "updated_at",
    "withdrawn_at",
    "withdrawn_by",
    "withdrawal_reason",
)


# --- Forms ----------------------------------------------------------------------


class ReasonForm(forms.ModelForm):
    """A model form that asks why a record is being changed."""

    change_reason = forms.CharField(
        label="Reason for change",
        max_length=500,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Stored in the record's history with your name and the time.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["change_reason"].required = False
            self.fields["change_reason"].initial = "Entered in the admin site"


class ClinicalAdminForm(ReasonForm):
    """Also remember which version the editor saw, to refuse stale saves."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise ValidationError(stale_message(self.instance, seen))
        return cleaned


class ClinicalInlineForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        label="Reason", required=False, max_length=500, help_text="Required to withdraw or restore."
    )


def stale_message(record: ClinicalRecord, seen_version: int) -> str:
    """Explain what changed since the editor opened the record."""
    lines = []
    for revision in revisions(record, after_version=seen_version):
        changed = "; ".join(f"{c.label}: {c.old!r} → {c.new!r}" for c in revision.changes)
        lines.append(
            f"{revision.author} at {revision.at:%d/%m/%Y %H:%M} ({changed or 'no field changes'})"
        )
    return (
        "Someone else changed this record after you opened it, so your changes were not "
        "saved. Reload the page to see the current version. Changes meanwhile: " + " | ".join(lines)
    )


def editable_data(record: ClinicalRecord, changed: list[str]) -> dict[str, Any]:
    names = {f.name for f in record._meta.concrete_fields if f.editable}
    return {name: getattr(record, name) for name in changed if name in names}


# --- Shared admin behaviour -------------------------------------------------------------


class StaffOnlyMixin:
    """Registry admins are staff; the admin site is theirs alone."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # Withdraw instead: the record must stay in the audit trail.


def _locked(record: ClinicalRecord | None) -> bool:
    if record is None or record.pk is None:
        return False
    patient_id = record.owning_patient_id()
    return Patient.objects.filter(pk=patient_id, locked_at__isnull=False).exists()


class ClinicalInline(StaffOnlyMixin, admin.TabularInline):
    form = ClinicalInlineForm
    extra = 0
    show_change_link = True
    can_delete = False
    readonly_fields = ("withdrawn_at",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not _locked(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and not _locked(obj)


@admin.action(description="Withdraw selected records (entered in error)")
def withdraw_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    _apply_to_each(modeladmin, request, queryset, services.record_withdraw, "withdrawn")


@admin.action(description="Restore selected withdrawn records")
def restore_selected(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    _apply_to_each(modeladmin, request, queryset, services.record_restore, "restored")


def _apply_to_each(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any], action: Any, done: str
) -> None:
    """Apply the action to every selected record in one transaction: all or nothing."""
    reason = request.POST.get("reason", "").strip()
    if not reason:
        modeladmin.message_user(request, "Give a reason in the Reason box.", messages.ERROR)
        return
    refused: list[str] = []
    with transaction.atomic():
        records = list(queryset)
        for record in records:
            try:
                action(by=request.user, record=record, reason=reason)
            except (ValidationError, PermissionDenied, services.RecordLockedError) as error:
                refused.append(f"{record}: {_text(error)}")
        if refused:
            transaction.set_rollback(True)
    for message in refused:
        modeladmin.message_user(request, message, messages.ERROR)
    if refused:
        modeladmin.message_user(
            request, "Nothing was changed: deselect the refused records and retry.", messages.ERROR
        )
    else:
        modeladmin.message_user(request, f"{len(records)} record(s) {done}.", messages.SUCCESS)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # The admin site requires a signed-in user.
    return request.user


def _text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


class ClinicalAdmin(StaffOnlyMixin, SimpleHistoryAdmin):
    form = ClinicalAdminForm
    action_form = ReasonActionForm
    actions = [withdraw_selected, restore_selected]
    readonly_fields: tuple[str, ...] = BOOKKEEPING
    list_per_page = 50

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not _locked(obj)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A save that loses a race after validation, or trips a service rule,
        # returns to the form with the reason instead of an error page.
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (services.StaleEditError, services.RecordLockedError) as error:
            self.message_user(request, str(error), messages.ERROR)
        except ValidationError as error:
            self.message_user(request, _text(error), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        reason = form.cleaned_data.get("change_reason") or "Entered in the admin site"
        if not change:
            services.record_create(by=_user(request), record=obj, reason=reason)
            return
        data = editable_data(obj, form.changed_data)
        if data:
            saved = services.record_update(
                by=_user(request),
                record=obj,
                expected_version=form.cleaned_data["seen_version"],
                reason=reason,
                data=data,
            )
            obj.version = saved.version

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        reason = form.cleaned_data.get("change_reason") or "Entered in the admin site"
        forms_by_instance = {id(f.instance): f for f in formset.forms}
        formset.save(commit=False)
        for record in formset.new_objects:
            services.record_create(by=_user(request), record=record, reason=reason)
        for record, changed in formset.changed_objects:
            inline_form = forms_by_instance[id(record)]
            services.record_update(
                by=_user(request),
                record=record,
                expected_version=inline_form.cleaned_data["seen_version"],
                reason=reason,
                data=editable_data(record, changed),
            )


# --- Accounts and sites ------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("site",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "email", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "memberships__role", "memberships__site")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # Deactivate instead: the audit trail must keep who did what.


class SiteForm(ReasonForm):
    class Meta:
        model = Site
        fields = (
            "code",
            "name",
            "organisation",
            "governance_lead_name",
            "governance_lead_email",
            "governance_lead_informed_on",
        )


@admin.register(Site)
class SiteAdmin(StaffOnlyMixin, SimpleHistoryAdmin):
    form = SiteForm
    list_display = (
        "code",
        "name",
        "organisation",
        "governance_lead_name",
        "governance_lead_informed_on",
    )
    list_filter = ("organisation",)
    search_fields = ("code", "name", "organisation", "governance_lead_name")
    date_hierarchy = "governance_lead_informed_on"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj._change_reason = form.cleaned_data.get("change_reason") or "Entered in the admin site"
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(StaffOnlyMixin, SimpleHistoryAdmin):
    list_display = ("user", "site", "role")
    list_filter = ("role", "site")
    search_fields = ("user__username", "user__last_name", "site__code")
    autocomplete_fields = ("user", "site")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Removing someone's access is routine and stays in the membership history.
        return bool(request.user.is_active and request.user.is_staff)


# --- Clinical records --------------------------------------------------------------


class TumourInline(ClinicalInline):
    model = Tumour
    fields = (
        "label",
        "segment",
        "max_diameter_mm",
        "detected_on",
        "histology_confirmed",
        "seen_version",
        "withdrawn_at",
    )


@admin.register(Patient)
class PatientAdmin(ClinicalAdmin):
    inlines = [TumourInline]
    list_display = (
        "registry_id",
        "site",
        "hospital_number",
        "primary_site",
        "sex",
        "mdt_date",
        "locked_at",
        "withdrawn_at",
    )
    list_filter = (
        "site",
        "primary_site",
        "sex",
        "metastasis_timing",
        "extrahepatic_disease",
        ("locked_at", admin.EmptyFieldListFilter),
        ("withdrawn_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("registry_id", "hospital_number", "nhs_number")
    date_hierarchy = "mdt_date"
    list_select_related = ("site",)
    readonly_fields = ("registry_id", "locked_at", "locked_by", *BOOKKEEPING)


class TreatmentInline(ClinicalInline):
    model = TumourTreatment
    fields = (
        "tumour",
        "probes",
        "freeze_thaw_cycles",
        "total_freeze_minutes",
        "ice_ball_margin_mm",
        "technical_success",
        "seen_version",
        "withdrawn_at",
    )
    autocomplete_fields = ("tumour",)


class ComplicationInline(ClinicalInline):
    model = Complication
    fields = (
        "event_type",
        "event_other",
        "category",
        "onset_on",
        "ctcae_grade",
        "clavien_dindo",
        "cirse_grade",
        "resolved_on",
        "seen_version",
        "withdrawn_at",
    )


@admin.register(Procedure)
class ProcedureAdmin(ClinicalAdmin):
    inlines = [TreatmentInline, ComplicationInline]
    list_display = (
        "__str__",
        "patient",
        "performed_on",
        "approach",
        "image_guidance",
        "intent",
        "operator",
        "consent_documented",
        "withdrawn_at",
    )
    list_filter = (
        "approach",
        "image_guidance",
        "anaesthesia",
        "cryogen",
        "intent",
        "consent_documented",
        "combined_with_resection",
        "patient__site",
    )
    search_fields = ("patient__registry_id", "patient__hospital_number", "device")
    date_hierarchy = "performed_on"
    list_select_related = ("patient", "operator")
    autocomplete_fields = ("patient", "operator")


@admin.register(Tumour)
class TumourAdmin(ClinicalAdmin):
    list_display = (
        "label",
        "patient",
        "segment",
        "lobe",
        "max_diameter_mm",
        "detected_on",
        "histology_confirmed",
        "withdrawn_at",
    )
    list_filter = ("segment", "histology_confirmed", "patient__site")
    search_fields = ("label", "patient__registry_id", "patient__hospital_number")
    date_hierarchy = "detected_on"
    list_select_related = ("patient",)
    autocomplete_fields = ("patient",)


@admin.register(TumourTreatment)
class TumourTreatmentAdmin(ClinicalAdmin):
    list_display = (
        "tumour",
        "procedure",
        "probes",
        "freeze_thaw_cycles",
        "technical_success",
        "withdrawn_at",
    )
    list_filter = (
        "technical_success",
        "freeze_thaw_cycles",
        "procedure__approach",
        "procedure__patient__site",
    )
    search_fields = ("tumour__label", "procedure__patient__registry_id")
    date_hierarchy = "procedure__performed_on"
    list_select_related = ("tumour", "procedure")
    autocomplete_fields = ("procedure", "tumour")


class AssessmentInline(ClinicalInline):
    model = TumourAssessment
    fields = ("tumour", "result", "seen_version", "withdrawn_at")
    autocomplete_fields = ("tumour",)


@admin.register(FollowUp)
class FollowUpAdmin(ClinicalAdmin):
    inlines = [AssessmentInline]
    list_display = (
        "__str__",
        "patient",
        "seen_on",
        "kind",
        "recist",
        "vital_status",
        "lost_to_follow_up",
        "withdrawn_at",
    )
    list_filter = (
        "kind",
        "imaging_modality",
        "recist",
        "vital_status",
        "death_cause",
        "lost_to_follow_up",
        "patient__site",
    )
    search_fields = ("patient__registry_id", "patient__hospital_number")
    date_hierarchy = "seen_on"
    list_select_related = ("patient",)
    autocomplete_fields = ("patient",)


@admin.register(TumourAssessment)
class TumourAssessmentAdmin(ClinicalAdmin):
    list_display = ("tumour", "follow_up", "result", "withdrawn_at")
    list_filter = ("result", "follow_up__patient__site")
    search_fields = ("tumour__label", "follow_up__patient__registry_id")
    date_hierarchy = "follow_up__seen_on"
    list_select_related = ("tumour", "follow_up")
    autocomplete_fields = ("follow_up", "tumour")


@admin.register(Complication)
class ComplicationAdmin(ClinicalAdmin):
    list_display = (
        "__str__",
        "procedure",
        "category",
        "onset_on",
        "ctcae_grade",
        "is_major",
        "timing",
        "resolved_on",
        "withdrawn_at",
    )
    list_filter = (
        "event_type",
        "category",
        "ctcae_grade",
        "clavien_dindo",
        "cirse_grade",
        "procedure__approach",
        "procedure__patient__site",
    )
    search_fields = ("procedure__patient__registry_id", "event_other", "treatment")
    date_hierarchy = "onset_on"
    list_select_related = ("procedure",)
    autocomplete_fields = ("procedure",)

    @admin.display(boolean=True, description="major (CTCAE ≥ 3)")
    def is_major(self, obj: Complication) -> bool:
        return obj.is_major

    @admin.display(description="timing")
    def timing(self, obj: Complication) -> str:
        return str(obj.timing or "")


# --- Governance export: API tokens and the export log (registry/api/admin.py) ------
from registry.api import admin as _export_admin  # noqa: E402, F401
