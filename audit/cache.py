"""Benchmarking results cached by registry data version, shared by all workers.

The cache is Django's default cache: Redis in production and on PostgreSQL
(every gunicorn worker sees the same entries), local memory only for the SQLite
demo (see config/settings.py). Every key carries the *data version*, a random
token kept in the cache and replaced after any committed write to the registry
or to the published figures (audit.signals). A write therefore never has to find
and delete the results it makes stale: they are simply never read again and
expire after AUDIT_CACHE_TIMEOUT seconds.

The version is read before the data, so a result computed while a write commits
is stored under the old version and never served after the bump.

If the cache is unreachable the results are computed without it (and the
failure is logged) rather than failing the page.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

VERSION_KEY = "audit:data-version"
DEFAULT_TIMEOUT = 3600

T = TypeVar("T")

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a pinned dependency
    RedisError = OSError  # type: ignore[misc,assignment]

CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)


def bump_data_version() -> None:
    """Start a new data version: every cached benchmarking result becomes stale."""
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except CACHE_ERRORS:
        logger.exception("Could not bump the audit data version; cached results may be stale.")


def data_version() -> str:
    """Return the current data version, starting one if there is none yet."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return str(version)


def key_for(parts: Any, version: str) -> str:
    """Return the cache key of a result: its data version and a digest of its inputs."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"audit:{version}:{digest}"


def cached(parts: Any, compute: Callable[[], T]) -> T:
    """Return the cached result for these inputs at the current data version, or compute it.

    ``parts`` must have a stable repr (tuples, dates, numbers, frozen dataclasses).
    """
    try:
        key = key_for(parts, data_version())
        hit = cache.get(key)
    except CACHE_ERRORS:
        logger.exception("Audit cache unavailable; computing without it.")
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, timeout=getattr(settings, "AUDIT_CACHE_TIMEOUT", DEFAULT_TIMEOUT))
    except CACHE_ERRORS:
        logger.exception("Could not store an audit result in the cache.")
    return value


def cached_forever(parts: Any, compute: Callable[[], T]) -> T:
    """Cache a result that does not depend on registry data (e.g. a simulated limit)."""
    key = "audit:static:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    try:
        hit = cache.get(key)
    except CACHE_ERRORS:
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, timeout=None)
    except CACHE_ERRORS:
        logger.exception("Could not store an audit result in the cache.")
    return value
