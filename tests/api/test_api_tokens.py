"""Personal API tokens: hashed, shown once, expiring, revocable in the admin."""

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry.api import tokens
from registry.models import ApiToken

PATIENTS = "/api/v1/patients/"


def test_only_the_hash_of_a_token_is_stored(reviewer):
    issued = tokens.api_token_create(user=reviewer, name="R on my laptop")
    stored = ApiToken.objects.get()
    assert issued.plain.startswith(f"{stored.prefix}.")
    assert stored.key_hash == hashlib.sha256(issued.plain.encode()).hexdigest()
    assert issued.plain not in str(ApiToken.objects.values().get())
    assert stored.expires_at > timezone.now() + datetime.timedelta(days=89)


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_bearer_and_token_keywords_authenticate(api, cohort, reviewer, keyword):
    plain = tokens.api_token_create(user=reviewer, name="t").plain
    api.credentials(HTTP_AUTHORIZATION=f"{keyword} {plain}")
    assert api.get(PATIENTS).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda plain: plain + "x", "Invalid token."),
        (lambda plain: "nodot", "Malformed token."),
        (lambda plain: "ffffffff." + plain.split(".")[1], "Invalid token."),
        (lambda plain: f"{plain} extra", "Send 'Authorization: Bearer <token>'."),
    ],
)
def test_wrong_tokens_get_401_with_a_reason(api, reviewer, mangle, message):
    plain = tokens.api_token_create(user=reviewer, name="t").plain
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {mangle(plain)}")
    response = api.get(PATIENTS)
    assert response.status_code == 401
    assert response.json() == {"detail": message}


def test_expired_token_is_refused(api, reviewer):
    issued = tokens.api_token_create(user=reviewer, name="t")
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
        created_at=timezone.now() - datetime.timedelta(days=1),
    )
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    response = api.get(PATIENTS)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_revoked_token_is_refused_at_once(api, reviewer, registry_admin):
    issued = tokens.api_token_create(user=reviewer, name="t")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    assert api.get(PATIENTS).status_code == 200
    tokens.api_token_revoke(token=issued.token, by=registry_admin)
    response = api.get(PATIENTS)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_token_of_a_deactivated_user_is_refused(api, reviewer):
    plain = tokens.api_token_create(user=reviewer, name="t").plain
    reviewer.is_active = False
    reviewer.save()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert api.get(PATIENTS).status_code == 401


def test_expiry_must_be_in_the_future(reviewer):
    with pytest.raises(ValidationError):
        tokens.api_token_create(
            user=reviewer, name="t", expires_at=timezone.now() - datetime.timedelta(days=1)
        )


def test_registry_admin_issues_a_token_and_sees_it_once(client, registry_admin, reviewer):
    client.force_login(registry_admin)
    expires = (timezone.localtime() + datetime.timedelta(days=30)).replace(microsecond=0)
    response = client.post(
        "/admin/registry/apitoken/add/",
        {
            "user": reviewer.pk,
            "name": "Quarterly review",
            "expires_at_0": expires.strftime("%d/%m/%Y"),
            "expires_at_1": expires.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    page = response.content.decode()
    plain = page.split('<code class="api-token">')[1].split("</code>")[0]
    assert tokens.api_token_check(plain) == token
    assert token.created_by == registry_admin and token.user == reviewer
    # Later pages show the prefix only.
    later = client.get(f"/admin/registry/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in later and plain not in later


def test_registry_admin_revokes_tokens_in_the_admin(client, registry_admin, reviewer):
    issued = tokens.api_token_create(user=reviewer, name="t")
    client.force_login(registry_admin)
    client.post(
        "/admin/registry/apitoken/",
        {"action": "revoke_selected", "_selected_action": [issued.token.pk]},
    )
    token = ApiToken.objects.get()
    assert token.is_revoked and token.revoked_by == registry_admin
    assert client.get(f"/admin/registry/apitoken/{token.pk}/delete/").status_code == 403


def test_only_registry_admins_manage_tokens(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/admin/registry/apitoken/").status_code == 302
