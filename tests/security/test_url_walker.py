"""Access control cannot be forgotten: every URL, every persona, an explicit decision.

The walker lists every URL pattern of the URLconf (recursively, admin aside:
see test_admin_is_staff_only), fills its path parameters with site A's records
of the right type, and requests it as each persona, signed in with a verified
second factor as in production. Each pattern must have a row in EXPECTED; a new
view without one fails here, so its access rule is decided, not forgotten.
Clinician B and lead B ask for site A's records: they must get "not found"
(never the record), and no response to anyone outside site A's clinical team
may contain site A's patient identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from audit.models import BenchmarkFigure, Publication
from registry import services
from registry.api.pseudonyms import pseudonym
from registry.choices import Role
from registry.models import Complication
from tests.conftest import verified_login
from tests.factories import ComplicationFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.mfa]

PERSONAS = ("anonymous", "clinician_a", "clinician_b", "lead_a", "lead_b", "reviewer", "admin")

# Outcomes: ok (2xx), redirect (3xx elsewhere), login (3xx to a login page),
# forbidden (403), not_found (404), method (405), unauthorised (401), bad (400).


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """Yield (qualified name, route) for every pattern, admin aside."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, prefix + str(pattern.pattern)


@dataclass(frozen=True)
class World:
    """Site A's records, one of each type, and the people who ask for them."""

    ids: dict[str, Any]
    secrets: tuple[str, ...]  # site A's patient identifiers
    people: dict[str, Any]


@pytest.fixture
def world(full_case, site_b, clinician_a, clinician_b, lead_a, reviewer, registry_admin):
    patient = full_case
    procedure = patient.procedures.get()
    follow_up = patient.follow_ups.order_by("seen_on").first()
    withdrawn = Complication.objects.get(pk=ComplicationFactory(procedure=procedure).pk)
    services.record_withdraw(by=clinician_a, record=withdrawn, reason="Entered twice")
    lead_b = UserFactory(username="lars")
    MembershipFactory(user=lead_b, site=site_b, role=Role.SITE_LEAD)
    ids = {
        "site": patient.site.pk,
        "site_code": patient.site.code,
        "patient": patient.pk,
        "pseudonym": pseudonym(patient.registry_id),
        "tumour": patient.tumours.get(label="T1").pk,
        "procedure": procedure.pk,
        "treatment": procedure.treatments.get().pk,
        "follow_up": follow_up.pk,
        "assessment": follow_up.assessments.get().pk,
        "complication": procedure.complications.current().get().pk,
        "withdrawn_complication": withdrawn.pk,
        "figure": BenchmarkFigure.objects.order_by("pk").values_list("pk", flat=True)[0],
        "publication": Publication.objects.order_by("pk").values_list("pk", flat=True)[0],
    }
    people = {
        "anonymous": None,
        "clinician_a": clinician_a,
        "clinician_b": clinician_b,
        "lead_a": lead_a,
        "lead_b": lead_b,
        "reviewer": reviewer,
        "admin": registry_admin,
    }
    return World(ids, (patient.nhs_number, patient.hospital_number), people)


# How to reach each pattern with site A's records: (method, path) pairs.
Requests = Callable[[dict[str, Any]], list[tuple[str, str]]]


def get(template: str) -> Requests:
    return lambda ids: [("GET", template.format(**ids))]


def post(template: str) -> Requests:
    return lambda ids: [("POST", template.format(**ids))]


def each_kind(action: str) -> Requests:
    kinds = {
        "patients": "patient",
        "tumours": "tumour",
        "procedures": "procedure",
        "follow-ups": "follow_up",
        "complications": "complication",
        "treatments": "treatment",
        "assessments": "assessment",
    }
    return lambda ids: [
        (method, f"/{kind}/{ids[key]}/{action}/")
        for kind, key in kinds.items()
        for method in ("GET", "POST")
    ]


API_DETAIL = {
    "tumours": "tumour",
    "procedures": "procedure",
    "tumour-treatments": "treatment",
    "follow-ups": "follow_up",
    "tumour-assessments": "assessment",
    "complications": "complication",
}

REQUESTS: dict[str, Requests] = {
    "home": get("/"),
    "login": get("/accounts/login/"),
    "logout": post("/accounts/logout/"),
    "password_change": get("/accounts/password_change/"),
    "password_change_done": get("/accounts/password_change/done/"),
    "mfa_verify": get("/accounts/mfa/verify/"),
    "mfa_setup": get("/accounts/mfa/setup/"),
    "mfa_setup_qr": get("/accounts/mfa/setup/qr.svg"),
    "mfa_backup_codes": get("/accounts/mfa/backup-codes/"),
    "registry:switch_site": post("/site/"),
    "registry:patient_list": get("/patients/"),
    "registry:patient_create": get("/patients/new/"),
    "registry:patient_detail": get("/patients/{patient}/"),
    "registry:patient_edit": get("/patients/{patient}/edit/"),
    "registry:patient_history": get("/patients/{patient}/history/"),
    "registry:procedure_create": get("/patients/{patient}/procedures/new/"),
    "registry:procedure_edit": get("/procedures/{procedure}/edit/"),
    "registry:follow_up_create": get("/patients/{patient}/follow-ups/new/"),
    "registry:follow_up_edit": get("/follow-ups/{follow_up}/edit/"),
    "registry:complication_create": get("/procedures/{procedure}/complications/new/"),
    "registry:complication_edit": get("/complications/{complication}/edit/"),
    "registry:record_action": each_kind("withdraw"),
    "registry:patient_sign_off": lambda ids: [
        (method, f"/patients/{ids['patient']}/{action}/")
        for action in ("lock", "unlock")
        for method in ("GET", "POST")
    ],
    "registry:worklist": get("/worklist/"),
    "audit:dashboard": get("/dashboard/?site={site}"),
    "audit:report": get("/dashboard/report/?site={site}"),
    "audit:definitions": get("/dashboard/definitions/"),
    "audit:chart": get("/dashboard/charts/survival.svg?site={site}"),
    "api:sites-list": get("/api/v1/sites/"),
    "api:sites-detail": get("/api/v1/sites/{site_code}/"),
    "api:patients-list": get("/api/v1/patients/?site={site_code}"),
    "api:patients-detail": get("/api/v1/patients/{pseudonym}/"),
    **{f"api:{kind}-list": get(f"/api/v1/{kind}/?site={{site_code}}") for kind in API_DETAIL},
    **{f"api:{kind}-detail": get(f"/api/v1/{kind}/{{{key}}}/") for kind, key in API_DETAIL.items()},
    "api:data-dictionary": get("/api/v1/data-dictionary/"),
    "api:bundle": get("/api/v1/bundle/?site={site_code}"),
    "api:schema": get("/api/v1/schema/"),
    "api:docs": get("/api/v1/docs/"),
    "api:redoc": get("/api/v1/redoc/"),
    "audit_api:benchmarks-list": get("/api/v1/benchmarks/"),
    "audit_api:benchmarks-detail": get("/api/v1/benchmarks/{figure}/"),
    "audit_api:benchmark-publications-list": get("/api/v1/benchmarks/publications/"),
    "audit_api:benchmark-publications-detail": get(
        "/api/v1/benchmarks/publications/{publication}/"
    ),
    "audit_api:metrics": get("/api/v1/metrics/?site={site_code}"),
}


def outcome(response: Any) -> str:
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if "/accounts/login/" in location or "/admin/login/" in location:
            return "login"
        return "redirect"
    names = {401: "unauthorised", 403: "forbidden", 404: "not_found", 405: "method", 400: "bad"}
    if 200 <= code < 300:
        return "ok"
    assert code in names, f"unexpected status {code}"
    return names[code]


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        verified_login(client, user)
    return client


def observe(world: World, persona: str, table: dict[str, Requests]) -> dict[str, dict[str, str]]:
    """Request every URL as the persona; return {name: {"METHOD path": outcome}}."""
    seen: dict[str, dict[str, str]] = {}
    for name, requests in table.items():
        seen[name] = {}
        for method, path in requests(world.ids):
            client = client_for(world.people[persona])  # fresh: no side effects between URLs
            response = client.get(path) if method == "GET" else client.post(path, {})
            seen[name][f"{method} {path}"] = outcome(response)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if persona not in ("clinician_a", "lead_a", "admin"):
                for secret in world.secrets:
                    assert secret.encode() not in body, f"{persona} saw {secret} at {path}"
    return seen


# Extra requests that the table decides separately (same URL pattern, other records).
EXTRA: dict[str, Requests] = {
    "restore a withdrawn record": lambda ids: [
        (method, f"/complications/{ids['withdrawn_complication']}/restore/")
        for method in ("GET", "POST")
    ],
}

# Outcome per persona, in PERSONAS order:
#          anonymous, clinician A, clinician B, lead A, lead B, reviewer, registry admin
LOGIN_PAGE = ("ok",) * 7
SIGNED_IN = ("login", "ok", "ok", "ok", "ok", "ok", "ok")
CLINICAL_LIST = ("login", "ok", "ok", "ok", "ok", "forbidden", "ok")
SITE_A_RECORD = ("login", "ok", "not_found", "ok", "not_found", "forbidden", "ok")
SITE_A_LEAD_ACTION = ("login", "forbidden", "not_found", "ok", "not_found", "forbidden", "ok")
DASHBOARD_OF_SITE_A = ("login", "ok", "bad", "ok", "bad", "ok", "ok")
API_DOCS = ("login", "ok", "ok", "ok", "ok", "ok", "ok")
API_SCHEMA = ("unauthorised", "ok", "ok", "ok", "ok", "ok", "ok")
API_ANY_EXPORTER = ("unauthorised", "forbidden", "forbidden", "ok", "ok", "ok", "ok")
API_SITE_A = ("unauthorised", "forbidden", "forbidden", "ok", "not_found", "ok", "ok")

EXPECTED: dict[str, tuple[str, ...]] = {
    # Clinicians and leads land on their patients; reviewers and admins on the home page.
    "home": ("login", "redirect", "redirect", "redirect", "redirect", "ok", "ok"),
    "login": LOGIN_PAGE,
    "logout": ("login",) * 7,  # POST: signed out, back to the sign-in page
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    # Already verified: the check sends them on.
    "mfa_verify": ("login", *("redirect",) * 6),
    "mfa_setup": SIGNED_IN,  # replacing the authenticator, after verifying with the old one
    "mfa_setup_qr": SIGNED_IN,
    "mfa_backup_codes": SIGNED_IN,
    "registry:switch_site": ("login", *("redirect",) * 4, "forbidden", "redirect"),
    "registry:patient_list": CLINICAL_LIST,
    "registry:patient_create": CLINICAL_LIST,
    "registry:patient_detail": SITE_A_RECORD,
    "registry:patient_edit": SITE_A_RECORD,
    "registry:patient_history": SITE_A_RECORD,
    "registry:procedure_create": SITE_A_RECORD,
    "registry:procedure_edit": SITE_A_RECORD,
    "registry:follow_up_create": SITE_A_RECORD,
    "registry:follow_up_edit": SITE_A_RECORD,
    "registry:complication_create": SITE_A_RECORD,
    "registry:complication_edit": SITE_A_RECORD,
    "registry:record_action": SITE_A_RECORD,
    "restore a withdrawn record": SITE_A_RECORD,
    "registry:patient_sign_off": SITE_A_LEAD_ACTION,
    "registry:worklist": CLINICAL_LIST,
    # ?site=<site A>: other sites' people get the filter's field error, not site A's figures.
    "audit:dashboard": DASHBOARD_OF_SITE_A,
    "audit:report": DASHBOARD_OF_SITE_A,
    "audit:definitions": SIGNED_IN,
    "audit:chart": DASHBOARD_OF_SITE_A,
    "api:sites-list": API_ANY_EXPORTER,
    "api:sites-detail": API_SITE_A,
    "api:patients-list": API_SITE_A,
    "api:patients-detail": API_SITE_A,
    **{f"api:{kind}-list": API_SITE_A for kind in API_DETAIL},
    **{f"api:{kind}-detail": API_SITE_A for kind in API_DETAIL},
    "api:data-dictionary": API_ANY_EXPORTER,
    # Published figures are public knowledge; the metrics are site A's aggregates.
    "audit_api:benchmarks-list": API_ANY_EXPORTER,
    "audit_api:benchmarks-detail": API_ANY_EXPORTER,
    "audit_api:benchmark-publications-list": API_ANY_EXPORTER,
    "audit_api:benchmark-publications-detail": API_ANY_EXPORTER,
    "audit_api:metrics": API_SITE_A,
    "api:bundle": API_SITE_A,
    "api:schema": API_SCHEMA,  # the API's description holds no registry data
    "api:docs": API_DOCS,
    "api:redoc": API_DOCS,
}


def test_every_url_pattern_has_a_decision():
    patterns = {name for name, _ in walk(get_resolver().url_patterns)}
    assert not patterns - set(REQUESTS), (
        f"URL patterns the walker cannot reach: {sorted(patterns - set(REQUESTS))}"
    )
    assert not patterns - set(EXPECTED), (
        f"New URL patterns need an access decision in EXPECTED: {sorted(patterns - set(EXPECTED))}"
    )
    assert not set(REQUESTS) - patterns, f"Stale rows: {sorted(set(REQUESTS) - patterns)}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_each_persona_as_decided(world, persona):
    column = PERSONAS.index(persona)
    observed = observe(world, persona, {**REQUESTS, **EXTRA})
    wrong = [
        f"{request}: expected {EXPECTED[name][column]}, got {got}"
        for name, results in observed.items()
        for request, got in results.items()
        if got != EXPECTED[name][column]
    ]
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("persona", ["anonymous", "clinician_a", "lead_a", "reviewer"])
def test_the_admin_site_is_for_staff_only(world, persona):
    client = client_for(world.people[persona])
    for path in admin_paths(world):
        response = client.get(path)
        assert outcome(response) == "login", f"{persona} reached {path}"


def test_registry_admins_reach_every_admin_page(world):
    client = client_for(world.people["admin"])
    for path in admin_paths(world):
        response = client.get(path)
        assert response.status_code in (200, 302, 403), f"{path}: {response.status_code}"
        assert outcome(response) != "login", path


def admin_paths(world: World) -> list[str]:
    """The index, and each registered model's list, add and change pages (a site A record)."""
    ids = {
        "patient": world.ids["patient"],
        "procedure": world.ids["procedure"],
        "tumour": world.ids["tumour"],
        "tumourtreatment": world.ids["treatment"],
        "followup": world.ids["follow_up"],
        "tumourassessment": world.ids["assessment"],
        "complication": world.ids["complication"],
        "site": world.ids["site"],
    }
    paths = ["/admin/"]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths += [base, base + "add/"]
        if model._meta.model_name in ids:
            paths += [f"{base}{ids[model._meta.model_name]}/change/"]
            paths += [f"{base}{ids[model._meta.model_name]}/history/"]
    return paths
