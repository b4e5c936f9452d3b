from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        # Security: log authentication events, refuse unsafe settings, and make
        # every history table append-only after each migrate (PostgreSQL).
        from registry.security import checks, signals, trail  # noqa: F401

        post_migrate.connect(trail.install_after_migrate, dispatch_uid="history_append_only")

        from registry import selectors
        from registry.models import Membership

        for signal in (post_save, post_delete):
            signal.connect(
                selectors.memberships_changed, sender=Membership, dispatch_uid="memberships"
            )
