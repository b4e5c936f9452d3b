"""The security log: sign-ins, failures, lockouts, refusals and exports, in UTC.

Every event goes to the "cryoaudit.security" logger as one line of
`event=... key=value` pairs with an ISO 8601 UTC timestamp (`at=`), so a SIEM
or a plain grep can follow a person across hosts. The same fields ride on the
record as `extra` attributes for structured handlers.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.http import HttpRequest

logger = logging.getLogger("cryoaudit.security")

# Routine events; anything else (failures, lockouts, refusals, faults) is a warning.
INFO_EVENTS = frozenset(
    {"login", "logout", "mfa_verified", "mfa_enrolled", "export", "export_finished"}
)


class UTCFormatter(logging.Formatter):
    """Format `%(asctime)s` as ISO 8601 in UTC, e.g. 2026-11-21T08:48:25.123+00:00."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
        return moment.isoformat(timespec="milliseconds")


def utc_now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")


def _quote(value: Any) -> str:
    text = str(value).replace("\n", " ").replace("\r", " ")
    return f'"{text}"' if (" " in text or not text) else text


def event(name: str, request: HttpRequest | None = None, **fields: Any) -> None:
    """Log one security event with who, from where and when (UTC)."""
    from registry.security.network import client_ip

    if request is not None:
        user = getattr(request, "user", None)
        if "user" not in fields and user is not None and user.is_authenticated:
            fields["user"] = user.get_username()
        fields.setdefault("ip", client_ip(request))
        fields.setdefault("path", request.path)
    fields = {"event": name, "at": utc_now(), **fields}
    level = (
        logging.INFO if name in {"login", "logout", "export", "mfa_verified"} else logging.WARNING
    )
    logger.log(
        level,
        " ".join(f"{key}={_quote(value)}" for key, value in fields.items()),
        extra={"security": fields},
    )
