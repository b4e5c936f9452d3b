"""The governance export: a read-only, pseudonymised REST API under /api/v1/.

Extension points for other apps (which registry must never import):

* URLs: config/urls.py includes `registry.api.urls` under /api/v1/; another app
  adds its own endpoints with its own include under the same prefix (and its own
  URL namespace). drf-spectacular documents every URL, so they join the schema.
* Bundle parts: `registry.api.bundle.register_part(name, producer, serializer=...)`
  from the other app's `AppConfig.ready()`; the producer receives the export
  scope and filters and yields CSV rows (header first).
* Data dictionary: a part's serializer (or `dictionary.register_serializer`) adds
  its fields to the data dictionary, described from the serializer like ours.
"""
