"""Template context shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from registry import selectors
from registry.views.common import current_site


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


# (label, URL name, roles that see it; None = registry admins only)
_NAVIGATION: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("Patients", "registry:patient_list", selectors.CLINICAL_ROLES),
    ("Worklist", "registry:worklist", selectors.CLINICAL_ROLES),
    ("Dashboard", "audit:dashboard", selectors.ALL_ROLES),
    ("Export", "api:docs", selectors.EXPORT_ROLES),
    ("Admin", "admin:index", None),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return the navigation entries the signed-in user's roles allow."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, url_name, roles in _NAVIGATION:
        allowed = selectors.is_registry_admin(user) or (
            roles is not None and bool(selectors.site_ids_for(user, roles))
        )
        if not allowed:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # The feature is not installed in this deployment.
        items.append(NavItem(label, url, request.path.startswith(url)))
    return {"nav_items": items, "site_switcher": _site_switcher(request)}


@dataclass(frozen=True)
class SiteSwitcher:
    sites: list[Any]
    current: Any


def _site_switcher(request: HttpRequest) -> SiteSwitcher | None:
    """Offer a choice of current site to users who enter records at several sites."""
    sites = list(selectors.clinical_sites_for(request.user))
    if len(sites) < 2:
        return None
    return SiteSwitcher(sites, current_site(request, sites))
