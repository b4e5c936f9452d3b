"""Patient list, patient page, new/edit patient with tumours, change history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from registry import history, selectors, services
from registry.forms.actions import PatientFilterForm, ReasonForm
from registry.forms.base import without_errors
from registry.forms.patients import (
    PATIENT_FIELDS,
    TUMOUR_FIELDS,
    PatientForm,
    tumour_formset,
    with_extra_row,
)
from registry.models import Patient
from registry.views.common import (
    clinician_required,
    current_site,
    locked_redirect,
    model_data,
    user_of,
    write,
)

ALL_SITES = "all"


@clinician_required
def patient_list(request: HttpRequest) -> HttpResponse:
    """List the user's patients: search, filters (site, alive/dead, overdue), pages."""
    sites = list(selectors.clinical_sites_for(request.user))
    site = current_site(request, sites)
    form = PatientFilterForm(request.GET)
    form.fields["site"].choices = [  # type: ignore[attr-defined]
        (ALL_SITES, "All my sites"),
        *((str(s.pk), str(s)) for s in sites),
    ]
    form.fields["site"].initial = str(site.pk) if site and len(sites) > 1 else ALL_SITES
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    chosen = filters.get("site") or form.fields["site"].initial
    can_lead = selectors.site_ids_for(request.user, selectors.LEAD_ROLES) != set()
    site_id = None if chosen == ALL_SITES else int(chosen)
    if site_id is None and len(sites) == 1:
        site_id = sites[0].pk
    patients = selectors.patient_list(
        request.user,
        today=timezone.localdate(),
        site_id=site_id,
        search=filters.get("q", ""),
        vital=filters.get("vital", ""),
        overdue=filters.get("overdue", False),
        withdrawn=can_lead and filters.get("withdrawn", False),
    )
    page = Paginator(patients, settings.PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_summaries(list(page.object_list))
    return render(
        request,
        "registry/patient_list.html",
        {
            "form": form,
            "page": page,
            "sites": sites,
            "site_chosen": chosen,
            "can_lead": can_lead,
            "window_days": settings.FOLLOW_UP_WINDOW_DAYS,
            "today": timezone.localdate(),
        },
    )


@clinician_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a patient's tumours, timeline, NICE checklist and follow-up schedule."""
    page = selectors.patient_page(request.user, pk, today=timezone.localdate())
    return render(
        request,
        "registry/patient_detail.html",
        {
            "page": page,
            "patient": page.patient,
            "reason_form": ReasonForm(),
            "today": timezone.localdate(),
            "window_days": settings.FOLLOW_UP_WINDOW_DAYS,
        },
    )


@clinician_required
def patient_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Show every change to a patient's record: who, when, field, old → new, reason."""
    can_lead = selectors.site_ids_for(request.user, selectors.LEAD_ROLES) != set()
    patient = selectors.get_patient_for(request.user, pk, include_withdrawn=can_lead)
    if patient.is_withdrawn and not selectors.can_lead_site(request.user, patient.site_id):
        raise Http404("No such record.")
    return render(
        request,
        "registry/patient_history.html",
        {"patient": patient, "entries": history.patient_history(patient)},
    )


@clinician_required
def patient_create(request: HttpRequest) -> HttpResponse:
    """Register a patient at the current site, with their tumours, in one go."""
    site = current_site(request)
    if site is None:
        raise Http404("You have no site to register patients at.")
    user = user_of(request)
    instance = Patient(site=site)
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_tumour" in data:
        data = with_extra_row(data, "tumours")
        form, formset = PatientForm(data, instance=instance), tumour_formset(data=data)
        without_errors(form, formset)
        return _render_form(request, form, formset, site=site)
    form, formset = PatientForm(data, instance=instance), tumour_formset(data=data)
    if data is not None and form.is_valid() and formset.is_valid():
        new_rows = [row for row in formset.forms if row.has_changed()]
        created: list[Patient] = []
        outcome = write(
            request,
            lambda: created.append(
                services.patient_create_with_tumours(
                    by=user,
                    site=site,
                    data=model_data(form, PATIENT_FIELDS),
                    tumours=[model_data(row, TUMOUR_FIELDS) for row in new_rows],
                )
            ),
            form=form,
            patient=instance,
            rows={"tumours": new_rows},
        )
        if outcome.saved:
            messages.success(request, f"Patient {created[0].registry_id} registered.")
            return redirect("registry:patient_detail", pk=created[0].pk)
    return _render_form(request, form, formset, site=site)


@clinician_required
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a patient's details and tumours (add, change, remove) with a reason."""
    patient = selectors.get_patient_for(request.user, pk)
    if patient.is_locked:
        return locked_redirect(request, patient)
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_tumour" in data:
        data = with_extra_row(data, "tumours")
    form = PatientForm(data, instance=patient, editing=True)
    formset = tumour_formset(data=data, queryset=selectors.tumours_of(patient), extra=1)
    stale: list[history.ReadableRevision] | None = None
    if data is not None and "add_tumour" in data:
        without_errors(form, formset)
    elif data is not None and form.is_valid() and formset.is_valid():
        changes, forms_ = _tumour_changes(formset)
        outcome = write(
            request,
            lambda: services.patient_update_with_tumours(
                by=user_of(request),
                patient=patient,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                data=model_data(form, PATIENT_FIELDS),
                tumours=changes,
            ),
            form=form,
            patient=patient,
            rows={"tumours": forms_},
            saved_message="Changes saved.",
        )
        if outcome.response:
            return outcome.response
        stale = outcome.stale
    return _render_form(request, form, formset, site=patient.site, patient=patient, stale=stale)


def _tumour_changes(formset: Any) -> tuple[list[services.RowChange], list[Any]]:
    """Turn the tumour rows into changes, and the forms in the same order."""
    changes, forms_ = [], []
    for row in formset.forms:
        if row.instance.pk:
            version = row.cleaned_data.get("version")
            if row.cleaned_data.get("DELETE"):
                change = services.RowChange(row.instance, expected_version=version, remove=True)
            else:
                data = model_data(row, TUMOUR_FIELDS)
                change = services.RowChange(row.instance, data, expected_version=version)
        elif row.has_changed() and not row.cleaned_data.get("DELETE"):
            change = services.RowChange(None, model_data(row, TUMOUR_FIELDS))
        else:
            continue
        changes.append(change)
        forms_.append(row)
    return changes, forms_


def _render_form(
    request: HttpRequest,
    form: PatientForm,
    formset: Any,
    *,
    site: Any,
    patient: Patient | None = None,
    stale: list[history.ReadableRevision] | None = None,
) -> HttpResponse:
    return render(
        request,
        "registry/patient_form.html",
        {"form": form, "formset": formset, "site": site, "patient": patient, "stale": stale},
    )
