"""People, sites and who may do what where."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from registry.choices import Role
from registry.validators import validate_not_in_future


class User(AbstractUser):
    """A person who signs in. Registry admins are staff (`is_staff`)."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Site(models.Model):
    """A hospital unit that performs cryotherapy and audits its outcomes."""

    code = models.CharField(
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$",
                "Use capital letters, digits and hyphens, e.g. LEEDS-HPB.",
            )
        ],
        help_text="Short code shown in lists and exports, e.g. LEEDS-HPB.",
    )
    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, help_text="The NHS trust or health board.")
    governance_lead_name = models.CharField("clinical governance lead", max_length=200, blank=True)
    governance_lead_email = models.EmailField("governance lead e-mail", blank=True)
    governance_lead_informed_on = models.DateField(
        "date the governance lead was informed",
        null=True,
        blank=True,
        validators=[validate_not_in_future],
        help_text="NICE HTG241 1.2: inform the clinical governance leads in the Trust.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class Membership(models.Model):
    """A user's role at one site. A user may belong to several sites."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_role_per_user_and_site"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} at {self.site.code}"
