"""Record every export: who took which data, when, with which filters, how many rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rest_framework.request import Request

from registry.models import ApiToken, ExportLog, User
from registry.security import logs as security_log

MAX_LOGGED_PARAMETERS = 20
MAX_LOGGED_LENGTH = 200


def _clean(text: str) -> str:
    # PostgreSQL's jsonb refuses NUL characters; nobody needs a novel in the log.
    return text.replace("\x00", "")[:MAX_LOGGED_LENGTH]


def _filters_of(request: Request) -> dict[str, Any]:
    """Return the raw parameters (cursor aside), so the log shows what was asked for."""
    logged: dict[str, Any] = {}
    for key, values in list(request.query_params.lists())[:MAX_LOGGED_PARAMETERS]:
        if key == "cursor":
            continue
        cleaned = [_clean(value) for value in values]
        logged[_clean(key)] = cleaned if len(cleaned) > 1 else cleaned[0]
    return logged


def export_log_record(
    *,
    request: Request,
    format: str,
    row_count: int | None,
    status: str = ExportLog.Status.COMPLETED,
) -> ExportLog:
    """Write one export log row for a request."""
    token = request.auth if isinstance(request.auth, ApiToken) else None
    log = ExportLog.objects.create(
        user=request.user if isinstance(request.user, User) else None,
        username=request.user.get_username(),
        token=token,
        endpoint=request.path[:200],
        format=format,
        filters=_filters_of(request),
        row_count=row_count,
        status=status,
    )
    security_log.event(
        "export",
        request,
        user=log.username,
        token=token.prefix if token else "-",
        format=format,
        rows="streaming" if row_count is None else row_count,
        status=status,
        log_id=log.pk,
    )
    return log


def export_log_finish(*, log: ExportLog, row_count: int, completed: bool) -> None:
    """Close the log row of a streamed export with its row count."""
    log.row_count = row_count
    log.status = ExportLog.Status.COMPLETED if completed else ExportLog.Status.INTERRUPTED
    log.save(update_fields=["row_count", "status"])
    security_log.event(
        "export_finished", None, user=log.username, rows=row_count, status=log.status, log_id=log.pk
    )


def logged_stream(chunks: Iterator[bytes], *, log: ExportLog, counter: Any) -> Iterator[bytes]:
    """Pass a streamed body through, then record how many rows it held.

    If the client goes away, the server closes the generator and the row is
    marked interrupted with the rows sent so far.
    """
    completed = False
    try:
        yield from chunks
        completed = True
    finally:
        export_log_finish(log=log, row_count=counter.count, completed=completed)
