"""Session limits: idle timeout and absolute lifetime, stamped in the session.

The sign-in time is stored at login; the last-activity stamp is refreshed at
most once a minute, so an ordinary page view does not write the session.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

AUTH_TIME_KEY = "security_auth_time"
ACTIVITY_KEY = "security_last_activity"
ACTIVITY_RESOLUTION = 60  # seconds between refreshes of the activity stamp


def start(request: HttpRequest) -> None:
    """Stamp a freshly signed-in session."""
    now = int(time.time())
    request.session[AUTH_TIME_KEY] = now
    request.session[ACTIVITY_KEY] = now


def expired(request: HttpRequest, now: float | None = None) -> str | None:
    """Return why the session has expired ("idle" or "absolute"), or None; refresh it."""
    now = int(time.time() if now is None else now)
    session = request.session
    auth_time = session.get(AUTH_TIME_KEY)
    last = session.get(ACTIVITY_KEY)
    if auth_time is None or last is None:
        # A session from before these stamps existed: start counting now.
        start(request)
        return None
    if now - auth_time >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if now - last >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if now - last >= ACTIVITY_RESOLUTION:
        session[ACTIVITY_KEY] = now
    return None
