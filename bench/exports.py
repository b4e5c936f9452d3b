"""Three ways to export a whole table, measured side by side by bench.worker.

* ``app``: the governance CSV endpoint, through Django's request handling with
  an API token, exactly as a reviewer's download (scoping, pseudonyms, log);
* ``copy``: PostgreSQL ``COPY (SELECT <the table's columns> ...) TO STDOUT`` in
  CSV, no formatting, no joins: the physical limit of getting rows out;
* ``drf``: what most projects ship, a plain ``ModelSerializer(many=True)``
  rendered as one JSON response.

Each factory does its setup (tokens, querysets) and returns a callable that
yields the bytes, so only the export itself is timed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.db import connection
from django.db.models import Model
from django.test import Client
from psycopg import sql
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from registry.models import FollowUp, Procedure, Tumour, TumourAssessment, TumourTreatment

# Label (as in bench.databases.TABLES) -> model and export endpoint.
TABLES: dict[str, tuple[type[Model], str]] = {
    "assessments": (TumourAssessment, "/api/v1/tumour-assessments/"),
    "follow_ups": (FollowUp, "/api/v1/follow-ups/"),
    "treatments": (TumourTreatment, "/api/v1/tumour-treatments/"),
    "procedures": (Procedure, "/api/v1/procedures/"),
    "tumours": (Tumour, "/api/v1/tumours/"),
}

Export = Callable[[], Iterable[bytes]]


def row_count(table: str) -> int:
    model, _ = TABLES[table]
    return model._default_manager.count()


def app(table: str) -> Export:
    """Download the table's CSV as the governance reviewer, with a fresh API token."""
    from registry.api.tokens import api_token_create
    from registry.models import User

    _, url = TABLES[table]
    reviewer = User.objects.get(username="reviewer")
    token = api_token_create(user=reviewer, name="make bench").plain
    # An allowed host, as behind the proxy, and the token on every request.
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    # A running server has imported the API and its URLs already: warm up on a tiny table.
    b"".join(client.get("/api/v1/sites/", {"format": "csv"}).streaming_content)  # type: ignore[attr-defined]

    def produce() -> Iterator[bytes]:
        response = client.get(url, {"format": "csv"})
        if response.status_code != 200:
            raise RuntimeError(f"CSV export answered {response.status_code}")
        yield from response.streaming_content  # type: ignore[attr-defined]

    return produce


def copy(table: str) -> Export:
    """COPY the table's own columns, in primary-key order, as CSV."""
    model, _ = TABLES[table]
    columns = [sql.Identifier(str(field.column)) for field in model._meta.concrete_fields]
    query = sql.SQL("COPY (SELECT {} FROM {} ORDER BY {}) TO STDOUT WITH (FORMAT csv, HEADER)")
    statement = query.format(
        sql.SQL(", ").join(columns),
        sql.Identifier(model._meta.db_table),
        sql.Identifier(str(model._meta.pk.column)),
    )

    def produce() -> Iterator[bytes]:
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as stream:
            for chunk in stream:
                yield bytes(chunk)

    return produce


def drf(table: str) -> Export:
    """Serialise every row with a plain ModelSerializer and render one JSON document."""
    model, _ = TABLES[table]
    meta = type("Meta", (), {"model": model, "fields": "__all__"})
    serializer_class = type("PlainSerializer", (serializers.ModelSerializer,), {"Meta": meta})

    def produce() -> Iterator[bytes]:
        rows = serializer_class(model._default_manager.order_by("pk"), many=True).data
        yield JSONRenderer().render(rows)

    return produce


MODES: dict[str, Callable[[str], Export]] = {"app": app, "copy": copy, "drf": drf}
