"""Signals the registry sends so that other apps can react without being imported here."""

from django.dispatch import Signal

# Sent after records were written in bulk (e.g. by the demo or seed loader), where
# not every record sends post_save. Send it after the load, with sender = the loader
# (any object) and using = the database alias:
#     records_bulk_loaded.send(sender=SeedLoader, using="default")
# The audit app receives it and invalidates its cached dashboards.
records_bulk_loaded = Signal()
