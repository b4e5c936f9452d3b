"""Personal API tokens: create (shown once), check, revoke.

Only the SHA-256 of a token is stored. The plain token reads `<prefix>.<secret>`:
the random prefix finds the row without a scan, and the hash comparison runs in
constant time.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from registry.models import ApiToken, User

# Writing last_used_at on every request would cost a write per call; once a minute is enough.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class TokenError(Exception):
    """The token is unknown, expired or revoked; the message says which."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plain: str  # Shown once to its owner; never stored.


def hash_token(plain: str) -> str:
    """Return the SHA-256 hex digest stored for a plain token."""
    return hashlib.sha256(plain.encode()).hexdigest()


def default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


@transaction.atomic
def api_token_create(
    *, user: User, name: str, by: User | None = None, expires_at: datetime.datetime | None = None
) -> IssuedToken:
    """Issue a token for a user; the plain token is returned once and never stored."""
    expires_at = expires_at or default_expiry()
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Choose an expiry date in the future."})
    prefix = secrets.token_hex(4)
    plain = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=prefix,
        key_hash=hash_token(plain),
        created_by=by or user,
        expires_at=expires_at,
    )
    token.full_clean(exclude=["created_at"])
    token.save()
    return IssuedToken(token=token, plain=plain)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first revocation."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_check(plain: str) -> ApiToken:
    """Return the usable token matching a plain token, or raise TokenError."""
    prefix, dot, _secret = plain.partition(".")
    if not dot or not prefix:
        raise TokenError("Malformed token.")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_token(plain)):
        raise TokenError("Invalid token.")
    if token.is_revoked:
        raise TokenError("This token was revoked.")
    if token.is_expired:
        raise TokenError("This token has expired; create a new one.")
    if not token.user.is_active:
        raise TokenError("The token's user is inactive.")
    _touch(token)
    return token


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # ApiToken has no history: a targeted UPDATE avoids racing a concurrent revocation.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def describe(token: ApiToken) -> dict[str, Any]:
    """Return a token's public facts (never the hash)."""
    return {
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }
