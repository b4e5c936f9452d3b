"""Demo sites and the people who sign in to them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from registry.choices import Role
from registry.demo import CHANGE_REASON, DEMO_PASSWORD
from registry.demo.draw import Draw
from registry.models import Membership, Site, User


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    organisation: str
    governance_lead: str


# Fictional units; a larger demo adds generated ones after these.
CURATED_SITES = tuple(
    SiteSpec(*row)
    for row in (
        ("NHU", "Northfield Hepatobiliary Unit", "Northfield Teaching", "Dr Priya Raman"),
        ("SMH", "St Margaret's Hospital Liver Unit", "St Margaret's Hospitals", "Mr Tom Whitlock"),
        ("WRI", "Westbury Royal Infirmary HPB Service", "Westbury and District", "Dr Aisha Bello"),
        ("AGH", "Ashcombe General Hospital HPB Unit", "Ashcombe Healthcare", "Dr Rhys Morgan"),
        ("KUH", "Kingsmere University Hospital Liver Centre", "Kingsmere", "Dr Mei Chen"),
        ("LPH", "Larkfield Park Hospital HPB Unit", "Larkfield and Vale", "Mr Owen Doyle"),
    )
)
EXTRA_TOWNS = ("Brackenbury", "Easterleigh", "Fenwick", "Greystone", "Holloway", "Ivybridge Vale")
LEADS = ("Dr Sara Lind", "Dr Kwame Mensah", "Mr Ian Fraser", "Dr Nadia Haddad")

# (username, first name, last name, role, index of the site or None for every site)
DEMO_LOGINS = (
    ("clinician", "Claire", "Hughes", Role.CLINICIAN, 0),
    ("clinician2", "Daniel", "Okafor", Role.CLINICIAN, 1),
    ("lead", "Helen", "Marsh", Role.SITE_LEAD, 0),
    ("reviewer", "Gareth", "Rees", Role.GOVERNANCE_REVIEWER, None),
    ("admin", "Ada", "Mills", None, None),
)
OPERATOR_NAMES = (
    ("Anil", "Mehta"), ("Beth", "Carver"), ("Colm", "Byrne"), ("Dana", "Price"),
    ("Emeka", "Obi"), ("Fiona", "Grant"), ("Gwen", "Parry"), ("Hamid", "Saleh"),
)  # fmt: skip


@dataclass(frozen=True)
class Cast:
    """The created people and places the cohort refers to by index."""

    site_ids: tuple[int, ...]
    operator_ids: tuple[tuple[int, ...], ...]  # per site
    admin: User


def site_specs(count: int) -> list[SiteSpec]:
    """Return the first `count` demo sites, generating more after the curated ones."""
    specs = list(CURATED_SITES[:count])
    specs += [_generated_site(extra) for extra in range(count - len(specs))]
    return specs


def _generated_site(extra: int) -> SiteSpec:
    town = EXTRA_TOWNS[extra % len(EXTRA_TOWNS)]
    round_ = extra // len(EXTRA_TOWNS)
    suffix = f" ({round_ + 1})" if round_ else ""
    return SiteSpec(
        code=f"{town[:2].upper()}H{extra + 1:02d}",
        name=f"{town} Hospital HPB Unit{suffix}",
        organisation=f"{town} Hospitals{suffix}",
        governance_lead=LEADS[extra % len(LEADS)],
    )


def operator_count(site: int) -> int:
    """Return how many operating clinicians a demo site has (two or three)."""
    return 2 if site % 3 == 2 else 3


def demo_usernames(specs: list[SiteSpec]) -> list[str]:
    """Return every username the demo creates for these sites."""
    operators = [
        _operator_username(spec, number)
        for index, spec in enumerate(specs)
        for number in range(1, operator_count(index) + 1)
    ]
    return [login[0] for login in DEMO_LOGINS] + operators


def _operator_username(spec: SiteSpec, number: int) -> str:
    return f"{spec.code.lower()}-op{number}"


def create_people(draw: Draw, specs: list[SiteSpec], as_of: datetime.date) -> Cast:
    """Create the demo sites, logins, operators and memberships (with history)."""
    # Hash once: set_password() for each login would cost a second of PBKDF2 apiece.
    password = make_password(DEMO_PASSWORD)
    users = {
        username: User(username=username, first_name=first, last_name=last, password=password)
        for username, first, last, _, _ in DEMO_LOGINS
    }
    users["admin"].is_staff = users["admin"].is_superuser = True
    User.objects.bulk_create(users.values())
    admin = users["admin"]
    # One site (the last of several) never recorded informing its governance lead,
    # so the NICE criterion has a gap to show.
    unrecorded = len(specs) - 1 if len(specs) > 1 else None
    sites = [
        _site(draw, spec, as_of, informed=index != unrecorded) for index, spec in enumerate(specs)
    ]
    _save_with_history(Site, sites, admin)
    operators = [_operators(spec, index) for index, spec in enumerate(specs)]
    User.objects.bulk_create([user for group in operators for user in group])
    memberships = _login_memberships(users, sites) + [
        Membership(user=user, site=site, role=Role.CLINICIAN)
        for site, group in zip(sites, operators, strict=True)
        for user in group
    ]
    _save_with_history(Membership, memberships, admin)
    return Cast(
        site_ids=tuple(site.pk for site in sites),
        operator_ids=tuple(tuple(user.pk for user in group) for group in operators),
        admin=admin,
    )


def _site(draw: Draw, spec: SiteSpec, as_of: datetime.date, *, informed: bool) -> Site:
    # Informed before the first demo procedures (which start six years before as-of).
    informed_on = draw.days_before(as_of, 6 * 365 + 30, 8 * 365)
    slug = spec.code.lower()
    return Site(
        code=spec.code,
        name=spec.name,
        organisation=f"{spec.organisation} NHS Foundation Trust",
        governance_lead_name=spec.governance_lead,
        governance_lead_email=f"clinical.governance@{slug}.example.nhs.uk",
        governance_lead_informed_on=informed_on if informed else None,
    )


def _operators(spec: SiteSpec, index: int) -> list[User]:
    users = []
    for number in range(1, operator_count(index) + 1):
        first, last = OPERATOR_NAMES[(index * 3 + number) % len(OPERATOR_NAMES)]
        user = User(username=_operator_username(spec, number), first_name=first, last_name=last)
        user.set_unusable_password()  # they operate in the data; they never sign in
        users.append(user)
    return users


def _login_memberships(users: dict[str, User], sites: list[Site]) -> list[Membership]:
    memberships = []
    for username, _, _, role, site_index in DEMO_LOGINS:
        if role is None:
            continue  # the registry admin is staff, with no site role
        chosen = sites if site_index is None else [sites[min(site_index, len(sites) - 1)]]
        memberships += [Membership(user=users[username], site=site, role=role) for site in chosen]
    return memberships


def _save_with_history(model: type[Site] | type[Membership], rows: list, author: User) -> None:
    model.objects.bulk_create(rows)
    model.history.bulk_history_create(
        rows, default_user=author, default_change_reason=CHANGE_REASON
    )


def login_rows() -> list[tuple[str, str, str]]:
    """Return (username, role, sites) for each demo login that exists, in a fixed order."""
    usernames = [login[0] for login in DEMO_LOGINS]
    users = User.objects.filter(username__in=usernames).prefetch_related("memberships__site")
    found = {user.username: user for user in users}
    rows = []
    for username in usernames:
        user = found.get(username)
        if user is None:
            continue
        if user.is_staff:
            rows.append((username, "Registry admin (staff)", "all sites"))
            continue
        memberships = sorted(user.memberships.all(), key=lambda m: m.site.code)
        roles = sorted({m.get_role_display() for m in memberships})
        rows.append((username, ", ".join(roles), ", ".join(m.site.code for m in memberships)))
    return rows
