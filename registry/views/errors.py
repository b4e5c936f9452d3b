"""Error pages that must work when the database does not."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from registry.security.middleware import is_api, unavailable_response


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer 503 for database faults raised outside views (sessions, users), else 500.

    Neither page touches the database: both render without context processors.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return unavailable_response(request)
    if is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)
