"""Home page and the site switcher."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from registry import selectors
from registry.forms.actions import SiteChoiceForm
from registry.views.common import SITE_SESSION_KEY, clinician_required


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send clinicians and site leads to their patients; others see the home page."""
    if selectors.site_ids_for(request.user, selectors.CLINICAL_ROLES):
        return redirect("registry:patient_list")
    return render(request, "home.html")


@require_POST
@clinician_required
def switch_site(request: HttpRequest) -> HttpResponse:
    """Remember the site the user works at now (one of their own sites)."""
    form = SiteChoiceForm(request.POST)
    sites = selectors.clinical_sites_for(request.user)
    form.fields["site"].choices = [(site.pk, site.code) for site in sites]  # type: ignore[attr-defined]
    if form.is_valid():
        request.session[SITE_SESSION_KEY] = form.cleaned_data["site"]
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "registry:patient_list")
