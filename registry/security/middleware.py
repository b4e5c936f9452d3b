"""Middleware: session limits, two-factor enforcement, no-store, database faults, 403 log."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control

from registry.security import logs, mfa, sessions

GetResponse = Callable[[HttpRequest], HttpResponseBase]

API_PREFIX = "/api/"
UNAVAILABLE = (
    "The registry database cannot be reached just now. Nothing was saved from this "
    "request; please try again in a minute."
)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _static(request: HttpRequest) -> bool:
    return request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))


def expired_message(reason: str) -> str:
    if reason == "idle":
        minutes = settings.SESSION_IDLE_TIMEOUT // 60
        return f"You were signed out after {minutes} minutes without activity. Sign in again."
    hours = settings.SESSION_ABSOLUTE_TIMEOUT // 3600
    return f"You were signed out {hours} hours after signing in. Sign in again."


class SessionTimeoutMiddleware:
    """Sign a user out after SESSION_IDLE_TIMEOUT idle or SESSION_ABSOLUTE_TIMEOUT in all."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated and not _static(request):
            reason = sessions.expired(request)
            if reason is not None:
                logs.event("session_expired", request, reason=reason)
                logout(request)
                messages.info(request, expired_message(reason))
        return self.get_response(request)


class MFARequiredMiddleware:
    """Hold users who need a second factor at enrolment or verification until they pass."""

    EXEMPT_URL_NAMES = (
        "mfa_verify",
        "mfa_setup",
        "mfa_setup_qr",
        "logout",
    )

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if (
            user.is_authenticated
            and not _static(request)
            and not mfa.is_verified(user)
            and request.path not in self._exempt_paths()
            and mfa.mfa_required(user)
        ):
            return self._hold(request)
        return self.get_response(request)

    def _exempt_paths(self) -> set[str]:
        return {reverse(name) for name in self.EXEMPT_URL_NAMES}

    def _hold(self, request: HttpRequest) -> HttpResponse:
        if is_api(request):
            return JsonResponse(
                {"detail": "Two-factor verification is required: sign in again and verify."},
                status=403,
            )
        target = "mfa_verify" if mfa.has_authenticator(request.user) else "mfa_setup"
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse(target)}?{query}")


class NoStoreMiddleware:
    """Forbid caching of every response to a signed-in user (patient data), static aside."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _static(request):
            patch_cache_control(response, no_store=True, private=True)
        return response


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """Answer 503 without touching the database: JSON under /api/, else a plain page."""
    if is_api(request):
        response: HttpResponse = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        # Rendered without the request: context processors would query the database.
        body = render_to_string("503.html", {"message": UNAVAILABLE})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    patch_cache_control(response, no_store=True)
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost or unreachable database during a view into a clear 503.

    The services' transactions guarantee nothing was half-written; faults in
    other middleware (sessions, user) reach `handler500`, which does the same.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            logs.event(
                "database_unavailable", None, path=request.path, error=type(exception).__name__
            )
            return unavailable_response(request)
        return None


class PermissionDeniedLogMiddleware:
    """Log every 403 answer: page refusals, API refusals, CSRF failures."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 403:
            logs.event("permission_denied", request, method=request.method)
        return response
