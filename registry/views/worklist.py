"""The follow-up worklist: overdue patients per site, most overdue first."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from registry import selectors
from registry.views.common import clinician_required


@clinician_required
def worklist(request: HttpRequest) -> HttpResponse:
    """List patients whose follow-up window closed without a contact."""
    today = timezone.localdate()
    return render(
        request,
        "registry/worklist.html",
        {
            "patients": selectors.worklist(request.user, today=today),
            "today": today,
            "window_days": settings.FOLLOW_UP_WINDOW_DAYS,
        },
    )
