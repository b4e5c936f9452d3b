from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit and benchmarks"

    def ready(self) -> None:
        # Any committed change to registry data or benchmarks invalidates cached results.
        from audit import signals
        from audit.api.exports import register_bundle_parts

        signals.connect()
        # Metrics and published benchmarks join the export bundle and data dictionary.
        register_bundle_parts()
