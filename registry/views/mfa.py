"""Two-factor pages: enrol an authenticator app, verify after sign-in, backup codes."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlencode

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from registry.forms.mfa import TokenForm
from registry.security import logs, mfa


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _may_enrol(request: HttpRequest) -> bool:
    """Enrol only a first authenticator, or replace one after verifying with it.

    Otherwise a stolen password would be enough to register the thief's phone.
    """
    return mfa.is_verified(request.user) or not mfa.has_authenticator(request.user)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Show the authenticator key (QR code and otpauth URI) and confirm it with a code."""
    if not _may_enrol(request):
        return redirect("mfa_verify")
    device = mfa.pending_totp_device(request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = mfa.confirm_totp_device(device)
            otp_login(request, device)
            logs.event("mfa_enrolled", request)
            return render(
                request,
                "registration/mfa_backup_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
        form.reject()
        logs.event("mfa_failed", request, step="enrolment")
    return render(
        request,
        "registration/mfa_setup.html",
        {"form": form, "otpauth_uri": device.config_url, "next": _next_url(request)},
    )


@never_cache
@login_required
def mfa_setup_qr(request: HttpRequest) -> HttpResponse:
    """Serve the pending authenticator key as an SVG QR code (an image, not inline markup)."""
    if not _may_enrol(request):
        return HttpResponse(status=403)
    device = mfa.pending_totp_device(request.user)
    buffer = BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the second factor after the password."""
    if not mfa.has_authenticator(request.user):
        return redirect(f"{reverse('mfa_setup')}?{urlencode({'next': _next_url(request)})}")
    if mfa.is_verified(request.user):
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            logs.event("mfa_verified", request, device=type(device).__name__)
            return redirect(_next_url(request))
        form.reject()
        logs.event("mfa_failed", request, step="verification")
    return render(
        request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_backup_codes(request: HttpRequest) -> HttpResponse:
    """Replace the backup codes; the new ones are shown on this page only."""
    if not mfa.has_authenticator(request.user) or not mfa.is_verified(request.user):
        return redirect("mfa_setup")
    if request.method == "POST":
        codes = mfa.new_backup_codes(request.user)
        logs.event("mfa_backup_codes_issued", request)
        return render(request, "registration/mfa_backup_codes.html", {"codes": codes, "next": "/"})
    return render(
        request,
        "registration/mfa_backup_codes.html",
        {"remaining": mfa.backup_codes_left(request.user)},
    )
