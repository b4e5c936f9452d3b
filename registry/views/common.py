"""What the clinician views share: access, the current site, and mapping service errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from registry import history, selectors, services
from registry.forms.base import apply_errors, refresh_version
from registry.models import Patient, Site, User

SITE_SESSION_KEY = "registry_current_site"

CONFLICT = (
    "This could not be saved because it conflicts with a record saved at the same "
    "moment (for example the same label or number). Check the values and save again."
)


def clinician_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Allow clinicians, site leads and registry admins; others get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if selectors.site_ids_for(request.user, selectors.CLINICAL_ROLES) == set():
            raise PermissionDenied("Patient records are for clinicians and site leads.")
        return view(request, *args, **kwargs)

    return wrapped


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # clinician_required signed them in
    return request.user


def current_site(request: HttpRequest, sites: list[Site] | None = None) -> Site | None:
    """Return the site the user works at now: their choice if still allowed, else the first."""
    if sites is None:
        sites = list(selectors.clinical_sites_for(request.user))
    chosen = request.session.get(SITE_SESSION_KEY)
    for site in sites:
        if site.pk == chosen:
            return site
    return sites[0] if sites else None


def locked_redirect(request: HttpRequest, patient: Patient) -> HttpResponse:
    messages.error(
        request,
        f"The record of {patient.registry_id} is signed off and locked: it is read-only "
        "until a site lead unlocks it (with a reason).",
    )
    return redirect("registry:patient_detail", pk=patient.pk)


@dataclass
class WriteOutcome:
    saved: bool = False
    stale: list[history.ReadableRevision] | None = None  # a list when the edit was stale
    response: HttpResponse | None = None  # set when the page must go elsewhere


def _record_of(form: forms.BaseForm) -> Any:
    record = getattr(form, "record", None)
    if record is None:
        record = getattr(form, "instance", None)
    return record


def write(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    form: forms.BaseForm,
    patient: Patient,
    rows: Mapping[str, Sequence[forms.BaseForm]] | None = None,
    saved_message: str = "",
) -> WriteOutcome:
    """Run a service write; on refusal, put the reasons on the forms that caused them.

    Validation errors go to their field (or row); a stale edit keeps what the
    user typed, lists what changed meanwhile and lets the form carry the current
    version; a locked record returns to the patient page with a message. With a
    `saved_message`, a successful write says so and returns to the patient page.
    """
    rows = rows or {}
    try:
        action()
    except services.StaleEditError as error:
        stale = history.readable(error.revisions)
        for candidate in [form, *(row for group in rows.values() for row in group)]:
            record = _record_of(candidate)
            if type(record) is type(error.record) and record.pk == error.record.pk:
                refresh_version(candidate, error.record.version)
        return WriteOutcome(stale=stale)
    except services.RecordLockedError:
        return WriteOutcome(response=locked_redirect(request, patient))
    except services.RowValidationError as error:
        group = rows.get(error.rows, ())
        apply_errors(group[error.index] if error.index < len(group) else form, error)
    except ValidationError as error:
        apply_errors(form, error)
    except IntegrityError:
        form.add_error(None, CONFLICT)
    else:
        if not saved_message:
            return WriteOutcome(saved=True)
        messages.success(request, saved_message)
        return WriteOutcome(saved=True, response=redirect("registry:patient_detail", pk=patient.pk))
    return WriteOutcome()


def model_data(form: forms.BaseForm, names: Sequence[str]) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in names}
