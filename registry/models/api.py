"""Personal API tokens and the log of governance exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiToken(models.Model):
    """A personal API token, stored as a SHA-256 hash and shown only once.

    The plain token reads `<prefix>.<secret>`: the prefix finds the row, the hash
    of the whole token proves it. Tokens expire, and a registry admin (or the
    owner) can revoke one at any time; a revoked token is kept for the record.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. 'R analysis on my laptop'."
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField("SHA-256 of the token", max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired


class ExportLog(models.Model):
    """One export request: who took which data, when, with which filters."""

    class Status(models.TextChoices):
        STARTED = "started", "Started (streaming)"
        COMPLETED = "completed", "Completed"
        INTERRUPTED = "interrupted", "Interrupted"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept beside the key so the log still says who it was if the user goes.
    username = models.CharField(max_length=150)
    token = models.ForeignKey(
        ApiToken,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exports",
        help_text="The API token used, if any (else a signed-in session).",
    )
    at = models.DateTimeField("time", default=timezone.now, db_index=True)
    endpoint = models.CharField(max_length=200, help_text="The path requested.")
    format = models.CharField(max_length=8)
    filters = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.COMPLETED)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["started", "completed", "interrupted"]),
                name="export_log_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.endpoint} ({self.format}) at {self.at:%d/%m/%Y %H:%M}"
