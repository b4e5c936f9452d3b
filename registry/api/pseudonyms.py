"""Patient pseudonyms: HMAC-SHA256 of the registry ID under the export key.

The same key always gives the same pseudonym, so exports can be linked over
time; without the key a pseudonym cannot be traced back to a registry ID. The
SQL twin (PostgreSQL pgcrypto) is `encode(hmac(registry_id, key, 'sha256'), 'hex')`
and must give the same value, so a COPY-based export can pseudonymise in SQL.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

PSEUDONYM_PATTERN = r"^[0-9a-f]{64}$"
PSEUDONYM_SQL = "encode(hmac({column}, %s, 'sha256'), 'hex')"


def export_key() -> bytes:
    """Return the export key (settings.EXPORT_PSEUDONYM_KEY) as bytes."""
    return str(settings.EXPORT_PSEUDONYM_KEY).encode()


def pseudonym(registry_id: str, *, key: bytes | None = None) -> str:
    """Return the pseudonym of a patient: 64 lowercase hex digits."""
    secret = export_key() if key is None else key
    return hmac.new(secret, registry_id.encode(), hashlib.sha256).hexdigest()


def key_fingerprint(*, key: bytes | None = None) -> str:
    """Return a short fingerprint of the key: equal fingerprints, comparable pseudonyms."""
    secret = export_key() if key is None else key
    return hashlib.sha256(b"cryoaudit-export-key:" + secret).hexdigest()[:12]
