"""Who may export: governance reviewers and site leads (their sites), registry admins (all)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from registry import selectors


class CanExport(BasePermission):
    """Allow users holding an export role at some site, and registry admins.

    Which rows they get is decided by the scoped selectors, not here.
    """

    message = (
        "Exports are for governance reviewers, site audit leads and registry admins; "
        "clinicians work in the registry's pages instead."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and selectors.can_export(user))
