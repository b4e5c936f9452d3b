"""Withdraw and restore records entered in error; sign off (lock) and unlock patients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from registry import selectors, services
from registry.forms.actions import ReasonForm
from registry.models import Patient
from registry.views.common import clinician_required, user_of

# URL segment (registry.display.KINDS) → (what it is called, how to fetch it for a user).
KINDS: dict[str, tuple[str, Callable[..., Any]]] = {
    "patients": ("patient", selectors.get_patient_for),
    "tumours": ("tumour", selectors.get_tumour_for),
    "procedures": ("procedure", selectors.get_procedure_for),
    "follow-ups": ("follow-up", selectors.get_follow_up_for),
    "complications": ("adverse event", selectors.get_complication_for),
    "treatments": ("tumour treatment", selectors.get_treatment_for),
    "assessments": ("tumour assessment", selectors.get_assessment_for),
}

ACTIONS = {
    "withdraw": ("Withdraw", "withdrawn", services.record_withdraw),
    "restore": ("Restore", "restored", services.record_restore),
}


def _patient_id(record: Any) -> int:
    return int(record.owning_patient_id())


@clinician_required
def record_action(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    """Withdraw (entered in error) or restore a record, with a reason.

    GET asks for the reason; POST does it. Restoring is for site leads.
    """
    if kind not in KINDS or action not in ACTIONS:
        raise Http404("No such page.")
    noun, fetch = KINDS[kind]
    title, done, service = ACTIONS[action]
    record = fetch(request.user, pk, include_withdrawn=action == "restore")
    if action == "restore" and not record.is_withdrawn:
        raise Http404("This record is not withdrawn.")
    patient_id = _patient_id(record)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(by=user_of(request), record=record, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied, services.RecordLockedError) as error:
            messages.error(request, _text(error))
        else:
            messages.success(request, f"The {noun} was {done}.")
        if action == "withdraw" and isinstance(record, Patient):
            return redirect("registry:patient_list")
        return redirect("registry:patient_detail", pk=patient_id)
    return render(
        request,
        "registry/record_action.html",
        {
            "form": form,
            "title": f"{title} {noun}",
            "record": record,
            "noun": noun,
            "action": action,
            "patient_id": patient_id,
        },
    )


@clinician_required
def patient_sign_off(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Lock a patient's record after review, or unlock it; site leads only, with a reason."""
    if action not in ("lock", "unlock"):
        raise Http404("No such page.")
    patient = selectors.get_patient_for(request.user, pk)
    if not selectors.can_lead_site(request.user, patient.site_id):
        raise PermissionDenied("Only a site lead can sign off or unlock a record.")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = services.patient_lock if action == "lock" else services.patient_unlock
        try:
            service(by=user_of(request), patient=patient, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, _text(error))
        else:
            done = "signed off and locked" if action == "lock" else "unlocked"
            messages.success(request, f"The record of {patient.registry_id} was {done}.")
        return redirect("registry:patient_detail", pk=patient.pk)
    title = "Sign off and lock" if action == "lock" else "Unlock"
    return render(
        request,
        "registry/record_action.html",
        {
            "form": form,
            "title": f"{title} the record of {patient.registry_id}",
            "record": patient,
            "noun": "record",
            "action": action,
            "patient_id": patient.pk,
        },
    )


def _text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
